package jwt

import (
	"cmp"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// minKeyBits refuses keys weaker than the ones [GenerateKey] makes, should a
// store ever hand one over.
const minKeyBits = 2048

// Keyring is an immutable, parsed view of one project's signing keys at the
// instant it was built. Parsing PKCS#8, precomputing CRT values and signing
// certificates all happen once in [NewKeyring], so signing and verifying do
// no per-call key work. A Keyring is safe for concurrent use.
//
// Its view holds until [Keyring.ValidUntil]; [Manager] rebuilds it then.
type Keyring struct {
	projectID string
	issuer    string

	signKID string          // "" when no key signs at build time
	signKey *rsa.PrivateKey // nil when no key signs at build time

	public     map[string]*rsa.PublicKey // published keys by kid
	jwks       []JWK                     // published keys, oldest first
	validUntil time.Time
}

// NewKeyring parses keys, the signing keys of projectID as listed by the
// store, and decides what holds at now:
//
//   - every key not yet expired (ExpiresAt nil or after now) is published,
//     verifies JWTs and appears in the JWKS, oldest first;
//   - the signing key is the newest key (latest ActiveAt) that is active
//     (ActiveAt <= now) and not retired (RetiredAt nil or after now).
//
// Keys that are published but not yet active are listed on purpose: SDKs
// must fetch a key before JWTs signed with it reach them.
//
// NewKeyring fails if a key belongs to another project or is not an RSA key
// of at least 2048 bits; a project with no keys yields an empty Keyring
// whose [Keyring.SignSession] returns [ErrNoSigningKey].
func NewKeyring(projectID string, keys []auth.SigningKey, now time.Time) (*Keyring, error) {
	sorted := slices.Clone(keys)
	slices.SortStableFunc(sorted, func(a, b auth.SigningKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.KeyID, b.KeyID))
	})

	kr := &Keyring{
		projectID: projectID,
		issuer:    issuer(projectID),
		public:    make(map[string]*rsa.PublicKey, len(sorted)),
	}
	var signer *auth.SigningKey
	for i := range sorted {
		k := &sorted[i]
		if k.ProjectID != projectID {
			// A keyring mixing tenants would let one project's JWTs verify
			// against another's; refuse rather than filter.
			return nil, fmt.Errorf("jwt: keyring for %s: key %s belongs to project %s", projectID, k.KeyID, k.ProjectID)
		}
		for _, t := range []*time.Time{&k.ActiveAt, k.RetiredAt, k.ExpiresAt} {
			if t != nil && t.After(now) && (kr.validUntil.IsZero() || t.Before(kr.validUntil)) {
				kr.validUntil = *t
			}
		}
		if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
			continue // every JWT it signed has expired: unpublished
		}
		if _, dup := kr.public[k.KeyID]; dup {
			return nil, fmt.Errorf("jwt: keyring for %s: duplicate key %s", projectID, k.KeyID)
		}
		priv, err := parseKey(k)
		if err != nil {
			return nil, fmt.Errorf("jwt: keyring for %s: %w", projectID, err)
		}
		jwk, err := newJWK(k.KeyID, priv, k.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("jwt: keyring for %s: %w", projectID, err)
		}
		kr.public[k.KeyID] = &priv.PublicKey
		kr.jwks = append(kr.jwks, jwk)

		active := !k.ActiveAt.After(now) && (k.RetiredAt == nil || now.Before(*k.RetiredAt))
		if active && (signer == nil || newer(k, signer)) {
			signer, kr.signKID, kr.signKey = k, k.KeyID, priv
		}
	}
	return kr, nil
}

// newer reports whether a should sign rather than b when both are active:
// the later activation wins, because a rotation activates the new key
// exactly when the old one retires.
func newer(a, b *auth.SigningKey) bool {
	return cmp.Or(a.ActiveAt.Compare(b.ActiveAt), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.KeyID, b.KeyID)) > 0
}

// parseKey decodes k's PKCS#8 DER into an RSA private key. x509 validates
// the key and precomputes its CRT values, which makes signing fast.
func parseKey(k *auth.SigningKey) (*rsa.PrivateKey, error) {
	key, err := x509.ParsePKCS8PrivateKey(k.PrivateKeyDER)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", k.KeyID, err)
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key %s: %T is not an RSA key", k.KeyID, key)
	}
	if priv.N.BitLen() < minKeyBits {
		return nil, fmt.Errorf("key %s: RSA key of %d bits, want at least %d", k.KeyID, priv.N.BitLen(), minKeyBits)
	}
	return priv, nil
}

// ProjectID returns the project the Keyring belongs to.
func (k *Keyring) ProjectID() string { return k.projectID }

// SigningKeyID returns the kid of the key that signs, or "" if none does
// (the project has no key, or its only key is not active yet).
func (k *Keyring) SigningKeyID() string { return k.signKID }

// JWKS returns the published keys, oldest first, as served at
// /v1/sessions/jwks/{project_id} and /v1/b2b/sessions/jwks/{project_id}.
// They were computed when the Keyring was built; the result is a copy the
// caller may keep or modify.
func (k *Keyring) JWKS() []JWK {
	out := make([]JWK, len(k.jwks))
	for i, j := range k.jwks {
		out[i] = j.clone()
	}
	return out
}

// ValidUntil returns when the Keyring's view stops holding: the first
// ActiveAt, RetiredAt or ExpiresAt of any of its keys after the instant it
// was built. A cache must rebuild it by then, or it would keep signing with
// a retired key or publishing an expired one. It returns the zero time when
// no transition is scheduled.
func (k *Keyring) ValidUntil() time.Time { return k.validUntil }
