package compat

import (
	"slices"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2botpemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/otp/email"
	b2botpdiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/otp/email/discovery"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// B2B email passcodes through the SDK: into one organization
// (login_or_signup, authenticate) and for discovery.

// b2bEmailCode runs send, which must email addr a passcode, and reads the
// code from the dev inbox.
func b2bEmailCode(tb testing.TB, e *b2bEnv, addr string, send func()) string {
	tb.Helper()
	n := len(e.srv.DevInbox(tb, addr))
	send()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := e.srv.DevInbox(tb, addr); len(ms) > n {
			c := otpCodeRE.FindString(ms[0].Text)
			if c == "" {
				tb.Fatalf("no passcode in %q", ms[0].Text)
			}
			return c
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no passcode email to %s", addr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestB2BEmailOTP(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		dom := newDomain(t)
		o := newOrg(t, e, "OTP", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})
		addr := "otp@" + dom

		var sent *b2botpemail.LoginOrSignupResponse
		code := b2bEmailCode(t, e, addr, func() {
			var err error
			sent, err = c.OTPs.Email.LoginOrSignup(ctx, &b2botpemail.LoginOrSignupParams{OrganizationID: o.OrganizationID, EmailAddress: addr, SignupExpirationMinutes: 15})
			if err != nil {
				t.Fatalf("b2b otps.email.login_or_signup: %v", err)
			}
		})
		if !sent.MemberCreated || sent.Member.Status != "pending" || sent.Organization.OrganizationID != o.OrganizationID {
			t.Fatalf("login_or_signup = created %v, status %q, organization %q", sent.MemberCreated, sent.Member.Status, sent.Organization.OrganizationID)
		}
		wrong := "000001"
		if code == wrong {
			wrong = "000002"
		}
		_, err := c.OTPs.Email.Authenticate(ctx, &b2botpemail.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Code: wrong})
		wantError(t, err, 401, "unable_to_auth_otp_code")
		res, err := c.OTPs.Email.Authenticate(ctx, &b2botpemail.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Code: code, SessionDurationMinutes: 30})
		if err != nil {
			t.Fatalf("b2b otps.email.authenticate: %v", err)
		}
		if !res.MemberAuthenticated || res.MemberID != sent.MemberID || res.MethodID != sent.MemberID || res.OrganizationID != o.OrganizationID ||
			res.SessionToken == "" || res.MemberSession == nil || res.IntermediateSessionToken != "" || res.MFARequired != nil {
			t.Fatalf("b2b otps.email.authenticate = authenticated %v, member %q, method %q, session %v, ist %q, mfa %v",
				res.MemberAuthenticated, res.MemberID, res.MethodID, res.MemberSession != nil, res.IntermediateSessionToken, res.MFARequired)
		}
		if res.Member.Status != "active" || !res.Member.EmailAddressVerified {
			t.Errorf("member after its code: status %q, verified %v", res.Member.Status, res.Member.EmailAddressVerified)
		}
		if got := b2bFactorTypes(res.MemberSession); !slices.Equal(got, []string{"otp/email"}) {
			t.Errorf("factors %v, want an email otp", got)
		}
		if d := res.MemberSession.ExpiresAt.Sub(*res.MemberSession.StartedAt); d != 30*time.Minute {
			t.Errorf("session lasts %v, want 30m", d)
		}
		checkMemberJWT(t, e, res.SessionJWT, res.MemberID, o)
		if _, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: res.SessionToken}); err != nil {
			t.Errorf("b2b sessions.authenticate: %v", err)
		}
		_, err = c.OTPs.Email.Authenticate(ctx, &b2botpemail.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: addr, Code: code})
		wantError(t, err, 404, "otp_code_not_found")

		// Organization policy, before anything is sent.
		stranger := "eve@" + newDomain(t)
		_, err = c.OTPs.Email.LoginOrSignup(ctx, &b2botpemail.LoginOrSignupParams{OrganizationID: o.OrganizationID, EmailAddress: stranger})
		wantError(t, err, 400, "invalid_email_for_jit_provisioning")
		noMail(t, e.srv, stranger, "login_or_signup for another domain")
		linksOnly := newOrg(t, e, "Links", organizations.CreateParams{AuthMethods: restricted, AllowedAuthMethods: []string{"magic_link"}})
		newMember(t, e, linksOnly.OrganizationID, addr, members.CreateParams{})
		_, err = c.OTPs.Email.LoginOrSignup(ctx, &b2botpemail.LoginOrSignupParams{OrganizationID: linksOnly.OrganizationID, EmailAddress: addr})
		wantError(t, err, 400, "operation_restricted_by_organization_auth_methods")
		_, err = c.OTPs.Email.LoginOrSignup(ctx, &b2botpemail.LoginOrSignupParams{OrganizationID: o.OrganizationID, EmailAddress: addr, LoginExpirationMinutes: 16})
		wantError(t, err, 400, "invalid_expiration_otp")

		// An organization requiring MFA stops the login.
		strict := newOrg(t, e, "OTPMFA", organizations.CreateParams{MFAPolicy: mfaRequiredForAll})
		newMember(t, e, strict.OrganizationID, addr, members.CreateParams{})
		code = b2bEmailCode(t, e, addr, func() {
			if _, err := c.OTPs.Email.LoginOrSignup(ctx, &b2botpemail.LoginOrSignupParams{OrganizationID: strict.OrganizationID, EmailAddress: addr}); err != nil {
				t.Fatalf("login_or_signup into the MFA organization: %v", err)
			}
		})
		stopped, err := c.OTPs.Email.Authenticate(ctx, &b2botpemail.AuthenticateParams{OrganizationID: strict.OrganizationID, EmailAddress: addr, Code: code})
		if err != nil {
			t.Fatalf("b2b otps.email.authenticate into the MFA organization: %v", err)
		}
		if stopped.MemberAuthenticated || stopped.IntermediateSessionToken == "" || stopped.SessionToken != "" || stopped.MemberSession != nil || stopped.MFARequired == nil {
			t.Errorf("authenticate into the MFA organization = authenticated %v, ist %q, session %v, mfa %v; want stopped for MFA",
				stopped.MemberAuthenticated, stopped.IntermediateSessionToken, stopped.MemberSession != nil, stopped.MFARequired)
		}
	})
}

