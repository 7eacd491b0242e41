package organization

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// Service manages organizations.
type Service struct {
	store store.Store
	now   func() time.Time
}

// NewService returns a Service over st, reading time from now.
func NewService(st store.Store, now func() time.Time) *Service {
	return &Service{store: st, now: now}
}

// CreateInput is a new organization. Name is required; an empty Slug is
// derived from the name (see Slugify). Unset settings take Stytch's
// defaults (auth.NewOrganizationDefaults), except email_invites, which
// Stytch defaults to NOT_ALLOWED when any other authentication setting is
// given.
type CreateInput struct {
	Name            string
	Slug            string
	LogoURL         string
	ExternalID      string
	TrustedMetadata map[string]any
	Settings
}

// Create makes an organization in project p.
//
// Errors: ErrInvalidOrganizationName, ErrInvalidOrganizationSlug,
// ErrOrganizationSlugAlreadyUsed, ErrMetadataTooLarge, ErrInvalidArgument
// (external ID) and the settings errors of checkSettings.
func (s *Service) Create(ctx context.Context, p *auth.Project, in CreateInput) (*auth.Organization, error) {
	var o *auth.Organization
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		o, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	return o, err
}

// CreateTx is Create within the caller's transaction, for flows that
// create an organization together with its first member (discovery).
func (s *Service) CreateTx(ctx context.Context, tx store.Store, p *auth.Project, in CreateInput) (*auth.Organization, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	o := auth.NewOrganizationDefaults()
	o.ID = auth.NewID(auth.KindOrganization, p.Env)
	o.ProjectID = p.ID
	o.Name, o.Slug, o.LogoURL, o.ExternalID = in.Name, in.Slug, in.LogoURL, in.ExternalID
	o.TrustedMetadata = auth.MergeMetadata(nil, in.TrustedMetadata)
	o.CreatedAt, o.UpdatedAt = now, now
	if in.authSettingsGiven() {
		o.EmailInvites = auth.NotAllowed
	}
	if err := in.apply(&o); err != nil {
		return nil, err
	}
	if err := checkInfo(&o); err != nil {
		return nil, err
	}
	if err := checkSettings(&o); err != nil {
		return nil, err
	}
	if in.Slug == "" {
		slug, err := s.freeSlug(ctx, tx, p.ID, Slugify(in.Name))
		if err != nil {
			return nil, err
		}
		o.Slug = slug
	} else if err := s.slugFree(ctx, tx, p.ID, o.Slug, ""); err != nil {
		return nil, err
	}
	if err := tx.CreateOrganization(ctx, p.ID, &o); err != nil {
		return nil, conflict(err, o.ExternalID, "create")
	}
	return &o, nil
}

// freeSlug returns base, or base with the first numeric suffix ("-2",
// "-3", …) that no organization of the project uses yet, so that deriving
// a slug from a name never fails because another organization has it.
func (s *Service) freeSlug(ctx context.Context, st store.Store, projectID, base string) (string, error) {
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			suffix := "-" + strconv.Itoa(n)
			if len(base)+len(suffix) > maxSlugLen {
				base = base[:maxSlugLen-len(suffix)]
			}
			slug = base + suffix
		}
		_, err := st.GetOrganizationBySlug(ctx, projectID, slug)
		if errors.Is(err, store.ErrNotFound) {
			return slug, nil
		}
		if err != nil {
			return "", fmt.Errorf("organization: find a free slug: %w", err)
		}
	}
}

// slugFree returns ErrOrganizationSlugAlreadyUsed if an organization other
// than exceptID uses slug.
func (s *Service) slugFree(ctx context.Context, st store.Store, projectID, slug, exceptID string) error {
	other, err := st.GetOrganizationBySlug(ctx, projectID, slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("organization: check slug: %w", err)
	case other.ID == exceptID:
		return nil
	default:
		return auth.ErrOrganizationSlugAlreadyUsed.WithMessage("The organization_slug %q is already used by another organization in this project.", slug)
	}
}

// conflict translates a store conflict on create or update. The slug was
// checked first, so a conflict is the external ID's, or a concurrent
// request taking the same slug.
func conflict(err error, externalID, op string) error {
	if !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("organization: %s: %w", op, err)
	}
	if externalID != "" {
		// Stytch defines no error type for this; invalid_argument says which
		// argument to change.
		return auth.ErrInvalidArgument.WithMessage("organization_external_id %q is already used by another organization in this project.", externalID).Wrap(err)
	}
	return auth.ErrOrganizationSlugAlreadyUsed.Wrap(err)
}

// checkInfo validates the name, slug, external ID and metadata.
func checkInfo(o *auth.Organization) error {
	if o.Name == "" || utf8.RuneCountInString(o.Name) > maxNameLen {
		return auth.ErrInvalidOrganizationName
	}
	if o.Slug != "" && !ValidSlug(o.Slug) {
		return auth.ErrInvalidOrganizationSlug
	}
	if err := CheckExternalID("organization_external_id", o.ExternalID); err != nil {
		return err
	}
	return auth.CheckMetadata(o.TrustedMetadata)
}

// Get returns an organization by its ID or, as Stytch allows wherever an
// organization_id is expected, by its slug or external ID.
//
// Errors: ErrOrganizationNotFound.
func (s *Service) Get(ctx context.Context, projectID, ref string) (*auth.Organization, error) {
	return Lookup(ctx, s.store, projectID, ref)
}

