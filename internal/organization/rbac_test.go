package organization_test

import (
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
)

func TestDefaultRBACPolicy(t *testing.T) {
	t.Parallel()
	member := &auth.Member{ID: "member-test-1"}
	admin := &auth.Member{ID: "member-test-2", Roles: []string{auth.RoleAdmin}}
	for _, tc := range []struct {
		name string
		m    *auth.Member
		p    organization.Permission
		want bool
	}{
		{"member: own name", member, organization.Permission{Resource: organization.ResourceSelf, Action: organization.ActionMemberUpdateName}, true},
		{"member: delete itself", member, organization.Permission{Resource: organization.ResourceSelf, Action: organization.ActionDelete}, true},
		{"member: not its own roles", member, organization.Permission{Resource: organization.ResourceSelf, Action: organization.ActionMemberUpdateRoles}, false},
		{"member: not others' names", member, organization.Permission{Resource: organization.ResourceMember, Action: organization.ActionMemberUpdateName}, false},
		{"member: no member search", member, organization.Permission{Resource: organization.ResourceMember, Action: organization.ActionSearch}, false},
		{"member: no org update", member, organization.Permission{Resource: organization.ResourceOrganization, Action: organization.ActionOrgUpdateName}, false},
		{"member: no org delete", member, organization.Permission{Resource: organization.ResourceOrganization, Action: organization.ActionDelete}, false},
		{"admin: org update", admin, organization.Permission{Resource: organization.ResourceOrganization, Action: organization.ActionOrgUpdateAllowedDomains}, true},
		{"admin: org delete", admin, organization.Permission{Resource: organization.ResourceOrganization, Action: organization.ActionDelete}, true},
		{"admin: member roles", admin, organization.Permission{Resource: organization.ResourceMember, Action: organization.ActionMemberUpdateRoles}, true},
		{"admin: member create", admin, organization.Permission{Resource: organization.ResourceMember, Action: organization.ActionCreate}, true},
		{"admin: sso", admin, organization.Permission{Resource: organization.ResourceSSO, Action: "update"}, true},
		{"admin: also stytch_member", admin, organization.Permission{Resource: organization.ResourceSelf, Action: organization.ActionMemberUpdateName}, true},
		{"admin: no custom resources", admin, organization.Permission{Resource: "documents", Action: "read"}, false},
	} {
		if got := organization.Permits(tc.m, tc.p); got != tc.want {
			t.Errorf("%s: Permits = %v, want %v", tc.name, got, tc.want)
		}
		err := organization.Authorize(tc.m, tc.p)
		if (err == nil) != tc.want || (err != nil && !errors.Is(err, auth.ErrSessionAuthorization)) {
			t.Errorf("%s: Authorize = %v", tc.name, err)
		}
	}
}

func TestAuthorizeMemberAction(t *testing.T) {
	t.Parallel()
	member := &auth.Member{ID: "member-test-1"}
	admin := &auth.Member{ID: "member-test-2", Roles: []string{auth.RoleAdmin}}
	for _, tc := range []struct {
		name   string
		actor  *auth.Member
		target string
		action string
		ok     bool
	}{
		{"member renames itself", member, member.ID, organization.ActionMemberUpdateName, true},
		{"member changes its untrusted metadata", member, member.ID, organization.ActionMemberUpdateUntrustedMetadata, true},
		{"member deletes itself", member, member.ID, organization.ActionDelete, true},
		{"member renames another", member, admin.ID, organization.ActionMemberUpdateName, false},
		{"member deletes another", member, admin.ID, organization.ActionDelete, false},
		{"member makes itself admin", member, member.ID, organization.ActionMemberUpdateRoles, false},
		{"member makes itself breakglass", member, member.ID, organization.ActionMemberUpdateIsBreakglass, false},
		{"member changes its email", member, member.ID, organization.ActionMemberUpdateEmail, false},
		{"admin renames another", admin, member.ID, organization.ActionMemberUpdateName, true},
		{"admin changes roles", admin, member.ID, organization.ActionMemberUpdateRoles, true},
		{"admin deletes another", admin, member.ID, organization.ActionDelete, true},
	} {
		err := organization.AuthorizeMemberAction(tc.actor, tc.target, tc.action)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, auth.ErrSessionAuthorization)) {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestMemberRoles(t *testing.T) {
	t.Parallel()
	got := organization.MemberRoles(&auth.Member{Roles: []string{auth.RoleAdmin, auth.RoleMember, auth.RoleAdmin}})
	if len(got) != 2 || got[0] != auth.RoleMember || got[1] != auth.RoleAdmin {
		t.Errorf("MemberRoles = %v", got)
	}
	if !organization.ValidRole(auth.RoleAdmin) || !organization.ValidRole(auth.RoleMember) || organization.ValidRole("owner") {
		t.Error("ValidRole does not match the default roles")
	}
}
