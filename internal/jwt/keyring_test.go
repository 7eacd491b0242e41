package jwt

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
)

// TestSigningKeySelection walks one project's keys through a rotation and
// checks, at each instant, which key signs, which are published and until
// when that holds.
func TestSigningKeySelection(t *testing.T) {
	t.Parallel()
	const lead = time.Hour
	retire := t0.Add(lead)
	expire := retire.Add(Lifetime + time.Minute)

	// a signed from t0 and is being rotated out in favour of b.
	a := newTestKey(t, t0)
	a.RetiredAt, a.ExpiresAt = ptr(retire), ptr(expire)
	b := newTestKey(t, t0.Add(time.Minute))
	b.ActiveAt = retire
	// c is a second key with no retirement, as left by racing Ensure calls
	// on two processes; the later activation signs.
	c := newTestKey(t, t0.Add(2*time.Minute))
	// d was retired without replacement and still awaits expiry.
	d := newTestKey(t, t0)
	d.RetiredAt, d.ExpiresAt = ptr(t0.Add(time.Minute)), ptr(t0.Add(7*time.Minute))

	tests := []struct {
		name       string
		keys       []auth.SigningKey
		now        time.Time
		signer     string
		published  []string
		validUntil time.Time
	}{
		{"no keys", nil, t0, "", nil, time.Time{}},
		{"single key", []auth.SigningKey{newTestKeyWithID(t, c, "")}, t0.Add(3 * time.Minute), c.KeyID, []string{c.KeyID}, time.Time{}},
		{"not yet active", []auth.SigningKey{b}, t0.Add(time.Minute), "", []string{b.KeyID}, retire},
		{"before publication of b", []auth.SigningKey{a}, t0, a.KeyID, []string{a.KeyID}, retire},
		{"overlap: a signs, b published", []auth.SigningKey{a, b}, t0.Add(30 * time.Minute), a.KeyID, []string{a.KeyID, b.KeyID}, retire},
		{"an instant before the switch", []auth.SigningKey{b, a}, retire.Add(-time.Nanosecond), a.KeyID, []string{a.KeyID, b.KeyID}, retire},
		{"at the switch: b signs, a still published", []auth.SigningKey{a, b}, retire, b.KeyID, []string{a.KeyID, b.KeyID}, expire},
		{"a's JWTs all expired", []auth.SigningKey{a, b}, expire, b.KeyID, []string{b.KeyID}, time.Time{}},
		{"two unretired keys: later activation signs", []auth.SigningKey{c, newTestKeyWithID(t, d, "unretired")}, t0.Add(3 * time.Minute), c.KeyID, []string{"unretired", c.KeyID}, time.Time{}},
		{"retired, unreplaced key is published but does not sign", []auth.SigningKey{d}, t0.Add(2 * time.Minute), "", []string{d.KeyID}, t0.Add(7 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kr := mustKeyring(t, tt.now, tt.keys...)
			if got := kr.SigningKeyID(); got != tt.signer {
				t.Errorf("SigningKeyID() = %q, want %q", got, tt.signer)
			}
			if diff := cmp.Diff(tt.published, kids(kr.JWKS())); diff != "" {
				t.Errorf("published kids (-want +got):\n%s", diff)
			}
			if got := kr.ValidUntil(); !got.Equal(tt.validUntil) {
				t.Errorf("ValidUntil() = %v, want %v", got, tt.validUntil)
			}
			if tt.signer == "" {
				c := consumerClaims(tt.now)
				if _, err := kr.SignSession(c); err == nil {
					t.Error("SignSession without a signing key succeeded")
				}
			}
		})
	}
}

// newTestKeyWithID returns k with its retirement cleared and, if id is not
// empty, that key ID.
func newTestKeyWithID(tb testing.TB, k auth.SigningKey, id string) auth.SigningKey {
	tb.Helper()
	k.RetiredAt, k.ExpiresAt = nil, nil
	if id != "" {
		k.KeyID = id
	}
	return k
}
