package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

func init() {
	// Search cursors hold IDs, which differ between runs.
	scrubbers = append(scrubbers, struct {
		re   *regexp.Regexp
		with string
	}{regexp.MustCompile(`"next_cursor":\s*"[A-Za-z0-9_-]+"`), `"next_cursor": "<cursor>"`})
}

// doAs sends a request with the project's credentials and the headers
// given as key, value pairs, such as a member session's.
func (s *server) doAs(t *testing.T, method, path string, body any, headers []string) response {
	t.Helper()
	return s.doAuth(t, method, path, body, s.Project.ID, s.Secret, headers...)
}

// ok fails the test unless r has status 200, and returns r.
func ok(t *testing.T, r response) response {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", r.Status, r.Raw)
	}
	return r
}

// obj returns the JSON object r holds at key.
func obj(r response, key string) map[string]any {
	m, _ := r.Body[key].(map[string]any)
	return m
}

func TestB2BOrganizationsGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)

	created := ok(t, s.do(t, "POST", "/v1/b2b/organizations", map[string]any{
		"organization_name": "Acme", "organization_slug": "acme", "trusted_metadata": map[string]any{"tier": "gold"},
	}))
	golden(t, "b2b_organizations_create/defaults", created)
	id := obj(created, "organization")["organization_id"].(string)
	golden(t, "b2b_organizations_create/settings", s.do(t, "POST", "/v1/b2b/organizations", map[string]any{
		"organization_name": "Globex Corporation", "organization_logo_url": "https://globex.example/logo.png",
		"organization_external_id": "globex-1",
		"email_allowed_domains":    []string{"Globex.example"}, "email_jit_provisioning": "RESTRICTED",
		"auth_methods": "RESTRICTED", "allowed_auth_methods": []string{"magic_link", "sso"},
		"mfa_policy": "REQUIRED_FOR_ALL", "mfa_methods": "RESTRICTED", "allowed_mfa_methods": []string{"totp"},
		"rbac_email_implicit_role_assignments": []map[string]any{{"domain": "globex.example", "role_id": "stytch_admin"}},
	}))
	golden(t, "b2b_organizations_create/slug_already_used", s.do(t, "POST", "/v1/b2b/organizations", map[string]any{
		"organization_name": "Acme again", "organization_slug": "acme",
	}))
	golden(t, "b2b_organizations_create/unknown_auth_method", s.do(t, "POST", "/v1/b2b/organizations", map[string]any{
		"organization_name": "Initech", "allowed_auth_methods": []string{"carrier_pigeon"},
	}))
	golden(t, "b2b_organizations_create/no_name", s.do(t, "POST", "/v1/b2b/organizations", map[string]any{}))

	golden(t, "b2b_organizations_get/by_id", s.do(t, "GET", "/v1/b2b/organizations/"+id, nil))
	if r := ok(t, s.do(t, "GET", "/v1/b2b/organizations/acme", nil)); obj(r, "organization")["organization_id"] != id {
		t.Errorf("get by slug: %s", r.Raw)
	}
	golden(t, "b2b_organizations_get/not_found", s.do(t, "GET", "/v1/b2b/organizations/organization-test-00000000-0000-4000-8000-000000000000", nil))

	golden(t, "b2b_organizations_update/settings", s.do(t, "PUT", "/v1/b2b/organizations/"+id, map[string]any{
		"organization_name": "Acme Corp", "trusted_metadata": map[string]any{"tier": nil, "seats": 10},
		"email_allowed_domains": []string{"acme.com"}, "email_invites": "RESTRICTED",
	}))
	golden(t, "b2b_organizations_update/restricted_without_domains", s.do(t, "PUT", "/v1/b2b/organizations/"+id, map[string]any{
		"email_allowed_domains": []string{},
	}))

	golden(t, "b2b_organizations_search/name_fuzzy", s.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{
		"limit": 10, "query": map[string]any{"operator": "AND", "operands": []map[string]any{
			{"filter_name": "organization_name_fuzzy", "filter_value": "acme"},
		}},
	}))
	golden(t, "b2b_organizations_search/filter_not_recognized", s.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{
		"query": map[string]any{"operator": "AND", "operands": []map[string]any{{"filter_name": "organization_colour", "filter_value": "red"}}},
	}))
	page := ok(t, s.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"limit": 1}))
	meta := obj(page, "results_metadata")
	if meta["total"] != 2.0 || meta["next_cursor"] == "" {
		t.Errorf("first page of one: %s", page.Raw)
	}
	next := ok(t, s.do(t, "POST", "/v1/b2b/organizations/search", map[string]any{"limit": 1, "cursor": meta["next_cursor"]}))
	if orgs, _ := next.Body["organizations"].([]any); len(orgs) != 1 || obj(next, "results_metadata")["next_cursor"] != "" {
		t.Errorf("second page: %s", next.Raw)
	}

	golden(t, "b2b_organizations_delete/ok", s.do(t, "DELETE", "/v1/b2b/organizations/"+id, nil))
	golden(t, "b2b_organizations_delete/not_found", s.do(t, "DELETE", "/v1/b2b/organizations/"+id, nil))

	// Another project's credentials reach none of this project's
	// organizations.
	other := newServer(t)
	globex := ok(t, s.do(t, "GET", "/v1/b2b/organizations/globex-corporation", nil))
	gid := obj(globex, "organization")["organization_id"].(string)
	for _, r := range []response{
		other.doAuth(t, "GET", "/v1/b2b/organizations/"+gid, nil, s.Project.ID, other.Secret),
		other.do(t, "GET", "/v1/b2b/organizations/"+gid, nil),
		other.do(t, "PUT", "/v1/b2b/organizations/"+gid, map[string]any{"organization_name": "Mine"}),
		other.do(t, "DELETE", "/v1/b2b/organizations/"+gid, nil),
	} {
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusNotFound {
			t.Errorf("another project: HTTP %d: %s", r.Status, r.Raw)
		}
	}
	if r := ok(t, other.do(t, "POST", "/v1/b2b/organizations/search", nil)); obj(r, "results_metadata")["total"] != 0.0 {
		t.Errorf("another project's search: %s", r.Raw)
	}
}

