package passwords

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// B2B passwords (/v1/b2b/passwords…). A member's password belongs to its
// membership in one organization, as Stytch's do without cross-org
// passwords. The flows are the consumer ones over members: the same
// hashing, strength and breach checks, rehash and required reset, reset
// links and revocation of other sessions. Each applies the
// organization's allowed_auth_methods ("password"), and every login
// becomes a member session through session.AttachMember, which also
// decides whether the organization asks for a second factor first.

// passwordMethod is the allowed_auth_methods name of passwords.
const passwordMethod = "password"

// MemberSessionInput is the session part of a B2B password login.
type MemberSessionInput struct {
	DurationMinutes int // 0 means session.DefaultMemberSessionMinutes
	CustomClaims    map[string]any
	SessionToken    string
	SessionJWT      string
}

// memberAccount resolves an organization reference and an address to the
// organization, which must allow passwords, the member with the address
// (nil if none, or deleted) and its password (nil if none).
func (s *Service) memberAccount(ctx context.Context, p *auth.Project, orgRef, addr string) (*auth.Organization, *auth.Member, *auth.Password, error) {
	o, err := organization.Lookup(ctx, s.store, p.ID, orgRef)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := organization.AllowsAuthMethod(o, passwordMethod); err != nil {
		return nil, nil, nil, err
	}
	m, err := s.store.GetMemberByEmail(ctx, p.ID, o.ID, addr)
	if errors.Is(err, store.ErrNotFound) {
		return o, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("passwords: get member: %w", err)
	}
	if m.Status == auth.MemberDeleted {
		return o, nil, nil, nil
	}
	if m.PasswordID == "" {
		return o, m, nil, nil
	}
	pw, err := s.store.GetMemberPassword(ctx, p.ID, m.ID)
	if errors.Is(err, store.ErrNotFound) {
		return o, m, nil, nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("passwords: get member password: %w", err)
	}
	return o, m, pw, nil
}

// MemberAuthenticateInput is a b2b passwords authenticate request.
type MemberAuthenticateInput struct {
	OrganizationID string
	Email          string
	Password       string
	Session        MemberSessionInput
}

// AuthenticateMember logs a member in with its address and password. As
// for consumers, a wrong password, an unknown address and a member
// without a password fail alike after the same work, and a password that
// must be reset fails with member_reset_password. A pending or invited
// member becomes active.
func (s *Service) AuthenticateMember(ctx context.Context, p *auth.Project, in MemberAuthenticateInput) (*session.MemberResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := checkLength(in.Password); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.Session.DurationMinutes); err != nil {
		return nil, err
	}
	o, _, pw, err := s.memberAccount(ctx, p, in.OrganizationID, addr)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, pw, in.Password); err != nil {
		return nil, err
	}
	if pw.RequiresReset {
		return nil, auth.ErrMemberResetPassword
	}
	return s.memberLogin(ctx, p, o, pw.MemberID, s.passwordFactor("", addr), in.Session, nil)
}

// memberLogin, within one transaction, reads the member afresh (it must
// still exist and not be deleted), runs change on it if given (setting a
// password), activates it, attaches factor to a member session as in
// asks, and for a password change revokes the member's other sessions.
func (s *Service) memberLogin(ctx context.Context, p *auth.Project, o *auth.Organization, memberID string,
	factor auth.AuthenticationFactor, in MemberSessionInput, change func(tx store.Store, m *auth.Member) error) (*session.MemberResult, error) {
	var res *session.MemberResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		m, err := tx.GetMember(ctx, p.ID, o.ID, memberID)
		if err == nil && m.Status == auth.MemberDeleted {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			return errWrongCredentials
		}
		if err != nil {
			return fmt.Errorf("passwords: get member: %w", err)
		}
		if change != nil {
			if err := change(tx, m); err != nil {
				return err
			}
		}
		if m.Status != auth.MemberActive {
			m.Status, m.UpdatedAt = auth.MemberActive, s.now().UTC()
			if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
				return fmt.Errorf("passwords: activate member: %w", err)
			}
		}
		res, err = s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: []auth.AuthenticationFactor{factor},
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil || change == nil {
			return err
		}
		keep := ""
		if res.Session != nil {
			keep = res.Session.ID
		}
		return s.sessions.RevokeMemberSessions(ctx, tx, p, m.ID, keep)
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.FinishMember(ctx, p, res); err != nil {
		return nil, err
	}
	return res, nil
}