func TestB2BEmailOTPDiscovery(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		addr := newEmail(t, "otp-discovery")
		o := newOrg(t, e, "OTPDisc", organizations.CreateParams{})
		m := newMember(t, e, o.OrganizationID, addr, members.CreateParams{})

		code := b2bEmailCode(t, e, addr, func() {
			res, err := c.OTPs.Email.Discovery.Send(ctx, &b2botpdiscovery.SendParams{EmailAddress: addr})
			if err != nil {
				t.Fatalf("b2b otps.email.discovery.send: %v", err)
			}
			if res.StatusCode != 200 {
				t.Errorf("discovery.send status %d", res.StatusCode)
			}
		})
		_, err := c.OTPs.Email.Discovery.Authenticate(ctx, &b2botpdiscovery.AuthenticateParams{EmailAddress: newEmail(t, "nobody"), Code: code})
		wantError(t, err, 404, "otp_code_not_found")
		disc, err := c.OTPs.Email.Discovery.Authenticate(ctx, &b2botpdiscovery.AuthenticateParams{EmailAddress: addr, Code: code})
		if err != nil {
			t.Fatalf("b2b otps.email.discovery.authenticate: %v", err)
		}
		if disc.IntermediateSessionToken == "" || disc.EmailAddress != addr {
			t.Fatalf("discovery.authenticate = ist %q, email %q", disc.IntermediateSessionToken, disc.EmailAddress)
		}
		if got := discoveredTypes(t, "discovery.authenticate", disc.DiscoveredOrganizations); got[o.OrganizationID] != activeMember || len(got) != 1 {
			t.Errorf("discovered %v, want %s as an active member", got, o.OrganizationID)
		}
		_, err = c.OTPs.Email.Discovery.Authenticate(ctx, &b2botpdiscovery.AuthenticateParams{EmailAddress: addr, Code: code})
		wantError(t, err, 404, "otp_code_not_found")
		ex, err := c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: disc.IntermediateSessionToken, OrganizationID: o.OrganizationID})
		if err != nil {
			t.Fatalf("intermediate_sessions.exchange: %v", err)
		}
		if !ex.MemberAuthenticated || ex.MemberID != m.MemberID || !slices.Equal(b2bFactorTypes(ex.MemberSession), []string{"otp/email"}) {
			t.Errorf("exchange = authenticated %v, member %q, factors %v", ex.MemberAuthenticated, ex.MemberID, b2bFactorTypes(ex.MemberSession))
		}
	})
}

// b2bOTPAuthFields are Python's B2B otp_email AuthenticateResponse.
var b2bOTPAuthFields = fields(envelopeFields, []field{
	{"member_id", nonEmpty, nil},
	{"method_id", nonEmpty, nil},
	{"organization_id", nonEmpty, nil},
	{"session_token", str, nil},
	{"session_jwt", str, nil},
	{"intermediate_session_token", str, nil},
	{"member_authenticated", boolean, nil},
}, withMemberAndOrganization)

// TestB2BEmailOTPPythonStrictFields checks the raw JSON of every B2B email
// passcode response.
func TestB2BEmailOTPPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		dom := newDomain(t)
		o := newOrg(t, e, "OTPStrict", organizations.CreateParams{EmailJITProvisioning: restricted, EmailAllowedDomains: []string{dom}})
		addr := "strict@" + dom
		post := func(what, path string, body map[string]any) map[string]any {
			t.Helper()
			return strictOK(t, rawJSON(t, e.srv, "POST", path, body), what, 200)
		}
		var los map[string]any
		code := b2bEmailCode(t, e, addr, func() {
			los = post("b2b otps.email.login_or_signup", "/v1/b2b/otps/email/login_or_signup", map[string]any{"organization_id": o.OrganizationID, "email_address": addr})
		})
		checkFields(t, "b2b otps.email.login_or_signup", los, loginOrSignupFields)
		a := post("b2b otps.email.authenticate", "/v1/b2b/otps/email/authenticate", map[string]any{"organization_id": o.OrganizationID, "email_address": addr, "code": code})
		checkFields(t, "b2b otps.email.authenticate", a, fields(b2bOTPAuthFields, withMemberSession))

		var ds map[string]any
		code = b2bEmailCode(t, e, addr, func() {
			ds = post("b2b otps.email.discovery.send", "/v1/b2b/otps/email/discovery/send", map[string]any{"email_address": addr})
		})
		checkFields(t, "b2b otps.email.discovery.send", ds, envelopeFields)
		da := post("b2b otps.email.discovery.authenticate", "/v1/b2b/otps/email/discovery/authenticate", map[string]any{"email_address": addr, "code": code})
		checkFields(t, "b2b otps.email.discovery.authenticate", da, discoveryAuthFields)
	})
}
