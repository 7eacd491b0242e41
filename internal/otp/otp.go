// Package otp sends and authenticates one-time passcodes. A code is six
// random digits sent to an email address, or to a phone number by SMS or
// WhatsApp; only an HMAC of it under a server key is stored, it
// lives two minutes unless the request says otherwise (one to ten), dies
// after five wrong guesses or when a newer code is sent, and is consumed
// by one conditional UPDATE. Sends to an address are throttled.
package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// Mail is the delivery the service needs, for email and text messages
// alike: the policy check before a code is issued, a durable enqueue in
// the issuing transaction and an immediate attempt after commit
// (delivery.Outbox).
type Mail interface {
	// CanDeliver is CanDeliverOn for email.
	CanDeliver(env auth.Env) error
	CanDeliverOn(env auth.Env, ch auth.Channel) error
	Enqueue(ctx context.Context, tx store.Outbox, projectID string, env auth.Env, m *auth.Message) error
	Deliver(ctx context.Context, projectID, messageID string)
}

// SandboxCode is the code Stytch's test environment accepts for the
// sandbox email address.
const SandboxCode = "000000"

// Service sends and authenticates passcodes.
type Service struct {
	store    store.Store
	users    *user.Service
	sessions *session.Service
	mail     Mail
	key      []byte // HMAC key for stored codes
	now      func() time.Time
}

// NewService returns a Service. key keys the HMAC codes are stored as; it
// must stay the same across restarts, or live codes stop matching.
func NewService(st store.Store, users *user.Service, sessions *session.Service, mail Mail, key []byte, now func() time.Time) *Service {
	return &Service{store: st, users: users, sessions: sessions, mail: mail, key: key, now: now}
}

// EmailInput is an otps.email.send or login_or_create request.
type EmailInput struct {
	Email             string
	ExpirationMinutes int
	CreatePending     bool
	Locale            string
}

// SendResult identifies the user and email a code went to.
type SendResult struct {
	UserID  string
	EmailID string
	Created bool
}

// LoginOrCreateEmail emails a code to the user with this address, creating
// the user first when there is none.
func (s *Service) LoginOrCreateEmail(ctx context.Context, p *auth.Project, in EmailInput) (*SendResult, error) {
	return s.sendEmail(ctx, p, in, true)
}

// SendEmail emails a code to an existing user's address.
func (s *Service) SendEmail(ctx context.Context, p *auth.Project, in EmailInput) (*SendResult, error) {
	return s.sendEmail(ctx, p, in, false)
}

