package compat

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

// sendLink sends a login_or_create link to a new address and returns the
// address, the response and the link's token.
func sendLink(tb testing.TB, e *env, label string, p email.LoginOrCreateParams) (string, *email.LoginOrCreateResponse, string) {
	tb.Helper()
	p.Email = newEmail(tb, label)
	res, err := e.client.MagicLinks.Email.LoginOrCreate(ctx, &p)
	if err != nil {
		tb.Fatalf("login_or_create %s: %v", p.Email, err)
	}
	m := waitMessage(tb, e.srv, p.Email, 1)
	return p.Email, res, m.Token
}

// TestMagicLinks covers magic link authentication without a session and
// the ways a link is refused.
func TestMagicLinks(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		c := e.client

		t.Run("without session duration", func(t *testing.T) {
			t.Parallel()
			_, sent, tok := sendLink(t, e, "nosession", email.LoginOrCreateParams{})
			res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok})
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			if res.SessionToken != "" || res.SessionJWT != "" || res.Session != nil {
				t.Errorf("authenticate without session_duration_minutes: token %q, jwt %q, session %+v; want none", res.SessionToken, res.SessionJWT, res.Session)
			}
			if res.UserID != sent.UserID || res.User.Status != "active" || !res.User.Emails[0].Verified {
				t.Errorf("authenticate: user %q status %q emails %+v", res.UserID, res.User.Status, res.User.Emails)
			}
			list, err := c.Sessions.Get(ctx, &sessions.GetParams{UserID: sent.UserID})
			if err != nil || len(list.Sessions) != 0 {
				t.Errorf("sessions.get = %+v, %v; want no sessions", list, err)
			}
		})

		t.Run("pending user becomes active", func(t *testing.T) {
			t.Parallel()
			_, sent, tok := sendLink(t, e, "pending", email.LoginOrCreateParams{CreateUserAsPending: true})
			u, err := c.Users.Get(ctx, &users.GetParams{UserID: sent.UserID})
			if err != nil || u.Status != "pending" {
				t.Fatalf("user created as pending: %+v, %v; want status pending", u, err)
			}
			res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, SessionDurationMinutes: 5})
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			if res.User.Status != "active" || res.Session == nil {
				t.Errorf("after authenticate: status %q, session %v; want active with a session", res.User.Status, res.Session)
			}
		})

		t.Run("reused token", func(t *testing.T) {
			t.Parallel()
			_, _, tok := sendLink(t, e, "reuse", email.LoginOrCreateParams{})
			if _, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok}); err != nil {
				t.Fatalf("first authenticate: %v", err)
			}
			_, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok})
			wantError(t, err, 401, "unable_to_auth_magic_link")
		})

		t.Run("unknown token", func(t *testing.T) {
			t.Parallel()
			// Shaped like a real token, but never issued.
			_, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: base64.URLEncoding.EncodeToString(randomBytes(t, 32))})
			wantError(t, err, 404, "magic_link_not_found")
		})

		t.Run("redirect url allowlist", func(t *testing.T) {
			t.Parallel()
			const other = "http://localhost:4000/callback"
			addr := newEmail(t, "redirect")
			p := &email.LoginOrCreateParams{Email: addr, LoginMagicLinkURL: other, SignupMagicLinkURL: other}
			_, err := c.MagicLinks.Email.LoginOrCreate(ctx, p)
			wantError(t, err, 400, "no_match_for_provided_magic_link_url")
			if ms := e.srv.DevInbox(t, addr); len(ms) != 0 {
				t.Errorf("a refused login_or_create sent %d emails", len(ms))
			}

			e.srv.Run(t, "redirect-urls", "add", "--project", e.srv.ProjectID, "--type", "login,signup", other)
			res, err := c.MagicLinks.Email.LoginOrCreate(ctx, p)
			if err != nil {
				t.Fatalf("login_or_create after redirect-urls add: %v", err)
			}
			m := waitMessage(t, e.srv, addr, 1)
			tok := checkLink(t, m.Link, other)
			auth, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok})
			if err != nil || auth.UserID != res.UserID {
				t.Errorf("authenticate link to %s: %+v, %v", other, auth, err)
			}
		})

		t.Run("invalid email", func(t *testing.T) {
			t.Parallel()
			for _, addr := range []string{"not-an-email", "a@", "@example.com", "two@@example.com"} {
				_, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr})
				wantError(t, err, 400, "invalid_email")
			}
		})

		t.Run("send to unknown email", func(t *testing.T) {
			t.Parallel()
			addr := newEmail(t, "unknown")
			_, err := c.MagicLinks.Email.Send(ctx, &email.SendParams{Email: addr})
			wantError(t, err, 404, "email_not_found")
			if ms := e.srv.DevInbox(t, addr); len(ms) != 0 {
				t.Errorf("send to an unknown email sent %d emails", len(ms))
			}
		})

		t.Run("send to existing user", func(t *testing.T) {
			t.Parallel()
			addr, sent, _ := sendLink(t, e, "send", email.LoginOrCreateParams{})
			res, err := c.MagicLinks.Email.Send(ctx, &email.SendParams{Email: addr})
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if res.UserID != sent.UserID || res.EmailID != sent.EmailID || res.StatusCode != 200 {
				t.Errorf("send = %+v, want user %s email %s", *res, sent.UserID, sent.EmailID)
			}
			m := waitMessage(t, e.srv, addr, 2)
			auth, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: checkLink(t, m.Link, appURL)})
			if err != nil || auth.UserID != sent.UserID {
				t.Errorf("authenticate sent link: %+v, %v", auth, err)
			}
		})

		t.Run("send throttle", func(t *testing.T) {
			t.Parallel()
			addr := newEmail(t, "flood")
			for i := range 5 {
				if _, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr}); err != nil {
					t.Fatalf("login_or_create %d: %v", i+1, err)
				}
			}
			_, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr})
			if se := wantError(t, err, 429, "too_many_requests"); !strings.Contains(string(se.ErrorMessage), addr) {
				t.Errorf("error_message = %q, want it to name %s", se.ErrorMessage, addr)
			}
			// The whole envelope, as plain HTTP sees it, from another path
			// that emails the same address.
			r := raw(t, e.srv, "POST", "/v1/passwords/email/reset/start", true, []byte(`{"email":"`+addr+`"}`))
			wantRawError(t, r, 429, "too_many_requests")
			waitMessage(t, e.srv, addr, 5)
			if ms := e.srv.DevInbox(t, addr); len(ms) != 5 {
				t.Errorf("dev inbox has %d messages to %s, want the 5 sends allowed", len(ms), addr)
			}
			// Other addresses are not held back.
			sendLink(t, e, "bystander", email.LoginOrCreateParams{})
		})

		t.Run("pkce", func(t *testing.T) {
			t.Parallel()
			verifier, challenge := pkcePair(t)
			wrong, _ := pkcePair(t)
			_, sent, tok := sendLink(t, e, "pkce", email.LoginOrCreateParams{CodeChallenge: challenge})
			_, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, CodeVerifier: wrong})
			wantError(t, err, 400, "pkce_mismatch")
			// A refused verifier leaves the link usable.
			res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, CodeVerifier: verifier, SessionDurationMinutes: 30})
			if err != nil {
				t.Fatalf("authenticate with the right verifier: %v", err)
			}
			if res.UserID != sent.UserID || res.Session == nil {
				t.Errorf("authenticate with verifier: user %q session %v", res.UserID, res.Session)
			}
			_, err = c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, CodeVerifier: verifier})
			wantError(t, err, 401, "unable_to_auth_magic_link")
		})
	})
}

