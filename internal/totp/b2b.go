package totp

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// MFA enrollment changes a B2B authenticate may ask for.
const (
	EnrollMFA   = member.EnrollMFA
	UnenrollMFA = member.UnenrollMFA
)

// MemberCreateInput is a B2B totp.create request.
type MemberCreateInput struct {
	OrganizationID    string // an ID, slug or external ID
	MemberID          string // an ID or external ID
	ExpirationMinutes int    // 0 means DefaultMemberMinutes
	discovery.MemberCredentials
}

// MemberCreateResult is a new member registration; see CreateResult.
type MemberCreateResult struct {
	RegistrationID string
	Secret         string
	QRCode         string
	RecoveryCodes  []string
	Member         *auth.Member
	Organization   *auth.Organization
}

// CreateMember registers a new authenticator app for a member. Credentials,
// when given, must belong to the member. As for users, a verified
// registration must be deleted first and a pending one is replaced.
func (s *Service) CreateMember(ctx context.Context, p *auth.Project, in MemberCreateInput) (*MemberCreateResult, error) {
	if err := checkMinutes(in.ExpirationMinutes); err != nil {
		return nil, err
	}
	if in.Count() > 1 {
		return nil, tooManyCredentials
	}
	minutes := in.ExpirationMinutes
	if minutes == 0 {
		minutes = DefaultMemberMinutes
	}
	o, m, err := organization.LookupActiveMember(ctx, s.store, p.ID, in.OrganizationID, in.MemberID)
	if err != nil {
		return nil, err
	}
	if err := s.discovery.CheckMemberCredentials(ctx, p, o, m, in.MemberCredentials); err != nil {
		return nil, err
	}
	var res *MemberCreateResult
	err = s.store.InTx(ctx, func(tx store.Store) error {
		existing, err := tx.GetMemberTOTP(ctx, p.ID, m.ID)
		if err := replace(ctx, tx, p, existing, err); err != nil {
			return err
		}
		e, err := s.enroll(p, auth.NewID(auth.KindMemberTOTP, p.Env), o.Name, m.EmailAddress, minutes)
		if err != nil {
			return err
		}
		e.reg.OrganizationID, e.reg.MemberID = o.ID, m.ID
		if err := insert(ctx, tx, p, e); err != nil {
			return err
		}
		res = &MemberCreateResult{
			RegistrationID: e.reg.ID, Secret: e.secret, QRCode: e.qrCode, RecoveryCodes: e.codes,
			Member: m, Organization: o,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// MemberLoginInput is what B2B totp.authenticate and
// recovery_codes.recover share: the member, the login the second factor
// completes, and the session to start or extend.
type MemberLoginInput struct {
	OrganizationID string
	MemberID       string
	discovery.MemberCredentials
	DurationMinutes int // 0 means session.DefaultMemberSessionMinutes
	CustomClaims    map[string]any
}

// MemberAuthenticateInput is a B2B totp.authenticate request.
type MemberAuthenticateInput struct {
	MemberLoginInput
	Code string
	// SetMFAEnrollment is "", EnrollMFA or UnenrollMFA; it is ignored when
	// the organization requires MFA of every member.
	SetMFAEnrollment string
	// SetDefaultMFA makes TOTP the member's default MFA method. The first
	// MFA a member completes becomes its default anyway.
	SetDefaultMFA bool
}

// AuthenticateMember checks a code from a member's authenticator app as
// the second factor of a login: it consumes the intermediate session (its
// factors join the new member session) or adds a totp factor to the
// member's session. A pending registration becomes the member's
// registration.
func (s *Service) AuthenticateMember(ctx context.Context, p *auth.Project, in MemberAuthenticateInput) (*session.MemberResult, error) {
	if err := checkCode(in.Code); err != nil {
		return nil, err
	}
	if err := member.CheckMFAEnrollment(in.SetMFAEnrollment); err != nil {
		return nil, err
	}
	res, _, err := s.memberLogin(ctx, p, in.MemberLoginInput, func(tx store.Store, reg *auth.TOTP, m *auth.Member, o *auth.Organization) (auth.AuthenticationFactor, error) {
		got, err := s.accept(ctx, tx, p, reg, in.Code)
		if err != nil {
			return auth.AuthenticationFactor{}, err
		}
		*reg = *got
		if err := s.updateMFA(ctx, tx, p, m, o, reg, in.SetMFAEnrollment, in.SetDefaultMFA); err != nil {
			return auth.AuthenticationFactor{}, err
		}
		return totpFactor(reg.ID, s.now().UTC()), nil
	})
	return res, err
}

// MemberRecoverInput is a B2B recovery_codes.recover request.
type MemberRecoverInput struct {
	MemberLoginInput
	RecoveryCode string
}

// RecoverMember spends one of a member's recovery codes as the second
// factor of a login, and returns the session with how many unused codes
// remain.
func (s *Service) RecoverMember(ctx context.Context, p *auth.Project, in MemberRecoverInput) (*session.MemberResult, int, error) {
	code, err := normalizeRecoveryCode(in.RecoveryCode)
	if err != nil {
		return nil, 0, err
	}
	return s.memberLogin(ctx, p, in.MemberLoginInput, func(tx store.Store, reg *auth.TOTP, m *auth.Member, o *auth.Organization) (auth.AuthenticationFactor, error) {
		rc, err := s.useRecoveryCode(ctx, tx, p, reg, code)
		if err != nil {
			return auth.AuthenticationFactor{}, err
		}
		return recoveryFactor(rc.ID, s.now().UTC()), nil
	})
}

var tooManyCredentials = auth.ErrTooManySessionArguments.WithMessage("Only one of intermediate_session_token, session_token or session_jwt may be provided.")

// memberLogin runs prove against the member's registration in a
// transaction, with the intermediate session consumed or the member
// session found in the same transaction, and attaches the proved factor
// to the member session; the JWT is minted after commit. It also returns
// how many unused recovery codes the registration has left.
func (s *Service) memberLogin(ctx context.Context, p *auth.Project, in MemberLoginInput,
	prove func(tx store.Store, reg *auth.TOTP, m *auth.Member, o *auth.Organization) (auth.AuthenticationFactor, error)) (*session.MemberResult, int, error) {
	switch in.Count() {
	case 0:
		// A second factor completes a login; alone it would be a primary
		// factor, which TOTP is not.
		return nil, 0, auth.ErrNoSessionArguments.WithMessage("One of intermediate_session_token, session_token or session_jwt must be provided.")
	case 1:
	default:
		return nil, 0, tooManyCredentials
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, 0, err
	}
	var (
		res       *session.MemberResult
		remaining int
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		o, m, err := organization.LookupActiveMember(ctx, tx, p.ID, in.OrganizationID, in.MemberID)
		if err != nil {
			return err
		}
		reg, err := tx.GetMemberTOTP(ctx, p.ID, m.ID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrTOTPNotFound.WithMessage("The member has no TOTP registration; create one first.")
		}
		if err != nil {
			return fmt.Errorf("totp: get registration: %w", err)
		}
		var factors []auth.AuthenticationFactor
		if in.IntermediateSessionToken != "" {
			ist, entered, err := s.discovery.ConsumeForMember(ctx, tx, p, in.IntermediateSessionToken, o, m)
			if err != nil {
				return err
			}
			factors, m = ist.Factors, entered
		}
		factor, err := prove(tx, reg, m, o)
		if err != nil {
			return err
		}
		if reg.Verified {
			m.TOTPRegistrationID = reg.ID // the store set it when the first code was accepted
		}
		res, err = s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: append(factors, factor),
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		codes, err := tx.ListRecoveryCodes(ctx, p.ID, reg.ID)
		if err != nil {
			return fmt.Errorf("totp: count recovery codes: %w", err)
		}
		for _, c := range codes {
			if c.UsedAt == nil {
				remaining++
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if err := s.sessions.FinishMember(ctx, p, res); err != nil {
		return nil, 0, err
	}
	return res, remaining, nil
}

// updateMFA applies what a successful TOTP authentication changes on the
// member, within tx (member.RecordMFA).
func (s *Service) updateMFA(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member, o *auth.Organization, reg *auth.TOTP, enrollment string, setDefault bool) error {
	m.TOTPRegistrationID = reg.ID
	if !member.RecordMFA(m, o, "totp", enrollment, setDefault) {
		return nil
	}
	m.UpdatedAt = s.now().UTC()
	if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
		return fmt.Errorf("totp: update member: %w", err)
	}
	return nil
}

// MemberCodesResult is a member's recovery codes with the member and
// organization.
type MemberCodesResult struct {
	RecoveryCodes []string
	Member        *auth.Member
	Organization  *auth.Organization
}

// MemberRecoveryCodes returns a member's unused recovery codes
// (recovery_codes.get).
func (s *Service) MemberRecoveryCodes(ctx context.Context, p *auth.Project, organizationID, memberID string) (*MemberCodesResult, error) {
	o, m, err := organization.LookupActiveMember(ctx, s.store, p.ID, organizationID, memberID)
	if err != nil {
		return nil, err
	}
	reg, err := s.memberRegistration(ctx, s.store, p, m)
	if err != nil {
		return nil, err
	}
	codes, err := s.unusedCodes(ctx, s.store, p, reg)
	if err != nil {
		return nil, err
	}
	return &MemberCodesResult{RecoveryCodes: codes, Member: m, Organization: o}, nil
}

// RotateMemberRecoveryCodes replaces a member's recovery codes with new
// ones and returns them (recovery_codes.rotate).
func (s *Service) RotateMemberRecoveryCodes(ctx context.Context, p *auth.Project, organizationID, memberID string) (*MemberCodesResult, error) {
	var res *MemberCodesResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		o, m, err := organization.LookupActiveMember(ctx, tx, p.ID, organizationID, memberID)
		if err != nil {
			return err
		}
		reg, err := s.memberRegistration(ctx, tx, p, m)
		if err != nil {
			return err
		}
		codes, err := s.rotate(ctx, tx, p, reg)
		if err != nil {
			return err
		}
		res = &MemberCodesResult{RecoveryCodes: codes, Member: m, Organization: o}
		return nil
	})
	return res, err
}

// DeleteMember removes a member's registration, verified or pending, so
// that it may register a new one (organizations.members.delete_totp), and
// returns the member and organization.
func (s *Service) DeleteMember(ctx context.Context, p *auth.Project, organizationID, memberID string) (*auth.Member, *auth.Organization, error) {
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if o, m, err = organization.LookupActiveMember(ctx, tx, p.ID, organizationID, memberID); err != nil {
			return err
		}
		reg, err := tx.GetMemberTOTP(ctx, p.ID, m.ID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrTOTPNotFound.WithMessage("The member has no TOTP registration.")
		}
		if err != nil {
			return fmt.Errorf("totp: get registration: %w", err)
		}
		if _, err := tx.DeleteTOTP(ctx, p.ID, reg.ID); err != nil {
			return fmt.Errorf("totp: delete registration: %w", err)
		}
		m.TOTPRegistrationID = "" // the store cleared it
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}

// memberRegistration returns a member's live registration.
func (s *Service) memberRegistration(ctx context.Context, st store.Store, p *auth.Project, m *auth.Member) (*auth.TOTP, error) {
	reg, err := st.GetMemberTOTP(ctx, p.ID, m.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !reg.Active(s.now().UTC())) {
		return nil, auth.ErrTOTPNotFound.WithMessage("The member has no TOTP registration.")
	}
	if err != nil {
		return nil, fmt.Errorf("totp: get registration: %w", err)
	}
	return reg, nil
}
