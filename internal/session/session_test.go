package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

func TestAuthenticateByTokenAndJWT(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		l := s.Login(t, p, "s@example.com", 60)

		byToken, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: l.Token})
		if err != nil {
			t.Fatal(err)
		}
		if byToken.Session.ID != l.Session.ID || byToken.User.ID != l.User.ID || byToken.Token != l.Token || byToken.JWT == "" {
			t.Errorf("by token = %+v", byToken)
		}
		byJWT, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{JWT: l.JWT})
		if err != nil {
			t.Fatal(err)
		}
		if byJWT.Session.ID != l.Session.ID {
			t.Errorf("by JWT session = %s", byJWT.Session.ID)
		}

		// An expired JWT of a live session is still accepted, and a fresh
		// JWT comes back.
		s.Clock.Advance(jwt.Lifetime + time.Minute)
		refreshed, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{JWT: l.JWT})
		if err != nil {
			t.Fatalf("expired JWT of a live session: %v", err)
		}
		kr, err := s.Keys.Keyring(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kr.VerifySession(refreshed.JWT, s.Clock.Now()); err != nil {
			t.Errorf("refreshed JWT does not verify now: %v", err)
		}

		// After the session expires, neither credential works.
		s.Clock.Advance(time.Hour)
		for name, in := range map[string]session.AuthenticateInput{"token": {Token: l.Token}, "jwt": {JWT: l.JWT}} {
			if _, err := s.Sessions.Authenticate(ctx, p, in); !errors.Is(err, auth.ErrSessionNotFound) {
				t.Errorf("%s after expiry: err = %v", name, err)
			}
		}
	})
}

func TestAuthenticateArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	other, _ := s.NewProject(t, auth.EnvTest)
	l := s.Login(t, p, "a@example.com", 60)
	for _, tc := range []struct {
		name    string
		project *auth.Project
		in      session.AuthenticateInput
		want    *auth.Error
	}{
		{"none", p, session.AuthenticateInput{}, auth.ErrNoSessionArguments},
		{"both", p, session.AuthenticateInput{Token: l.Token, JWT: l.JWT}, auth.ErrTooManySessionArguments},
		{"unknown token", p, session.AuthenticateInput{Token: "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3XXX"}, auth.ErrSessionNotFound},
		{"garbage jwt", p, session.AuthenticateInput{JWT: "not.a.jwt"}, auth.ErrUnableToParseSessionJWT},
		{"token of another project", other, session.AuthenticateInput{Token: l.Token}, auth.ErrSessionNotFound},
		{"jwt of another project", other, session.AuthenticateInput{JWT: l.JWT}, auth.ErrUnableToParseSessionJWT},
		{"short duration", p, session.AuthenticateInput{Token: l.Token, DurationMinutes: 4}, auth.ErrInvalidSessionDuration},
		{"long duration", p, session.AuthenticateInput{Token: l.Token, DurationMinutes: auth.MaxSessionMinutes + 1}, auth.ErrInvalidSessionDuration},
		{"reserved claim", p, session.AuthenticateInput{Token: l.Token, CustomClaims: map[string]any{"sub": "x"}}, auth.ErrReservedClaims},
		{"claims too large", p, session.AuthenticateInput{Token: l.Token, CustomClaims: map[string]any{"blob": strings.Repeat("x", 5000)}}, auth.ErrCustomClaimsTooLarge},
		{"stytch claim", p, session.AuthenticateInput{Token: l.Token, CustomClaims: map[string]any{"https://stytch.com/x": 1}}, auth.ErrStytchClaimsInCustomClaims},
	} {
		if _, err := s.Sessions.Authenticate(ctx, tc.project, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
		}
	}
}

func TestExtendAndCustomClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	l := s.Login(t, p, "c@example.com", 10)

	s.Clock.Advance(5 * time.Minute)
	res, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{
		Token: l.Token, DurationMinutes: 120, CustomClaims: map[string]any{"plan": "pro", "seats": 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Clock.Now().Add(2 * time.Hour); !res.Session.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", res.Session.ExpiresAt, want)
	}
	kr, _ := s.Keys.Keyring(ctx, p.ID)
	claims, err := kr.VerifySession(res.JWT, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if claims.Custom["plan"] != "pro" || !claims.ExpiresAt.Equal(res.Session.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("JWT claims = %+v", claims)
	}
	// Stored: a later authenticate sees them; null removes a key.
	res, err = s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: l.Token, CustomClaims: map[string]any{"seats": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Session.CustomClaims["seats"]; ok || res.Session.CustomClaims["plan"] != "pro" {
		t.Errorf("custom claims = %v", res.Session.CustomClaims)
	}
	// Past the original 10 minutes the extended session lives on.
	s.Clock.Advance(30 * time.Minute)
	if _, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: l.Token}); err != nil {
		t.Errorf("extended session: %v", err)
	}
}

func TestLastAccessedIsNotWrittenOnEveryCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	l := s.Login(t, p, "h@example.com", 60)
	started := l.Session.LastAccessedAt

	s.Clock.Advance(10 * time.Second)
	res, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: l.Token})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Session.LastAccessedAt.Equal(started) {
		t.Errorf("last_accessed_at moved after 10s: %v", res.Session.LastAccessedAt)
	}
	if res.JWT != l.JWT {
		t.Error("JWT re-signed for an unchanged session within a minute")
	}
	s.Clock.Advance(time.Minute)
	res, err = s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: l.Token})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Session.LastAccessedAt.Equal(s.Clock.Now()) {
		t.Errorf("last_accessed_at = %v after a minute, want %v", res.Session.LastAccessedAt, s.Clock.Now())
	}
	stored, err := s.Store.GetSession(ctx, p.ID, l.Session.ID)
	if err != nil || !stored.LastAccessedAt.Equal(s.Clock.Now()) {
		t.Errorf("stored last_accessed_at = %v, %v", stored, err)
	}
	if res.JWT == l.JWT {
		t.Error("JWT not re-signed after the session changed")
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		for _, by := range []string{"id", "token", "jwt"} {
			l := s.Login(t, p, by+"@example.com", 60)
			in := map[string]session.RevokeInput{
				"id": {SessionID: l.Session.ID}, "token": {Token: l.Token}, "jwt": {JWT: l.JWT},
			}[by]
			if err := s.Sessions.Revoke(ctx, p, in); err != nil {
				t.Fatalf("revoke by %s: %v", by, err)
			}
			for name, a := range map[string]session.AuthenticateInput{"token": {Token: l.Token}, "jwt": {JWT: l.JWT}} {
				if _, err := s.Sessions.Authenticate(ctx, p, a); !errors.Is(err, auth.ErrSessionNotFound) {
					t.Errorf("revoked by %s, authenticate by %s: err = %v", by, name, err)
				}
			}
			if err := s.Sessions.Revoke(ctx, p, in); !errors.Is(err, auth.ErrSessionNotFound) {
				t.Errorf("second revoke by %s: err = %v", by, err)
			}
		}
		for _, tc := range []struct {
			in   session.RevokeInput
			want *auth.Error
		}{
			{session.RevokeInput{}, auth.ErrNoSessionRevokeArguments},
			{session.RevokeInput{SessionID: "x", Token: "y"}, auth.ErrTooManySessionRevokeArguments},
			{session.RevokeInput{SessionID: "not-an-id"}, auth.ErrInvalidSessionID},
		} {
			if err := s.Sessions.Revoke(ctx, p, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("Revoke(%+v) = %v, want %s", tc.in, err, tc.want.Type)
			}
		}
	})
}