// TestMagicLinkInvite invites a user, revokes the invite, and invites and
// authenticates again.
func TestMagicLinkInvite(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		c := e.client
		addr := newEmail(t, "invite")
		inv, err := c.MagicLinks.Email.Invite(ctx, &email.InviteParams{
			Email:           addr,
			Name:            &users.Name{FirstName: "Grace", LastName: "Hopper"},
			TrustedMetadata: map[string]any{"invited_by": "admin"},
		})
		if err != nil {
			t.Fatalf("invite: %v", err)
		}
		if inv.StatusCode != 200 || !strings.HasPrefix(inv.UserID, "user-test-") || !strings.HasPrefix(inv.EmailID, "email-test-") {
			t.Fatalf("invite = %+v", *inv)
		}
		u, err := c.Users.Get(ctx, &users.GetParams{UserID: inv.UserID})
		if err != nil {
			t.Fatalf("users.get: %v", err)
		}
		if u.Status != "pending" || u.Name == nil || u.Name.FirstName != "Grace" || u.TrustedMetadata["invited_by"] != "admin" ||
			len(u.Emails) != 1 || u.Emails[0].Email != addr || u.Emails[0].Verified {
			t.Errorf("invited user = %+v; want pending Grace with an unverified %s", *u, addr)
		}
		first := waitMessage(t, e.srv, addr, 1)
		if !strings.HasPrefix(first.Subject, "You have been invited to ") {
			t.Errorf("invite subject %q", first.Subject)
		}
		firstTok := checkLink(t, first.Link, appURL)

		rv, err := c.MagicLinks.Email.RevokeInvite(ctx, &email.RevokeInviteParams{Email: addr})
		if err != nil {
			t.Fatalf("revoke_invite: %v", err)
		}
		if rv.StatusCode != 200 || rv.RequestID == "" {
			t.Errorf("revoke_invite = %+v", *rv)
		}
		_, err = c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: firstTok})
		wantError(t, err, 401, "unable_to_auth_magic_link")

		again, err := c.MagicLinks.Email.Invite(ctx, &email.InviteParams{Email: addr})
		if err != nil {
			t.Fatalf("second invite: %v", err)
		}
		if again.UserID != inv.UserID || again.EmailID != inv.EmailID {
			t.Errorf("second invite = %+v, want the same pending user %s", *again, inv.UserID)
		}
		second := waitMessage(t, e.srv, addr, 2)
		res, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: checkLink(t, second.Link, appURL), SessionDurationMinutes: 60})
		if err != nil {
			t.Fatalf("authenticate second invite: %v", err)
		}
		if res.UserID != inv.UserID || res.User.Status != "active" || !res.User.Emails[0].Verified || res.Session == nil {
			t.Errorf("after accepting the invite: user %q status %q emails %+v session %v", res.UserID, res.User.Status, res.User.Emails, res.Session)
		}
		// Revoke the session by its ID.
		if _, err := c.Sessions.Revoke(ctx, &sessions.RevokeParams{SessionID: res.Session.SessionID}); err != nil {
			t.Fatalf("sessions.revoke by session_id: %v", err)
		}
		_, err = c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: res.SessionToken})
		wantError(t, err, 404, "session_not_found")
	})
}

