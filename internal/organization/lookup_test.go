package organization_test

import (
	"context"
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
)

// TestLookup: an organization_id parameter may be an ID, a slug or an
// external ID, and a member_id a member ID or an external ID, as the
// Stytch SDKs document; nothing crosses projects or organizations.
func TestLookup(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		other, _ := s.NewProject(t, auth.EnvTest)
		o := s.NewOrganization(t, p, "Acme", func(o *auth.Organization) { o.ExternalID = "crm-42" })
		o2 := s.NewOrganization(t, p, "Other", nil)
		m := s.NewMember(t, o, "ada@acme.com", auth.MemberActive)
		m.ExternalID = "emp-7"
		if err := st.UpdateMember(ctx, p.ID, m); err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{o.ID, o.Slug, "crm-42"} {
			got, err := organization.Lookup(ctx, st, p.ID, ref)
			if err != nil || got.ID != o.ID {
				t.Errorf("Lookup(%q) = %v, %v", ref, got, err)
			}
			if _, err := organization.Lookup(ctx, st, other.ID, ref); !errors.Is(err, auth.ErrOrganizationNotFound) {
				t.Errorf("Lookup(%q) in another project: err = %v", ref, err)
			}
		}
		if _, err := organization.Lookup(ctx, st, p.ID, ""); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("Lookup of nothing: err = %v", err)
		}
		for _, ref := range []string{m.ID, "emp-7"} {
			got, err := organization.LookupMember(ctx, st, p.ID, o.ID, ref)
			if err != nil || got.ID != m.ID {
				t.Errorf("LookupMember(%q) = %v, %v", ref, got, err)
			}
			if _, err := organization.LookupMember(ctx, st, p.ID, o2.ID, ref); !errors.Is(err, auth.ErrMemberNotFound) {
				t.Errorf("LookupMember(%q) in another organization: err = %v", ref, err)
			}
		}
	})
}
