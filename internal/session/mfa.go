package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// Multi-factor authentication is decided here, where every B2B login
// becomes a member session (AttachMember): a login into an organization
// that requires MFA of the member, without a second factor, starts no
// session but an intermediate session bound to the member, which a second
// factor (TOTP, a recovery code, an SMS passcode) later completes through
// AttachMember again. Products never decide it themselves, so a new
// primary factor gets the rule for free.

// MFARequired says that a login stopped for a second factor, and which
// ones the member already has (Stytch's mfa_required).
type MFARequired struct {
	// PhoneNumber and TOTPRegistrationID are the member's MFA phone
	// number and verified TOTP registration, each "" when it has none;
	// HasOptions reports whether either is set.
	PhoneNumber        string
	TOTPRegistrationID string
	// SecondaryAuthInitiated is "sms_otp" when a passcode was already sent
	// to PhoneNumber as the login stopped, and "" otherwise.
	SecondaryAuthInitiated string
}

// HasOptions reports whether the member has any second factor enrolled;
// without one it must enroll (register TOTP or a phone) with the
// intermediate session token first.
func (r *MFARequired) HasOptions() bool { return r.PhoneNumber != "" || r.TOTPRegistrationID != "" }

// MFARequirement returns what member m (nil for someone who would join o
// by email domain) still needs to log in to o with factors: nil when o does
// not require MFA of m or one of the factors is an MFA factor of m that o
// allows.
func MFARequirement(o *auth.Organization, m *auth.Member, factors []auth.AuthenticationFactor) *MFARequired {
	if !organization.RequiresMFA(o, m) || passesMFA(o, m, factors) {
		return nil
	}
	r := &MFARequired{}
	if m != nil {
		if organization.AllowsMFAMethod(o, "sms_otp") == nil {
			r.PhoneNumber = m.MFAPhoneNumber
		}
		if organization.AllowsMFAMethod(o, "totp") == nil {
			r.TOTPRegistrationID = m.TOTPRegistrationID
		}
	}
	return r
}

// passesMFA reports whether one of factors is a second factor of m that o
// accepts. A factor counts only for the member it proves something of: a
// code from another member's authenticator app, or a passcode to another
// phone number, does not, so factors carried from another organization's
// session cannot stand in for this member's.
func passesMFA(o *auth.Organization, m *auth.Member, factors []auth.AuthenticationFactor) bool {
	if m == nil {
		return false
	}
	return slices.ContainsFunc(factors, func(f auth.AuthenticationFactor) bool {
		method := organization.MFAMethod(f)
		if method == "" || organization.AllowsMFAMethod(o, method) != nil {
			return false
		}
		switch {
		case f.AuthenticatorAppFactor != nil:
			return f.AuthenticatorAppFactor.TOTPID == m.TOTPRegistrationID
		case f.RecoveryCodeFactor != nil:
			// A recovery code was spent on the member's own registration:
			// nothing else produces one for it.
			return true
		case f.PhoneNumberFactor != nil:
			// An SMS passcode proves the phone it went to; it is this
			// member's second factor when that is the member's verified
			// MFA phone (so a session exchange carries it into another
			// organization only to a member with the same phone, as
			// Stytch's does).
			return m.MFAPhoneVerified && f.PhoneNumberFactor.PhoneNumber == m.MFAPhoneNumber
		}
		return false
	})
}

// checkMFAMethods refuses a second factor o does not allow, whether or not
// the login needs one: an organization that restricts its MFA methods
// accepts no other.
func checkMFAMethods(o *auth.Organization, factors []auth.AuthenticationFactor) error {
	for _, f := range factors {
		if method := organization.MFAMethod(f); method != "" {
			if err := organization.AllowsMFAMethod(o, method); err != nil {
				return err
			}
		}
	}
	return nil
}

// IntermediateInput is what an intermediate session holds: the address
// and factors that were proved, and, when a login into an organization
// stopped for MFA, the organization and member it completes.
type IntermediateInput struct {
	EmailAddress   string
	Factors        []auth.AuthenticationFactor
	OrganizationID string
	MemberID       string
}

// StartIntermediate issues an intermediate session within tx and returns
// its token; only the token's hash is stored. Discovery and logins that
// stop for MFA both start theirs here.
func (s *Service) StartIntermediate(ctx context.Context, tx store.Store, p *auth.Project, in IntermediateInput) (string, error) {
	now := s.now().UTC()
	tok := token.NewSession()
	ist := &auth.IntermediateSession{
		ID:             auth.NewID(auth.KindIntermediateSession, p.Env),
		ProjectID:      p.ID,
		TokenHash:      token.Hash(tok),
		EmailAddress:   in.EmailAddress,
		Factors:        slices.Clone(in.Factors),
		OrganizationID: in.OrganizationID,
		MemberID:       in.MemberID,
		CreatedAt:      now,
		ExpiresAt:      now.Add(auth.IntermediateSessionLifetime),
	}
	if err := tx.CreateIntermediateSession(ctx, p.ID, ist); err != nil {
		return "", fmt.Errorf("session: create intermediate session: %w", err)
	}
	return tok, nil
}

// SMSChallenger texts a member a passcode for its SMS second factor as a
// login stops for MFA, as Stytch does for a member with an MFA phone
// (secondary_auth_initiated "sms_otp"). The passcode service implements
// it; it cannot be a constructor argument, since that service is built on
// this one.
type SMSChallenger interface {
	// ChallengeSMS issues, within tx, a passcode to the member's MFA phone
	// and enqueues the text that carries it. It reports whether a passcode
	// went out (false when sends to that phone are throttled or the
	// project cannot send texts: the member can still ask for one), and
	// returns what to run after commit to deliver it (nil for none).
	ChallengeSMS(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member, o *auth.Organization) (sent bool, deliver func(context.Context), err error)
}

// SetSMSChallenger makes logins that stop for MFA text the member a
// passcode through c. Call it while wiring, before serving.
func (s *Service) SetSMSChallenger(c SMSChallenger) { s.sms = c }

// textsFirst reports whether a login that stops for mfa should text the
// member a passcode right away: it has an MFA phone the organization
// accepts, and SMS is its default method or its only one (a member who
// prefers its authenticator app is not texted on every login).
func textsFirst(m *auth.Member, mfa *MFARequired) bool {
	return mfa.PhoneNumber != "" && (m.DefaultMFAMethod == "sms_otp" || mfa.TOTPRegistrationID == "")
}
