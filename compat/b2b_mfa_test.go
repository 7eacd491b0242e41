package compat

import (
	"slices"
	"testing"
	"time"

	b2bdiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	b2bmagiclinks "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2botpsms "github.com/stytchauth/stytch-go/v16/stytch/b2b/otp/sms"
	b2brecoverycodes "github.com/stytchauth/stytch-go/v16/stytch/b2b/recoverycodes"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	b2btotps "github.com/stytchauth/stytch-go/v16/stytch/b2b/totps"
)

// B2B multi-factor authentication through the SDK: an organization that
// requires MFA stops every primary login with an intermediate session
// token, which a second factor completes; the same person logs straight in
// to an organization that does not.

const mfaRequiredForAll = "REQUIRED_FOR_ALL"

// mfaLoginStart logs addr in to an organization with an email magic link,
// as memberLogin does, and checks that the login stopped for MFA.
func mfaLoginStart(tb testing.TB, e *b2bEnv, orgID, addr string) *b2bmagiclinks.AuthenticateResponse {
	tb.Helper()
	m := sendAndRead(tb, e.srv, addr, func() {
		if _, err := e.c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: orgID, EmailAddress: addr}); err != nil {
			tb.Fatalf("magic_links.email.login_or_signup %s in %s: %v", addr, orgID, err)
		}
	})
	res, err := e.c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: checkB2BLink(tb, m.Link, appURL, tokenTypeMultiTenant)})
	if err != nil {
		tb.Fatalf("b2b magic_links.authenticate %s in %s: %v", addr, orgID, err)
	}
	if res.MemberAuthenticated || res.IntermediateSessionToken == "" || res.SessionToken != "" || res.SessionJWT != "" ||
		res.MemberSession != nil || res.MFARequired == nil {
		tb.Fatalf("b2b magic_links.authenticate into an organization requiring MFA = member_authenticated %v, intermediate_session_token %q, session_token %q, member_session %v, mfa_required %v; want false, a token, \"\", null, set",
			res.MemberAuthenticated, res.IntermediateSessionToken, res.SessionToken, res.MemberSession, res.MFARequired)
	}
	return res
}

