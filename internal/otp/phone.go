package otp

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// PhoneInput is an otps.sms or otps.whatsapp send or login_or_create
// request. UserID, SessionToken and SessionJWT (send only) name the user
// the number is for, who gains it once the code authenticates.
type PhoneInput struct {
	PhoneNumber       string
	ExpirationMinutes int
	CreatePending     bool
	Locale            string
	UserID            string
	SessionToken      string
	SessionJWT        string
}

// PhoneResult identifies the user and phone a code went to.
type PhoneResult struct {
	UserID  string
	PhoneID string
	Created bool
}

// LoginOrCreatePhone texts a code on ch (auth.ChannelSMS or
// auth.ChannelWhatsApp) to the user with this number, creating the user
// first when there is none.
func (s *Service) LoginOrCreatePhone(ctx context.Context, p *auth.Project, ch auth.Channel, in PhoneInput) (*PhoneResult, error) {
	if in.UserID != "" || in.SessionToken != "" || in.SessionJWT != "" {
		return nil, auth.ErrInvalidArgument.WithMessage("login_or_create takes no user_id, session_token or session_jwt; use send to add a number to a user.")
	}
	return s.sendPhone(ctx, p, ch, in, true)
}

// SendPhone texts a code on ch to an existing user's number, or, with a
// user ID or session, to a number that user will gain by authenticating
// the code.
func (s *Service) SendPhone(ctx context.Context, p *auth.Project, ch auth.Channel, in PhoneInput) (*PhoneResult, error) {
	return s.sendPhone(ctx, p, ch, in, false)
}

func (s *Service) sendPhone(ctx context.Context, p *auth.Project, ch auth.Channel, in PhoneInput, create bool) (*PhoneResult, error) {
	if !ch.Phone() {
		return nil, fmt.Errorf("otp: %q is not a phone channel", ch)
	}
	if in.PhoneNumber == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("phone_number is required.")
	}
	number, err := user.NormalizePhone(p, in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	minutes, err := expiration(in.ExpirationMinutes)
	if err != nil {
		return nil, err
	}
	if err := checkLocale(in.Locale); err != nil {
		return nil, err
	}
	if in.SessionToken != "" && in.SessionJWT != "" {
		return nil, auth.ErrTooManySessionArguments
	}
	if number == auth.SandboxPhoneNumber { // NormalizePhone admits it only in test projects
		return &PhoneResult{UserID: auth.SandboxUserID, PhoneID: auth.SandboxPhoneID}, nil
	}
	owner, err := s.namedUser(ctx, p, in)
	if err != nil {
		return nil, err
	}
	if err := s.mail.CanDeliverOn(p.Env, ch); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.throttle(ctx, p, number, now); err != nil {
		return nil, err
	}
	var (
		res   PhoneResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, ph, created, err := s.phoneOwner(ctx, tx, p, owner, number, create, in.CreatePending)
		if err != nil {
			return err
		}
		res.UserID, res.PhoneID, res.Created = u.ID, ph.ID, created
		msgID, err = s.sendCode(ctx, tx, p, &auth.OTP{
			MethodID: ph.ID, UserID: u.ID, Delivery: auth.DeliveryMethod(ch), Address: number,
		}, minutes, now, func(code string) *auth.Message { return textMessage(p, ch, number, code, minutes) })
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// namedUser returns the user a send names by ID or session, or nil when it
// names none.
func (s *Service) namedUser(ctx context.Context, p *auth.Project, in PhoneInput) (*auth.User, error) {
	switch {
	case in.SessionToken != "" || in.SessionJWT != "":
		if in.UserID != "" {
			return nil, auth.ErrInvalidArgument.WithMessage("Pass user_id or a session, not both.")
		}
		// A read: naming the user refreshes no session and signs no JWT.
		_, u, err := s.sessions.GetOrSandbox(ctx, p, in.SessionToken, in.SessionJWT)
		return u, err
	case in.UserID != "":
		return s.users.Get(ctx, p.ID, in.UserID)
	}
	return nil, nil
}

// phoneOwner returns, within tx, the user a code for number goes to and
// the phone it is sent to. For a named user (owner) who does not have the
// number yet, the phone is new: its ID is fixed now, and the record is
// written only when the code authenticates (verifyPhone).
func (s *Service) phoneOwner(ctx context.Context, tx store.Store, p *auth.Project, owner *auth.User, number string, create, pending bool) (*auth.User, auth.Phone, bool, error) {
	if owner == nil {
		return s.users.LoginOrCreatePhone(ctx, tx, p, number, create, pending)
	}
	if ph, ok := owner.PhoneByNumber(number); ok {
		return owner, ph, false, nil
	}
	other, err := s.users.GetByPhone(ctx, tx, p.ID, number)
	switch {
	case err == nil && other.ID != owner.ID:
		return nil, auth.Phone{}, false, auth.ErrDuplicatePhoneNumber.WithMessage("Another user has the phone number %s.", number)
	case err != nil && !errors.Is(err, auth.ErrUserNotFound):
		return nil, auth.Phone{}, false, err
	}
	return owner, auth.Phone{ID: auth.NewID(auth.KindPhone, p.Env), UserID: owner.ID, Number: number}, false, nil
}

// verifyPhone marks the phone a code was sent to verified, adding it to
// the user first when the send named a number the user did not have.
func (s *Service) verifyPhone(ctx context.Context, tx store.Store, u *auth.User, o *auth.OTP) error {
	if _, ok := u.PhoneByID(o.MethodID); !ok {
		_, err := s.users.AttachPhone(ctx, tx, u, o.MethodID, o.Address)
		return err
	}
	if err := tx.VerifyPhone(ctx, u.ProjectID, o.MethodID); err != nil {
		return fmt.Errorf("otp: verify phone: %w", err)
	}
	for i := range u.Phones {
		if u.Phones[i].ID == o.MethodID {
			u.Phones[i].Verified = true
		}
	}
	return nil
}
