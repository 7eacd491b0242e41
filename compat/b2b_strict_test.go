package compat

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
)

// The B2B models of the Python SDK (stytch/b2b/models/*.py, 15.2.0;
// STYTCH_API.md Appendix): every field below is neither Optional nor
// defaulted, so a response without it, or with null, fails to parse.

var settingValues = []string{allAllowed, restricted, notAllowed}

var organizationFields = []field{
	{"organization_id", nonEmpty, nil},
	{"organization_name", nonEmpty, nil},
	{"organization_logo_url", str, nil},
	{"organization_slug", nonEmpty, nil},
	{"sso_jit_provisioning", nonEmpty, settingValues},
	{"sso_jit_provisioning_allowed_connections", array, nil},
	{"sso_active_connections", array, nil},
	{"email_allowed_domains", array, nil},
	{"email_jit_provisioning", nonEmpty, settingValues},
	{"email_invites", nonEmpty, settingValues},
	{"auth_methods", nonEmpty, settingValues},
	{"allowed_auth_methods", array, nil},
	{"mfa_policy", nonEmpty, []string{"OPTIONAL", "REQUIRED_FOR_ALL"}},
	{"rbac_email_implicit_role_assignments", array, nil},
	{"rbac_email_implicit_role_assignments[].domain", nonEmpty, nil},
	{"rbac_email_implicit_role_assignments[].role_id", nonEmpty, nil},
	{"mfa_methods", nonEmpty, settingValues},
	{"allowed_mfa_methods", array, nil},
	{"oauth_tenant_jit_provisioning", nonEmpty, settingValues},
	{"claimed_email_domains", array, nil},
	{"first_party_connected_apps_allowed_type", nonEmpty, settingValues},
	{"allowed_first_party_connected_apps", array, nil},
	{"third_party_connected_apps_allowed_type", nonEmpty, settingValues},
	{"allowed_third_party_connected_apps", array, nil},
	{"custom_roles", array, nil},
}

var memberFields = []field{
	{"organization_id", nonEmpty, nil},
	{"member_id", nonEmpty, nil},
	{"email_address", nonEmpty, nil},
	{"status", nonEmpty, []string{"pending", "invited", "active", "deleted"}},
	{"name", str, nil},
	{"sso_registrations", array, nil},
	{"is_breakglass", boolean, nil},
	{"member_password_id", str, nil},
	{"oauth_registrations", array, nil},
	{"oauth_registrations[].provider_type", nonEmpty, []string{"Google", "Microsoft", "Github"}},
	{"oauth_registrations[].provider_subject", nonEmpty, nil},
	{"oauth_registrations[].member_oauth_registration_id", nonEmpty, nil},
	{"oauth_registrations[].profile_picture_url", str, nil},
	{"oauth_registrations[].locale", str, nil},
	{"email_address_verified", boolean, nil},
	{"mfa_phone_number_verified", boolean, nil},
	{"is_admin", boolean, nil},
	{"totp_registration_id", str, nil},
	{"retired_email_addresses", array, nil},
	{"is_locked", boolean, nil},
	{"mfa_enrolled", boolean, nil},
	{"mfa_phone_number", str, nil},
	{"default_mfa_method", str, nil},
	{"roles", array, nil},
	{"roles[].role_id", nonEmpty, nil},
	{"roles[].sources", array, nil},
	{"roles[].sources[].type", nonEmpty, nil},
}

// memberSessionFields are MemberSession's; its authentication factors are
// the consumer ones, with the same enums.
var memberSessionFields = fields([]field{
	{"member_session_id", nonEmpty, nil},
	{"member_id", nonEmpty, nil},
	{"started_at", nonEmpty, nil},
	{"last_accessed_at", nonEmpty, nil},
	{"expires_at", nonEmpty, nil},
	{"organization_id", nonEmpty, nil},
	{"roles", array, nil},
	{"organization_slug", nonEmpty, nil},
}, slices.DeleteFunc(slices.Clone(sessionFields), func(f field) bool {
	return !strings.HasPrefix(f.path, "authentication_factors")
}))

// withMemberAndOrganization are the member and organization objects most
// B2B responses carry.
var withMemberAndOrganization = fields(
	[]field{{"member", object, nil}, {"organization", object, nil}},
	under("member", memberFields), under("organization", organizationFields),
)

var withMemberSession = fields([]field{{"member_session", object, nil}}, under("member_session", memberSessionFields))