// setMemberPassword stores h as m's password within tx.
func (s *Service) setMemberPassword(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member, h string) error {
	now := s.now().UTC()
	pw := &auth.Password{
		ID: auth.NewID(auth.KindMemberPassword, p.Env), ProjectID: p.ID, MemberID: m.ID, Hash: h, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.SetMemberPassword(ctx, p.ID, pw); err != nil {
		return fmt.Errorf("passwords: set member password: %w", err)
	}
	m.PasswordID = pw.ID
	return nil
}

// MemberResetStartInput is a b2b passwords email reset/start request.
type MemberResetStartInput struct {
	OrganizationID string
	Email          string
	RedirectURL    string
	LoginURL       string
	Minutes        int
	CodeChallenge  string
	Locale         string
}

// MemberResetStartResult is the member a reset link went to.
type MemberResetStartResult struct {
	Member       *auth.Member
	Organization *auth.Organization
}

// ResetStartMember emails a password reset link for the organization's
// member with the address. An address that is not a member yet becomes a
// pending member when the organization's email policy lets it join, as a
// magic link signup does; otherwise it is refused with that policy's
// error.
func (s *Service) ResetStartMember(ctx context.Context, p *auth.Project, in MemberResetStartInput) (*MemberResetStartResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := s.links.CheckSend(p, in.Locale, in.Minutes); err != nil {
		return nil, err
	}
	var (
		res   MemberResetStartResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		o, err := organization.Lookup(ctx, tx, p.ID, in.OrganizationID)
		if err != nil {
			return err
		}
		if err := organization.AllowsAuthMethod(o, passwordMethod); err != nil {
			return err
		}
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := organization.CanJITProvision(o, addr); err != nil {
				return err
			}
			if m, err = s.members.CreateTx(ctx, tx, p, o, member.CreateInput{Email: addr, Status: auth.MemberPending}); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("passwords: get member: %w", err)
		case m.Status == auth.MemberDeleted:
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted; reactivate it first.", addr, o.Name)
		}
		res = MemberResetStartResult{Member: m, Organization: o}
		msgID, err = s.links.SendReset(ctx, tx, p, magiclink.ResetInput{
			Token: &auth.OneTimeToken{
				Kind: auth.TokenB2BPasswordReset, OrganizationID: o.ID, MemberID: m.ID, EmailAddress: addr, CodeChallenge: in.CodeChallenge,
			},
			RedirectURL: in.RedirectURL, LoginURL: in.LoginURL, Minutes: in.Minutes, Brand: o.Name,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.links.Deliver(ctx, p, msgID)
	return &res, nil
}

// MemberResetByEmailInput is a b2b passwords email reset request.
type MemberResetByEmailInput struct {
	Token        string
	Password     string
	CodeVerifier string
	Session      MemberSessionInput
}

// ResetMemberByEmail sets a member's new password with a reset link's
// token (spent only when the password is accepted), verifies its address,
// activates it and logs it in; its other sessions are revoked.
func (s *Service) ResetMemberByEmail(ctx context.Context, p *auth.Project, in MemberResetByEmailInput) (*session.MemberResult, error) {
	if err := checkLength(in.Password); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.Session.DurationMinutes); err != nil {
		return nil, err
	}
	t, err := s.links.PeekReset(ctx, p, in.Token, in.CodeVerifier, auth.TokenB2BPasswordReset)
	if err != nil {
		return nil, err
	}
	o, err := organization.Lookup(ctx, s.store, p.ID, t.OrganizationID)
	if errors.Is(err, auth.ErrOrganizationNotFound) {
		return nil, auth.ErrUnableToAuthPasswordResetToken
	}
	if err != nil {
		return nil, err
	}
	if err := organization.AllowsAuthMethod(o, passwordMethod); err != nil {
		return nil, err
	}
	h, err := s.newHash(ctx, p, in.Password, t.EmailAddress)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	factor := auth.AuthenticationFactor{
		Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
		EmailFactor: &auth.EmailFactor{EmailAddress: t.EmailAddress},
	}
	res, err := s.memberLogin(ctx, p, o, t.MemberID, factor, in.Session, func(tx store.Store, m *auth.Member) error {
		if _, err := s.links.ConsumeReset(ctx, tx, p, in.Token, auth.TokenB2BPasswordReset); err != nil {
			return err
		}
		if !m.EmailVerified {
			m.EmailVerified, m.UpdatedAt = true, s.now().UTC()
			if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
				return fmt.Errorf("passwords: verify member email: %w", err)
			}
		}
		return s.setMemberPassword(ctx, tx, p, m, h)
	})
	if errors.Is(err, auth.ErrUnauthorizedCredentials) {
		// The member was deleted after the link was sent.
		return nil, auth.ErrUnableToAuthPasswordResetToken
	}
	return res, err
}

// MemberResetByExistingInput is a b2b passwords existing_password reset
// request.
type MemberResetByExistingInput struct {
	OrganizationID   string
	Email            string
	ExistingPassword string
	NewPassword      string
	Session          MemberSessionInput
}

// ResetMemberByExisting replaces a member's password given the current
// one, with the refusals of ResetByExisting (member_reset_password for a
// password that must be reset), and logs the member in.
func (s *Service) ResetMemberByExisting(ctx context.Context, p *auth.Project, in MemberResetByExistingInput) (*session.MemberResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := checkLength(in.ExistingPassword); err != nil {
		return nil, err
	}
	if err := checkLength(in.NewPassword); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.Session.DurationMinutes); err != nil {
		return nil, err
	}
	o, _, pw, err := s.memberAccount(ctx, p, in.OrganizationID, addr)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, pw, in.ExistingPassword); err != nil {
		return nil, err
	}
	if pw.RequiresReset {
		return nil, auth.ErrMemberResetPassword
	}
	h, err := s.newHash(ctx, p, in.NewPassword, addr)
	if err != nil {
		return nil, err
	}
	return s.memberLogin(ctx, p, o, pw.MemberID, s.passwordFactor("", addr), in.Session, func(tx store.Store, m *auth.Member) error {
		return s.setMemberPassword(ctx, tx, p, m, h)
	})
}

