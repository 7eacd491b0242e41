package passwords

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// Password resets, consumer. Three ways to prove the right to set a new
// password: a link emailed to the address, the existing password, or a
// session that authenticated recently. Every reset checks the new
// password as create does, replaces the hash (clearing a required reset)
// and revokes the user's other sessions, as Stytch's resets do; the
// session the reset answers with, if any, is the one kept.

// RecentFactorWindow is how recently a session must have authenticated
// to reset its user's password with passwords/session/reset.
const RecentFactorWindow = 5 * time.Minute

// ResetStartInput is a passwords email reset/start request.
type ResetStartInput struct {
	Email         string
	RedirectURL   string // reset_password_redirect_url
	LoginURL      string // login_redirect_url
	Minutes       int    // reset_password_expiration_minutes
	CodeChallenge string
	Locale        string
}

// ResetStartResult identifies the user a reset link went to.
type ResetStartResult struct {
	UserID  string
	EmailID string
}

// ResetStart emails a password reset link to the user with the address.
// A user without a password may use it to set one. An address no user has
// is refused with email_not_found, as Stytch does.
func (s *Service) ResetStart(ctx context.Context, p *auth.Project, in ResetStartInput) (*ResetStartResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := s.links.CheckSend(p, in.Locale, in.Minutes); err != nil {
		return nil, err
	}
	var (
		res   ResetStartResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := s.users.GetByEmail(ctx, tx, p.ID, addr)
		if errors.Is(err, auth.ErrUserNotFound) {
			return auth.ErrEmailNotFound.WithMessage("No user has the email address %s.", addr)
		}
		if err != nil {
			return err
		}
		email, _ := u.EmailByAddress(addr)
		res = ResetStartResult{UserID: u.ID, EmailID: email.ID}
		msgID, err = s.links.SendReset(ctx, tx, p, magiclink.ResetInput{
			Token: &auth.OneTimeToken{
				Kind: auth.TokenPasswordReset, UserID: u.ID, EmailID: email.ID, EmailAddress: addr, CodeChallenge: in.CodeChallenge,
			},
			RedirectURL: in.RedirectURL, LoginURL: in.LoginURL, Minutes: in.Minutes, Brand: p.Name,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.links.Deliver(ctx, p, msgID)
	return &res, nil
}

// ResetByEmailInput is a passwords email reset request.
type ResetByEmailInput struct {
	Token        string
	Password     string
	CodeVerifier string
	Session      SessionInput
}

// ResetByEmail sets a new password with a reset link's token. The token
// is spent only when the password is accepted, so a user refused for a
// weak password can try another with the same link. The address the link
// went to becomes verified, a pending user active.
func (s *Service) ResetByEmail(ctx context.Context, p *auth.Project, in ResetByEmailInput) (*Result, error) {
	if err := checkLength(in.Password); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.Session.DurationMinutes); err != nil {
		return nil, err
	}
	t, err := s.links.PeekReset(ctx, p, in.Token, in.CodeVerifier, auth.TokenPasswordReset)
	if err != nil {
		return nil, err
	}
	h, err := s.newHash(ctx, p, in.Password, t.EmailAddress)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.store.InTx(ctx, func(tx store.Store) error {
		if _, err := s.links.ConsumeReset(ctx, tx, p, in.Token, auth.TokenPasswordReset); err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, p.ID, t.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrUnableToAuthPasswordResetToken
		}
		if err != nil {
			return fmt.Errorf("passwords: get user: %w", err)
		}
		if err := tx.VerifyEmail(ctx, p.ID, t.EmailID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("passwords: verify email: %w", err)
		}
		for i := range u.Emails {
			if u.Emails[i].ID == t.EmailID {
				u.Emails[i].Verified = true
			}
		}
		if err := s.users.Activate(ctx, tx, u); err != nil {
			return err
		}
		now := s.now().UTC()
		factor := auth.AuthenticationFactor{
			Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
			LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
			EmailFactor: &auth.EmailFactor{EmailID: t.EmailID, EmailAddress: t.EmailAddress},
		}
		res, err = s.reset(ctx, tx, p, u, h, t.EmailID, factor, in.Session)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Finish(ctx, p, &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// ResetByExistingInput is a passwords existing_password reset request.
type ResetByExistingInput struct {
	Email            string
	ExistingPassword string
	NewPassword      string
	Session          SessionInput
}

// ResetByExisting replaces a password given the current one. A wrong
// existing password, an unknown address and a user without a password
// fail alike with unauthorized_credentials; a password that must be reset
// cannot be used to reset itself (reset_password: reset it by email).
func (s *Service) ResetByExisting(ctx context.Context, p *auth.Project, in ResetByExistingInput) (*Result, error) {
	pw, addr, err := s.login(ctx, p, in.Email, in.ExistingPassword, in.Session, in.NewPassword)
	if err != nil {
		return nil, err
	}
	h, err := s.newHash(ctx, p, in.NewPassword, addr)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := tx.GetUser(ctx, p.ID, pw.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return errWrongCredentials
		}
		if err != nil {
			return fmt.Errorf("passwords: get user: %w", err)
		}
		email, _ := u.EmailByAddress(addr)
		res, err = s.reset(ctx, tx, p, u, h, email.ID, s.passwordFactor(email.ID, addr), in.Session)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Finish(ctx, p, &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// ResetBySessionInput is a passwords session reset request: the session
// (by token or JWT) to act with, and how to extend it.
type ResetBySessionInput struct {
	Password        string
	SessionToken    string
	SessionJWT      string
	DurationMinutes int
	CustomClaims    map[string]any
}

// ResetBySession sets a new password for the user of a session that has a
// password, email magic link or email passcode factor authenticated
// within RecentFactorWindow (session_too_old_to_reset_password
// otherwise). The session gains a password factor and is kept; the
// user's other sessions are revoked.
func (s *Service) ResetBySession(ctx context.Context, p *auth.Project, in ResetBySessionInput) (*Result, error) {
	if err := checkLength(in.Password); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	sess, u, err := s.sessions.Get(ctx, p, in.SessionToken, in.SessionJWT)
	if err != nil {
		return nil, err
	}
	email, err := recentEmailFactor(sess, u, s.now().UTC())
	if err != nil {
		return nil, err
	}
	h, err := s.newHash(ctx, p, in.Password, email.Address)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := tx.GetUser(ctx, p.ID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrSessionNotFound
		}
		if err != nil {
			return fmt.Errorf("passwords: get user: %w", err)
		}
		res, err = s.reset(ctx, tx, p, u, h, email.ID, s.passwordFactor(email.ID, email.Address), SessionInput{
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Finish(ctx, p, &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// recentEmailFactor returns the user's email that a recent password,
// email magic link or email passcode factor of sess proved.
func recentEmailFactor(sess *auth.Session, u *auth.User, now time.Time) (auth.Email, error) {
	for _, f := range sess.AuthenticationFactors {
		switch {
		case f.Type == auth.FactorPassword, f.Type == auth.FactorMagicLink && f.DeliveryMethod == auth.DeliveryEmail,
			f.Type == auth.FactorOTP && f.DeliveryMethod == auth.DeliveryEmail:
		default:
			continue
		}
		if f.EmailFactor == nil || now.Sub(f.LastAuthenticatedAt) > RecentFactorWindow {
			continue
		}
		if e, ok := u.EmailByAddress(f.EmailFactor.EmailAddress); ok {
			return e, nil
		}
	}
	return auth.Email{}, auth.ErrSessionTooOldToResetPassword
}

// newHash checks a new password as create does (length, the project's
// strength policy, breach) and hashes it.
func (s *Service) newHash(ctx context.Context, p *auth.Project, pw, addr string) (string, error) {
	if err := checkLength(pw); err != nil {
		return "", err
	}
	if err := requireValid(s.evaluate(ctx, p, pw, addr)); err != nil {
		return "", err
	}
	return s.hash(ctx, pw)
}

// reset stores h as u's password, records factor on a session as in asks,
// and revokes every other session of u, within tx.
func (s *Service) reset(ctx context.Context, tx store.Store, p *auth.Project, u *auth.User, h, emailID string, factor auth.AuthenticationFactor, in SessionInput) (*Result, error) {
	if err := s.setPassword(ctx, tx, p, u, h); err != nil {
		return nil, err
	}
	sres, err := s.sessions.Attach(ctx, tx, p, session.AttachInput{
		User: u, Factor: factor,
		DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims, Attributes: in.Attributes,
		SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	})
	if err != nil {
		return nil, err
	}
	keep := ""
	if sres.Session != nil {
		keep = sres.Session.ID
	}
	if err := s.sessions.RevokeUserSessions(ctx, tx, p, u.ID, keep); err != nil {
		return nil, err
	}
	return &Result{EmailID: emailID, Result: *sres}, nil
}

func (s *Service) passwordFactor(emailID, addr string) auth.AuthenticationFactor {
	now := s.now().UTC()
	return auth.AuthenticationFactor{
		Type: auth.FactorPassword, DeliveryMethod: auth.DeliveryKnowledge,
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
		EmailFactor: &auth.EmailFactor{EmailID: emailID, EmailAddress: addr},
	}
}
