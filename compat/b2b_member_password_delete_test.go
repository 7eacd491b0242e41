package compat

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bpasswords "github.com/stytchauth/stytch-go/v16/stytch/b2b/passwords"
	"github.com/stytchauth/stytch-go/v16/stytch/methodoptions"
)

// TestB2BDeleteMemberPassword removes a member's password through the
// SDK's Organizations.Members.DeletePassword: the member then shows no
// member_password_id and the password no longer logs in. A member session
// may delete its own password but not another member's, and the other
// paths the same route serves still answer.
func TestB2BDeleteMemberPassword(t *testing.T) {
	t.Parallel()
	eachB2BDatabase(t, func(t *testing.T, e *b2bEnv) {
		ctx := t.Context()
		o := newOrg(t, e, "DeletePassword", organizations.CreateParams{})
		other := newOrg(t, e, "OtherPassword", organizations.CreateParams{})
		dom := newDomain(t)
		h, err := bcrypt.GenerateFromPassword([]byte("legacy-secret"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		migrate := func(orgID, addr string) *b2bpasswords.MigrateResponse {
			t.Helper()
			mig, err := e.c.Passwords.Migrate(ctx, &b2bpasswords.MigrateParams{
				OrganizationID: orgID, EmailAddress: addr, Hash: string(h), HashType: b2bpasswords.MigrateRequestHashTypeBcrypt,
			})
			if err != nil {
				t.Fatal(err)
			}
			if mig.Member.MemberPasswordID == "" {
				t.Fatalf("migrate %s: no member_password_id", addr)
			}
			return mig
		}
		deletePassword := func(orgID, pwID string, opts ...*members.DeletePasswordRequestOptions) (*members.DeletePasswordResponse, error) {
			return e.c.Organizations.Members.DeletePassword(ctx, &members.DeletePasswordParams{OrganizationID: orgID, MemberPasswordID: pwID}, opts...)
		}
		asMember := func(tok string) *members.DeletePasswordRequestOptions {
			return &members.DeletePasswordRequestOptions{Authorization: methodoptions.Authorization{SessionToken: tok}}
		}

		ada := migrate(o.OrganizationID, "ada@"+dom)
		pwID := ada.Member.MemberPasswordID

		// Another organization's ID does not reach the password.
		_, err = deletePassword(other.OrganizationID, pwID)
		wantError(t, err, 404, "password_not_found")

		res, err := deletePassword(o.OrganizationID, pwID)
		if err != nil {
			t.Fatal(err)
		}
		if res.MemberID != ada.MemberID || res.Member.MemberID != ada.MemberID || res.Member.MemberPasswordID != "" || res.Organization.OrganizationID != o.OrganizationID {
			t.Errorf("DeletePassword = %+v", res)
		}
		got, err := e.c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: o.OrganizationID, MemberID: ada.MemberID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Member.MemberPasswordID != "" {
			t.Errorf("member after delete: member_password_id %q", got.Member.MemberPasswordID)
		}
		_, err = e.c.Passwords.Authenticate(ctx, &b2bpasswords.AuthenticateParams{OrganizationID: o.OrganizationID, EmailAddress: "ada@" + dom, Password: "legacy-secret"})
		wantError(t, err, 401, "unauthorized_credentials")

		_, err = deletePassword(o.OrganizationID, pwID)
		wantError(t, err, 404, "password_not_found")
		_, err = deletePassword(o.OrganizationID, "member-password-test-00000000-0000-4000-8000-000000000000")
		wantError(t, err, 404, "password_not_found")
		_, err = deletePassword(o.OrganizationID, "not-a-password-id")
		wantErrorType(t, err, "invalid_password_id")

		// RBAC: a plain member may delete its own password, not another's.
		grace := migrate(o.OrganizationID, "grace@"+dom)
		pia := migrate(o.OrganizationID, "pia@"+dom)
		login := memberLogin(t, e, o.OrganizationID, "pia@"+dom)
		_, err = deletePassword(o.OrganizationID, grace.Member.MemberPasswordID, asMember(login.SessionToken))
		wantError(t, err, 403, "session_authorization_error")
		if res, err := deletePassword(o.OrganizationID, pia.Member.MemberPasswordID, asMember(login.SessionToken)); err != nil || res.Member.MemberPasswordID != "" {
			t.Errorf("own password: %v, %+v", err, res)
		}
		// The refused delete left grace's password.
		got, err = e.c.Organizations.Members.Get(ctx, &members.GetParams{OrganizationID: o.OrganizationID, MemberID: grace.MemberID})
		if err != nil || got.Member.MemberPasswordID != grace.Member.MemberPasswordID {
			t.Errorf("grace after a refused delete: %v, %+v", err, got)
		}

		// The TOTP path, which the same route serves, still answers.
		_, err = e.c.Organizations.Members.DeleteTOTP(ctx, &members.DeleteTOTPParams{OrganizationID: o.OrganizationID, MemberID: ada.MemberID})
		wantError(t, err, 404, "totp_not_found")
	})
}