func TestB2BMembersGolden(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	org := ok(t, s.do(t, "POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Acme", "organization_slug": "acme"}))
	oid := obj(org, "organization")["organization_id"].(string)
	base := "/v1/b2b/organizations/" + oid

	created := ok(t, s.do(t, "POST", base+"/members", map[string]any{
		"email_address": "Ada@Acme.com", "name": "Ada Lovelace", "roles": []string{"stytch_admin"},
		"trusted_metadata": map[string]any{"plan": "pro"}, "untrusted_metadata": map[string]any{"theme": "dark"},
		"is_breakglass": true, "external_id": "ada-1", "mfa_phone_number": "+12025550162", "mfa_enrolled": true,
	}))
	golden(t, "b2b_members_create/admin", created)
	mid := created.Body["member_id"].(string)
	golden(t, "b2b_members_create/pending", s.do(t, "POST", base+"/members", map[string]any{
		"email_address": "bob@acme.com", "create_member_as_pending": true,
	}))
	golden(t, "b2b_members_create/duplicate_email", s.do(t, "POST", base+"/members", map[string]any{"email_address": "ada@acme.com"}))
	golden(t, "b2b_members_create/invalid_role", s.do(t, "POST", base+"/members", map[string]any{"email_address": "cy@acme.com", "roles": []string{"owner"}}))
	golden(t, "b2b_members_create/organization_not_found", s.do(t, "POST", "/v1/b2b/organizations/nowhere/members", map[string]any{"email_address": "cy@acme.com"}))

	golden(t, "b2b_members_get/by_member_id", s.do(t, "GET", base+"/member?member_id="+mid+"&email_address=", nil))
	if r := ok(t, s.do(t, "GET", "/v1/b2b/organizations/acme/member?member_id=&email_address=ADA%40acme.com", nil)); r.Body["member_id"] != mid {
		t.Errorf("get by email and slug: %s", r.Raw)
	}
	golden(t, "b2b_members_get/no_fields", s.do(t, "GET", base+"/member?member_id=&email_address=", nil))
	golden(t, "b2b_members_get/not_found", s.do(t, "GET", base+"/member?email_address=nobody%40acme.com", nil))

	golden(t, "b2b_members_update/fields", s.do(t, "PUT", base+"/members/"+mid, map[string]any{
		"name": "Ada King", "untrusted_metadata": map[string]any{"theme": nil, "lang": "en"},
		"trusted_metadata": map[string]any{"seats": 3}, "roles": []string{}, "default_mfa_method": "sms_otp",
	}))
	golden(t, "b2b_members_update/invalid_mfa_method", s.do(t, "PUT", base+"/members/"+mid, map[string]any{"default_mfa_method": "carrier_pigeon"}))

	golden(t, "b2b_members_search/active", s.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{
		"organization_ids": []string{oid}, "query": map[string]any{"operator": "AND", "operands": []map[string]any{
			{"filter_name": "statuses", "filter_value": []string{"active"}},
		}},
	}))
	golden(t, "b2b_members_search/organization_ids_empty", s.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{}))
	golden(t, "b2b_members_search/filter_not_recognized", s.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{
		"organization_ids": []string{oid}, "query": map[string]any{"operands": []map[string]any{{"filter_name": "member_shoe_size", "filter_value": 9}}},
	}))

	golden(t, "b2b_members_delete/ok", s.do(t, "DELETE", base+"/members/"+mid, nil))
	golden(t, "b2b_members_get/deleted", s.do(t, "GET", base+"/member?member_id="+mid, nil))
	golden(t, "b2b_members_dangerously_get/include_deleted", s.do(t, "GET", "/v1/b2b/organizations/members/dangerously_get/"+mid+"?include_deleted=true", nil))
	if r := s.do(t, "GET", "/v1/b2b/organizations/members/dangerously_get/"+mid+"?include_deleted=false", nil); r.Status != http.StatusNotFound {
		t.Errorf("dangerously_get without include_deleted: HTTP %d", r.Status)
	}
	golden(t, "b2b_members_reactivate/ok", s.do(t, "PUT", base+"/members/"+mid+"/reactivate", nil))
	golden(t, "b2b_members_reactivate/not_deleted", s.do(t, "PUT", base+"/members/"+mid+"/reactivate", nil))

	// Another project reaches no member of this one, not even by ID alone.
	other := newServer(t)
	if r := other.do(t, "GET", "/v1/b2b/organizations/members/dangerously_get/"+mid, nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's dangerously_get: HTTP %d: %s", r.Status, r.Raw)
	}
	if r := other.do(t, "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{oid}}); r.Status != http.StatusNotFound {
		t.Errorf("another project's search: HTTP %d: %s", r.Status, r.Raw)
	}
}

