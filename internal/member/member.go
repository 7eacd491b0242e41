package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/phone"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// Service manages members.
type Service struct {
	store store.Store
	orgs  *organization.Service
	now   func() time.Time
}

// NewService returns a Service over st; orgs resolves the organizations
// members belong to.
func NewService(st store.Store, orgs *organization.Service, now func() time.Time) *Service {
	return &Service{store: st, orgs: orgs, now: now}
}

// maxNameLen bounds a member's name, as Stytch's.
const maxNameLen = 256

// MFA methods a member may name as its default.
var mfaMethods = []string{"sms_otp", "totp"}

// CreateInput is a new member. Status defaults to active; API callers pass
// MemberPending for create_member_as_pending, invite flows MemberInvited.
type CreateInput struct {
	Email             string
	Name              string
	ExternalID        string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Status            auth.MemberStatus
	// EmailVerified is set by login flows that proved control of the
	// address (JIT provisioning, discovery); members created by API start
	// unverified, as Stytch's do.
	EmailVerified  bool
	IsBreakglass   bool
	MFAPhoneNumber string
	// MFAPhoneVerified marks MFAPhoneNumber, if any, as verified, for
	// imports that vouch for it (passwords migrate's
	// set_phone_number_verified).
	MFAPhoneVerified bool
	MFAEnrolled      bool
	// Roles are assigned directly; stytch_member is implicit and dropped.
	Roles []string
}

// Create makes a member of the organization idOrSlug names and returns it
// with its organization.
//
// Errors: ErrOrganizationNotFound, ErrInvalidEmail, ErrDuplicateMemberEmail,
// ErrDuplicateMemberExternalID, ErrInvalidRBACRoleID, ErrInvalidPhoneNumber,
// ErrMetadataTooLarge, ErrInvalidArgument.
func (s *Service) Create(ctx context.Context, p *auth.Project, idOrSlug string, in CreateInput) (*auth.Member, *auth.Organization, error) {
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if o, err = s.orgs.GetTx(ctx, tx, p.ID, idOrSlug); err != nil {
			return err
		}
		m, err = s.CreateTx(ctx, tx, p, o, in)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// CreateTx is Create within the caller's transaction, for flows that
// create a member as part of a login or of creating its organization.
// It applies no organization policy (JIT provisioning, invites): the
// calling flow checks the rule that applies to it first.
func (s *Service) CreateTx(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, in CreateInput) (*auth.Member, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	roles, err := directRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	status := in.Status
	if status == "" {
		status = auth.MemberActive
	}
	if !status.Valid() || status == auth.MemberDeleted {
		return nil, fmt.Errorf("member: create: invalid status %q", status)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	m := &auth.Member{
		ID:                auth.NewID(auth.KindMember, p.Env),
		ProjectID:         p.ID,
		OrganizationID:    o.ID,
		EmailAddress:      addr,
		EmailVerified:     in.EmailVerified,
		Name:              in.Name,
		Status:            status,
		IsBreakglass:      in.IsBreakglass,
		ExternalID:        in.ExternalID,
		TrustedMetadata:   auth.MergeMetadata(nil, in.TrustedMetadata),
		UntrustedMetadata: auth.MergeMetadata(nil, in.UntrustedMetadata),
		Roles:             roles,
		MFAEnrolled:       in.MFAEnrolled,
		// A new member has no linked provider account yet, listed as the
		// store reads it: empty, not nil.
		OAuthRegistrations: []auth.ProviderLink{},
		CreatedAt:          now,
		UpdatedAt:          now,
	}
	if m.MFAPhoneNumber, err = normalizeMFAPhone(p.Env, in.MFAPhoneNumber); err != nil {
		return nil, err
	}
	m.MFAPhoneVerified = in.MFAPhoneVerified && m.MFAPhoneNumber != ""
	if err := check(m); err != nil {
		return nil, err
	}
	// Check the address first so a conflict can be attributed: after it, a
	// unique violation is the external ID's (or a concurrent create with
	// the same address, reported as a duplicate address).
	if other, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr); err == nil {
		if other.Status == auth.MemberDeleted {
			return nil, auth.ErrDuplicateMemberEmail.WithMessage("%s was a member of this organization and was deleted; reactivate that member instead.", addr)
		}
		return nil, auth.ErrDuplicateMemberEmail
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("member: create: %w", err)
	}
	if err := tx.CreateMember(ctx, p.ID, m); err != nil {
		return nil, conflict(err, m.ExternalID, "create")
	}
	return m, nil
}

// normalizeMFAPhone returns an MFA phone number in E.164 form, as SMS
// passcodes are sent to and compared with it (the sandbox number only in
// test projects); "" stays "" (no phone).
func normalizeMFAPhone(env auth.Env, raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	return phone.ForEnv(env, raw, "mfa_phone_number")
}

// conflict translates a store conflict on create or update.
func conflict(err error, externalID, op string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return auth.ErrMemberNotFound
	case !errors.Is(err, store.ErrConflict):
		return fmt.Errorf("member: %s: %w", op, err)
	case externalID != "":
		return auth.ErrDuplicateMemberExternalID.Wrap(err)
	default:
		return auth.ErrDuplicateMemberEmail.Wrap(err)
	}
}

