package totp

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// Sandbox values: test projects answer them as Stytch's test environment
// does (stytch-python test/constants.py), for the sandbox user.
const (
	SandboxCode         = "000000"
	SandboxRecoveryCode = "a1b2-c3d4-e5f6"
	SandboxTOTPID       = "totp-test-41920359-8bbb-4fe8-8fa3-aaa83f35f02c"
)

// CreateInput is a totps.create request.
type CreateInput struct {
	UserID            string
	ExpirationMinutes int // 0 means DefaultUserMinutes
}

// CreateResult is a new registration, with what is shown only once: the
// secret, its QR code (a data: URI of a PNG) and the recovery codes.
type CreateResult struct {
	TOTPID        string
	Secret        string
	QRCode        string
	RecoveryCodes []string
	User          *auth.User
}

// Create registers a new authenticator app for a user. A user has at most
// one registration: a verified one must be deleted first
// (active_totp_exists); a pending one is replaced.
func (s *Service) Create(ctx context.Context, p *auth.Project, in CreateInput) (*CreateResult, error) {
	if err := checkUserID(in.UserID); err != nil {
		return nil, err
	}
	if err := checkMinutes(in.ExpirationMinutes); err != nil {
		return nil, err
	}
	minutes := in.ExpirationMinutes
	if minutes == 0 {
		minutes = DefaultUserMinutes
	}
	var res *CreateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		u, err := getUser(ctx, tx, p, in.UserID)
		if err != nil {
			return err
		}
		existing, err := tx.GetUserTOTP(ctx, p.ID, u.ID)
		if err := replace(ctx, tx, p, existing, err); err != nil {
			return err
		}
		account := u.ID
		if len(u.Emails) > 0 {
			account = u.Emails[0].Address
		}
		e, err := s.enroll(p, auth.NewID(auth.KindTOTP, p.Env), p.Name, account, minutes)
		if err != nil {
			return err
		}
		e.reg.UserID = u.ID
		if err := insert(ctx, tx, p, e); err != nil {
			return err
		}
		res = &CreateResult{TOTPID: e.reg.ID, Secret: e.secret, QRCode: e.qrCode, RecoveryCodes: e.codes, User: u}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// AuthenticateInput is a totps.authenticate request; the session fields
// are as in every consumer login (see session.AttachInput).
type AuthenticateInput struct {
	UserID          string
	Code            string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
}

// AuthenticateResult is a successful TOTP or recovery code login.
type AuthenticateResult struct {
	TOTPID string
	session.Result
}

// Authenticate checks a code from the user's authenticator app, verifying
// a pending registration, and when asked starts or extends a session with
// a totp factor.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, error) {
	if err := checkUserID(in.UserID); err != nil {
		return nil, err
	}
	if err := checkCode(in.Code); err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if res, ok, err := s.sandbox(ctx, p, in.UserID, in.Code == SandboxCode, in.DurationMinutes, auth.ErrUnableToAuthTOTP); ok {
		return res, err
	}
	return s.login(ctx, p, in.UserID, in.sessionInput(), func(tx store.Store, reg *auth.TOTP) (auth.AuthenticationFactor, error) {
		got, err := s.accept(ctx, tx, p, reg, in.Code)
		if err != nil {
			return auth.AuthenticationFactor{}, err
		}
		*reg = *got
		return totpFactor(reg.ID, s.now().UTC()), nil
	})
}

// RecoverInput is a totps.recover request.
type RecoverInput struct {
	UserID          string
	RecoveryCode    string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
}