// memberSession starts a session for m, as a B2B login would, and returns
// the header that acts with it, as a key and a value: by token, or by JWT
// when jwt is set.
func (s *server) memberSession(t *testing.T, m *auth.Member, o *auth.Organization, jwt bool) []string {
	t.Helper()
	ctx := context.Background()
	var res *session.MemberResult
	err := s.Store.InTx(ctx, func(tx store.Store) error {
		var err error
		res, err = s.Sessions.AttachMember(ctx, tx, s.Project, session.AttachMemberInput{Member: m, Organization: o})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if jwt {
		if err := s.Sessions.FinishMember(ctx, s.Project, res); err != nil {
			t.Fatal(err)
		}
		return []string{"X-Stytch-Member-SessionJWT", res.JWT}
	}
	return []string{"X-Stytch-Member-Session", res.Token}
}

func TestB2BMemberSessionAuthorization(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	a := s.NewOrganization(t, s.Project, "Acme", nil)
	b := s.NewOrganization(t, s.Project, "Globex", nil)
	admin := s.NewMember(t, a, "admin@acme.com", auth.MemberActive, auth.RoleAdmin)
	ada := s.NewMember(t, a, "ada@acme.com", auth.MemberActive)
	bob := s.NewMember(t, a, "bob@acme.com", auth.MemberActive)
	eve := s.NewMember(t, b, "eve@globex.com", auth.MemberActive)

	asAdmin := s.memberSession(t, admin, a, false)
	asAda := s.memberSession(t, ada, a, false)
	asAdaJWT := s.memberSession(t, ada, a, true)
	asEve := s.memberSession(t, eve, b, false)
	orgA, orgB := "/v1/b2b/organizations/"+a.ID, "/v1/b2b/organizations/"+b.ID

	// The refusals, pinned as golden files.
	golden(t, "b2b_authz/tenancy", s.doAs(t, "PUT", orgB, map[string]any{"organization_name": "Mine"}, asAda))
	golden(t, "b2b_authz/member_updates_another", s.doAs(t, "PUT", orgA+"/members/"+bob.ID, map[string]any{"name": "Robert"}, asAda))
	golden(t, "b2b_authz/trusted_metadata", s.doAs(t, "PUT", orgA+"/members/"+ada.ID, map[string]any{"trusted_metadata": map[string]any{"x": 1}}, asAda))
	golden(t, "b2b_authz/session_not_found", s.doAs(t, "GET", orgA, nil, []string{"X-Stytch-Member-Session", "no-such-session-token-aaaaaaaaaaaaaaaaaaaaaaaa"}))

	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		as     []string
		want   int    // HTTP status
		error  string // error_type when refused
	}{
		// Tenancy: a member acts on its own organization only.
		{"member of A gets B", "GET", orgB, nil, asAda, 403, "session_authorization_tenancy_error"},
		{"member of A deletes B", "DELETE", orgB, nil, asAdmin, 403, "session_authorization_tenancy_error"},
		{"member of B reads A's member", "GET", orgA + "/member?member_id=" + ada.ID, nil, asEve, 403, "session_authorization_tenancy_error"},
		{"member of B creates in A", "POST", orgA + "/members", map[string]any{"email_address": "x@acme.com"}, asEve, 403, "session_authorization_tenancy_error"},
		{"admin of A searches B", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{a.ID, b.ID}}, asAdmin, 403, "session_authorization_tenancy_error"},
		{"member of B dangerously gets A's member", "GET", "/v1/b2b/organizations/members/dangerously_get/" + ada.ID, nil, asEve, 403, "session_authorization_tenancy_error"},
		// stytch_member: read its organization, change only itself.
		{"member reads its organization", "GET", orgA, nil, asAda, 200, ""},
		{"member reads its organization by slug", "GET", "/v1/b2b/organizations/" + a.Slug, nil, asAda, 200, ""},
		{"member reads a member", "GET", orgA + "/member?member_id=" + bob.ID, nil, asAda, 200, ""},
		{"member renames itself", "PUT", orgA + "/members/" + ada.ID, map[string]any{"name": "Ada L.", "untrusted_metadata": map[string]any{"theme": "dark"}}, asAda, 200, ""},
		{"member renames itself by JWT", "PUT", orgA + "/members/" + ada.ID, map[string]any{"name": "Ada"}, asAdaJWT, 200, ""},
		{"member makes itself admin", "PUT", orgA + "/members/" + ada.ID, map[string]any{"roles": []string{"stytch_admin"}}, asAda, 403, "session_authorization_error"},
		{"member makes itself breakglass", "PUT", orgA + "/members/" + ada.ID, map[string]any{"is_breakglass": true}, asAda, 403, "session_authorization_error"},
		{"member deletes another", "DELETE", orgA + "/members/" + bob.ID, nil, asAda, 403, "session_authorization_error"},
		{"member creates a member", "POST", orgA + "/members", map[string]any{"email_address": "new@acme.com"}, asAda, 403, "session_authorization_error"},
		{"member searches members", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{a.ID}}, asAda, 403, "session_authorization_error"},
		{"member renames the organization", "PUT", orgA, map[string]any{"organization_name": "Ada Corp"}, asAda, 403, "session_authorization_error"},
		{"member changes the allowed domains", "PUT", orgA, map[string]any{"email_allowed_domains": []string{"ada.com"}}, asAda, 403, "session_authorization_error"},
		{"member deletes the organization", "DELETE", orgA, nil, asAda, 403, "session_authorization_error"},
		// stytch_admin: everything in its organization.
		{"admin renames another", "PUT", orgA + "/members/" + bob.ID, map[string]any{"name": "Robert"}, asAdmin, 200, ""},
		{"admin makes another admin", "PUT", orgA + "/members/" + bob.ID, map[string]any{"roles": []string{"stytch_admin"}}, asAdmin, 200, ""},
		{"admin creates a member", "POST", orgA + "/members", map[string]any{"email_address": "new@acme.com"}, asAdmin, 200, ""},
		{"admin searches members", "POST", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{a.Slug}}, asAdmin, 200, ""},
		{"admin changes settings", "PUT", orgA, map[string]any{"organization_name": "Acme Corp", "email_allowed_domains": []string{"acme.com"}, "email_invites": "RESTRICTED"}, asAdmin, 200, ""},
		{"admin changes trusted metadata", "PUT", orgA, map[string]any{"trusted_metadata": map[string]any{"x": 1}}, asAdmin, 400, "cannot_update_trusted_metadata"},
		{"admin changes its own email", "PUT", orgA + "/members/" + admin.ID, map[string]any{"email_address": "boss@acme.com"}, asAdmin, 403, "session_authorization_error"},
		// A member may delete itself; its session goes with it.
		{"member deletes itself", "DELETE", orgA + "/members/" + ada.ID, nil, asAda, 200, ""},
		{"deleted member's session", "GET", orgA, nil, asAda, 404, "session_not_found"},
		{"admin reactivates", "PUT", orgA + "/members/" + ada.ID + "/reactivate", nil, asAdmin, 200, ""},
		// Without the headers, project credentials alone authorize.
		{"project credentials", "PUT", orgB, map[string]any{"organization_name": "Globex Inc"}, nil, 200, ""},
	} {
		r := s.doAs(t, tc.method, tc.path, tc.body, tc.as)
		if r.Status != tc.want || tc.error != "" && r.Body["error_type"] != tc.error {
			t.Errorf("%s: HTTP %d %v, want %d %s", tc.name, r.Status, r.Body["error_type"], tc.want, tc.error)
		}
	}
	// Refused updates changed nothing.
	r := ok(t, s.do(t, "GET", orgA+"/member?member_id="+bob.ID, nil))
	if m := obj(r, "member"); m["name"] != "Robert" || m["is_admin"] != true {
		t.Errorf("bob after the table: %s", r.Raw)
	}
	if r := ok(t, s.do(t, "GET", orgB, nil)); !strings.Contains(string(r.Raw), `"organization_name":"Globex Inc"`) {
		t.Errorf("organization B: %s", r.Raw)
	}
}