// TestB2BMFAWithTOTP: the first login enrolls an authenticator app with
// the intermediate session token and completes with its first code; the
// next one offers the registration; discovery reports the requirement and
// an exchange stops for it; and none of it touches an organization that
// does not require MFA.
func TestB2BMFAWithTOTP(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		strict := newOrg(t, e, "MFA", organizations.CreateParams{MFAPolicy: mfaRequiredForAll})
		open := newOrg(t, e, "Open", organizations.CreateParams{})
		addr := newEmail(t, "mfa-totp")
		m := newMember(t, e, strict.OrganizationID, addr, members.CreateParams{})
		mOpen := newMember(t, e, open.OrganizationID, addr, members.CreateParams{})

		first := mfaLoginStart(t, e, strict.OrganizationID, addr)
		if first.MFARequired.MemberOptions != nil || first.MFARequired.SecondaryAuthInitiated != "" {
			t.Errorf("mfa_required = %+v before enrollment, want no member options and nothing sent", *first.MFARequired)
		}
		sessions, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: strict.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("b2b sessions.get: %v", err)
		}
		if len(sessions.MemberSessions) != 0 {
			t.Fatalf("%d member sessions after a login that stopped for MFA, want 0", len(sessions.MemberSessions))
		}

		// Enroll with the intermediate session token, complete with the
		// app's first code.
		ist := first.IntermediateSessionToken
		reg, err := c.TOTPs.Create(ctx, &b2btotps.CreateParams{OrganizationID: strict.OrganizationID, MemberID: m.MemberID, IntermediateSessionToken: ist})
		if err != nil {
			t.Fatalf("b2b totp.create with the intermediate session token: %v", err)
		}
		now := time.Now()
		done, err := c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: appCode(t, reg.Secret, now), IntermediateSessionToken: ist,
		})
		if err != nil {
			t.Fatalf("b2b totp.authenticate with the intermediate session token: %v", err)
		}
		if got := b2bFactorTypes(done.MemberSession); !slices.Equal(got, []string{"magic_link/email", "totp/authenticator_app"}) {
			t.Errorf("member session factors %v, want the magic link and the totp", got)
		}
		if done.SessionToken == "" || !done.Member.MFAEnrolled || done.Member.DefaultMFAMethod != "totp" {
			t.Errorf("b2b totp.authenticate = token %q, mfa_enrolled %v, default_mfa_method %q", done.SessionToken, done.Member.MFAEnrolled, done.Member.DefaultMFAMethod)
		}
		checkMemberJWT(t, e, done.SessionJWT, m.MemberID, strict)
		if _, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: done.SessionToken}); err != nil {
			t.Errorf("b2b sessions.authenticate of the completed login: %v", err)
		}
		// The intermediate session token is spent.
		_, err = c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: appCode(t, reg.Secret, now.Add(30*time.Second)), IntermediateSessionToken: ist,
		})
		wantError(t, err, 404, "intermediate_session_not_found")

		// The same person logs straight in to the open organization.
		free := memberLogin(t, e, open.OrganizationID, addr)
		if !free.MemberAuthenticated || free.IntermediateSessionToken != "" || free.MFARequired != nil || free.MemberID != mOpen.MemberID {
			t.Errorf("login to the open organization = member_authenticated %v, intermediate_session_token %q, mfa_required %v",
				free.MemberAuthenticated, free.IntermediateSessionToken, free.MFARequired)
		}

		// Enrolled: the next login offers the registration, and a code
		// from a later step completes it.
		next := mfaLoginStart(t, e, strict.OrganizationID, addr)
		if o := next.MFARequired.MemberOptions; o == nil || o.TOTPRegistrationID != reg.TOTPRegistrationID {
			t.Errorf("mfa_required.member_options = %+v, want the TOTP registration %s", o, reg.TOTPRegistrationID)
		}
		if _, err := c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: appCode(t, reg.Secret, now.Add(30*time.Second)),
			IntermediateSessionToken: next.IntermediateSessionToken,
		}); err != nil {
			t.Errorf("b2b totp.authenticate on the next login: %v", err)
		}

		// Discovery lists the requirement; an exchange stops for it and a
		// recovery code completes it.
		disc := discover(t, e, addr)
		byOrg := map[string]b2bdiscovery.DiscoveredOrganization{}
		for _, d := range disc.DiscoveredOrganizations {
			byOrg[d.Organization.OrganizationID] = d
		}
		if d := byOrg[strict.OrganizationID]; d.MemberAuthenticated || d.MFARequired == nil || d.MFARequired.SecondaryAuthInitiated != "" {
			t.Errorf("discovered %s: member_authenticated %v, mfa_required %+v; want false, set, nothing sent", strict.OrganizationName, d.MemberAuthenticated, d.MFARequired)
		}
		if d := byOrg[open.OrganizationID]; !d.MemberAuthenticated || d.MFARequired != nil {
			t.Errorf("discovered %s: member_authenticated %v, mfa_required %+v; want true, null", open.OrganizationName, d.MemberAuthenticated, d.MFARequired)
		}
		ex, err := c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{
			IntermediateSessionToken: disc.IntermediateSessionToken, OrganizationID: strict.OrganizationID,
		})
		if err != nil {
			t.Fatalf("intermediate_sessions.exchange into the MFA organization: %v", err)
		}
		if ex.MemberAuthenticated || ex.IntermediateSessionToken == "" || ex.SessionToken != "" || ex.MemberSession != nil || ex.MFARequired == nil {
			t.Fatalf("exchange = member_authenticated %v, intermediate_session_token %q, session_token %q, mfa_required %v; want stopped for MFA",
				ex.MemberAuthenticated, ex.IntermediateSessionToken, ex.SessionToken, ex.MFARequired)
		}
		rec, err := c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, RecoveryCode: reg.RecoveryCodes[0],
			IntermediateSessionToken: ex.IntermediateSessionToken,
		})
		if err != nil {
			t.Fatalf("recovery_codes.recover with the exchange's intermediate session token: %v", err)
		}
		if got := b2bFactorTypes(rec.MemberSession); !slices.Equal(got, []string{"magic_link/email", "recovery_codes/recovery_code"}) {
			t.Errorf("recovered session factors %v", got)
		}

		// Another member's intermediate session token completes nothing
		// of this member's.
		other := newEmail(t, "mfa-other")
		newMember(t, e, strict.OrganizationID, other, members.CreateParams{})
		otherIST := mfaLoginStart(t, e, strict.OrganizationID, other).IntermediateSessionToken
		_, err = c.RecoveryCodes.Recover(ctx, &b2brecoverycodes.RecoverParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, RecoveryCode: reg.RecoveryCodes[1], IntermediateSessionToken: otherIST,
		})
		wantError(t, err, 400, "invalid_intermediate_session_token_for_organization")
	})
}

