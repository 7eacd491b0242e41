package compat

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/users"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/mailpittest"
)

// inbox returns the newest of at least n messages delivered to addr,
// waiting for them to arrive.
type inbox func(tb testing.TB, addr string, n int) message

// TestConsumerMagicLinkFlow is the consumer magic link flow an app runs,
// end to end, with mail read from the dev inbox.
func TestConsumerMagicLinkFlow(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, e *env) {
		devInbox := func(tb testing.TB, addr string, n int) message { return waitMessage(tb, e.srv, addr, n) }
		loginFlow(t, e, devInbox, revokeByToken)
	})
}

// TestConsumerMagicLinkFlowSMTP runs the same flow with the mail going
// over real SMTP to Mailpit.
func TestConsumerMagicLinkFlowSMTP(t *testing.T) {
	t.Parallel()
	mp := mailpittest.Start(t)
	const from = "latch-compat@example.net"
	srv := latchtest.Start(t, latchtest.Options{Env: map[string]string{
		"LATCH_SMTP_HOST": mp.SMTPHost,
		"LATCH_SMTP_PORT": strconv.Itoa(mp.SMTPPort),
		"LATCH_SMTP_TLS":  "none",
		"LATCH_SMTP_FROM": from,
	}})
	closeIdleFirst(t)
	e := &env{srv: srv, client: newClient(t, srv)}
	mailpit := func(tb testing.TB, addr string, n int) message {
		tb.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ms, err := mp.Messages(ctx)
			if err != nil {
				tb.Fatalf("mailpit messages: %v", err)
			}
			var to []mailpittest.Message
			for _, m := range ms {
				if slices.ContainsFunc(m.To, func(a mailpittest.Address) bool { return strings.EqualFold(a.Address, addr) }) {
					to = append(to, m)
				}
			}
			if len(to) >= n {
				m := to[0]
				if m.From.Address != from {
					tb.Errorf("From %q, want %q", m.From.Address, from)
				}
				if len(m.To) != 1 {
					tb.Errorf("To %v, want only %s", m.To, addr)
				}
				if m.MessageID == "" {
					tb.Errorf("message has no Message-ID header")
				}
				link, tok := latchtest.Link(tb, m.Text)
				return message{Subject: m.Subject, Text: m.Text, HTML: m.HTML, Link: link, Token: tok}
			}
			if time.Now().After(deadline) {
				tb.Fatalf("mailpit: %d messages to %s after 30s, want %d", len(to), addr, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	loginFlow(t, e, mailpit, revokeByJWT)
	// Nothing went to the dev inbox instead.
	if ms := raw(t, srv, "GET", "/dev/inbox/messages", false, nil); ms.Status == 200 {
		if list, _ := ms.JSON["messages"].([]any); len(list) != 0 {
			t.Errorf("dev inbox holds %d messages although SMTP is configured", len(list))
		}
	}
}

type revokeBy int

const (
	revokeByToken revokeBy = iota
	revokeByJWT
)

// loginFlow runs login_or_create, reads the email, authenticates its link
// into a session, checks the session every way the SDK can, extends it
// with custom claims, lists it, revokes it and sees it gone.
func loginFlow(t *testing.T, e *env, read inbox, revoke revokeBy) {
	c := e.client
	addr := newEmail(t, "flow")
	start := time.Now()

	// A new email creates an active user (create_user_as_pending is
	// false) whose email is not verified yet, and gets a signup link.
	loc, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr})
	if err != nil {
		t.Fatalf("login_or_create new email: %v", err)
	}
	if !loc.UserCreated || loc.StatusCode != 200 || !strings.HasPrefix(loc.UserID, "user-test-") ||
		!strings.HasPrefix(loc.EmailID, "email-test-") || !strings.HasPrefix(loc.RequestID, "request-id-test-") {
		t.Fatalf("login_or_create new email = %+v, want user_created, 200, user-test-…, email-test-…, request-id-test-…", *loc)
	}
	u, err := c.Users.Get(ctx, &users.GetParams{UserID: loc.UserID})
	if err != nil {
		t.Fatalf("users.get: %v", err)
	}
	if u.Status != "active" || len(u.Emails) != 1 || u.Emails[0] != (users.Email{EmailID: loc.EmailID, Email: addr}) {
		t.Fatalf("new user: status %q, emails %+v; want active with one unverified %s", u.Status, u.Emails, addr)
	}
	signup := read(t, addr, 1)
	if !strings.HasPrefix(signup.Subject, "Finish signing up for ") {
		t.Errorf("signup email subject %q", signup.Subject)
	}
	checkLink(t, signup.Link, appURL)
	if !strings.Contains(signup.HTML, signup.Token) {
		t.Errorf("signup email HTML lacks the token")
	}

	// The same email again is a login for the existing user.
	loc2, err := c.MagicLinks.Email.LoginOrCreate(ctx, &email.LoginOrCreateParams{Email: addr})
	if err != nil {
		t.Fatalf("login_or_create existing email: %v", err)
	}
	if loc2.UserCreated || loc2.UserID != loc.UserID || loc2.EmailID != loc.EmailID {
		t.Fatalf("login_or_create existing email = %+v, want user_created false for %s/%s", *loc2, loc.UserID, loc.EmailID)
	}
	login := read(t, addr, 2)
	if !strings.HasPrefix(login.Subject, "Your login link for ") {
		t.Errorf("login email subject %q", login.Subject)
	}
	tok := checkLink(t, login.Link, appURL)
	if tok == signup.Token {
		t.Fatalf("login and signup links carry the same token")
	}

	// Authenticate the link into a 60-minute session.
	ml, err := c.MagicLinks.Authenticate(ctx, &magiclinks.AuthenticateParams{Token: tok, SessionDurationMinutes: 60})
	if err != nil {
		t.Fatalf("magic_links.authenticate: %v", err)
	}
	if ml.StatusCode != 200 || ml.UserID != loc.UserID || ml.MethodID != loc.EmailID {
		t.Errorf("authenticate: status %d, user %q, method %q; want 200, %s, %s", ml.StatusCode, ml.UserID, ml.MethodID, loc.UserID, loc.EmailID)
	}
	if len(ml.SessionToken) != 44 || strings.Count(ml.SessionJWT, ".") != 2 {
		t.Errorf("authenticate: session_token %q, session_jwt %q; want a 44-character token and a JWT", ml.SessionToken, ml.SessionJWT)
	}
	if ml.User.Status != "active" || len(ml.User.Emails) != 1 || !ml.User.Emails[0].Verified {
		t.Errorf("authenticated user: status %q, emails %+v; want active with a verified email", ml.User.Status, ml.User.Emails)
	}
	if ml.Session == nil {
		t.Fatal("authenticate with session_duration_minutes returned no session")
	}
	sess := *ml.Session
	checkSession(t, sess, loc.UserID, loc.EmailID, addr)
	if !near(*sess.StartedAt, start, time.Minute) || !near(*sess.ExpiresAt, sess.StartedAt.Add(60*time.Minute), 2*time.Second) {
		t.Errorf("session started %v, expires %v; want now and 60 minutes later", sess.StartedAt, sess.ExpiresAt)
	}
	if u, err := c.Users.Get(ctx, &users.GetParams{UserID: loc.UserID}); err != nil || !u.Emails[0].Verified {
		t.Errorf("users.get after authenticate: %+v, %v; want the email verified", u, err)
	}

	// sessions.authenticate by token and by JWT, remotely.
	byToken, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: ml.SessionToken})
	if err != nil {
		t.Fatalf("sessions.authenticate by token: %v", err)
	}
	if byToken.Session.SessionID != sess.SessionID || byToken.SessionToken != ml.SessionToken ||
		byToken.User.UserID != loc.UserID || strings.Count(byToken.SessionJWT, ".") != 2 {
		t.Errorf("sessions.authenticate by token = session %q, token %q, user %q, jwt %q", byToken.Session.SessionID, byToken.SessionToken, byToken.User.UserID, byToken.SessionJWT)
	}
	checkSession(t, byToken.Session, loc.UserID, loc.EmailID, addr)
	byJWT, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: ml.SessionJWT})
	if err != nil {
		t.Fatalf("sessions.authenticate by JWT: %v", err)
	}
	if byJWT.Session.SessionID != sess.SessionID || byJWT.User.UserID != loc.UserID || byJWT.RequestID == "" {
		t.Errorf("sessions.authenticate by JWT = session %q, user %q", byJWT.Session.SessionID, byJWT.User.UserID)
	}

	// Local verification through the SDK's JWKS. A locally verified
	// response is built by the SDK from the JWT alone: it has no
	// request_id or status_code, which every server response carries.
	local, err := c.Sessions.AuthenticateJWT(ctx, time.Minute, &sessions.AuthenticateParams{SessionJWT: ml.SessionJWT})
	if err != nil {
		t.Fatalf("sessions.AuthenticateJWT: %v", err)
	}
	if local.RequestID != "" || local.StatusCode != 0 {
		t.Errorf("AuthenticateJWT went to the server (request_id %q): the JWT did not verify locally", local.RequestID)
	}
	checkSession(t, local.Session, loc.UserID, loc.EmailID, addr)
	if local.Session.SessionID != sess.SessionID || !local.Session.StartedAt.Equal(sess.StartedAt.Truncate(time.Second)) ||
		!local.Session.ExpiresAt.Equal(sess.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("JWT session %q started %v expires %v; want %q, %v, %v", local.Session.SessionID, local.Session.StartedAt, local.Session.ExpiresAt, sess.SessionID, sess.StartedAt, sess.ExpiresAt)
	}
	ls, err := c.Sessions.AuthenticateJWTLocal(ml.SessionJWT, time.Minute)
	if err != nil {
		t.Fatalf("sessions.AuthenticateJWTLocal: %v", err)
	}
	checkSession(t, *ls, loc.UserID, loc.EmailID, addr)
	if ls.SessionID != sess.SessionID {
		t.Errorf("AuthenticateJWTLocal session %q, want %q", ls.SessionID, sess.SessionID)
	}
	if _, err := c.Sessions.AuthenticateJWTLocal(tamper(ml.SessionJWT), time.Minute); err == nil {
		t.Errorf("AuthenticateJWTLocal accepted a JWT with a tampered signature")
	}

	// Extend the session and set custom claims; they travel in the JWT.
	ext, err := c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{
		SessionToken:           ml.SessionToken,
		SessionDurationMinutes: 120,
		SessionCustomClaims:    map[string]any{"plan": "pro", "seats": 3, "tmp": "x"},
	})
	if err != nil {
		t.Fatalf("sessions.authenticate extend: %v", err)
	}
	if !near(*ext.Session.ExpiresAt, time.Now().Add(120*time.Minute), time.Minute) {
		t.Errorf("extended session expires %v, want about 120 minutes from now", ext.Session.ExpiresAt)
	}
	if ext.Session.CustomClaims["plan"] != "pro" || ext.Session.CustomClaims["seats"] != float64(3) {
		t.Errorf("extended session custom_claims %v", ext.Session.CustomClaims)
	}
	// A null claim removes it.
	ext, err = c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{
		SessionToken:        ml.SessionToken,
		SessionCustomClaims: map[string]any{"tmp": nil},
	})
	if err != nil {
		t.Fatalf("sessions.authenticate remove claim: %v", err)
	}
	claims := map[string]any{}
	withClaims, err := c.Sessions.AuthenticateJWTWithClaims(ctx, time.Minute, &sessions.AuthenticateParams{SessionJWT: ext.SessionJWT}, claims)
	if err != nil {
		t.Fatalf("AuthenticateJWTWithClaims: %v", err)
	}
	if withClaims.RequestID != "" {
		t.Errorf("AuthenticateJWTWithClaims went to the server: the extended JWT did not verify locally")
	}
	if len(claims) != 2 || claims["plan"] != "pro" || claims["seats"] != float64(3) {
		t.Errorf("JWT custom claims %v, want exactly plan=pro and seats=3", claims)
	}
	if !withClaims.Session.ExpiresAt.Equal(ext.Session.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("JWT expires_at %v, want the extended %v", withClaims.Session.ExpiresAt, ext.Session.ExpiresAt)
	}

	// sessions.get lists it.
	list, err := c.Sessions.Get(ctx, &sessions.GetParams{UserID: loc.UserID})
	if err != nil {
		t.Fatalf("sessions.get: %v", err)
	}
	if len(list.Sessions) != 1 || list.Sessions[0].SessionID != sess.SessionID || list.Sessions[0].CustomClaims["plan"] != "pro" {
		t.Fatalf("sessions.get = %+v, want the one session with its claims", list.Sessions)
	}
	checkSession(t, list.Sessions[0], loc.UserID, loc.EmailID, addr)

	// Revoke, and the session is gone for token and JWT alike.
	rp := &sessions.RevokeParams{SessionToken: ml.SessionToken}
	if revoke == revokeByJWT {
		rp = &sessions.RevokeParams{SessionJWT: ext.SessionJWT}
	}
	rv, err := c.Sessions.Revoke(ctx, rp)
	if err != nil {
		t.Fatalf("sessions.revoke: %v", err)
	}
	if rv.StatusCode != 200 || !strings.HasPrefix(rv.RequestID, "request-id-test-") {
		t.Errorf("sessions.revoke = %+v", *rv)
	}
	_, err = c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionToken: ml.SessionToken})
	wantError(t, err, 404, "session_not_found")
	_, err = c.Sessions.Authenticate(ctx, &sessions.AuthenticateParams{SessionJWT: ext.SessionJWT})
	wantError(t, err, 404, "session_not_found")
	// AuthenticateJWT with a max age of zero always asks the server.
	_, err = c.Sessions.AuthenticateJWT(ctx, 0, &sessions.AuthenticateParams{SessionJWT: ext.SessionJWT})
	wantError(t, err, 404, "session_not_found")
	list, err = c.Sessions.Get(ctx, &sessions.GetParams{UserID: loc.UserID})
	if err != nil || len(list.Sessions) != 0 {
		t.Errorf("sessions.get after revoke = %+v, %v; want no sessions", list, err)
	}
}

