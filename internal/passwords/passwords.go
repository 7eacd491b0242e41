// Package passwords is the consumer passwords product (/v1/passwords…):
// create, authenticate, strength_check, migrate and resets (by email
// link, by existing password, by recent session). It is the service
// over two primitives: internal/passhash hashes and verifies (argon2id,
// and the legacy hashes migrate imports), internal/password rates
// strength and looks passwords up in breaches.
//
// Argon2id costs about 20 MB and tens of milliseconds per hash, so the
// service runs at most a fixed number of hashes at once (twice
// GOMAXPROCS by default); further logins wait their turn or give up with
// their context. A login for an unknown email verifies the password
// against a dummy hash, so that its timing does not tell which addresses
// have accounts, and fails with the same error as a wrong password.
package passwords

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// Service implements the consumer password endpoints.
type Service struct {
	store    store.Store
	users    *user.Service
	members  *member.Service // members created or changed by B2B flows
	sessions *session.Service
	links    *magiclink.Service     // reset links
	breach   password.BreachChecker // nil: breach detection off
	policy   password.Policy
	log      *slog.Logger
	now      func() time.Time

	// slots bounds concurrent password hashing.
	slots chan struct{}
	// dummy is an argon2id hash of a random password, made on first use,
	// which logins for unknown addresses verify against.
	dummy func() (string, error)
	// verifications counts password verifications, so tests can check that
	// every login costs one whether or not the address has an account.
	verifications atomic.Int64
}

// verify checks password against an encoded hash, counting the work.
func (s *Service) verify(encoded, password string) (ok, rehash bool, err error) {
	s.verifications.Add(1)
	return passhash.Verify(encoded, password)
}

// Options are a Service's optional settings.
type Options struct {
	// Breach looks passwords up among breached ones; nil turns breach
	// detection off.
	Breach password.BreachChecker
	// Policy is the strength policy of projects that set none; the zero
	// value is zxcvbn.
	Policy password.Policy
	// MaxConcurrentHashes bounds the hashes computed at once; 0 means
	// twice GOMAXPROCS.
	MaxConcurrentHashes int
	// Log receives breach-check failures and rehash failures; nil
	// discards them.
	Log *slog.Logger
}

// NewService returns a Service. Reset links are issued, emailed and
// consumed through links.
func NewService(st store.Store, users *user.Service, members *member.Service, sessions *session.Service, links *magiclink.Service, now func() time.Time, opts Options) *Service {
	n := opts.MaxConcurrentHashes
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		store: st, users: users, members: members, sessions: sessions, links: links, breach: opts.Breach, policy: opts.Policy,
		log: log, now: now, slots: make(chan struct{}, n),
		dummy: sync.OnceValues(func() (string, error) {
			return passhash.Hash(auth.NewID(auth.KindPassword, auth.EnvTest))
		}),
	}
}

// hashing runs fn once a hashing slot is free, or returns the context's
// error if it ends first.
func (s *Service) hashing(ctx context.Context, fn func() error) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("passwords: waiting to hash: %w", ctx.Err())
	}
	defer func() { <-s.slots }()
	return fn()
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	var h string
	err := s.hashing(ctx, func() error {
		var err error
		h, err = passhash.Hash(pw)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("passwords: hash: %w", err)
	}
	return h, nil
}

// checkLength refuses empty passwords and those passhash would refuse.
func checkLength(pw string) error {
	if pw == "" {
		return auth.ErrInvalidArgument.WithMessage("password is required.")
	}
	if len(pw) > passhash.MaxPasswordLen {
		return auth.ErrInvalidArgument.WithMessage("password must be at most %d bytes.", passhash.MaxPasswordLen)
	}
	return nil
}

// StrengthCheck rates a password as passwords/strength_check does. email
// is optional; with it, breach detection runs (when configured) and the
// address's local part counts as a guessable word.
func (s *Service) StrengthCheck(ctx context.Context, p *auth.Project, pw, email string) (password.Strength, error) {
	if err := checkLength(pw); err != nil {
		return password.Strength{}, err
	}
	if email != "" {
		addr, err := user.NormalizeEmail(email)
		if err != nil {
			return password.Strength{}, err
		}
		email = addr
	}
	return s.evaluate(ctx, p, pw, email), nil
}

