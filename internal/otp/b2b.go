package otp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// B2B passcodes: email codes that log a member in to one organization, or
// prove an address for discovery. They are the consumer codes (same
// hashing, five guesses, replacement by a newer code, send throttle,
// durable email); what differs is whom a code is for (a member, or just an
// address), the organization policy checked before anything is sent, and
// Stytch's B2B lifetimes.

// B2B email code lifetimes, in minutes, as Stytch's: 10 unless the request
// says 2 to 15.
const (
	DefaultB2BEmailMinutes = 10
	minB2BEmailMinutes     = 2
	maxB2BEmailMinutes     = 15
)

// B2B serves B2B passcodes on a Service's machinery.
type B2B struct {
	*Service
	members   *member.Service
	discovery *discovery.Service
}

// NewB2B returns the B2B passcodes of svc.
func NewB2B(svc *Service, members *member.Service, disc *discovery.Service) *B2B {
	return &B2B{Service: svc, members: members, discovery: disc}
}

// discoveryMethodID is the method a discovery code is kept under: the
// address, since no member is named yet. It cannot collide with a member
// ID or an email ID, which never contain "@".
func discoveryMethodID(address string) string { return "discovery:" + address }

// b2bMinutes checks a B2B email code lifetime parameter named name.
func b2bMinutes(m int, name string) (int, error) {
	if m == 0 {
		return DefaultB2BEmailMinutes, nil
	}
	if m < minB2BEmailMinutes || m > maxB2BEmailMinutes {
		return 0, auth.ErrInvalidExpirationOTP.WithMessage("%s must be between %d and %d.", name, minB2BEmailMinutes, maxB2BEmailMinutes)
	}
	return m, nil
}

// checkLocale accepts the locales Stytch's OTP endpoints take; Latch's
// messages are in English whichever is asked.
func checkLocale(locale string) error {
	switch locale {
	case "", "en", "es", "pt-br", "fr", "it", "de-DE", "zh-Hans", "ca-ES":
		return nil
	}
	return auth.ErrInvalidLocale
}

// B2BEmailInput is a b2b otps.email.login_or_signup request. Template IDs
// are accepted by the API and not used: Latch sends its own email.
type B2BEmailInput struct {
	OrganizationID string
	Email          string
	LoginMinutes   int
	SignupMinutes  int
	Locale         string
}

// MemberSendResult is the member a B2B code went to, in its organization.
type MemberSendResult struct {
	Member       *auth.Member
	Organization *auth.Organization
	Created      bool
}