// mfaStoppedFields and mfaMemberOptionsFields are Python's MfaRequired: member_options and
// secondary_auth_initiated are Optional, but a MemberOptions needs both of
// its strings.
var mfaStoppedFields = fields(b2bMagicLinkAuthFields, []field{{"mfa_required", object, nil}})

var mfaMemberOptionsFields = []field{
	{"mfa_required.member_options.mfa_phone_number", str, nil},
	{"mfa_required.member_options.totp_registration_id", str, nil},
}

// TestB2BMFAPythonStrictFields checks the raw JSON of a login stopped for
// MFA, before and after the member enrolled, and of a discovered
// organization requiring it.
func TestB2BMFAPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		strict := newOrg(t, e, "MFAStrict", organizations.CreateParams{MFAPolicy: mfaRequiredForAll})
		addr := newEmail(t, "mfa-strict")
		m := newMember(t, e, strict.OrganizationID, addr, members.CreateParams{})
		login := func() map[string]any {
			t.Helper()
			msg := sendAndRead(t, e.srv, addr, func() {
				strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": strict.OrganizationID, "email_address": addr}), "login_or_signup", 200)
			})
			return strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{
				"magic_links_token": checkB2BLink(t, msg.Link, appURL, tokenTypeMultiTenant),
			}), "b2b magic_links.authenticate", 200)
		}
		first := login()
		checkFields(t, "magic_links.authenticate stopped for MFA", first, mfaStoppedFields)
		if first["member_session"] != nil || first["session_token"] != "" || first["member_authenticated"] != false {
			t.Errorf("stopped login: member_session %v, session_token %v, member_authenticated %v", first["member_session"], first["session_token"], first["member_authenticated"])
		}
		// Enroll an authenticator app, completing the first login.
		reg, err := e.c.TOTPs.Create(ctx, &b2btotps.CreateParams{OrganizationID: strict.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("b2b totp.create: %v", err)
		}
		if _, err := e.c.TOTPs.Authenticate(ctx, &b2btotps.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: appCode(t, reg.Secret, time.Now()),
			IntermediateSessionToken: jsonStr(first, "intermediate_session_token"),
		}); err != nil {
			t.Fatalf("b2b totp.authenticate: %v", err)
		}
		second := login()
		checkFields(t, "magic_links.authenticate offering TOTP", second, fields(mfaStoppedFields, mfaMemberOptionsFields))

		msg := sendAndRead(t, e.srv, addr, func() {
			strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": addr}), "discovery.send", 200)
		})
		da := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{
			"discovery_magic_links_token": checkB2BLink(t, msg.Link, appURL, tokenTypeDiscovery),
		}), "discovery.authenticate", 200)
		checkFields(t, "discovery.authenticate with MFA", da, fields(discoveryAuthFields, []field{
			{"discovered_organizations[].mfa_required", object, nil},
			{"discovered_organizations[].mfa_required.member_options.mfa_phone_number", str, nil},
			{"discovered_organizations[].mfa_required.member_options.totp_registration_id", nonEmpty, nil},
		}))
		ex := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
			"intermediate_session_token": jsonStr(da, "intermediate_session_token"), "organization_id": strict.OrganizationID,
		}), "exchange", 200)
		checkFields(t, "intermediate_sessions.exchange stopped for MFA", ex, fields(exchangeFields, []field{{"mfa_required", object, nil}}, mfaMemberOptionsFields))
	})
}

