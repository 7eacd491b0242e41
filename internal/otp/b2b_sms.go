package otp

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// B2B SMS passcodes are a second factor only: they complete a login that
// stopped for MFA (consuming its intermediate session) or add a factor to
// a member's session. A code goes to the member's MFA phone number; a
// member without one gains the number its first send names, verified when
// a code sent to it authenticates. They are the consumer phone codes (same
// hashing, guesses, throttle per number, outbox), living two minutes.

var _ session.SMSChallenger = (*B2B)(nil)

// smsMethodID is the method a member's SMS passcodes are kept under: one
// live code per member, apart from its email codes.
func smsMethodID(memberID string) string { return "sms:" + memberID }

// B2BSMSSendInput is a b2b otps.sms.send request. The intermediate
// session token or session, when given, must be the member's.
type B2BSMSSendInput struct {
	OrganizationID string
	MemberID       string
	MFAPhoneNumber string
	Locale         string
	discovery.MemberCredentials
}

var tooManyCredentials = auth.ErrTooManySessionArguments.WithMessage("Only one of intermediate_session_token, session_token or session_jwt may be provided.")

// SendSMS texts a passcode to a member's MFA phone number. A member
// without one gains mfa_phone_number (unverified until a code sent to it
// authenticates); a member with one must not name another. In a test
// project the sandbox number (+10000000000) is sent nothing and takes
// SandboxCode.
func (s *B2B) SendSMS(ctx context.Context, p *auth.Project, in B2BSMSSendInput) (*MemberSendResult, error) {
	if in.Count() > 1 {
		return nil, tooManyCredentials
	}
	if err := checkLocale(in.Locale); err != nil {
		return nil, err
	}
	given := ""
	if in.MFAPhoneNumber != "" {
		n, err := user.NormalizePhone(p, in.MFAPhoneNumber)
		if err != nil {
			return nil, err
		}
		given = n
	}
	o, m, err := s.mfaMember(ctx, s.store, p, in.OrganizationID, in.MemberID)
	if err != nil {
		return nil, err
	}
	if err := s.discovery.CheckMemberCredentials(ctx, p, o, m, in.MemberCredentials); err != nil {
		return nil, err
	}
	number := m.MFAPhoneNumber
	switch {
	case number == "" && given == "":
		return nil, auth.ErrMemberPhoneNumberNotFound
	case number != "" && given != "" && given != number:
		return nil, auth.ErrDuplicateMemberPhoneNumberForMember
	case number == "":
		number = given
	}
	sandbox := p.Env == auth.EnvTest && number == auth.SandboxPhoneNumber
	if !sandbox {
		if err := s.mail.CanDeliverOn(p.Env, auth.ChannelSMS); err != nil {
			return nil, err
		}
		if err := s.throttle(ctx, p, number, s.now().UTC()); err != nil {
			return nil, err
		}
	}
	var deliver func(context.Context)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		if m, err = tx.GetMember(ctx, p.ID, o.ID, m.ID); err != nil {
			return fmt.Errorf("otp: get member: %w", err)
		}
		switch m.MFAPhoneNumber {
		case number:
		case "":
			// The first number a member is texted at becomes its MFA phone.
			m.MFAPhoneNumber, m.MFAPhoneVerified, m.UpdatedAt = number, false, s.now().UTC()
			if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
				return fmt.Errorf("otp: set mfa phone number: %w", err)
			}
		default:
			// Another send gave the member a number meanwhile.
			return auth.ErrDuplicateMemberPhoneNumberForMember
		}
		if sandbox {
			return nil
		}
		deliver, err = s.smsCode(ctx, tx, p, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	if deliver != nil {
		deliver(ctx)
	}
	return &MemberSendResult{Member: m, Organization: o}, nil
}

// ChallengeSMS implements session.SMSChallenger: the passcode texted as a
// login stops for MFA. A throttled number or a project that cannot text
// is not an error here: the login has stopped all the same, and the app
// may ask for a code with SendSMS, which reports why not.
func (s *B2B) ChallengeSMS(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member, o *auth.Organization) (bool, func(context.Context), error) {
	if p.Env == auth.EnvTest && m.MFAPhoneNumber == auth.SandboxPhoneNumber {
		return true, nil, nil
	}
	if s.mail.CanDeliverOn(p.Env, auth.ChannelSMS) != nil {
		return false, nil, nil
	}
	if err := s.throttle(ctx, p, m.MFAPhoneNumber, s.now().UTC()); errors.Is(err, auth.ErrTooManyRequests) {
		return false, nil, nil
	} else if err != nil {
		return false, nil, err
	}
	deliver, err := s.smsCode(ctx, tx, p, m)
	if err != nil {
		return false, nil, err
	}
	return true, deliver, nil
}