// LoginOrSignupEmail emails a code to the organization's member with this
// address, or creates a pending member (when the organization's email
// policy lets the address join) and emails it one. The organization must
// allow email_otp.
func (s *B2B) LoginOrSignupEmail(ctx context.Context, p *auth.Project, in B2BEmailInput) (*MemberSendResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	login, err := b2bMinutes(in.LoginMinutes, "login_expiration_minutes")
	if err != nil {
		return nil, err
	}
	signup, err := b2bMinutes(in.SignupMinutes, "signup_expiration_minutes")
	if err != nil {
		return nil, err
	}
	if err := checkLocale(in.Locale); err != nil {
		return nil, err
	}
	if err := s.mail.CanDeliver(p.Env); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.throttle(ctx, p, addr, now); err != nil {
		return nil, err
	}
	var (
		res   MemberSendResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		o, err := organization.Lookup(ctx, tx, p.ID, in.OrganizationID)
		if err != nil {
			return err
		}
		if err := organization.AllowsAuthMethod(o, "email_otp"); err != nil {
			return err
		}
		res.Organization = o
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := organization.CanJITProvision(o, addr); err != nil {
				return err
			}
			if m, err = s.members.CreateTx(ctx, tx, p, o, member.CreateInput{Email: addr, Status: auth.MemberPending}); err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return fmt.Errorf("otp: get member: %w", err)
		case m.Status == auth.MemberDeleted:
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted; reactivate it first.", addr, o.Name)
		}
		res.Member = m
		minutes := login
		if m.Status != auth.MemberActive {
			minutes = signup
		}
		msgID, err = s.emailCode(ctx, tx, p, &auth.OTP{MethodID: m.ID, Delivery: auth.DeliveryEmail, Address: addr}, o.Name, minutes, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// B2BEmailAuthenticateInput is a b2b otps.email.authenticate request.
type B2BEmailAuthenticateInput struct {
	OrganizationID string
	Email          string
	Code           string
	// IntermediateSessionToken, when given, holds factors of the same
	// member (or that proved its address) to join the session's.
	IntermediateSessionToken string
	SessionToken             string
	SessionJWT               string
	DurationMinutes          int
	CustomClaims             map[string]any
}

// B2BAuthenticateResult is a member logged in (or stopped for MFA) by an
// email code.
type B2BAuthenticateResult struct {
	MethodID string
	session.MemberResult
}

// AuthenticateEmail checks a code emailed to a member: on a match the code
// is consumed, the member becomes active with its email verified, and the
// login goes through session.AttachMember (a member session, 60 minutes
// unless the request says otherwise, or an intermediate session when the
// organization requires MFA). A wrong code counts as a guess.
func (s *B2B) AuthenticateEmail(ctx context.Context, p *auth.Project, in B2BEmailAuthenticateInput) (*B2BAuthenticateResult, error) {
	if in.Code == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("code is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	creds := discovery.MemberCredentials{IntermediateSessionToken: in.IntermediateSessionToken, SessionToken: in.SessionToken, SessionJWT: in.SessionJWT}
	if creds.Count() > 1 {
		return nil, auth.ErrTooManySessionArguments.WithMessage("Only one of intermediate_session_token, session_token or session_jwt may be provided.")
	}
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	o, err := organization.Lookup(ctx, s.store, p.ID, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	m, err := s.store.GetMemberByEmail(ctx, p.ID, o.ID, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrMemberNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("otp: get member: %w", err)
	}
	// The credentials are checked before the code is spent: a request that
	// is refused for them keeps the member's code good.
	if err := s.discovery.CheckMemberCredentials(ctx, p, o, m, discovery.MemberCredentials{
		IntermediateSessionToken: in.IntermediateSessionToken, SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	}); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	// Outside the transaction, so that a wrong guess is counted even
	// though the request fails.
	if _, err := s.check(ctx, p, m.ID, in.Code, now); err != nil {
		return nil, err
	}
	var res *B2BAuthenticateResult
	err = s.store.InTx(ctx, func(tx store.Store) error {
		factors := []auth.AuthenticationFactor{factor(auth.DeliveryEmail, "", addr, now)}
		var (
			m   = m
			err error
		)
		if in.IntermediateSessionToken != "" {
			// The intermediate session's factors join this one's: a login
			// that needed another primary factor (primary_required).
			// ConsumeForMember enters the member with both.
			var ist *auth.IntermediateSession
			if ist, m, err = s.discovery.ConsumeForMember(ctx, tx, p, in.IntermediateSessionToken, o, m, factors...); err != nil {
				return err
			}
			factors = append(slices.Clone(ist.Factors), factors...)
		} else if m, err = s.discovery.Enter(ctx, tx, p, o, m, addr, factors); err != nil {
			return err
		}
		mres, err := s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: factors,
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res = &B2BAuthenticateResult{MethodID: m.ID, MemberResult: *mres}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.FinishMember(ctx, p, &res.MemberResult); err != nil {
		return nil, err
	}
	return res, nil
}

// DiscoveryEmailInput is a b2b otps.email.discovery.send request.
type DiscoveryEmailInput struct {
	Email   string
	Minutes int
	Locale  string
}

// SendDiscoveryEmail emails a code that proves the address for discovery,
// before any organization is chosen.
func (s *B2B) SendDiscoveryEmail(ctx context.Context, p *auth.Project, in DiscoveryEmailInput) error {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	minutes, err := b2bMinutes(in.Minutes, "discovery_expiration_minutes")
	if err != nil {
		return err
	}
	if err := checkLocale(in.Locale); err != nil {
		return err
	}
	if err := s.mail.CanDeliver(p.Env); err != nil {
		return err
	}
	now := s.now().UTC()
	if err := s.throttle(ctx, p, addr, now); err != nil {
		return err
	}
	var msgID string
	err = s.store.InTx(ctx, func(tx store.Store) error {
		msgID, err = s.emailCode(ctx, tx, p, &auth.OTP{MethodID: discoveryMethodID(addr), Delivery: auth.DeliveryEmail, Address: addr}, p.Name, minutes, now)
		return err
	})
	if err != nil {
		return err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return nil
}

// DiscoveryResult is a proven address, its intermediate session token and
// the organizations it may enter.
type DiscoveryResult struct {
	IntermediateSessionToken string
	EmailAddress             string
	Discovered               []discovery.Discovered
}

// AuthenticateDiscoveryEmail checks a discovery code and starts an
// intermediate session for its address.
func (s *B2B) AuthenticateDiscoveryEmail(ctx context.Context, p *auth.Project, email, code string) (*DiscoveryResult, error) {
	if code == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("code is required.")
	}
	addr, err := user.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if _, err := s.check(ctx, p, discoveryMethodID(addr), code, now); err != nil {
		return nil, err
	}
	var res *DiscoveryResult
	err = s.store.InTx(ctx, func(tx store.Store) error {
		factors := []auth.AuthenticationFactor{factor(auth.DeliveryEmail, "", addr, now)}
		ist, err := s.discovery.Start(ctx, tx, p, addr, factors)
		if err != nil {
			return err
		}
		ds, err := s.discovery.Discovered(ctx, tx, p, addr, factors)
		if err != nil {
			return err
		}
		res = &DiscoveryResult{IntermediateSessionToken: ist, EmailAddress: addr, Discovered: ds}
		return nil
	})
	return res, err
}

// check consumes the live code of a method if code matches it, and
// counts a wrong guess otherwise.
func (s *Service) check(ctx context.Context, p *auth.Project, methodID, code string, now time.Time) (*auth.OTP, error) {
	o, err := s.store.AuthenticateOTP(ctx, p.ID, methodID, s.hash(methodID, code), now, auth.OTPMaxAttempts)
	switch {
	case errors.Is(err, store.ErrMismatch):
		return nil, auth.ErrUnableToAuthOTPCode
	case errors.Is(err, store.ErrNotFound):
		return nil, auth.ErrOTPCodeNotFound
	case err != nil:
		return nil, fmt.Errorf("otp: authenticate: %w", err)
	}
	return o, nil
}