// b2bTextCode waits for the n-th text to number in the dev inbox and reads
// its passcode, as the member's phone would.
func b2bTextCode(tb testing.TB, e *b2bEnv, number string, n int) string {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if ms := e.srv.DevInbox(tb, number); len(ms) >= n {
			if ms[0].Channel != "sms" {
				tb.Fatalf("newest message to %s came by %q, want sms", number, ms[0].Channel)
			}
			c := otpCodeRE.FindString(ms[0].Text)
			if c == "" {
				tb.Fatalf("no passcode in %q", ms[0].Text)
			}
			return c
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no text message to %s", number)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestB2BMFAWithSMS: a member with an MFA phone logs in to an organization
// requiring MFA; the login stops and texts it a passcode, read from the
// dev inbox, which completes the login. The same person logs straight in
// to an organization that does not require MFA, texted nothing.
func TestB2BMFAWithSMS(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c
		const number = "+12025550163"
		strict := newOrg(t, e, "SMSMFA", organizations.CreateParams{MFAPolicy: mfaRequiredForAll})
		open := newOrg(t, e, "SMSOpen", organizations.CreateParams{})
		addr := newEmail(t, "mfa-sms")
		m := newMember(t, e, strict.OrganizationID, addr, members.CreateParams{MFAPhoneNumber: "+1 202 555 0163"})
		if m.Member.MFAPhoneNumber != number || m.Member.MFAPhoneNumberVerified {
			t.Fatalf("members.create: mfa_phone_number %q verified %v, want %s unverified", m.Member.MFAPhoneNumber, m.Member.MFAPhoneNumberVerified, number)
		}
		newMember(t, e, open.OrganizationID, addr, members.CreateParams{})

		stopped := mfaLoginStart(t, e, strict.OrganizationID, addr)
		if stopped.MFARequired.SecondaryAuthInitiated != "sms_otp" || stopped.MFARequired.MemberOptions == nil ||
			stopped.MFARequired.MemberOptions.MFAPhoneNumber != number {
			t.Fatalf("mfa_required = %+v, want the phone and sms_otp initiated", *stopped.MFARequired)
		}
		code := b2bTextCode(t, e, number, 1)
		sessions, err := c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: strict.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatalf("b2b sessions.get: %v", err)
		}
		if len(sessions.MemberSessions) != 0 {
			t.Fatalf("%d member sessions before the SMS passcode, want 0", len(sessions.MemberSessions))
		}

		// A wrong code, another member's token: refused, the code intact.
		wrong := "000001"
		if code == wrong {
			wrong = "000002"
		}
		_, err = c.OTPs.Sms.Authenticate(ctx, &b2botpsms.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: wrong, IntermediateSessionToken: stopped.IntermediateSessionToken,
		})
		wantError(t, err, 401, "unable_to_auth_otp_code")
		other := newEmail(t, "mfa-sms-other")
		newMember(t, e, strict.OrganizationID, other, members.CreateParams{})
		otherIST := mfaLoginStart(t, e, strict.OrganizationID, other).IntermediateSessionToken
		_, err = c.OTPs.Sms.Authenticate(ctx, &b2botpsms.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: code, IntermediateSessionToken: otherIST,
		})
		wantError(t, err, 400, "invalid_intermediate_session_token_for_organization")

		done, err := c.OTPs.Sms.Authenticate(ctx, &b2botpsms.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: code, IntermediateSessionToken: stopped.IntermediateSessionToken,
		})
		if err != nil {
			t.Fatalf("b2b otps.sms.authenticate: %v", err)
		}
		if got := b2bFactorTypes(done.MemberSession); !slices.Equal(got, []string{"magic_link/email", "otp/sms"}) {
			t.Errorf("member session factors %v, want the magic link and the SMS passcode", got)
		}
		if done.SessionToken == "" || !done.Member.MFAPhoneNumberVerified || !done.Member.MFAEnrolled || done.Member.DefaultMFAMethod != "sms_otp" {
			t.Errorf("b2b otps.sms.authenticate = token %q, phone verified %v, enrolled %v, default %q",
				done.SessionToken, done.Member.MFAPhoneNumberVerified, done.Member.MFAEnrolled, done.Member.DefaultMFAMethod)
		}
		checkMemberJWT(t, e, done.SessionJWT, m.MemberID, strict)
		if _, err := c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{SessionToken: done.SessionToken}); err != nil {
			t.Errorf("b2b sessions.authenticate of the completed login: %v", err)
		}
		_, err = c.OTPs.Sms.Authenticate(ctx, &b2botpsms.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: code, IntermediateSessionToken: stopped.IntermediateSessionToken,
		})
		wantError(t, err, 404, "intermediate_session_not_found")

		// Only that organization: no text, no stop.
		texts := len(e.srv.DevInbox(t, number))
		free := memberLogin(t, e, open.OrganizationID, addr)
		if !free.MemberAuthenticated || free.MFARequired != nil {
			t.Errorf("login to the open organization = member_authenticated %v, mfa_required %v", free.MemberAuthenticated, free.MFARequired)
		}
		if n := len(e.srv.DevInbox(t, number)); n != texts {
			t.Errorf("login to the open organization texted the member (%d texts, want %d)", n, texts)
		}

		// The next login: the app asks for a fresh code with the token.
		next := mfaLoginStart(t, e, strict.OrganizationID, addr)
		sent, err := c.OTPs.Sms.Send(ctx, &b2botpsms.SendParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, IntermediateSessionToken: next.IntermediateSessionToken,
		})
		if err != nil {
			t.Fatalf("b2b otps.sms.send: %v", err)
		}
		if sent.MemberID != m.MemberID || sent.Member.MFAPhoneNumber != number {
			t.Errorf("b2b otps.sms.send = member %q, phone %q", sent.MemberID, sent.Member.MFAPhoneNumber)
		}
		if _, err := c.OTPs.Sms.Authenticate(ctx, &b2botpsms.AuthenticateParams{
			OrganizationID: strict.OrganizationID, MemberID: m.MemberID, Code: b2bTextCode(t, e, number, texts+2),
			IntermediateSessionToken: next.IntermediateSessionToken,
		}); err != nil {
			t.Errorf("b2b otps.sms.authenticate with the resent code: %v", err)
		}
		_, err = c.OTPs.Sms.Send(ctx, &b2botpsms.SendParams{OrganizationID: strict.OrganizationID, MemberID: m.MemberID, MFAPhoneNumber: "+12025550164"})
		wantError(t, err, 400, "duplicate_member_phone_number_for_member")
	})
}