func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	a := s.Login(t, p, "l@example.com", 60)
	b := s.Login(t, p, "l@example.com", 120)
	ss, err := s.Sessions.List(ctx, p, a.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 {
		t.Fatalf("%d sessions, want 2", len(ss))
	}
	s.Clock.Advance(90 * time.Minute)
	ss, _ = s.Sessions.List(ctx, p, a.User.ID)
	if len(ss) != 1 || ss[0].ID != b.Session.ID {
		t.Errorf("after a's expiry: %+v", ss)
	}
	if _, err := s.Sessions.List(ctx, p, "user-test-00000000-0000-4000-8000-000000000000"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("unknown user: err = %v", err)
	}
}

func TestSandboxSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	res, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: auth.SandboxSessionToken})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Session.StartedAt.Format(time.RFC3339Nano); got != "2021-08-28T00:41:58.935673Z" || res.User.ID != auth.SandboxUserID {
		t.Errorf("sandbox session started %s for %s", got, res.User.ID)
	}
	byJWT, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{JWT: res.JWT})
	if err != nil || byJWT.Session.ID != auth.SandboxSessionID {
		t.Errorf("sandbox JWT: %+v, %v", byJWT, err)
	}
	if _, err := s.Sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: auth.SandboxSessionNotFound}); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("sandbox not-found token: err = %v", err)
	}
	// GetOrSandbox reads the same values without signing anything.
	for _, in := range []struct{ tok, jwt string }{{auth.SandboxSessionToken, ""}, {"", res.JWT}} {
		if sess, u, err := s.Sessions.GetOrSandbox(ctx, p, in.tok, in.jwt); err != nil || sess.ID != auth.SandboxSessionID || u.ID != auth.SandboxUserID {
			t.Errorf("GetOrSandbox(%q, %q) = %+v, %+v, %v", in.tok, in.jwt, sess, u, err)
		}
	}
	if _, _, err := s.Sessions.GetOrSandbox(ctx, p, auth.SandboxSessionNotFound, ""); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("GetOrSandbox of the sandbox not-found token: err = %v", err)
	}
	live, _ := s.NewProject(t, auth.EnvLive)
	if _, _, err := s.Sessions.GetOrSandbox(ctx, live, auth.SandboxSessionToken, ""); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("GetOrSandbox of the sandbox token in a live project: err = %v", err)
	}
}

func TestRevokeAllSessionsButOne(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		// A user's sessions: all but keep end.
		keep := s.Login(t, p, "r@example.com", 60)
		s.Login(t, p, "r@example.com", 60)
		s.Login(t, p, "r@example.com", 60)
		if err := st.InTx(ctx, func(tx store.Store) error {
			return s.Sessions.RevokeUserSessions(ctx, tx, p, keep.User.ID, keep.Session.ID)
		}); err != nil {
			t.Fatal(err)
		}
		if ss, err := s.Sessions.List(ctx, p, keep.User.ID); err != nil || len(ss) != 1 || ss[0].ID != keep.Session.ID {
			t.Errorf("user sessions after revoking all but %s = %+v, %v", keep.Session.ID, ss, err)
		}

		// A member's sessions: with no keep, all end.
		o := s.NewOrganization(t, p, "Acme", nil)
		m := s.NewMember(t, o, "r@acme.com", auth.MemberActive)
		now := s.Clock.Now()
		for range 2 {
			if err := st.InTx(ctx, func(tx store.Store) error {
				_, err := s.Sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{Member: m, Organization: o,
					Factors: []auth.AuthenticationFactor{{Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail, LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
						EmailFactor: &auth.EmailFactor{EmailAddress: m.EmailAddress}}}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if ss, err := st.ListMemberSessions(ctx, p.ID, m.ID, now); err != nil || len(ss) != 2 {
			t.Fatalf("member sessions = %d, %v; want 2", len(ss), err)
		}
		if err := st.InTx(ctx, func(tx store.Store) error {
			return s.Sessions.RevokeMemberSessions(ctx, tx, p, m.ID, "")
		}); err != nil {
			t.Fatal(err)
		}
		if ss, err := st.ListMemberSessions(ctx, p.ID, m.ID, now); err != nil || len(ss) != 0 {
			t.Errorf("member sessions after revoking all = %d, %v; want 0", len(ss), err)
		}
	})
}