// checkSession checks the fields every consumer session from a magic
// link login carries.
func checkSession(tb testing.TB, s sessions.Session, userID, emailID, addr string) {
	tb.Helper()
	if !strings.HasPrefix(s.SessionID, "session-test-") || s.UserID != userID {
		tb.Errorf("session %q of user %q, want session-test-… of %s", s.SessionID, s.UserID, userID)
	}
	if s.StartedAt == nil || s.LastAccessedAt == nil || s.ExpiresAt == nil || !s.ExpiresAt.After(*s.StartedAt) {
		tb.Errorf("session times: started %v, last accessed %v, expires %v", s.StartedAt, s.LastAccessedAt, s.ExpiresAt)
	}
	if !slices.Contains(s.Roles, "stytch_user") {
		tb.Errorf("session roles %v, want stytch_user", s.Roles)
	}
	if len(s.AuthenticationFactors) != 1 {
		tb.Fatalf("session has %d authentication factors, want 1", len(s.AuthenticationFactors))
	}
	f := s.AuthenticationFactors[0]
	if f.Type != sessions.AuthenticationFactorTypeMagicLink || f.DeliveryMethod != sessions.AuthenticationFactorDeliveryMethodEmail {
		tb.Errorf("factor %s/%s, want magic_link/email", f.Type, f.DeliveryMethod)
	}
	if f.EmailFactor == nil || f.EmailFactor.EmailID != emailID || f.EmailFactor.EmailAddress != addr {
		tb.Errorf("email_factor %+v, want %s %s", f.EmailFactor, emailID, addr)
	}
	if f.LastAuthenticatedAt == nil || f.LastAuthenticatedAt.IsZero() {
		tb.Errorf("factor has no last_authenticated_at")
	}
}

// tamper changes one character in the middle of a JWT's signature.
func tamper(jwt string) string {
	i := strings.LastIndexByte(jwt, '.') + 10
	c := byte('A')
	if jwt[i] == 'A' {
		c = 'B'
	}
	return jwt[:i] + string(c) + jwt[i+1:]
}
