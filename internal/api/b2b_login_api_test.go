package api_test

import (
	"net/http"
	"testing"

	"github.com/latchauth/latch/internal/auth"
)

// TestB2BDiscoveryGolden pins the wire format of the discovery flow: send,
// authenticate, list, exchange, then the member session's authenticate,
// get, exchange and revoke.
func TestB2BDiscoveryGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	first := s.NewOrganization(t, s.Project, "First Org", nil)
	second := s.NewOrganization(t, s.Project, "Second Org", nil)
	s.NewMember(t, first, "ada@acme.com", auth.MemberActive)
	s.NewMember(t, second, "ada@acme.com", auth.MemberInvited)
	s.NewOrganization(t, s.Project, "Domain Org", func(o *auth.Organization) {
		o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
	})

	golden(t, "b2b_magic_links_email_discovery_send/ok",
		s.do(t, "POST", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": "ada@acme.com"}))
	_, tok := s.LastLink(t)
	disc := s.do(t, "POST", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": tok})
	golden(t, "b2b_magic_links_discovery_authenticate/three_organizations", disc)
	ist := disc.Body["intermediate_session_token"].(string)

	golden(t, "b2b_discovery_organizations/by_intermediate_session",
		s.do(t, "POST", "/v1/b2b/discovery/organizations", map[string]any{"intermediate_session_token": ist}))
	ex := s.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
		"intermediate_session_token": ist, "organization_id": second.ID,
	})
	golden(t, "b2b_discovery_intermediate_sessions_exchange/second_organization", ex)
	golden(t, "b2b_discovery_intermediate_sessions_exchange/reused",
		s.do(t, "POST", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{
			"intermediate_session_token": ist, "organization_id": first.ID,
		}))

	token := ex.Body["session_token"].(string)
	jwt := ex.Body["session_jwt"].(string)
	memberID := ex.Body["member_id"].(string)
	golden(t, "b2b_sessions_authenticate/by_token", s.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": token}))
	golden(t, "b2b_sessions_authenticate/by_jwt", s.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": jwt}))
	golden(t, "b2b_sessions_get/one", s.do(t, "GET", "/v1/b2b/sessions?organization_id="+second.ID+"&member_id="+memberID, nil))
	moved := s.do(t, "POST", "/v1/b2b/sessions/exchange", map[string]any{"session_token": token, "organization_id": first.ID})
	golden(t, "b2b_sessions_exchange/to_first", moved)
	golden(t, "b2b_sessions_revoke/by_token", s.do(t, "POST", "/v1/b2b/sessions/revoke", map[string]any{"session_token": token}))
	golden(t, "b2b_sessions_authenticate/revoked", s.do(t, "POST", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": token}))
	// A consumer endpoint does not know member sessions.
	golden(t, "sessions_authenticate/member_session", s.do(t, "POST", "/v1/sessions/authenticate", map[string]any{"session_token": moved.Body["session_token"]}))
}

// TestB2BOrganizationLoginGolden pins login_or_signup, invite and the
// multi-tenant authenticate.
func TestB2BOrganizationLoginGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := s.NewOrganization(t, s.Project, "Acme", func(o *auth.Organization) {
		o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
	})
	golden(t, "b2b_magic_links_email_login_or_signup/jit_member", s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{
		"organization_id": o.ID, "email_address": "new@acme.com",
	}))
	_, tok := s.LastLink(t)
	golden(t, "b2b_magic_links_authenticate/signup", s.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok}))
	golden(t, "b2b_magic_links_authenticate/reused", s.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok}))
	golden(t, "b2b_magic_links_email_login_or_signup/other_domain", s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{
		"organization_id": o.ID, "email_address": "eve@evil.com",
	}))
	golden(t, "b2b_magic_links_email_invite/ok", s.do(t, "POST", "/v1/b2b/magic_links/email/invite", map[string]any{
		"organization_id": o.ID, "email_address": "guest@else.com", "name": "Guest", "roles": []string{"stytch_admin"},
	}))
	golden(t, "b2b_magic_links_email_login_or_signup/unknown_organization", s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{
		"organization_id": "organization-test-00000000-0000-4000-8000-000000000000", "email_address": "a@acme.com",
	}))
}

// TestB2BInviteAuthorization checks the member session headers on invite:
// only a member allowed to create members in that organization may invite.
func TestB2BInviteAuthorization(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := s.NewOrganization(t, s.Project, "Acme", nil)
	other := s.NewOrganization(t, s.Project, "Other", nil)
	login := func(email string, roles ...string) string {
		t.Helper()
		s.NewMember(t, o, email, auth.MemberActive, roles...)
		r := s.do(t, "POST", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": o.ID, "email_address": email})
		if r.Status != http.StatusOK {
			t.Fatalf("login_or_signup: %s", r.Raw)
		}
		_, tok := s.LastLink(t)
		a := s.do(t, "POST", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": tok})
		return a.Body["session_token"].(string)
	}
	admin := login("admin@acme.com", auth.RoleAdmin)
	plain := login("plain@acme.com")
	invite := func(orgID, session string) response {
		t.Helper()
		req := map[string]any{"organization_id": orgID, "email_address": "new@else.com"}
		return s.doHeader(t, "POST", "/v1/b2b/magic_links/email/invite", req, "X-Stytch-Member-Session", session)
	}
	if r := invite(o.ID, plain); r.Body["error_type"] != "session_authorization_error" {
		t.Errorf("stytch_member invites: %s", r.Raw)
	}
	if r := invite(other.ID, admin); r.Body["error_type"] != "session_authorization_tenancy_error" {
		t.Errorf("admin of another organization invites: %s", r.Raw)
	}
	if r := invite(o.ID, admin); r.Status != http.StatusOK {
		t.Errorf("admin invites: %s", r.Raw)
	}
}

// TestDecodeErrorNamesJSONFields: a wrong type in a field of an embedded
// wire struct is reported with the JSON name the client sent.
func TestDecodeErrorNamesJSONFields(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	r := s.do(t, "POST", "/v1/b2b/organizations", `{"organization_name":"X","email_allowed_domains":"acme.com"}`)
	if got, want := r.Body["error_message"], "email_allowed_domains must be an array (got string)."; got != want {
		t.Errorf("error_message = %q, want %q", got, want)
	}
}