// GetTx is Get within the caller's transaction (or any store).
func (s *Service) GetTx(ctx context.Context, st store.Store, projectID, ref string) (*auth.Organization, error) {
	return Lookup(ctx, st, projectID, ref)
}

// Lookup finds the organization an organization_id parameter names: an
// organization ID, or else a slug, or else an external ID, as the Stytch
// SDKs document for every organization_id.
//
// Errors: ErrOrganizationNotFound.
func Lookup(ctx context.Context, st store.Store, projectID, ref string) (*auth.Organization, error) {
	var (
		o   *auth.Organization
		err = store.ErrNotFound
	)
	if ref == "" {
		return nil, auth.ErrOrganizationNotFound
	}
	if auth.HasKind(ref, auth.KindOrganization) {
		o, err = st.GetOrganization(ctx, projectID, ref)
	} else {
		o, err = st.GetOrganizationBySlug(ctx, projectID, ref)
		if errors.Is(err, store.ErrNotFound) {
			o, err = st.GetOrganizationByExternalID(ctx, projectID, ref)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrOrganizationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("organization: lookup: %w", err)
	}
	return o, nil
}

// LookupMember finds the member of an organization a member_id parameter
// names: a member ID, or else an external ID. Deleted members are found
// too; callers decide whether they count.
//
// Errors: ErrMemberNotFound.
func LookupMember(ctx context.Context, st store.Store, projectID, organizationID, ref string) (*auth.Member, error) {
	var (
		m   *auth.Member
		err = store.ErrNotFound
	)
	switch {
	case ref == "":
	case auth.HasKind(ref, auth.KindMember):
		m, err = st.GetMember(ctx, projectID, organizationID, ref)
	default:
		m, err = st.GetMemberByExternalID(ctx, projectID, organizationID, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrMemberNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("organization: lookup member: %w", err)
	}
	return m, nil
}

// LookupActiveMember resolves the organization_id and member_id parameters
// of a call about a member (an ID, slug or external ID; an ID or external
// ID): a deleted member is not found.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound.
func LookupActiveMember(ctx context.Context, st store.Store, projectID, organizationRef, memberRef string) (*auth.Organization, *auth.Member, error) {
	o, err := Lookup(ctx, st, projectID, organizationRef)
	if err != nil {
		return nil, nil, err
	}
	m, err := LookupMember(ctx, st, projectID, o.ID, memberRef)
	if err != nil {
		return nil, nil, err
	}
	if m.Status == auth.MemberDeleted {
		return nil, nil, auth.ErrMemberNotFound
	}
	return o, m, nil
}

// GetBySlug returns the organization with a slug.
//
// Errors: ErrOrganizationNotFound.
func (s *Service) GetBySlug(ctx context.Context, projectID, slug string) (*auth.Organization, error) {
	o, err := s.store.GetOrganizationBySlug(ctx, projectID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrOrganizationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("organization: get by slug: %w", err)
	}
	return o, nil
}

// UpdateInput changes an organization. Nil fields are left as they are;
// TrustedMetadata is merged key by key (a key set to null is removed).
type UpdateInput struct {
	Name            *string
	Slug            *string
	LogoURL         *string
	ExternalID      *string
	TrustedMetadata map[string]any
	Settings
}

// Update applies in to the organization idOrSlug names and returns it.
//
// Errors: ErrOrganizationNotFound, and those of Create.
func (s *Service) Update(ctx context.Context, projectID, idOrSlug string, in UpdateInput) (*auth.Organization, error) {
	var o *auth.Organization
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if o, err = s.GetTx(ctx, tx, projectID, idOrSlug); err != nil {
			return err
		}
		if in.Name != nil {
			o.Name = *in.Name
		}
		if in.Slug != nil {
			if *in.Slug == "" {
				return auth.ErrInvalidOrganizationSlug
			}
			o.Slug = *in.Slug
		}
		if in.LogoURL != nil {
			o.LogoURL = *in.LogoURL
		}
		if in.ExternalID != nil {
			o.ExternalID = *in.ExternalID
		}
		o.TrustedMetadata = auth.MergeMetadata(o.TrustedMetadata, in.TrustedMetadata)
		if err := in.apply(o); err != nil {
			return err
		}
		if err := checkInfo(o); err != nil {
			return err
		}
		if err := checkSettings(o); err != nil {
			return err
		}
		if in.Slug != nil {
			if err := s.slugFree(ctx, tx, projectID, o.Slug, o.ID); err != nil {
				return err
			}
		}
		o.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		if err := tx.UpdateOrganization(ctx, projectID, o); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return auth.ErrOrganizationNotFound
			}
			return conflict(err, o.ExternalID, "update")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Delete removes an organization with its members, their sessions and
// their pending links, and returns the deleted organization's ID.
//
// Errors: ErrOrganizationNotFound.
func (s *Service) Delete(ctx context.Context, projectID, idOrSlug string) (string, error) {
	var id string
	err := s.store.InTx(ctx, func(tx store.Store) error {
		o, err := s.GetTx(ctx, tx, projectID, idOrSlug)
		if err != nil {
			return err
		}
		id = o.ID
		err = tx.DeleteOrganization(ctx, projectID, o.ID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrOrganizationNotFound
		}
		if err != nil {
			return fmt.Errorf("organization: delete: %w", err)
		}
		return nil
	})
	return id, err
}