// Recover spends one of the user's recovery codes in place of a code, and
// when asked starts or extends a session with a recovery_codes factor.
func (s *Service) Recover(ctx context.Context, p *auth.Project, in RecoverInput) (*AuthenticateResult, error) {
	if err := checkUserID(in.UserID); err != nil {
		return nil, err
	}
	code, err := normalizeRecoveryCode(in.RecoveryCode)
	if err != nil {
		return nil, err
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if res, ok, err := s.sandbox(ctx, p, in.UserID, code == SandboxRecoveryCode, in.DurationMinutes, auth.ErrUnableToAuthRecoveryCode); ok {
		return res, err
	}
	si := AuthenticateInput{
		DurationMinutes: in.DurationMinutes, SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		CustomClaims: in.CustomClaims, Attributes: in.Attributes,
	}
	return s.login(ctx, p, in.UserID, si.sessionInput(), func(tx store.Store, reg *auth.TOTP) (auth.AuthenticationFactor, error) {
		rc, err := s.useRecoveryCode(ctx, tx, p, reg, code)
		if err != nil {
			return auth.AuthenticationFactor{}, err
		}
		return recoveryFactor(rc.ID, s.now().UTC()), nil
	})
}

func (in AuthenticateInput) sessionInput() session.AttachInput {
	return session.AttachInput{
		DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims, Attributes: in.Attributes,
		SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	}
}

// login runs prove against the user's registration in a transaction, then
// attaches the factor it returns to a session in the same transaction, so
// that a failure to attach (a wrong session token) leaves the code or
// recovery code unspent. The JWT is minted after commit.
func (s *Service) login(ctx context.Context, p *auth.Project, userID string, attach session.AttachInput,
	prove func(tx store.Store, reg *auth.TOTP) (auth.AuthenticationFactor, error)) (*AuthenticateResult, error) {
	var res *AuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		u, err := getUser(ctx, tx, p, userID)
		if err != nil {
			return err
		}
		reg, err := tx.GetUserTOTP(ctx, p.ID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrTOTPNotFound.WithMessage("The user has no TOTP registration; create one first.")
		}
		if err != nil {
			return fmt.Errorf("totp: get registration: %w", err)
		}
		factor, err := prove(tx, reg)
		if err != nil {
			return err
		}
		if reg.Verified {
			u.TOTPID = reg.ID // the store set it when the first code was accepted
		}
		attach.User, attach.Factor = u, factor
		sres, err := s.sessions.Attach(ctx, tx, p, attach)
		if err != nil {
			return err
		}
		res = &AuthenticateResult{TOTPID: reg.ID, Result: *sres}
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

// sandbox answers the sandbox user of a test project: ok reports whether
// it did. The right sandbox value logs in (with the sandbox session when
// asked); anything else is refused with wrong.
func (s *Service) sandbox(ctx context.Context, p *auth.Project, userID string, right bool, minutes int, wrong error) (*AuthenticateResult, bool, error) {
	if p.Env != auth.EnvTest || userID != auth.SandboxUserID {
		return nil, false, nil
	}
	if !right {
		return nil, true, wrong
	}
	u := auth.SandboxUser(p.ID)
	u.TOTPID = SandboxTOTPID
	res := &AuthenticateResult{TOTPID: SandboxTOTPID, Result: session.Result{User: u}}
	if minutes > 0 {
		sres, err := s.sessions.Sandbox(ctx, p)
		if err != nil {
			return nil, true, err
		}
		res.Result = *sres
		res.User = u
	}
	return res, true, nil
}

// Registration is a registration as totps.recovery_codes lists it.
type Registration struct {
	TOTPID        string
	Verified      bool
	RecoveryCodes []string // the unused ones
}

// RecoveryCodes returns the user's registration with its unused recovery
// codes.
func (s *Service) RecoveryCodes(ctx context.Context, p *auth.Project, userID string) ([]Registration, error) {
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	u, err := getUser(ctx, s.store, p, userID)
	if err != nil {
		return nil, err
	}
	reg, err := s.store.GetUserTOTP(ctx, p.ID, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !reg.Active(s.now().UTC())) {
		return nil, auth.ErrTOTPsNotFoundForUser
	}
	if err != nil {
		return nil, fmt.Errorf("totp: get registration: %w", err)
	}
	codes, err := s.unusedCodes(ctx, s.store, p, reg)
	if err != nil {
		return nil, err
	}
	return []Registration{{TOTPID: reg.ID, Verified: reg.Verified, RecoveryCodes: codes}}, nil
}

// Delete removes a user's registration (users.delete_totp) and returns the
// user.
func (s *Service) Delete(ctx context.Context, p *auth.Project, totpID string) (*auth.User, error) {
	if !auth.HasKind(totpID, auth.KindTOTP) {
		return nil, auth.ErrInvalidTOTPID
	}
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		reg, err := tx.GetTOTP(ctx, p.ID, totpID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && reg.UserID == "") {
			return auth.ErrTOTPNotFound
		}
		if err != nil {
			return fmt.Errorf("totp: get registration: %w", err)
		}
		if _, err := tx.DeleteTOTP(ctx, p.ID, reg.ID); err != nil {
			return fmt.Errorf("totp: delete registration: %w", err)
		}
		u, err = getUser(ctx, tx, p, reg.UserID)
		return err
	})
	return u, err
}

func checkUserID(id string) error {
	if id == "" {
		return auth.ErrInvalidArgument.WithMessage("user_id is required.")
	}
	if !auth.HasKind(id, auth.KindUser) {
		return auth.ErrInvalidUserID
	}
	return nil
}

func getUser(ctx context.Context, st store.Store, p *auth.Project, id string) (*auth.User, error) {
	u, err := st.GetUser(ctx, p.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("totp: get user: %w", err)
	}
	return u, nil
}
