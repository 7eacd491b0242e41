package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/latchauth/latch/internal/auth"
)

// Sign in with Apple differs from other OpenID providers in three ways,
// handled here:
//
//   - Its client secret is not a stored string but a JWT the app signs
//     (ES256) with its team's private key: header kid = the key ID, iss =
//     the team ID, sub = the client ID (the Services ID), aud = Apple's
//     issuer, and an exp at most six months after iat. Latch signs a
//     short-lived one for each code exchange.
//   - When the name or email scope is asked for, Apple answers only by
//     response_mode=form_post: the browser posts code and state to the
//     callback from Apple's page, a cross-site POST, which carries the
//     binding cookie only if it is SameSite=None (and so Secure).
//   - It sends the user's name once, on the first authorization of the
//     app, in a "user" form field of that POST, never in the ID token.

// appleSecretLifetime is how long a signed client secret is valid. It is
// used at once, for one token request; a few minutes cover clock skew.
const appleSecretLifetime = 5 * time.Minute

// formPost reports whether cfg's provider sends the browser back to the
// callback with a cross-site form POST (response_mode=form_post).
func formPost(cfg *Config) bool { return cfg.Type == auth.OAuthApple }

// authParams are the authorization request parameters cfg's provider
// needs beyond the standard ones.
func authParams(cfg *Config) []oauth2.AuthCodeOption {
	if formPost(cfg) {
		return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("response_mode", "form_post")}
	}
	return nil
}

// checkCrossSiteCallback refuses a login whose callback comes by
// cross-site POST when Latch is served over plain http on a host other
// than loopback: the binding cookie must then be SameSite=None, which
// browsers keep only when Secure, and they keep Secure cookies only from
// https origins (and from localhost and loopback addresses, which they
// count as secure). The login would fail at the callback; it fails here
// instead, saying why.
func checkCrossSiteCallback(cfg *Config, publicURL string) error {
	if !formPost(cfg) {
		return nil
	}
	u, err := url.Parse(publicURL)
	if err != nil {
		return fmt.Errorf("oauth: public URL: %w", err)
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); u.Scheme == "https" || h == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return auth.ErrUseHTTPS.WithMessage("%s posts its callback to Latch cross-site, which needs Latch served over https "+
		"(LATCH_PUBLIC_URL is %s; plain http works only on localhost).", cfg.Name, publicURL)
}

// clientAuth prepares the token request's client authentication for
// cfg's provider: for Apple, a freshly signed client secret, sent in the
// body as Apple requires.
func clientAuth(cfg *Config, oc *oauth2.Config, now time.Time) error {
	if cfg.Type != auth.OAuthApple {
		return nil
	}
	secret, err := appleClientSecret(cfg, now)
	if err != nil {
		return err
	}
	oc.ClientSecret = secret
	oc.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	return nil
}

// appleClientSecret signs the client secret JWT of an Apple provider. Its
// audience is the configured issuer: https://appleid.apple.com, unless
// overridden.
func appleClientSecret(cfg *Config, now time.Time) (string, error) {
	if cfg.ApplePrivateKey == nil || cfg.AppleTeamID == "" || cfg.AppleKeyID == "" {
		return "", errors.New("oauth: apple: the team ID, key ID and private key are not all configured")
	}
	t := gojwt.NewWithClaims(gojwt.SigningMethodES256, gojwt.RegisteredClaims{
		Issuer: cfg.AppleTeamID, Subject: cfg.ClientID, Audience: gojwt.ClaimStrings{cfg.Issuer},
		IssuedAt: gojwt.NewNumericDate(now), ExpiresAt: gojwt.NewNumericDate(now.Add(appleSecretLifetime)),
	})
	t.Header["kid"] = cfg.AppleKeyID
	s, err := t.SignedString(cfg.ApplePrivateKey)
	if err != nil {
		return "", fmt.Errorf("oauth: apple: sign client secret: %w", err)
	}
	return s, nil
}

// maxAppleUser bounds the "user" form field read; it holds a name and an
// address.
const maxAppleUser = 4 << 10

// appleUser is the "user" form field Apple posts on the first login.
type appleUser struct {
	Name struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"name"`
}

// applyAppleUser takes the name from Apple's "user" form field into id,
// unless the ID token named the user already. The field comes from the
// browser, not signed by Apple, so only the name is read (which the user
// chooses anyway): the address is the ID token's.
func applyAppleUser(cfg *Config, id *identity, raw string) {
	if cfg.Type != auth.OAuthApple || raw == "" || len(raw) > maxAppleUser || id.GivenName != "" || id.FamilyName != "" {
		return
	}
	var u appleUser
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		return // a malformed name is no reason to fail the login
	}
	id.GivenName, id.FamilyName = strings.TrimSpace(u.Name.FirstName), strings.TrimSpace(u.Name.LastName)
}