// smsCode issues, within tx, a passcode for the member's MFA phone and
// enqueues the text that carries it; the returned function delivers it
// after commit.
func (s *B2B) smsCode(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member) (func(context.Context), error) {
	now := s.now().UTC()
	msgID, err := s.sendCode(ctx, tx, p, &auth.OTP{
		MethodID: smsMethodID(m.ID), Delivery: auth.DeliverySMS, Address: m.MFAPhoneNumber,
	}, auth.OTPDefaultMinutes, now, func(code string) *auth.Message {
		return textMessage(p, auth.ChannelSMS, m.MFAPhoneNumber, code, auth.OTPDefaultMinutes)
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) { s.mail.Deliver(ctx, p.ID, msgID) }, nil
}

// B2BSMSAuthenticateInput is a b2b otps.sms.authenticate request.
type B2BSMSAuthenticateInput struct {
	OrganizationID string
	MemberID       string
	Code           string
	discovery.MemberCredentials
	DurationMinutes int
	CustomClaims    map[string]any
	// SetMFAEnrollment is "", member.EnrollMFA or member.UnenrollMFA.
	// When the organization requires MFA of everyone the member is
	// enrolled whatever it says (member.RecordMFA).
	SetMFAEnrollment string
	// SetDefaultMFA makes SMS the member's default MFA method (the first
	// second factor a member completes becomes its default anyway).
	SetDefaultMFA bool
}

// AuthenticateSMS checks a passcode texted to a member as the second
// factor of a login: it consumes the intermediate session (whose factors
// join the new member session) or adds an SMS factor to the member's
// session. The member's MFA phone becomes verified. A wrong code counts as
// a guess.
func (s *B2B) AuthenticateSMS(ctx context.Context, p *auth.Project, in B2BSMSAuthenticateInput) (*session.MemberResult, error) {
	if in.Code == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("code is required.")
	}
	if err := member.CheckMFAEnrollment(in.SetMFAEnrollment); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	switch in.Count() {
	case 0:
		// Alone, an SMS passcode would be a primary factor, which Stytch's
		// B2B SMS passcodes are not.
		return nil, auth.ErrNoSessionArguments.WithMessage("One of intermediate_session_token, session_token or session_jwt must be provided.")
	case 1:
	default:
		return nil, tooManyCredentials
	}
	o, m, err := s.mfaMember(ctx, s.store, p, in.OrganizationID, in.MemberID)
	if err != nil {
		return nil, err
	}
	if m.MFAPhoneNumber == "" {
		return nil, auth.ErrMemberPhoneNumberNotFound
	}
	// The credentials are checked before the code is spent: a request that
	// is refused for them keeps the member's code good.
	if err := s.discovery.CheckMemberCredentials(ctx, p, o, m, in.MemberCredentials); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	number := m.MFAPhoneNumber
	if p.Env == auth.EnvTest && number == auth.SandboxPhoneNumber {
		if !hmac.Equal([]byte(in.Code), []byte(SandboxCode)) {
			return nil, auth.ErrUnableToAuthOTPCode
		}
	} else {
		// Outside the transaction, so that a wrong guess is counted even
		// though the request fails.
		code, err := s.check(ctx, p, smsMethodID(m.ID), in.Code, now)
		if err != nil {
			return nil, err
		}
		if code.Address != number {
			// The member's number changed since the code was sent.
			return nil, auth.ErrOTPCodeNotFound
		}
	}
	var res *session.MemberResult
	err = s.store.InTx(ctx, func(tx store.Store) error {
		// Read again within tx, as SendSMS does: the member is written
		// whole below, and must not undo an update made since the read
		// above.
		m, err := tx.GetMember(ctx, p.ID, o.ID, m.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return auth.ErrMemberNotFound
		case err != nil:
			return fmt.Errorf("otp: get member: %w", err)
		case m.Status == auth.MemberDeleted:
			return auth.ErrMemberNotFound
		case m.MFAPhoneNumber != number:
			// The member's number changed since the code was checked.
			return auth.ErrOTPCodeNotFound
		}
		var factors []auth.AuthenticationFactor
		if in.IntermediateSessionToken != "" {
			ist, entered, err := s.discovery.ConsumeForMember(ctx, tx, p, in.IntermediateSessionToken, o, m)
			if err != nil {
				return err
			}
			factors, m = ist.Factors, entered
		}
		changed := member.RecordMFA(m, o, "sms_otp", in.SetMFAEnrollment, in.SetDefaultMFA)
		if !m.MFAPhoneVerified {
			m.MFAPhoneVerified, changed = true, true
		}
		if changed {
			m.UpdatedAt = now
			if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
				return fmt.Errorf("otp: update member: %w", err)
			}
		}
		res, err = s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: append(factors, factor(auth.DeliverySMS, "", number, now)),
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.FinishMember(ctx, p, res); err != nil {
		return nil, err
	}
	return res, nil
}

// mfaMember resolves the organization and member of a B2B SMS call: the
// member must not be deleted, and the organization must allow SMS as a
// second factor.
func (s *B2B) mfaMember(ctx context.Context, st store.Store, p *auth.Project, organizationID, memberID string) (*auth.Organization, *auth.Member, error) {
	o, m, err := organization.LookupActiveMember(ctx, st, p.ID, organizationID, memberID)
	if err != nil {
		return nil, nil, err
	}
	if err := organization.AllowsMFAMethod(o, "sms_otp"); err != nil {
		return nil, nil, err
	}
	return o, m, nil
}