// TestB2BSMSPythonStrictFields checks the raw JSON of B2B SMS send and
// authenticate.
func TestB2BSMSPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		const number = "+12025550165"
		strict := newOrg(t, e, "SMSStrict", organizations.CreateParams{MFAPolicy: mfaRequiredForAll})
		addr := newEmail(t, "sms-strict")
		m := newMember(t, e, strict.OrganizationID, addr, members.CreateParams{})
		ist := mfaLoginStart(t, e, strict.OrganizationID, addr).IntermediateSessionToken
		send := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/otps/sms/send", map[string]any{
			"organization_id": strict.OrganizationID, "member_id": m.MemberID, "mfa_phone_number": number, "intermediate_session_token": ist,
		}), "b2b otps.sms.send", 200)
		checkFields(t, "b2b otps.sms.send", send, memberResponseFields)
		a := strictOK(t, rawJSON(t, e.srv, "POST", "/v1/b2b/otps/sms/authenticate", map[string]any{
			"organization_id": strict.OrganizationID, "member_id": m.MemberID, "code": b2bTextCode(t, e, number, 1), "intermediate_session_token": ist,
		}), "b2b otps.sms.authenticate", 200)
		checkFields(t, "b2b otps.sms.authenticate", a, fields(envelopeFields, []field{
			{"member_id", nonEmpty, nil}, {"session_token", nonEmpty, nil}, {"session_jwt", nonEmpty, nil},
		}, withMemberAndOrganization, withMemberSession))
	})
}

// TestB2BDeleteMFAPhoneNumber removes a member's MFA phone through the
// SDK; TOTP deletion, whose path overlaps, still works beside it.
func TestB2BDeleteMFAPhoneNumber(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		o := newOrg(t, e, "DeletePhone", organizations.CreateParams{})
		m := newMember(t, e, o.OrganizationID, newEmail(t, "delete-phone"), members.CreateParams{MFAPhoneNumber: "+12025550164"})
		res, err := e.c.Organizations.Members.DeleteMFAPhoneNumber(ctx, &members.DeleteMFAPhoneNumberParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		if err != nil {
			t.Fatal(err)
		}
		if res.Member.MFAPhoneNumber != "" || res.Member.MFAPhoneNumberVerified || res.MemberID != m.MemberID {
			t.Errorf("after DeleteMFAPhoneNumber: member %+v", res.Member)
		}
		_, err = e.c.Organizations.Members.DeleteMFAPhoneNumber(ctx, &members.DeleteMFAPhoneNumberParams{OrganizationID: o.OrganizationID, MemberID: "member-test-00000000-0000-4000-8000-000000000000"})
		wantError(t, err, 404, "member_not_found")
		// The TOTP path, which the same route serves, still answers.
		_, err = e.c.Organizations.Members.DeleteTOTP(ctx, &members.DeleteTOTPParams{OrganizationID: o.OrganizationID, MemberID: m.MemberID})
		wantError(t, err, 404, "totp_not_found")
	})
}