// TestMagicLinkConcurrentAuthenticate races many authenticate calls on
// one fresh token: exactly one may win.
func TestMagicLinkConcurrentAuthenticate(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		const n = 50
		_, sent, tok := sendLink(t, e, "race", email.LoginOrCreateParams{})
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, n)
			wins  = make([]*magiclinks.AuthenticateResponse, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				wins[i], errs[i] = e.client.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, SessionDurationMinutes: 60})
			})
		}
		close(start)
		wg.Wait()
		ok, refused := 0, 0
		for i, err := range errs {
			if err == nil {
				ok++
				if wins[i].UserID != sent.UserID || wins[i].Session == nil {
					t.Errorf("winning authenticate: user %q session %v", wins[i].UserID, wins[i].Session)
				}
				continue
			}
			var se stytcherror.Error
			if errors.As(err, &se) && se.StatusCode == 401 && se.ErrorType == "unable_to_auth_magic_link" {
				refused++
				continue
			}
			t.Errorf("authenticate %d: %v", i, err)
		}
		if ok != 1 || refused != n-1 {
			t.Errorf("%d concurrent authenticates: %d succeeded, %d unable_to_auth_magic_link; want 1 and %d", n, ok, refused, n-1)
		}
		list, err := e.client.Sessions.Get(ctx, &sessions.GetParams{UserID: sent.UserID})
		if err != nil || len(list.Sessions) != 1 {
			t.Errorf("sessions.get after the race = %+v, %v; want exactly one session", list, err)
		}
	})
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}