func (s *Service) sendEmail(ctx context.Context, p *auth.Project, in EmailInput, create bool) (*SendResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
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
	if p.Env == auth.EnvTest && addr == auth.SandboxEmail {
		return &SendResult{UserID: auth.SandboxUserID, EmailID: auth.SandboxEmailID}, nil
	}
	if err := s.mail.CanDeliver(p.Env); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if err := s.throttle(ctx, p, addr, now); err != nil {
		return nil, err
	}
	var (
		res   SendResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, email, created, err := s.users.LoginOrCreate(ctx, tx, p, addr, create, in.CreatePending)
		if err != nil {
			return err
		}
		res.UserID, res.EmailID, res.Created = u.ID, email.ID, created
		msgID, err = s.emailCode(ctx, tx, p, &auth.OTP{
			MethodID: email.ID, UserID: u.ID, Delivery: auth.DeliveryEmail, Address: addr,
		}, p.Name, minutes, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// throttle refuses a send when the address already got auth.MaxSends
// codes in the last auth.SendWindow, counted from the stored codes.
func (s *Service) throttle(ctx context.Context, p *auth.Project, address string, now time.Time) error {
	n, err := s.store.CountOTPs(ctx, p.ID, address, now.Add(-auth.SendWindow))
	if err != nil {
		return fmt.Errorf("otp: count sends: %w", err)
	}
	if n >= auth.MaxSends {
		return auth.ErrTooManyRequests.WithMessage("Too many passcodes were sent to %s; wait a few minutes before sending another.", address)
	}
	return nil
}

// emailCode issues a code for o's method within tx and enqueues the email
// that carries it, naming sender, and returns the message's ID for
// Deliver after commit.
func (s *Service) emailCode(ctx context.Context, tx store.Store, p *auth.Project, o *auth.OTP, sender string, minutes int, now time.Time) (string, error) {
	return s.sendCode(ctx, tx, p, o, minutes, now, func(code string) *auth.Message {
		return emailMessage(p, sender, o.Address, code, minutes)
	})
}

// sendCode issues a code for o's method within tx and enqueues the
// message that carries it, as message writes it, in the same transaction;
// it returns the message's ID for Deliver after commit.
func (s *Service) sendCode(ctx context.Context, tx store.Store, p *auth.Project, o *auth.OTP, minutes int, now time.Time,
	message func(code string) *auth.Message) (string, error) {
	code, err := s.issue(ctx, tx, p, o, minutes, now)
	if err != nil {
		return "", err
	}
	m := message(code)
	m.ID = auth.NewID(auth.KindMessage, p.Env)
	m.CreatedAt, m.NextAttemptAt = now, now
	if err := s.mail.Enqueue(ctx, tx, p.ID, p.Env, m); err != nil {
		return "", fmt.Errorf("otp: enqueue %s: %w", m.Channel, err)
	}
	return m.ID, nil
}

// issue stores a new code for o's method, valid for minutes, and returns
// the code to send.
func (s *Service) issue(ctx context.Context, tx store.Store, p *auth.Project, o *auth.OTP, minutes int, now time.Time) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	o.ID = auth.NewID(auth.KindOTP, p.Env)
	o.ProjectID = p.ID
	o.CodeHash = s.hash(o.MethodID, code)
	o.CreatedAt = now
	o.ExpiresAt = now.Add(time.Duration(minutes) * time.Minute)
	if err := tx.CreateOTP(ctx, p.ID, o); err != nil {
		return "", fmt.Errorf("otp: store code: %w", err)
	}
	return code, nil
}

// AuthenticateInput is an otps.authenticate request.
type AuthenticateInput struct {
	MethodID        string
	Code            string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
}

// AuthenticateResult is a successful passcode authentication.
type AuthenticateResult struct {
	MethodID string
	session.Result
}

// Authenticate checks a code against the live code of its method:
// consumed on a match (the user becomes active, the address verified, and
// a session starts or grows when asked), counted as a wrong guess
// otherwise.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, error) {
	if in.MethodID == "" || in.Code == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("method_id and code are required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if !auth.HasKind(in.MethodID, auth.KindEmail) && !auth.HasKind(in.MethodID, auth.KindPhone) {
		// B2B codes share the table under other method IDs (a member ID,
		// "sms:<member>", "discovery:<address>"): as far as consumer
		// passcodes go they do not exist, so none is spent or guessed at
		// here.
		return nil, auth.ErrOTPCodeNotFound
	}
	if p.Env == auth.EnvTest && (in.MethodID == auth.SandboxEmailID || in.MethodID == auth.SandboxPhoneID) {
		return s.sandbox(ctx, p, in)
	}
	now := s.now().UTC()
	o, err := s.check(ctx, p, in.MethodID, in.Code, now)
	if err != nil {
		return nil, err
	}
	var res *AuthenticateResult
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := tx.GetUser(ctx, p.ID, o.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrOTPCodeNotFound
		}
		if err != nil {
			return fmt.Errorf("otp: get user: %w", err)
		}
		if o.Delivery == auth.DeliveryEmail {
			if err := s.users.VerifyEmail(ctx, tx, p, u, o.MethodID); err != nil {
				return err
			}
		} else if err := s.verifyPhone(ctx, tx, u, o); err != nil {
			return err
		}
		if err := s.users.Activate(ctx, tx, u); err != nil {
			return err
		}
		sres, err := s.sessions.Attach(ctx, tx, p, session.AttachInput{
			User: u, Factor: factor(o.Delivery, o.MethodID, o.Address, now),
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims, Attributes: in.Attributes,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res = &AuthenticateResult{MethodID: o.MethodID, Result: *sres}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Finish(ctx, p, &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// sandbox answers the sandbox email's and phone's method IDs: SandboxCode succeeds,
// anything else is a wrong code.
func (s *Service) sandbox(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, error) {
	if !hmac.Equal([]byte(in.Code), []byte(SandboxCode)) {
		return nil, auth.ErrUnableToAuthOTPCode
	}
	res := &AuthenticateResult{MethodID: in.MethodID, Result: session.Result{User: auth.SandboxUser(p.ID)}}
	if in.DurationMinutes > 0 {
		sres, err := s.sessions.Sandbox(ctx, p)
		if err != nil {
			return nil, err
		}
		res.Result = *sres
	}
	return res, nil
}

// factor is the authentication factor a passcode proves.
func factor(d auth.DeliveryMethod, methodID, address string, now time.Time) auth.AuthenticationFactor {
	f := auth.AuthenticationFactor{Type: auth.FactorOTP, DeliveryMethod: d, LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now}
	if d == auth.DeliveryEmail {
		f.EmailFactor = &auth.EmailFactor{EmailID: methodID, EmailAddress: address}
	} else {
		f.PhoneNumberFactor = &auth.PhoneNumberFactor{PhoneID: methodID, PhoneNumber: address}
	}
	return f
}

func (s *Service) hash(methodID, code string) []byte { return Hash(s.key, methodID, code) }

// Hash is the stored form of a code: HMAC-SHA256 under key of the method
// ID, a zero byte and the code. Bound to the method, a code's hash is
// worthless for any other method; keyed, a leaked table does not give the
// codes away to a brute force of their million values.
func Hash(key []byte, methodID, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(methodID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// newCode returns six uniformly random digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("otp: random code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func expiration(m int) (int, error) {
	if m == 0 {
		return auth.OTPDefaultMinutes, nil
	}
	if m < auth.OTPMinMinutes || m > auth.OTPMaxMinutes {
		return 0, auth.ErrInvalidExpirationOTP
	}
	return m, nil
}
