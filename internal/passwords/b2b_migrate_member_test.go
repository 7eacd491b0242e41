package passwords_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/store"
)

// TestMemberMigrateAppliesMemberRules checks that migrate creates and
// updates members by the members service's rules: roles without
// stytch_member, an MFA phone number in E.164 form, and the same
// refusals of invalid fields on either path.
func TestMemberMigrateAppliesMemberRules(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		acme := e.NewOrganization(t, e.p, "Acme", nil)
		h, err := bcrypt.GenerateFromPassword([]byte(strong), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		migrate := func(in passwords.MemberMigrateInput) (*passwords.MemberMigrateResult, error) {
			in.OrganizationID, in.Email = acme.ID, "ada@acme.example"
			in.Hash = passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)}
			return e.pw.MigrateMember(ctx, e.p, in)
		}

		res, err := migrate(passwords.MemberMigrateInput{
			Roles: []string{auth.RoleMember, auth.RoleAdmin, auth.RoleAdmin}, MFAPhoneNumber: "+1 202 555 0162", MFAPhoneVerified: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		m := res.Member
		if !res.Created || len(m.Roles) != 1 || m.Roles[0] != auth.RoleAdmin || m.MFAPhoneNumber != "+12025550162" || !m.MFAPhoneVerified {
			t.Fatalf("created member: roles %v, phone %q verified %v", m.Roles, m.MFAPhoneNumber, m.MFAPhoneVerified)
		}

		if _, err := migrate(passwords.MemberMigrateInput{Roles: []string{"owner"}}); !errors.Is(err, auth.ErrInvalidRBACRoleID) {
			t.Errorf("update with an unknown role: err = %v", err)
		}
		if _, err := migrate(passwords.MemberMigrateInput{MFAPhoneNumber: "12"}); !errors.Is(err, auth.ErrInvalidPhoneNumber) {
			t.Errorf("update with a bad phone: err = %v", err)
		}
		long := string(make([]byte, 300))
		if _, err := migrate(passwords.MemberMigrateInput{Name: &long}); !errors.Is(err, auth.ErrInvalidArgument) {
			t.Errorf("update with a long name: err = %v", err)
		}

		res, err = migrate(passwords.MemberMigrateInput{Roles: []string{}, MFAPhoneNumber: "+12025550199"})
		if err != nil {
			t.Fatal(err)
		}
		m = res.Member
		if res.Created || len(m.Roles) != 0 || m.MFAPhoneNumber != "+12025550199" || m.MFAPhoneVerified {
			t.Fatalf("updated member: roles %v, phone %q verified %v", m.Roles, m.MFAPhoneNumber, m.MFAPhoneVerified)
		}
		got, err := st.GetMember(ctx, e.p.ID, acme.ID, m.ID)
		if err != nil || got.MFAPhoneNumber != "+12025550199" || got.PasswordID == "" {
			t.Fatalf("stored member = %+v, %v", got, err)
		}
		e.memberLogin(t, acme, "ada@acme.example", strong, nil)
	})
}
