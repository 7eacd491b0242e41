package compat

import (
	"strings"
	"testing"

	b2bmagiclinks "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks"
	mldiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/discovery"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	emaildiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email/discovery"
)

// Stytch's documented B2B sandbox organization
// (stytch.com/docs/b2b/guides/testing/sandbox-values); the email and the
// magic link tokens are the consumer ones (sandbox_test.go).
const sandboxOrganizationID = "organization-test-007d9d4a-deac-4a87-ba0a-e6e8afba4d4b"

// TestB2BSandbox runs the B2B SDK against the sandbox values, as a suite
// written for Stytch's test environment does: 200s without any email, and
// fixed answers for the three magic link tokens.
func TestB2BSandbox(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		c := e.c

		t.Run("organization flow", func(t *testing.T) {
			t.Parallel()
			los, err := c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: sandboxOrganizationID, EmailAddress: sandboxEmail})
			if err != nil {
				t.Fatalf("login_or_signup sandbox: %v", err)
			}
			if los.StatusCode != 200 || !strings.HasPrefix(los.MemberID, "member-test-") || los.Member.EmailAddress != sandboxEmail ||
				los.Organization.OrganizationID != sandboxOrganizationID || los.Member.OrganizationID != sandboxOrganizationID {
				t.Errorf("login_or_signup sandbox = status %d, member %q (%s of %s), organization %q", los.StatusCode, los.MemberID, los.Member.EmailAddress, los.Member.OrganizationID, los.Organization.OrganizationID)
			}
			inv, err := c.MagicLinks.Email.Invite(ctx, &mlemail.InviteParams{OrganizationID: sandboxOrganizationID, EmailAddress: sandboxEmail})
			if err != nil {
				t.Fatalf("invite sandbox: %v", err)
			}
			if inv.StatusCode != 200 || inv.MemberID != los.MemberID || inv.Organization.OrganizationID != sandboxOrganizationID {
				t.Errorf("invite sandbox = status %d, member %q, organization %q", inv.StatusCode, inv.MemberID, inv.Organization.OrganizationID)
			}
			// The raw responses satisfy the Python SDK too.
			r := rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": sandboxOrganizationID, "email_address": sandboxEmail})
			checkFields(t, "sandbox login_or_signup", strictOK(t, r, "sandbox login_or_signup", 200), loginOrSignupFields)

			res, err := c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: sandboxMagicLinkToken})
			if err != nil {
				t.Fatalf("b2b magic_links.authenticate sandbox token: %v", err)
			}
			if res.StatusCode != 200 || res.MemberID != los.MemberID || res.Member.EmailAddress != sandboxEmail || res.OrganizationID != sandboxOrganizationID ||
				res.Organization.OrganizationID != sandboxOrganizationID {
				t.Errorf("b2b authenticate sandbox token = status %d, member %q (%s), organization %q/%q", res.StatusCode, res.MemberID, res.Member.EmailAddress, res.OrganizationID, res.Organization.OrganizationID)
			}
			r = rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": sandboxMagicLinkToken})
			checkFields(t, "sandbox b2b magic_links.authenticate", strictOK(t, r, "sandbox b2b magic_links.authenticate", 200), b2bMagicLinkAuthFields)

			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: sandboxMagicLinkUsed})
			se := wantError(t, err, 401, "unable_to_auth_magic_link")
			if got, want := string(se.ErrorMessage), "The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user."; got != want {
				t.Errorf("error_message %q, want %q", got, want)
			}
			_, err = c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: sandboxMagicLinkNotFound})
			wantError(t, err, 404, "magic_link_not_found")

			noMail(t, e.srv, sandboxEmail, "the sandbox organization flow")
		})

		t.Run("discovery flow", func(t *testing.T) {
			t.Parallel()
			send, err := c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: sandboxEmail})
			if err != nil || send.StatusCode != 200 || !strings.HasPrefix(send.RequestID, "request-id-test-") {
				t.Errorf("discovery.send sandbox = %s, %v", describe(send), err)
			}
			res, err := c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: sandboxMagicLinkToken})
			if err != nil {
				t.Fatalf("discovery.authenticate sandbox token: %v", err)
			}
			if res.StatusCode != 200 || res.EmailAddress != sandboxEmail || res.IntermediateSessionToken == "" {
				t.Errorf("discovery.authenticate sandbox token = status %d, email %q, intermediate_session_token %q", res.StatusCode, res.EmailAddress, res.IntermediateSessionToken)
			}
			r := rawJSON(t, e.srv, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": sandboxMagicLinkToken})
			checkFields(t, "sandbox discovery.authenticate", strictOK(t, r, "sandbox discovery.authenticate", 200), discoveryAuthFields)

			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: sandboxMagicLinkUsed})
			wantError(t, err, 401, "unable_to_auth_magic_link")
			_, err = c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: sandboxMagicLinkNotFound})
			wantError(t, err, 404, "magic_link_not_found")

			noMail(t, e.srv, sandboxEmail, "the sandbox discovery flow")
		})
	})
}
