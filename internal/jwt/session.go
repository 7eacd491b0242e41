package jwt

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/latchauth/latch/internal/auth"
)

// Lifetime is how long a session JWT is valid after it is issued. Stytch
// documents "a fixed lifetime of five minutes regardless of the underlying
// session duration", and SDKs re-authenticate when it runs out.
const Lifetime = 5 * time.Minute

// nbfSkew tolerates clocks of Latch processes that disagree slightly: a JWT
// minted by one process must not be refused by another whose clock is a
// few seconds behind. The SDKs, which verify with no leeway, are unaffected.
const nbfSkew = 30 * time.Second

var (
	// ErrExpired is returned by [Keyring.VerifySession], together with the
	// claims, when a JWT is genuine but past its exp. Stytch accepts such a
	// JWT while its session is still alive and mints a new one, so callers
	// check errors.Is(err, ErrExpired) first. The error also matches
	// auth.ErrUnableToParseSessionJWT, so a caller that does not handle
	// expiry refuses the JWT with a 401 rather than a 500.
	ErrExpired = errors.New("jwt: session JWT expired")

	// ErrNoSigningKey means the project has no key that signs now: it was
	// never given one ([Manager.Ensure]) or its only key is not active yet.
	ErrNoSigningKey = errors.New("jwt: no active signing key")
)

// SignSession returns a session JWT for c, signed RS256 by the Keyring's
// signing key, in the exact shape all three Stytch SDKs verify locally
// (STYTCH_API.md §4):
//
//   - header {"alg":"RS256","kid":…,"typ":"JWT"} (Node refuses a JWT
//     without typ; every SDK picks the JWKS key by kid);
//   - iss "stytch.com/{project_id}" and aud [project_id];
//   - sub, and iat = nbf = c.IssuedAt, exp = iat + [Lifetime] (Python
//     requires all of them, and the Go SDK dereferences iat);
//   - the https://stytch.com/session claim, complete with attributes,
//     authentication_factors and roles;
//   - for B2B, the https://stytch.com/organization claim;
//   - c.Custom merged at the top level.
//
// It returns an auth.Error from [ValidateCustomClaims] for reserved custom
// claims, [ErrNoSigningKey] if no key signs, and an error if c belongs to
// another project or has no IssuedAt.
func (k *Keyring) SignSession(c SessionClaims) (string, error) {
	if k.signKey == nil {
		return "", fmt.Errorf("jwt: sign session for %s: %w", k.projectID, ErrNoSigningKey)
	}
	if c.ProjectID != k.projectID {
		return "", fmt.Errorf("jwt: sign session: claims for project %q with the keyring of %q", c.ProjectID, k.projectID)
	}
	if c.IssuedAt.IsZero() {
		// A zero iat would mint a JWT that expired in 1970.
		return "", errors.New("jwt: sign session: IssuedAt is zero")
	}
	if err := ValidateCustomClaims(c.Custom); err != nil {
		return "", err
	}

	claims := make(gojwt.MapClaims, len(c.Custom)+8)
	maps.Copy(claims, c.Custom)
	iat := c.IssuedAt.Unix()
	claims["iss"] = k.issuer
	claims["aud"] = []string{k.projectID}
	claims["sub"] = c.Subject
	claims["iat"] = iat
	claims["nbf"] = iat
	claims["exp"] = iat + int64(Lifetime/time.Second)
	claims[sessionClaim] = toSessionJSON(&c)
	if c.Organization != nil {
		claims[organizationClaim] = organizationJSON{OrganizationID: c.Organization.ID, Slug: c.Organization.Slug}
	}

	// NewWithClaims sets alg and typ; the header map is marshalled with
	// sorted keys, giving exactly Stytch's {"alg","kid","typ"}.
	tok := gojwt.NewWithClaims(gojwt.SigningMethodRS256, claims)
	tok.Header["kid"] = k.signKID
	s, err := tok.SignedString(k.signKey)
	if err != nil {
		return "", fmt.Errorf("jwt: sign session: %w", err)
	}
	return s, nil
}

// VerifySession checks a session JWT and returns its claims. It accepts
// only RS256 signatures by a key the Keyring publishes (so alg "none", HMAC
// confusion and unknown kids all fail), and requires iss
// "stytch.com/{project_id}", the project in aud, sub, iat, nbf (not after
// now, with a little skew between Latch processes) and exp.
//
// If the JWT is genuine but now is at or past its exp, VerifySession
// returns the claims together with an error matching [ErrExpired]; see
// there. Every other failure returns nil claims and an error wrapping
// auth.ErrUnableToParseSessionJWT, whose cause says what was wrong.
func (k *Keyring) VerifySession(token string, now time.Time) (*SessionClaims, error) {
	var p payload
	// A parser per call: it is cheap next to the RSA verification, and it
	// keeps concurrent calls from sharing any parser state.
	parser := gojwt.NewParser(
		gojwt.WithValidMethods([]string{gojwt.SigningMethodRS256.Alg()}),
		// Time and audience rules are checked below, so that an expired
		// JWT can be told apart from every other failure.
		gojwt.WithoutClaimsValidation(),
		// Refuse non-canonical base64, so one JWT has one spelling.
		gojwt.WithStrictDecoding(),
	)
	if _, err := parser.ParseWithClaims(token, &p, k.verificationKey); err != nil {
		return nil, unparsable(err)
	}
	switch {
	case p.Issuer != k.issuer:
		return nil, unparsable(fmt.Errorf("issuer %q, want %q", p.Issuer, k.issuer))
	case !slices.Contains(p.Audience, k.projectID):
		return nil, unparsable(fmt.Errorf("audience %q does not include %q", []string(p.Audience), k.projectID))
	case p.Subject == "":
		return nil, unparsable(errors.New("missing sub"))
	case p.IssuedAt == nil || p.NotBefore == nil || p.ExpiresAt == nil:
		return nil, unparsable(errors.New("missing iat, nbf or exp"))
	case p.NotBefore.After(now.Add(nbfSkew)):
		return nil, unparsable(fmt.Errorf("not valid before %s", formatTime(p.NotBefore.Time)))
	}
	c, err := p.sessionClaims(k.projectID)
	if err != nil {
		return nil, unparsable(err)
	}
	if !now.Before(p.ExpiresAt.Time) {
		return c, fmt.Errorf("%w: %w", ErrExpired,
			auth.ErrUnableToParseSessionJWT.Wrap(fmt.Errorf("expired at %s", formatTime(p.ExpiresAt.Time))))
	}
	return c, nil
}

// verificationKey is the gojwt.Keyfunc: the published key named by the
// header's kid. Every JWT Latch mints names its key, as the SDKs require,
// so a missing or unknown kid means the JWT is not one of this project's.
func (k *Keyring) verificationKey(t *gojwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	pub, ok := k.public[kid]
	if !ok {
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	return pub, nil
}

// unparsable wraps a verification failure as the Stytch error SDKs expect
// for a bad session_jwt; cause is logged, never shown to the client.
func unparsable(cause error) error {
	return auth.ErrUnableToParseSessionJWT.Wrap(cause)
}