// directRoles validates roles to assign directly and returns them without
// duplicates and without stytch_member, which every member holds anyway.
func directRoles(roles []string) ([]string, error) {
	out := []string{}
	for _, r := range roles {
		if !organization.ValidRole(r) {
			return nil, auth.ErrInvalidRBACRoleID.WithMessage("The role %q does not exist; Latch's roles are %s and %s.", r, auth.RoleMember, auth.RoleAdmin)
		}
		if r != auth.RoleMember && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// check validates a member's fields.
func check(m *auth.Member) error {
	if utf8.RuneCountInString(m.Name) > maxNameLen {
		return auth.ErrInvalidArgument.WithMessage("name must be at most %d characters.", maxNameLen)
	}
	if err := organization.CheckExternalID("external_id", m.ExternalID); err != nil {
		return err
	}
	if m.DefaultMFAMethod != "" && !slices.Contains(mfaMethods, m.DefaultMFAMethod) {
		return auth.ErrInvalidMFADefaultMethod
	}
	return auth.CheckMetadata(m.TrustedMetadata, m.UntrustedMetadata)
}

// Get returns a member of the organization idOrSlug names, with the
// organization. Deleted members are not found: they are reached only
// through DangerouslyGet and Reactivate.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound.
func (s *Service) Get(ctx context.Context, projectID, idOrSlug, memberID string) (*auth.Member, *auth.Organization, error) {
	return s.get(ctx, s.store, projectID, idOrSlug, memberID, false)
}

func (s *Service) get(ctx context.Context, st store.Store, projectID, idOrSlug, memberID string, deleted bool) (*auth.Member, *auth.Organization, error) {
	o, err := s.orgs.GetTx(ctx, st, projectID, idOrSlug)
	if err != nil {
		return nil, nil, err
	}
	m, err := organization.LookupMember(ctx, st, projectID, o.ID, memberID)
	if err != nil {
		return nil, nil, err
	}
	return found(m, o, nil, deleted)
}

// found finishes a member lookup: not found, or deleted when deleted
// members are hidden, is ErrMemberNotFound.
func found(m *auth.Member, o *auth.Organization, err error, deleted bool) (*auth.Member, *auth.Organization, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, auth.ErrMemberNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("member: get: %w", err)
	}
	if m.Status == auth.MemberDeleted && !deleted {
		return nil, nil, auth.ErrMemberNotFound
	}
	return m, o, nil
}

// GetByEmail returns the member with an address in the organization
// idOrSlug names, with the organization. Deleted members are not found.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound.
func (s *Service) GetByEmail(ctx context.Context, projectID, idOrSlug, address string) (*auth.Member, *auth.Organization, error) {
	o, err := s.orgs.Get(ctx, projectID, idOrSlug)
	if err != nil {
		return nil, nil, err
	}
	addr, err := user.NormalizeEmail(address)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.GetMemberByEmail(ctx, projectID, o.ID, addr)
	return found(m, o, err, false)
}

// DangerouslyGet returns a member of any organization of the project by
// its ID alone, with its organization; deleted members only when
// includeDeleted is set.
//
// Errors: ErrMemberNotFound.
func (s *Service) DangerouslyGet(ctx context.Context, projectID, memberID string, includeDeleted bool) (*auth.Member, *auth.Organization, error) {
	if !auth.HasKind(memberID, auth.KindMember) {
		return nil, nil, auth.ErrMemberNotFound
	}
	m, err := s.store.GetMemberByID(ctx, projectID, memberID)
	if m, _, err = found(m, nil, err, includeDeleted); err != nil {
		return nil, nil, err
	}
	o, err := s.orgs.Get(ctx, projectID, m.OrganizationID)
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// UpdateInput changes a member. Nil fields are left as they are; metadata
// objects are merged key by key (a key set to null is removed) and Roles,
// when given, replace the directly assigned roles.
type UpdateInput struct {
	Name              *string
	EmailAddress      *string
	ExternalID        *string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	IsBreakglass      *bool
	Roles             *[]string
	MFAPhoneNumber    *string
	MFAEnrolled       *bool
	DefaultMFAMethod  *string
	// MFAPhoneVerified marks the member's MFA phone number, if any, as
	// verified, for imports that vouch for it (passwords migrate's
	// set_phone_number_verified); the members API never sets it.
	MFAPhoneVerified bool
}

// Update applies in to a member and returns it with its organization. A
// new email address starts unverified.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound, and those of Create.
func (s *Service) Update(ctx context.Context, p *auth.Project, idOrSlug, memberID string, in UpdateInput) (*auth.Member, *auth.Organization, error) {
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if m, o, err = s.get(ctx, tx, p.ID, idOrSlug, memberID, false); err != nil {
			return err
		}
		return s.UpdateTx(ctx, tx, p, o, m, in)
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// UpdateTx is Update within the caller's transaction, applied to m, a
// member of o the caller has read in tx, for flows that change a member
// as part of another operation (a password import). It validates the
// result as Update does and stores the whole member, so other changes
// the caller made to m (its status) are stored with it.
func (s *Service) UpdateTx(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, m *auth.Member, in UpdateInput) error {
	if in.Name != nil {
		m.Name = *in.Name
	}
	if in.EmailAddress != nil {
		addr, err := user.NormalizeEmail(*in.EmailAddress)
		if err != nil {
			return err
		}
		if addr != m.EmailAddress {
			if _, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr); err == nil {
				return auth.ErrDuplicateMemberEmail
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("member: update: %w", err)
			}
			m.EmailAddress, m.EmailVerified = addr, false
		}
	}
	if in.ExternalID != nil {
		m.ExternalID = *in.ExternalID
	}
	m.TrustedMetadata = auth.MergeMetadata(m.TrustedMetadata, in.TrustedMetadata)
	m.UntrustedMetadata = auth.MergeMetadata(m.UntrustedMetadata, in.UntrustedMetadata)
	if in.IsBreakglass != nil {
		m.IsBreakglass = *in.IsBreakglass
	}
	if in.Roles != nil {
		roles, err := directRoles(*in.Roles)
		if err != nil {
			return err
		}
		m.Roles = roles
	}
	if in.MFAPhoneNumber != nil {
		number, err := normalizeMFAPhone(p.Env, *in.MFAPhoneNumber)
		if err != nil {
			return err
		}
		if number != m.MFAPhoneNumber {
			m.MFAPhoneVerified = false
		}
		m.MFAPhoneNumber = number
	}
	if in.MFAEnrolled != nil {
		m.MFAEnrolled = *in.MFAEnrolled
	}
	if in.DefaultMFAMethod != nil {
		m.DefaultMFAMethod = *in.DefaultMFAMethod
	}
	if in.MFAPhoneVerified && m.MFAPhoneNumber != "" {
		m.MFAPhoneVerified = true
	}
	if err := check(m); err != nil {
		return err
	}
	m.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
		return conflict(err, m.ExternalID, "update")
	}
	return nil
}

// DeleteMFAPhone removes a member's MFA phone number. A member whose
// default second factor was SMS falls back to its authenticator app, or
// to none; mfa_enrolled is left as it is, so a member who must use MFA
// enrolls a new factor at its next login.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound.
func (s *Service) DeleteMFAPhone(ctx context.Context, projectID, idOrSlug, memberID string) (*auth.Member, *auth.Organization, error) {
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if m, o, err = s.get(ctx, tx, projectID, idOrSlug, memberID, false); err != nil {
			return err
		}
		m.MFAPhoneNumber, m.MFAPhoneVerified = "", false
		if m.DefaultMFAMethod == "sms_otp" {
			m.DefaultMFAMethod = ""
			if m.TOTPRegistrationID != "" {
				m.DefaultMFAMethod = "totp"
			}
		}
		m.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		if err := tx.UpdateMember(ctx, projectID, m); err != nil {
			return fmt.Errorf("member: delete MFA phone: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// Delete marks a member deleted and revokes all of its sessions. The
// member keeps its record, so Reactivate can restore it, and its address
// stays taken in the organization. It returns the member's ID.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound.
func (s *Service) Delete(ctx context.Context, projectID, idOrSlug, memberID string) (string, error) {
	err := s.store.InTx(ctx, func(tx store.Store) error {
		m, _, err := s.get(ctx, tx, projectID, idOrSlug, memberID, false)
		if err != nil {
			return err
		}
		m.Status = auth.MemberDeleted
		m.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		if err := tx.UpdateMember(ctx, projectID, m); err != nil {
			return conflict(err, "", "delete")
		}
		if _, err := tx.DeleteMemberSessions(ctx, projectID, m.ID); err != nil {
			return fmt.Errorf("member: delete: revoke sessions: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return memberID, nil
}

// Reactivate makes a deleted member active again and returns it with its
// organization.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound,
// ErrNoDeletedMemberForReactivation (the member is not deleted).
func (s *Service) Reactivate(ctx context.Context, projectID, idOrSlug, memberID string) (*auth.Member, *auth.Organization, error) {
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if m, o, err = s.get(ctx, tx, projectID, idOrSlug, memberID, true); err != nil {
			return err
		}
		if m.Status != auth.MemberDeleted {
			return auth.ErrNoDeletedMemberForReactivation
		}
		m.Status = auth.MemberActive
		m.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		if err := tx.UpdateMember(ctx, projectID, m); err != nil {
			return conflict(err, "", "reactivate")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// Activate makes a pending or invited member active with a verified
// address, as its first successful login does, within tx. Active members
// are left as they are; deleted ones are refused.
//
// Errors: ErrActionAvailableOnlyForActiveMembers (deleted member).
func (s *Service) Activate(ctx context.Context, tx store.Store, m *auth.Member) error {
	switch m.Status {
	case auth.MemberDeleted:
		return auth.ErrActionAvailableOnlyForActiveMembers
	case auth.MemberActive:
		if m.EmailVerified {
			return nil
		}
	}
	m.Status, m.EmailVerified = auth.MemberActive, true
	m.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := tx.UpdateMember(ctx, m.ProjectID, m); err != nil {
		return fmt.Errorf("member: activate: %w", err)
	}
	return nil
}