// MemberResetBySessionInput is a b2b passwords session reset request.
type MemberResetBySessionInput struct {
	OrganizationID  string
	Password        string
	SessionToken    string
	SessionJWT      string
	DurationMinutes int
	CustomClaims    map[string]any
}

// ResetMemberBySession sets a new password for the member of a session
// in the organization, when the session has a factor authenticated within
// RecentFactorWindow (session_too_old_to_reset_password otherwise). The
// session gains a password factor and is kept; the member's other
// sessions are revoked.
func (s *Service) ResetMemberBySession(ctx context.Context, p *auth.Project, in MemberResetBySessionInput) (*session.MemberResult, error) {
	if err := checkLength(in.Password); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	sess, m, o, err := s.sessions.AuthenticateMember(ctx, p, in.SessionToken, in.SessionJWT)
	if err != nil {
		return nil, err
	}
	if in.OrganizationID != "" && in.OrganizationID != o.ID && in.OrganizationID != o.Slug {
		return nil, auth.ErrSessionAuthorizationTenancy
	}
	if err := organization.AllowsAuthMethod(o, passwordMethod); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if !slices.ContainsFunc(sess.AuthenticationFactors, func(f auth.AuthenticationFactor) bool {
		return now.Sub(f.LastAuthenticatedAt) <= RecentFactorWindow
	}) {
		return nil, auth.ErrSessionTooOldToResetPassword.WithMessage(
			"The session has no factor authenticated within the last 5 minutes; authenticate again, then reset the password.")
	}
	h, err := s.newHash(ctx, p, in.Password, m.EmailAddress)
	if err != nil {
		return nil, err
	}
	return s.memberLogin(ctx, p, o, m.ID, s.passwordFactor("", m.EmailAddress), MemberSessionInput{
		DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
		SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	}, func(tx store.Store, m *auth.Member) error {
		return s.setMemberPassword(ctx, tx, p, m, h)
	})
}

// MemberMigrateInput is a b2b passwords migrate request.
type MemberMigrateInput struct {
	OrganizationID    string
	Email             string
	Hash              passhash.MigrateInput
	Name              *string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Roles             []string
	ExternalID        string
	// MFAPhoneNumber, if given, becomes the member's MFA phone number,
	// verified when MFAPhoneVerified is set.
	MFAPhoneNumber   string
	MFAPhoneVerified bool
}

// MemberMigrateResult is a successful b2b migrate.
type MemberMigrateResult struct {
	Member       *auth.Member
	Organization *auth.Organization
	Created      bool
}

// MigrateMember imports a password hash for the organization's member
// with the address, creating the member (active) when there is none. The
// next successful login rehashes it with argon2id, and checks it against
// breaches as for consumers.
func (s *Service) MigrateMember(ctx context.Context, p *auth.Project, in MemberMigrateInput) (*MemberMigrateResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	h, err := passhash.Import(in.Hash)
	if err != nil {
		return nil, importError(err)
	}
	res := &MemberMigrateResult{}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		o, err := organization.Lookup(ctx, tx, p.ID, in.OrganizationID)
		if err != nil {
			return err
		}
		res.Organization = o
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			c := member.CreateInput{
				Email: addr, ExternalID: in.ExternalID, Roles: in.Roles,
				TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata,
				MFAPhoneNumber: in.MFAPhoneNumber, MFAPhoneVerified: in.MFAPhoneVerified,
			}
			if in.Name != nil {
				c.Name = *in.Name
			}
			if m, err = s.members.CreateTx(ctx, tx, p, o, c); err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return fmt.Errorf("passwords: get member: %w", err)
		case m.Status == auth.MemberDeleted:
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted; reactivate it first.", addr, o.Name)
		default:
			u := member.UpdateInput{
				Name: in.Name, TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata,
				MFAPhoneVerified: in.MFAPhoneVerified,
			}
			if in.Roles != nil {
				u.Roles = &in.Roles
			}
			if in.ExternalID != "" {
				u.ExternalID = &in.ExternalID
			}
			if in.MFAPhoneNumber != "" {
				u.MFAPhoneNumber = &in.MFAPhoneNumber
			}
			m.Status = auth.MemberActive
			if err := s.members.UpdateTx(ctx, tx, p, o, m, u); err != nil {
				return err
			}
		}
		if err := s.setMemberPassword(ctx, tx, p, m, h); err != nil {
			return err
		}
		res.Member = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
