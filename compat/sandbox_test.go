package compat

import (
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
)

// Stytch's documented sandbox values for test projects (stytch-node's
// test/b2c/sandbox.test.ts relies on them).
const (
	sandboxEmail             = "sandbox@stytch.com"
	sandboxUserID            = "user-test-e3795c81-f849-4167-bfda-e4a6e9c280fd"
	sandboxMagicLinkToken    = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94="
	sandboxMagicLinkUsed     = "3pzjQpgksDlGKWEwUq2Up--hCHC_0oamfLHyfspKDFU="
	sandboxMagicLinkNotFound = "CprTtwhnRNiMBiUS2jSLcWYrfuO2POeBNdo5HhW6qTM="
	sandboxSessionToken      = "WJtR5BCy38Szd5AfoDpf0iqFKEt4EE5JhjlWUY7l3FtY"
	sandboxSessionNotFound   = "59cnLELtq5cFVS6uYK9f-pAWzBkhqZl8AvLhbhOvKNWw"
	sandboxStartedAt         = "2021-08-28T00:41:58.935673Z"
)

// TestSandbox runs the SDK against the sandbox values, as a suite written
// for Stytch's test environment does.
func TestSandbox(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		c := e.client

		t.Run("email endpoints", func(t *testing.T) {
			t.Parallel()
			loc, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: sandboxEmail})
			if err != nil || loc.UserID != sandboxUserID || loc.StatusCode != 200 || !strings.HasPrefix(loc.EmailID, "email-test-") {
				t.Errorf("login_or_create sandbox = %+v, %v; want user %s", loc, err, sandboxUserID)
			}
			send, err := c.MagicLinks.Email.Send(ctx, &email.SendParams{Email: sandboxEmail})
			if err != nil || send.UserID != sandboxUserID || send.StatusCode != 200 {
				t.Errorf("send sandbox = %+v, %v; want user %s", send, err, sandboxUserID)
			}
			inv, err := c.MagicLinks.Email.Invite(ctx, &email.InviteParams{Email: sandboxEmail})
			if err != nil || inv.UserID != sandboxUserID || inv.StatusCode != 200 {
				t.Errorf("invite sandbox = %+v, %v; want user %s", inv, err, sandboxUserID)
			}
			rv, err := c.MagicLinks.Email.RevokeInvite(ctx, &email.RevokeInviteParams{Email: sandboxEmail})
			if err != nil || rv.StatusCode != 200 || rv.RequestID == "" {
				t.Errorf("revoke_invite sandbox = %+v, %v", rv, err)
			}
			if ms := e.srv.DevInbox(t, sandboxEmail); len(ms) != 0 {
				t.Errorf("sandbox calls sent %d emails, want none", len(ms))
			}
		})

		t.Run("magic link tokens", func(t *testing.T) {
			t.Parallel()
			// The good token works every time.
			for range 2 {
				res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: sandboxMagicLinkToken})
				if err != nil {
					t.Fatalf("authenticate sandbox token: %v", err)
				}
				if res.StatusCode != 200 || res.UserID != sandboxUserID || res.User.UserID != sandboxUserID ||
					len(res.User.Emails) != 1 || res.User.Emails[0].Email != sandboxEmail || res.Session != nil || res.SessionToken != "" {
					t.Errorf("authenticate sandbox token = %+v", *res)
				}
			}
			res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: sandboxMagicLinkToken, SessionDurationMinutes: 60})
			if err != nil {
				t.Fatalf("authenticate sandbox token with a session: %v", err)
			}
			if res.Session == nil || res.Session.UserID != sandboxUserID || res.SessionToken == "" || res.SessionJWT == "" {
				t.Errorf("authenticate sandbox token with a session: session %+v, token %q, jwt %q", res.Session, res.SessionToken, res.SessionJWT)
			}

			_, err = c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: sandboxMagicLinkUsed})
			se := wantError(t, err, 401, "unable_to_auth_magic_link")
			if got, want := string(se.ErrorMessage), "The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user."; got != want {
				t.Errorf("error_message %q, want %q", got, want)
			}
			if got, want := string(se.ErrorURL), "https://stytch.com/docs/api/errors/401#unable_to_auth_magic_link"; got != want {
				t.Errorf("error_url %q, want %q", got, want)
			}

			_, err = c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: sandboxMagicLinkNotFound})
			se = wantError(t, err, 404, "magic_link_not_found")
			if got, want := string(se.ErrorMessage), "The magic link could not be authenticated, try sending another magic link to the user."; got != want {
				t.Errorf("error_message %q, want %q", got, want)
			}
		})

		t.Run("session tokens", func(t *testing.T) {
			t.Parallel()
			started := time.Date(2021, 8, 28, 0, 41, 58, 935673000, time.UTC)
			res, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: sandboxSessionToken})
			if err != nil {
				t.Fatalf("sessions.authenticate sandbox token: %v", err)
			}
			if res.StatusCode != 200 || res.Session.UserID != sandboxUserID || res.User.UserID != sandboxUserID ||
				res.Session.StartedAt == nil || !res.Session.StartedAt.Equal(started) || res.SessionJWT == "" {
				t.Errorf("sessions.authenticate sandbox = session %+v, user %q, jwt %q; want started_at %s", res.Session, res.User.UserID, res.SessionJWT, sandboxStartedAt)
			}
			if len(res.Session.AuthenticationFactors) != 1 || res.Session.AuthenticationFactors[0].Type != "magic_link" {
				t.Errorf("sandbox session factors %+v", res.Session.AuthenticationFactors)
			}
			// The exact wire form of started_at.
			r := rawJSON(t, e.srv, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": sandboxSessionToken})
			if s, _ := r.JSON["session"].(map[string]any); s == nil || s["started_at"] != sandboxStartedAt {
				t.Errorf("raw session.started_at = %v, want %q", s["started_at"], sandboxStartedAt)
			}

			// Its JWT verifies locally, and remotely.
			ls, err := c.Sessions.AuthenticateJWTLocal(res.SessionJWT, time.Minute)
			if err != nil {
				t.Fatalf("AuthenticateJWTLocal(sandbox JWT): %v", err)
			}
			if ls.UserID != sandboxUserID || ls.SessionID != res.Session.SessionID || !ls.StartedAt.Equal(started.Truncate(time.Second)) {
				t.Errorf("sandbox JWT session = %+v", *ls)
			}
			local, err := c.Sessions.AuthenticateJWT(ctx, time.Minute, &sessions.AuthenticateParams{SessionJWT: res.SessionJWT})
			if err != nil || local.RequestID != "" || local.Session.UserID != sandboxUserID {
				t.Errorf("AuthenticateJWT(sandbox JWT) = %+v, %v; want a local verification", local, err)
			}
			remote, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: res.SessionJWT})
			if err != nil || remote.Session.UserID != sandboxUserID || !remote.Session.StartedAt.Equal(started) {
				t.Errorf("sessions.authenticate(sandbox JWT) = %+v, %v", remote, err)
			}

			_, err = c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: sandboxSessionNotFound})
			wantError(t, err, 404, "session_not_found")
		})

		t.Run("jwks", func(t *testing.T) {
			t.Parallel()
			res, err := c.Sessions.GetJWKS(ctx, &sessions.GetJWKSParams{ProjectID: e.srv.ProjectID})
			if err != nil {
				t.Fatalf("sessions.get_jwks: %v", err)
			}
			if len(res.Keys) == 0 {
				t.Fatal("sessions.get_jwks returned no keys")
			}
			for _, k := range res.Keys {
				if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || !strings.HasPrefix(k.Kid, "jwk-test-") || k.N == "" || k.E == "" || len(k.X5C) == 0 {
					t.Errorf("JWK %+v", k)
				}
			}
		})
	})
}
