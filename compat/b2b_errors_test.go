package compat

import (
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	discoveryorgs "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/organizations"
	b2bmagiclinks "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks"
	mldiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/discovery"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	emaildiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
)

// TestB2BRefusals checks how the B2B endpoints refuse: spent, expired and
// unknown tokens, unknown organizations and members, and bodies that are
// not JSON. Every refusal carries the full Stytch envelope.
func TestB2BRefusals(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c

		t.Run("magic link tokens", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Tokens", organizations.CreateParams{})
			addr := "tom@" + newDomain(t)
			newMember(t, e, org.OrganizationID, addr, members.CreateParams{})
			send := func() string {
				t.Helper()
				m := sendAndRead(t, e.srv, addr, func() {
					if _, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: addr}); err != nil {
						t.Fatalf("login_or_signup: %v", err)
					}
				})
				return checkB2BLink(t, m.Link, appURL, tokenTypeMultiTenant)
			}

			// Used.
			used := send()
			if _, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: used}); err != nil {
				t.Fatalf("first authenticate: %v", err)
			}
			_, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: used})
			wantError(t, err, 401, "unable_to_auth_magic_link")
			// Expired, and not spent by the refusal.
			expired := send()
			e.expire(t, "tokens", expired)
			for range 2 {
				_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: expired})
				wantError(t, err, 401, "unable_to_auth_magic_link")
			}
			// Unknown, shaped like a real token.
			unknown := base64.URLEncoding.EncodeToString(randomBytes(t, 32))
			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: unknown})
			wantError(t, err, 404, "magic_link_not_found")
			// A discovery token is not an organization login token, and the
			// reverse.
			disc := discoveryToken(t, e, addr)
			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: disc})
			wantError(t, err, 404, "magic_link_not_found")
			login := send()
			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: login})
			wantError(t, err, 404, "magic_link_not_found")
			// Both still work where they belong.
			if _, err := c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: disc}); err != nil {
				t.Errorf("discovery token after being refused as a login token: %v", err)
			}
			if _, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: login}); err != nil {
				t.Errorf("login token after being refused as a discovery token: %v", err)
			}
		})

		t.Run("discovery tokens", func(t *testing.T) {
			t.Parallel()
			addr := "dee@" + newDomain(t)
			used := discoveryToken(t, e, addr)
			if _, err := c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: used}); err != nil {
				t.Fatalf("first discovery authenticate: %v", err)
			}
			_, err := c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: used})
			wantError(t, err, 401, "unable_to_auth_magic_link")
			expired := discoveryToken(t, e, addr)
			e.expire(t, "tokens", expired)
			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: expired})
			wantError(t, err, 401, "unable_to_auth_magic_link")
			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: base64.URLEncoding.EncodeToString(randomBytes(t, 32))})
			wantError(t, err, 404, "magic_link_not_found")

			// An expired intermediate session is gone.
			org := newOrg(t, e, "Late", organizations.CreateParams{})
			newMember(t, e, org.OrganizationID, addr, members.CreateParams{})
			ist := discover(t, e, addr)
			e.expire(t, "intermediate_sessions", ist.IntermediateSessionToken)
			_, err = c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: ist.IntermediateSessionToken})
			wantError(t, err, 404, "intermediate_session_not_found")
			_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: ist.IntermediateSessionToken, OrganizationID: org.OrganizationID})
			wantError(t, err, 404, "intermediate_session_not_found")
			_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: "never-issued-" + randHex(t, 16), OrganizationID: org.OrganizationID})
			wantError(t, err, 404, "intermediate_session_not_found")
		})

		t.Run("pkce", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Pkce", organizations.CreateParams{})
			addr := "pk@" + newDomain(t)
			newMember(t, e, org.OrganizationID, addr, members.CreateParams{})
			verifier, challenge := pkcePair(t)
			wrong, _ := pkcePair(t)

			m := sendAndRead(t, e.srv, addr, func() {
				if _, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: addr, PkceCodeChallenge: challenge}); err != nil {
					t.Fatalf("login_or_signup with pkce_code_challenge: %v", err)
				}
			})
			tok := checkB2BLink(t, m.Link, appURL, tokenTypeMultiTenant)
			_, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok})
			wantError(t, err, 400, "pkce_expected_code_verifier")
			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok, PkceCodeVerifier: wrong})
			wantError(t, err, 400, "pkce_mismatch")
			if res, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok, PkceCodeVerifier: verifier}); err != nil || res.MemberSession == nil {
				t.Errorf("b2b authenticate with the right verifier = %s", outcome(res, err))
			}

			m = sendAndRead(t, e.srv, addr, func() {
				if _, err := c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: addr, PkceCodeChallenge: challenge}); err != nil {
					t.Fatalf("discovery.send with pkce_code_challenge: %v", err)
				}
			})
			disc := checkB2BLink(t, m.Link, appURL, tokenTypeDiscovery)
			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: disc, PkceCodeVerifier: wrong})
			wantError(t, err, 400, "pkce_mismatch")
			if res, err := c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: disc, PkceCodeVerifier: verifier}); err != nil || res.IntermediateSessionToken == "" {
				t.Errorf("discovery authenticate with the right verifier = %s", outcome(res, err))
			}
		})

		t.Run("unknown organization", func(t *testing.T) {
			t.Parallel()
			addr := "uma@" + newDomain(t)
			_, err := c.Organizations.Get(ctx, &organizations.GetParams{OrganizationID: unknownOrganizationID})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.Organizations.Update(ctx, &organizations.UpdateParams{OrganizationID: unknownOrganizationID, OrganizationName: "Nobody"})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.Organizations.Delete(ctx, &organizations.DeleteParams{OrganizationID: unknownOrganizationID})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.Organizations.Members.Create(ctx, &members.CreateParams{OrganizationID: unknownOrganizationID, EmailAddress: addr})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: unknownOrganizationID, EmailAddress: addr})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: unknownOrganizationID, EmailAddress: addr})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: unknownOrganizationID, EmailAddress: addr})
			wantError(t, err, 404, "organization_not_found")
			_, err = c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: unknownOrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "organization_not_found")
			noMail(t, e.srv, addr, "requests for an unknown organization")
			// Exchanging into an unknown organization leaves the
			// intermediate session usable.
			ist := discover(t, e, addr)
			_, err = c.Discovery.IntermediateSessions.Exchange(ctx, &intermediatesessions.ExchangeParams{IntermediateSessionToken: ist.IntermediateSessionToken, OrganizationID: unknownOrganizationID})
			wantError(t, err, 404, "organization_not_found")
			if _, err := c.Discovery.Organizations.List(ctx, &discoveryorgs.ListParams{IntermediateSessionToken: ist.IntermediateSessionToken}); err != nil {
				t.Errorf("intermediate session after a refused exchange: %v", err)
			}
		})

		t.Run("unknown member", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Members", organizations.CreateParams{})
			_, err := c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: org.OrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: org.OrganizationID, EmailAddress: "nobody@" + newDomain(t)})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.Update(ctx, &members.UpdateParams{OrganizationID: org.OrganizationID, MemberID: unknownMemberID, Name: "Nobody"})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.Delete(ctx, &members.DeleteParams{OrganizationID: org.OrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.Reactivate(ctx, &members.ReactivateParams{OrganizationID: org.OrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Organizations.Members.DangerouslyGet(ctx, &members.DangerouslyGetParams{MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
			_, err = c.Sessions.Get(ctx, &b2bsessions.GetParams{OrganizationID: org.OrganizationID, MemberID: unknownMemberID})
			wantError(t, err, 404, "member_not_found")
		})

		t.Run("malformed JSON", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Json", organizations.CreateParams{})
			paths := []struct{ method, path string }{
				{"POST", "/v1/b2b/organizations"},
				{"PUT", "/v1/b2b/organizations/" + url.PathEscape(org.OrganizationID)},
				{"POST", "/v1/b2b/organizations/search"},
				{"POST", "/v1/b2b/organizations/" + url.PathEscape(org.OrganizationID) + "/members"},
				{"POST", "/v1/b2b/magic_links/email/login_or_signup"},
				{"POST", "/v1/b2b/magic_links/email/invite"},
				{"POST", "/v1/b2b/magic_links/email/discovery/send"},
				{"POST", "/v1/b2b/magic_links/authenticate"},
				{"POST", "/v1/b2b/magic_links/discovery/authenticate"},
				{"POST", "/v1/b2b/discovery/organizations"},
				{"POST", "/v1/b2b/discovery/organizations/create"},
				{"POST", "/v1/b2b/discovery/intermediate_sessions/exchange"},
				{"POST", "/v1/b2b/sessions/authenticate"},
				{"POST", "/v1/b2b/sessions/exchange"},
				{"POST", "/v1/b2b/sessions/revoke"},
			}
			for _, p := range paths {
				for _, body := range []string{`{"organization_name": `, `not json`, `{} {}`} {
					r := raw(t, e.srv, p.method, p.path, true, []byte(body))
					if r.Status != 400 {
						t.Errorf("%s %s %s: HTTP %d, want 400 bad_request\n%s", p.method, p.path, body, r.Status, r.Body)
						continue
					}
					wantRawError(t, r, 400, "bad_request")
				}
			}
			// And without credentials, the 401 comes first.
			wantRawError(t, raw(t, e.srv, "POST", "/v1/b2b/organizations", false, []byte(`{}`)), 401, "unauthorized_credentials")
		})

		t.Run("invalid arguments", func(t *testing.T) {
			t.Parallel()
			org := newOrg(t, e, "Args", organizations.CreateParams{})
			_, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: org.OrganizationID, EmailAddress: "not-an-email"})
			wantError(t, err, 400, "invalid_email")
			_, err = c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: "a@"})
			wantError(t, err, 400, "invalid_email")
			_, err = c.Organizations.Create(ctx, &organizations.CreateParams{OrganizationSlug: "no-name-" + randHex(t, 4)})
			wantError(t, err, 400, "invalid_organization_name")
			_, err = c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: "x@" + newDomain(t), DiscoveryRedirectURL: "http://localhost:4000/elsewhere"})
			wantError(t, err, 400, "no_match_for_provided_magic_link_url")
			_, err = c.Sessions.Authenticate(ctx, &b2bsessions.AuthenticateParams{})
			wantError(t, err, 400, "no_session_arguments")
		})
	})
}

// discoveryToken sends a discovery email to addr and returns its token,
// unspent.
func discoveryToken(tb testing.TB, e *b2bEnv, addr string) string {
	tb.Helper()
	m := sendAndRead(tb, e.srv, addr, func() {
		if _, err := e.c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: addr}); err != nil {
			tb.Fatalf("discovery.send %s: %v", addr, err)
		}
	})
	return checkB2BLink(tb, m.Link, appURL, tokenTypeDiscovery)
}