// evaluate is password.Evaluate under the project's policy, failing open
// (and logging) when the breach lookup fails.
func (s *Service) evaluate(ctx context.Context, p *auth.Project, pw, email string) password.Strength {
	st, err := password.Evaluate(ctx, pw, email, s.policyFor(p), s.breach)
	if err != nil {
		s.log.WarnContext(ctx, "password breach check failed; rating strength alone", "err", err)
	}
	return st
}

// policyFor is the project's strength policy (latch project
// password-policy), or the server's default when it has none.
func (s *Service) policyFor(p *auth.Project) password.Policy {
	if pol := p.PasswordPolicy; pol.Kind != "" {
		return password.Policy{Kind: pol.Kind, LUDSMinLength: pol.LUDSMinLength, LUDSMinCharTypes: pol.LUDSMinCharTypes}
	}
	return s.policy
}

// requireValid returns breached_password or weak_password for a password
// that is not valid, the latter with zxcvbn's (or LUDS's) feedback.
func requireValid(st password.Strength) error {
	if st.ValidPassword {
		return nil
	}
	if st.BreachedPassword {
		return auth.ErrBreachedPassword
	}
	var advice []string
	if st.Feedback.Warning != "" {
		advice = append(advice, strings.TrimSuffix(st.Feedback.Warning, ".")+".")
	}
	for _, sg := range st.Feedback.Suggestions {
		advice = append(advice, strings.TrimSuffix(sg, ".")+".")
	}
	if l := st.Feedback.LUDSRequirements; l != nil {
		if l.MissingCharacters > 0 {
			advice = append(advice, fmt.Sprintf("Add %d more characters.", l.MissingCharacters))
		}
		if l.MissingComplexity > 0 {
			advice = append(advice, fmt.Sprintf("Use %d more kinds of characters (lowercase, uppercase, digits, symbols).", l.MissingComplexity))
		}
	}
	if len(advice) == 0 {
		return auth.ErrWeakPassword
	}
	return auth.ErrWeakPassword.WithMessage("%s %s", auth.ErrWeakPassword.Message, strings.Join(advice, " "))
}

// SessionInput is the session part of a create or authenticate request.
type SessionInput struct {
	DurationMinutes int
	CustomClaims    map[string]any
	SessionToken    string
	SessionJWT      string
	Attributes      auth.SessionAttributes
}

// CreateInput is a passwords create request.
type CreateInput struct {
	Email             string
	Password          string
	Name              auth.Name
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Session           SessionInput
}

// Result is a successful create or authenticate.
type Result struct {
	EmailID string
	session.Result
}