var loginOrSignupFields = fields(envelopeFields, []field{
	{"member_id", nonEmpty, nil}, {"member_created", boolean, nil},
}, withMemberAndOrganization)

var inviteFields = fields(envelopeFields, []field{{"member_id", nonEmpty, nil}}, withMemberAndOrganization)

// b2bMagicLinkAuthFields are B2B magic_links.AuthenticateResponse's;
// member_session is Optional there.
var b2bMagicLinkAuthFields = fields(envelopeFields, []field{
	{"member_id", nonEmpty, nil},
	{"method_id", str, nil},
	{"reset_sessions", boolean, nil},
	{"organization_id", nonEmpty, nil},
	{"session_token", str, nil},
	{"session_jwt", str, nil},
	{"intermediate_session_token", str, nil},
	{"member_authenticated", boolean, nil},
}, withMemberAndOrganization)

var discoveredFields = fields([]field{
	{"discovered_organizations", array, nil},
	{"discovered_organizations[].member_authenticated", boolean, nil},
	{"discovered_organizations[].membership", object, nil},
	{"discovered_organizations[].membership.type", nonEmpty, []string{activeMember, pendingMember, invitedMember, eligibleByMail, "eligible_to_join_by_oauth_tenant"}},
	{"discovered_organizations[].organization", object, nil},
}, under("discovered_organizations[].organization", organizationFields))

var discoveryAuthFields = fields(envelopeFields, []field{
	{"intermediate_session_token", nonEmpty, nil},
	{"email_address", nonEmpty, nil},
}, discoveredFields)

var discoveryListFields = fields(envelopeFields, []field{{"email_address", nonEmpty, nil}}, discoveredFields)

// exchangeFields are the ExchangeResponse of intermediate_sessions and
// sessions, and discovery organizations.create's CreateResponse.
var exchangeFields = fields(envelopeFields, []field{
	{"member_id", nonEmpty, nil},
	{"session_token", str, nil},
	{"session_jwt", str, nil},
	{"member_authenticated", boolean, nil},
	{"intermediate_session_token", str, nil},
}, withMemberAndOrganization)

var memberSessionAuthFields = fields(envelopeFields, []field{
	{"session_token", str, nil},
	{"session_jwt", nonEmpty, nil},
}, withMemberSession, withMemberAndOrganization)

var organizationResponseFields = fields(envelopeFields, []field{{"organization", object, nil}}, under("organization", organizationFields))

var memberResponseFields = fields(envelopeFields, []field{{"member_id", nonEmpty, nil}}, withMemberAndOrganization)

var resultsMetadataFields = []field{{"results_metadata", object, nil}, {"results_metadata.total", number, nil}}

// strictOK checks a raw response's status (one of want) and status_code,
// and returns its JSON.
func strictOK(tb testing.TB, r rawResponse, what string, want ...int) map[string]any {
	tb.Helper()
	if !slices.Contains(want, r.Status) {
		tb.Fatalf("%s: HTTP %d, want %v\n%s", what, r.Status, want, r.Body)
	}
	if r.JSON["status_code"] != float64(r.Status) {
		tb.Errorf("%s: status_code %v, want %d", what, r.JSON["status_code"], r.Status)
	}
	return r.JSON
}

// jsonStr returns the string at a path of nested JSON objects, or "".
func jsonStr(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		o, _ := v.(map[string]any)
		v = o[k]
	}
	s, _ := v.(string)
	return s
}

// TestB2BPythonStrictFields fetches every B2B response the suite uses with
// plain HTTP and checks each field the Python SDK requires.
func TestB2BPythonStrictFields(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		post := func(what, path string, body map[string]any, want ...int) map[string]any {
			t.Helper()
			if len(want) == 0 {
				want = []int{200}
			}
			return strictOK(t, rawJSON(t, e.srv, "POST", path, body), what, want...)
		}
		send := func(method, what, path string, body map[string]any) map[string]any {
			t.Helper()
			if body == nil {
				return strictOK(t, raw(t, e.srv, method, path, true, nil), what, 200)
			}
			return strictOK(t, rawJSON(t, e.srv, method, path, body), what, 200)
		}
		dom := newDomain(t)
		addr := "strict@" + dom

		// Organizations.
		org := post("organizations.create", "/v1/b2b/organizations", map[string]any{
			"organization_name": "Strict " + randHex(t, 4), "organization_slug": "strict-" + randHex(t, 4),
		}, 200, 201)
		checkFields(t, "organizations.create", org, organizationResponseFields)
		orgID := jsonStr(org, "organization", "organization_id")
		orgPath := "/v1/b2b/organizations/" + url.PathEscape(orgID)
		checkFields(t, "organizations.get", send("GET", "organizations.get", orgPath, nil), organizationResponseFields)
		checkFields(t, "organizations.update", send("PUT", "organizations.update", orgPath, map[string]any{
			"organization_name": "Strict renamed", "rbac_email_implicit_role_assignments": []map[string]any{{"domain": dom, "role_id": roleAdmin}},
		}), organizationResponseFields)
		checkFields(t, "organizations.search", post("organizations.search", "/v1/b2b/organizations/search", map[string]any{}),
			fields(envelopeFields, []field{{"organizations", array, nil}}, under("organizations[]", organizationFields), resultsMetadataFields))

		// Members.
		mem := post("members.create", orgPath+"/members", map[string]any{"email_address": "admin-" + addr, "roles": []string{roleAdmin}}, 200, 201)
		checkFields(t, "members.create", mem, memberResponseFields)
		memberID := jsonStr(mem, "member_id")
		checkFields(t, "members.get", send("GET", "members.get", orgPath+"/member?member_id="+url.QueryEscape(memberID), nil), memberResponseFields)
		checkFields(t, "members.update", send("PUT", "members.update", orgPath+"/members/"+url.PathEscape(memberID), map[string]any{"name": "Strict Admin"}), memberResponseFields)
		checkFields(t, "members.dangerously_get", send("GET", "members.dangerously_get", "/v1/b2b/organizations/members/dangerously_get/"+url.PathEscape(memberID), nil), memberResponseFields)
		ms := post("members.search", "/v1/b2b/organizations/members/search", map[string]any{"organization_ids": []string{orgID}})
		checkFields(t, "members.search", ms, fields(envelopeFields, []field{{"members", array, nil}, {"organizations", object, nil}}, under("members[]", memberFields), resultsMetadataFields))
		if byID, _ := ms["organizations"].(map[string]any); len(byID) != 1 {
			t.Errorf("members.search organizations = %v, want the one organization by ID", ms["organizations"])
		} else {
			for id, o := range byID {
				o, _ := o.(map[string]any)
				checkFields(t, "members.search organizations["+id+"]", o, organizationFields)
			}
		}

		// Magic links into an organization that provisions the domain.
		jit := post("organizations.create (JIT)", "/v1/b2b/organizations", map[string]any{
			"organization_name": "Strict JIT " + randHex(t, 4), "email_jit_provisioning": restricted, "email_allowed_domains": []string{dom},
		}, 200, 201)
		jitID := jsonStr(jit, "organization", "organization_id")
		var los map[string]any
		m := sendAndRead(t, e.srv, addr, func() {
			los = post("login_or_signup", "/v1/b2b/magic_links/email/login_or_signup", map[string]any{"organization_id": jitID, "email_address": addr})
		})
		checkFields(t, "login_or_signup", los, loginOrSignupFields)
		auth := post("b2b magic_links.authenticate", "/v1/b2b/magic_links/authenticate", map[string]any{"magic_links_token": checkB2BLink(t, m.Link, appURL, tokenTypeMultiTenant)})
		checkFields(t, "b2b magic_links.authenticate", auth, fields(b2bMagicLinkAuthFields, withMemberSession))
		invitee := "invitee@" + newDomain(t)
		sendAndRead(t, e.srv, invitee, func() {
			checkFields(t, "invite", post("invite", "/v1/b2b/magic_links/email/invite", map[string]any{"organization_id": orgID, "email_address": invitee}), inviteFields)
		})

		// Discovery, into both organizations.
		post("members.create (discovery)", orgPath+"/members", map[string]any{"email_address": addr}, 200, 201)
		m = sendAndRead(t, e.srv, addr, func() {
			checkFields(t, "discovery.send", post("discovery.send", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": addr}), envelopeFields)
		})
		da := post("discovery.authenticate", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": checkB2BLink(t, m.Link, appURL, tokenTypeDiscovery)})
		checkFields(t, "discovery.authenticate", da, discoveryAuthFields)
		if list, _ := da["discovered_organizations"].([]any); len(list) != 2 {
			t.Errorf("discovery.authenticate: %d discovered organizations, want 2", len(list))
		}
		ist := jsonStr(da, "intermediate_session_token")
		checkFields(t, "discovery.organizations", post("discovery.organizations", "/v1/b2b/discovery/organizations", map[string]any{"intermediate_session_token": ist}), discoveryListFields)
		ex := post("intermediate_sessions.exchange", "/v1/b2b/discovery/intermediate_sessions/exchange", map[string]any{"intermediate_session_token": ist, "organization_id": jitID})
		checkFields(t, "intermediate_sessions.exchange", ex, fields(exchangeFields, withMemberSession))
		if ex["intermediate_session_token"] != "" || ex["member_authenticated"] != true {
			t.Errorf("exchange: intermediate_session_token %#v, member_authenticated %#v; want \"\" and true", ex["intermediate_session_token"], ex["member_authenticated"])
		}

		// Member sessions.
		tok, jwt := jsonStr(ex, "session_token"), jsonStr(ex, "session_jwt")
		sa := post("b2b sessions.authenticate", "/v1/b2b/sessions/authenticate", map[string]any{"session_token": tok})
		checkFields(t, "b2b sessions.authenticate", sa, memberSessionAuthFields)
		checkFields(t, "b2b sessions.authenticate by JWT", post("b2b sessions.authenticate by JWT", "/v1/b2b/sessions/authenticate", map[string]any{"session_jwt": jwt}), memberSessionAuthFields)
		exMemberID := jsonStr(ex, "member_id")
		checkMemberJWT(t, e, jwt, exMemberID, organizations.Organization{OrganizationID: jitID, OrganizationSlug: jsonStr(ex, "organization", "organization_slug")})
		sg := send("GET", "b2b sessions.get", "/v1/b2b/sessions?organization_id="+url.QueryEscape(jitID)+"&member_id="+url.QueryEscape(exMemberID), nil)
		checkFields(t, "b2b sessions.get", sg, fields(envelopeFields, []field{{"member_sessions", array, nil}}, under("member_sessions[]", memberSessionFields)))
		if list, _ := sg["member_sessions"].([]any); len(list) != 2 {
			t.Errorf("b2b sessions.get: %d sessions, want 2 (magic link and exchange)", len(list))
		}
		se := post("b2b sessions.exchange", "/v1/b2b/sessions/exchange", map[string]any{"session_token": tok, "organization_id": orgID})
		checkFields(t, "b2b sessions.exchange", se, fields(exchangeFields, withMemberSession))
		checkFields(t, "b2b sessions.revoke", post("b2b sessions.revoke", "/v1/b2b/sessions/revoke", map[string]any{"session_token": tok}), envelopeFields)

		// Discovery organizations.create.
		founder := "founder@" + newDomain(t)
		m = sendAndRead(t, e.srv, founder, func() {
			post("discovery.send (founder)", "/v1/b2b/magic_links/email/discovery/send", map[string]any{"email_address": founder})
		})
		fa := post("discovery.authenticate (founder)", "/v1/b2b/magic_links/discovery/authenticate", map[string]any{"discovery_magic_links_token": checkB2BLink(t, m.Link, appURL, tokenTypeDiscovery)})
		if list, ok := fa["discovered_organizations"].([]any); !ok || len(list) != 0 {
			t.Errorf("discovery.authenticate for a new address: discovered_organizations %#v, want []", fa["discovered_organizations"])
		}
		dc := post("discovery.organizations.create", "/v1/b2b/discovery/organizations/create", map[string]any{
			"intermediate_session_token": jsonStr(fa, "intermediate_session_token"), "organization_name": "Strict Founders " + randHex(t, 4),
		}, 200, 201)
		checkFields(t, "discovery.organizations.create", dc, fields(exchangeFields, withMemberSession))

		// Deletes and reactivate.
		checkFields(t, "members.delete", send("DELETE", "members.delete", orgPath+"/members/"+url.PathEscape(memberID), nil), fields(envelopeFields, []field{{"member_id", nonEmpty, nil}}))
		checkFields(t, "members.reactivate", send("PUT", "members.reactivate", orgPath+"/members/"+url.PathEscape(memberID)+"/reactivate", map[string]any{}), memberResponseFields)
		checkFields(t, "organizations.delete", send("DELETE", "organizations.delete", orgPath, nil), fields(envelopeFields, []field{{"organization_id", nonEmpty, nil}}))
	})
}