// Create makes a new active user with an email address and a password,
// and starts a session when asked. The password must be valid under the
// strength policy and, with breach detection, not breached. An address
// that already belongs to a user is refused as duplicate_email, whether
// or not that user has a password: attaching a password to an existing
// account here would let anyone who knows the address take it over.
func (s *Service) Create(ctx context.Context, p *auth.Project, in CreateInput) (*Result, error) {
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
	// Refuse a taken address before the slow work.
	if _, err := s.users.GetByEmail(ctx, s.store, p.ID, addr); err == nil {
		return nil, auth.ErrDuplicateEmail
	} else if !errors.Is(err, auth.ErrUserNotFound) {
		return nil, err
	}
	if err := requireValid(s.evaluate(ctx, p, in.Password, addr)); err != nil {
		return nil, err
	}
	h, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := s.users.CreateTx(ctx, tx, p, user.CreateInput{
			Email: addr, Name: in.Name, TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata,
		})
		if err != nil {
			return err
		}
		if err := s.setPassword(ctx, tx, p, u, h); err != nil {
			return err
		}
		res, err = s.attach(ctx, tx, p, u, addr, in.Session)
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

func (s *Service) setPassword(ctx context.Context, tx store.Store, p *auth.Project, u *auth.User, h string) error {
	now := s.now().UTC()
	pw := &auth.Password{
		ID: auth.NewID(auth.KindPassword, p.Env), ProjectID: p.ID, UserID: u.ID, Hash: h, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.SetPassword(ctx, p.ID, pw); err != nil {
		return fmt.Errorf("passwords: set: %w", err)
	}
	u.PasswordID = pw.ID
	return nil
}

// attach records the password factor for u's address on a session as in
// asks.
func (s *Service) attach(ctx context.Context, tx store.Store, p *auth.Project, u *auth.User, addr string, in SessionInput) (*Result, error) {
	email, _ := u.EmailByAddress(addr)
	now := s.now().UTC()
	sres, err := s.sessions.Attach(ctx, tx, p, session.AttachInput{
		User: u,
		Factor: auth.AuthenticationFactor{
			Type: auth.FactorPassword, DeliveryMethod: auth.DeliveryKnowledge,
			LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
			EmailFactor: &auth.EmailFactor{EmailID: email.ID, EmailAddress: addr},
		},
		DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims, Attributes: in.Attributes,
		SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	})
	if err != nil {
		return nil, err
	}
	return &Result{EmailID: email.ID, Result: *sres}, nil
}

// login checks a consumer's email and password, as authenticate and the
// existing-password reset both start: the request's fields, then the
// password (with the same argon2id work for an unknown address), then
// that the password is not one that must be reset first. It returns the
// password and the normalized address.
func (s *Service) login(ctx context.Context, p *auth.Project, email, password string, sess SessionInput, more ...string) (*auth.Password, string, error) {
	addr, err := user.NormalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	for _, pwd := range append([]string{password}, more...) {
		if err := checkLength(pwd); err != nil {
			return nil, "", err
		}
	}
	if err := session.ValidateDuration(sess.DurationMinutes); err != nil {
		return nil, "", err
	}
	pw, err := s.findPassword(ctx, p, addr)
	if err != nil {
		return nil, "", err
	}
	if err := s.check(ctx, pw, password); err != nil {
		return nil, "", err
	}
	if pw.RequiresReset {
		return nil, "", auth.ErrResetPassword
	}
	return pw, addr, nil
}

// AuthenticateInput is a passwords authenticate request.
type AuthenticateInput struct {
	Email    string
	Password string
	Session  SessionInput
}

// Authenticate checks an email and password. A wrong password, an
// unknown address and a user without a password all fail alike with
// unauthorized_credentials, after the same argon2id work. A right
// password that must be reset fails with reset_password (see check). On
// success the user becomes active, a session starts or grows when asked,
// and a password stored in an imported or weaker format is rehashed with
// the current argon2id parameters.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*Result, error) {
	pw, addr, err := s.login(ctx, p, in.Email, in.Password, in.Session)
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
		if err := s.users.Activate(ctx, tx, u); err != nil {
			return err
		}
		res, err = s.attach(ctx, tx, p, u, addr, in.Session)
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

// errWrongCredentials is the one answer to a wrong password, an unknown
// address and a user without a password alike.
var errWrongCredentials = auth.ErrUnauthorizedCredentials.WithMessage("The email address or password is incorrect.")

// check verifies password against pw (a user's or a member's), which is
// nil when the address has no account or the account no password: then it verifies against a dummy hash,
// so the answer takes as long, and fails. A password stored in an
// imported or weaker format is rehashed with argon2id, unless it turns
// out to be breached (with breach detection on): Latch never checked it
// when it was set, so its first login checks it, and a breached one is
// marked as requiring a reset (pw.RequiresReset) instead. Only the
// verification holds a hashing slot; the new hash takes a second one,
// once it is known to be stored, so a password that must be reset or is
// breached costs no argon2id work beyond its verification.
func (s *Service) check(ctx context.Context, pw *auth.Password, password string) error {
	var ok, rehash bool
	err := s.hashing(ctx, func() error {
		if pw == nil {
			d, err := s.dummy()
			if err != nil {
				return err
			}
			_, _, err = s.verify(d, password)
			return err
		}
		var err error
		ok, rehash, err = s.verify(pw.Hash, password)
		return err
	})
	if err != nil {
		return fmt.Errorf("passwords: verify: %w", err)
	}
	if !ok {
		return errWrongCredentials
	}
	if !rehash || pw.RequiresReset {
		return nil
	}
	if s.breach != nil {
		breached, err := s.breach.Breached(ctx, password)
		if err != nil {
			s.log.WarnContext(ctx, "password breach check failed; letting an imported password log in", "err", err)
		}
		if breached {
			require := s.store.RequirePasswordReset
			if pw.MemberID != "" {
				require = s.store.RequireMemberPasswordReset
			}
			if err := require(ctx, pw.ProjectID, pw.ID, s.now().UTC()); err != nil {
				return fmt.Errorf("passwords: require reset: %w", err)
			}
			pw.RequiresReset = true
			return nil
		}
	}
	newHash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	// A password changed meanwhile (ErrConflict) keeps its new hash; any
	// other failure leaves the old hash, which still verifies.
	update := s.store.UpdatePasswordHash
	if pw.MemberID != "" {
		update = s.store.UpdateMemberPasswordHash
	}
	err = update(ctx, pw.ProjectID, pw.ID, pw.Hash, newHash, s.now().UTC())
	if err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.WarnContext(ctx, "password rehash not stored", "password_id", pw.ID, "err", err)
	}
	return nil
}

// findPassword returns the password of the user owning addr, or nil when
// there is no such user or it has no password.
func (s *Service) findPassword(ctx context.Context, p *auth.Project, addr string) (*auth.Password, error) {
	u, err := s.store.GetUserByEmail(ctx, p.ID, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("passwords: get user: %w", err)
	}
	if u.PasswordID == "" {
		return nil, nil
	}
	pw, err := s.store.GetUserPassword(ctx, p.ID, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("passwords: get password: %w", err)
	}
	return pw, nil
}

// MigrateInput is a passwords migrate request.
type MigrateInput struct {
	Email             string
	Hash              passhash.MigrateInput
	Name              *auth.Name
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	SetEmailVerified  bool
}

// MigrateResult is a successful migrate.
type MigrateResult struct {
	User    *auth.User
	EmailID string
	Created bool
}

// Migrate imports a password hash from another system for the user with
// the address, creating the user (active) when there is none, and
// replacing any password the user had. The next successful login
// rehashes it with argon2id. For an existing user, name and metadata are
// applied as users update applies them.
func (s *Service) Migrate(ctx context.Context, p *auth.Project, in MigrateInput) (*MigrateResult, error) {
	addr, err := user.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	h, err := passhash.Import(in.Hash)
	if err != nil {
		return nil, importError(err)
	}
	res := &MigrateResult{}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := s.users.GetByEmail(ctx, tx, p.ID, addr)
		switch {
		case errors.Is(err, auth.ErrUserNotFound):
			ci := user.CreateInput{Email: addr, TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata}
			if in.Name != nil {
				ci.Name = *in.Name
			}
			if u, err = s.users.CreateTx(ctx, tx, p, ci); err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return err
		default:
			if in.Name != nil || in.TrustedMetadata != nil || in.UntrustedMetadata != nil {
				if in.Name != nil {
					u.Name = *in.Name
				}
				u.TrustedMetadata = auth.MergeMetadata(u.TrustedMetadata, in.TrustedMetadata)
				u.UntrustedMetadata = auth.MergeMetadata(u.UntrustedMetadata, in.UntrustedMetadata)
				if err := auth.CheckMetadata(u.TrustedMetadata, u.UntrustedMetadata); err != nil {
					return err
				}
				u.UpdatedAt = s.now().UTC()
				if err := tx.UpdateUser(ctx, p.ID, u); err != nil {
					return fmt.Errorf("passwords: update user: %w", err)
				}
			}
		}
		for i, e := range u.Emails {
			if e.Address != addr {
				continue
			}
			res.EmailID = e.ID
			if in.SetEmailVerified && !e.Verified {
				if err := tx.VerifyEmail(ctx, p.ID, e.ID); err != nil {
					return fmt.Errorf("passwords: verify email: %w", err)
				}
				u.Emails[i].Verified = true
			}
		}
		if err := s.setPassword(ctx, tx, p, u, h); err != nil {
			return err
		}
		res.User = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importErrors maps passhash's refusals onto the catalog.
var importErrors = []struct {
	kind error
	err  *auth.Error
}{
	{passhash.ErrInvalidHashType, auth.ErrInvalidHashType},
	{passhash.ErrInvalidHash, auth.ErrInvalidHash},
	{passhash.ErrInvalidBcryptHash, auth.ErrInvalidBcryptHash},
	{passhash.ErrInvalidBcryptCost, auth.ErrInvalidBcryptCost},
	{passhash.ErrInvalidMD5Hash, auth.ErrInvalidMD5Hash},
	{passhash.ErrInvalidSHA1Hash, auth.ErrInvalidSHA1Hash},
	{passhash.ErrInvalidPrependSalt, auth.ErrInvalidPrependSalt},
	{passhash.ErrInvalidAppendSalt, auth.ErrInvalidAppendSalt},
	{passhash.ErrInvalidArgon2Salt, auth.ErrInvalidArgon2Salt},
	{passhash.ErrInvalidArgon2IterationAmount, auth.ErrInvalidArgon2IterationAmount},
	{passhash.ErrInvalidArgon2Memory, auth.ErrInvalidArgon2Memory},
	{passhash.ErrInvalidArgon2Threads, auth.ErrInvalidArgon2Threads},
	{passhash.ErrInvalidArgon2KeyLength, auth.ErrInvalidArgon2KeyLength},
	{passhash.ErrInvalidScryptNParameter, auth.ErrInvalidScryptNParameter},
	{passhash.ErrInvalidScryptParameters, auth.ErrInvalidScryptParameters},
	{passhash.ErrInvalidScryptSaltLength, auth.ErrInvalidScryptSaltLength},
	{passhash.ErrInvalidBase64ScryptSalt, auth.ErrInvalidBase64ScryptSalt},
	{passhash.ErrInvalidBase64ScryptHash, auth.ErrInvalidBase64ScryptHash},
	{passhash.ErrInvalidPBKDF2Algorithm, auth.ErrInvalidPBKDF2Algorithm},
	{passhash.ErrInvalidPBKDF2Hash, auth.ErrInvalidPBKDF2Hash},
	{passhash.ErrInvalidPBKDF2IterationAmount, auth.ErrInvalidPBKDF2IterationAmount},
	{passhash.ErrInvalidPBKDF2Salt, auth.ErrInvalidPBKDF2Salt},
	{passhash.ErrInvalidPHPassHashPrefix, auth.ErrInvalidPHPassHashPrefix},
	{passhash.ErrInvalidPHPassHashFormat, auth.ErrInvalidPHPassHashFormat},
}

// importError is the catalog error for an Import refusal; the detail
// passhash adds stays in the logged cause.
func importError(err error) error {
	for _, m := range importErrors {
		if errors.Is(err, m.kind) {
			return m.err.Wrap(err)
		}
	}
	return fmt.Errorf("passwords: import: %w", err)
}

// Delete removes a password by ID.
func (s *Service) Delete(ctx context.Context, p *auth.Project, passwordID string) (*auth.User, error) {
	if !auth.HasKind(passwordID, auth.KindPassword) {
		return nil, auth.ErrInvalidPasswordID
	}
	pw, err := s.store.DeletePassword(ctx, p.ID, passwordID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrPasswordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("passwords: delete: %w", err)
	}
	return s.users.Get(ctx, p.ID, pw.UserID)
}
