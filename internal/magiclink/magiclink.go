// Package magiclink sends and authenticates email magic links: login or
// signup links, invites, and their revocation. Tokens are 32 random bytes,
// stored only as SHA-256 hashes, and consumed by one conditional UPDATE.
package magiclink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
	"github.com/latchauth/latch/internal/user"
)

// Mail is the delivery the service needs: a policy check before a token is
// issued, a durable enqueue inside the issuing transaction, and an
// immediate delivery attempt after commit.
type Mail interface {
	CanDeliver(env auth.Env) error
	Enqueue(ctx context.Context, tx store.Outbox, projectID string, env auth.Env, m *auth.Message) error
	Deliver(ctx context.Context, projectID, messageID string)
}

// Default link lifetimes, in minutes, as Stytch's.
const (
	DefaultLoginMinutes  = 60
	DefaultSignupMinutes = 7 * 24 * 60
	DefaultInviteMinutes = 7 * 24 * 60
	minMinutes           = 5
	maxMinutes           = 7 * 24 * 60
)

// Service sends and authenticates magic links, consumer and B2B.
type Service struct {
	store     store.Store
	projects  *project.Service
	users     *user.Service
	sessions  *session.Service
	discovery *discovery.Service
	mail      Mail
	now       func() time.Time
}

// NewService returns a Service.
func NewService(st store.Store, projects *project.Service, users *user.Service, sessions *session.Service, disc *discovery.Service, mail Mail, now func() time.Time) *Service {
	return &Service{store: st, projects: projects, users: users, sessions: sessions, discovery: disc, mail: mail, now: now}
}

// SendInput is a login_or_create or send request.
type SendInput struct {
	Email          string
	LoginURL       string
	SignupURL      string
	LoginMinutes   int
	SignupMinutes  int
	CreatePending  bool
	CodeChallenge  string
	Locale         string
	LoginTemplate  string
	SignupTemplate string
}

// SendResult identifies the user a link went to.
type SendResult struct {
	UserID  string
	EmailID string
	Created bool
}

// LoginOrCreate emails a login link to the user with this address, or
// creates the user and emails a signup link. Pending users get signup links
// until they first authenticate.
func (s *Service) LoginOrCreate(ctx context.Context, p *auth.Project, in SendInput) (*SendResult, error) {
	return s.send(ctx, p, in, true)
}

// Send emails a login link to an existing user (a signup link if pending).
func (s *Service) Send(ctx context.Context, p *auth.Project, in SendInput) (*SendResult, error) {
	return s.send(ctx, p, in, false)
}

func (s *Service) send(ctx context.Context, p *auth.Project, in SendInput, create bool) (*SendResult, error) {
	addr, sandbox, err := s.precheck(p, in.Email, in.Locale, in.LoginMinutes, in.SignupMinutes)
	if err != nil || sandbox != nil {
		return sandbox, err
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
		// New and pending users sign up; everyone else logs in.
		signup := res.Created || u.Status == auth.UserPending
		kind, typ, minutes, rawURL, noDefault := tmplLogin, auth.RedirectLogin, or(in.LoginMinutes, DefaultLoginMinutes), in.LoginURL, auth.ErrNoDefaultLoginRedirectURL
		if signup {
			kind, typ, minutes, rawURL, noDefault = tmplSignup, auth.RedirectSignup, or(in.SignupMinutes, DefaultSignupMinutes), in.SignupURL, auth.ErrNoDefaultSignupRedirectURL
		}
		redirect, err := s.projects.ResolveRedirect(ctx, p.ID, typ, rawURL, noDefault)
		if err != nil {
			return err
		}
		// The URL of the other type is not used for this user, but an
		// unlisted one is still refused, so a misconfigured app finds out
		// on its first request rather than on its first returning user.
		otherType, otherURL := auth.RedirectSignup, in.SignupURL
		if signup {
			otherType, otherURL = auth.RedirectLogin, in.LoginURL
		}
		if otherURL != "" {
			if _, err := s.projects.ResolveRedirect(ctx, p.ID, otherType, otherURL, nil); err != nil {
				return err
			}
		}
		msgID, err = s.issue(ctx, tx, p, &auth.OneTimeToken{
			Kind: auth.TokenMagicLink, UserID: u.ID, EmailID: email.ID, EmailAddress: email.Address, CodeChallenge: in.CodeChallenge,
		}, kind, p.Name, func(tok string) string { return Link(redirect, tok) }, minutes)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// InviteInput is an invite request.
type InviteInput struct {
	Email             string
	URL               string
	Minutes           int
	Name              auth.Name
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Locale            string
}

// Invite creates a pending user (or reuses a pending one) and emails them
// an invite link. Active users cannot be invited.
func (s *Service) Invite(ctx context.Context, p *auth.Project, in InviteInput) (*SendResult, error) {
	addr, sandbox, err := s.precheck(p, in.Email, in.Locale, in.Minutes)
	if err != nil || sandbox != nil {
		return sandbox, err
	}
	var (
		res   SendResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, err := s.users.GetByEmail(ctx, tx, p.ID, addr)
		switch {
		case errors.Is(err, auth.ErrUserNotFound):
			u, err = s.users.CreateTx(ctx, tx, p, user.CreateInput{
				Email: addr, Name: in.Name, Pending: true,
				TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata,
			})
			if err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return err
		case u.Status == auth.UserActive:
			return auth.ErrDuplicateEmail.WithMessage("%s already belongs to an active user; send them a login link instead.", addr)
		}
		email, _ := u.EmailByAddress(addr)
		res.UserID, res.EmailID = u.ID, email.ID
		redirect, err := s.projects.ResolveRedirect(ctx, p.ID, auth.RedirectInvite, in.URL, auth.ErrNoDefaultInviteRedirectURL)
		if err != nil {
			return err
		}
		msgID, err = s.issue(ctx, tx, p, &auth.OneTimeToken{
			Kind: auth.TokenInvite, UserID: u.ID, EmailID: email.ID, EmailAddress: email.Address,
		}, tmplInvite, p.Name, func(tok string) string { return Link(redirect, tok) }, or(in.Minutes, DefaultInviteMinutes))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// precheck validates what every send takes, before anything is written:
// the address (returned normalized), the locale and the link lifetimes. It
// answers the sandbox address of a test project itself, and refuses a
// project whose email cannot be delivered.
func (s *Service) precheck(p *auth.Project, email, locale string, minutes ...int) (string, *SendResult, error) {
	addr, err := user.NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	if err := checkMinutes(minutes...); err != nil {
		return "", nil, err
	}
	if err := checkLocale(locale); err != nil {
		return "", nil, err
	}
	if p.Env == auth.EnvTest && addr == auth.SandboxEmail {
		return addr, &SendResult{UserID: auth.SandboxUserID, EmailID: auth.SandboxEmailID}, nil
	}
	if err := s.mail.CanDeliver(p.Env); err != nil {
		return "", nil, err
	}
	return addr, nil, nil
}

// RevokeInvite makes every outstanding invite link sent to an address
// unusable.
func (s *Service) RevokeInvite(ctx context.Context, p *auth.Project, email string) error {
	addr, err := user.NormalizeEmail(email)
	if err != nil {
		return err
	}
	if p.Env == auth.EnvTest && addr == auth.SandboxEmail {
		return nil
	}
	if _, err := s.users.GetByEmail(ctx, s.store, p.ID, addr); err != nil {
		if errors.Is(err, auth.ErrUserNotFound) {
			return auth.ErrEmailNotFound.WithMessage("No user has the email address %s.", addr)
		}
		return err
	}
	if _, err := s.store.RevokeTokens(ctx, p.ID, auth.TokenInvite, addr, s.now().UTC()); err != nil {
		return fmt.Errorf("magiclink: revoke invite: %w", err)
	}
	return nil
}

// issue stores t (its kind, subject and challenge filled in by the caller)
// as a new token valid for minutes, and enqueues within tx the email that
// carries it, built by tmpl for the recipient and the link that link
// makes from the token, unless the send throttle refuses the address. It
// returns the message ID to deliver after commit.
func (s *Service) issue(ctx context.Context, tx store.Store, p *auth.Project, t *auth.OneTimeToken, tmpl template, brand string, link func(tok string) string, minutes int) (string, error) {
	now := s.now().UTC()
	if err := throttle(ctx, tx, p, t.EmailAddress, now); err != nil {
		return "", err
	}
	tok := token.New()
	t.ID = auth.NewID(auth.KindMagicLink, p.Env)
	t.ProjectID = p.ID
	t.TokenHash = token.Hash(tok)
	t.CreatedAt = now
	t.ExpiresAt = now.Add(time.Duration(minutes) * time.Minute)
	if err := tx.CreateToken(ctx, p.ID, t); err != nil {
		return "", fmt.Errorf("magiclink: store token: %w", err)
	}
	m := tmpl.render(p.ID, brand, t.EmailAddress, link(tok), minutes)
	m.ID = auth.NewID(auth.KindMessage, p.Env)
	m.CreatedAt, m.NextAttemptAt = now, now
	if err := s.mail.Enqueue(ctx, tx, p.ID, p.Env, m); err != nil {
		return "", fmt.Errorf("magiclink: enqueue email: %w", err)
	}
	return m.ID, nil
}

// emailedKinds are the kinds of token issue emails, which the send
// throttle counts together.
var emailedKinds = []auth.TokenKind{
	auth.TokenMagicLink, auth.TokenInvite,
	auth.TokenB2BMagicLink, auth.TokenB2BInvite, auth.TokenDiscovery,
	auth.TokenPasswordReset, auth.TokenB2BPasswordReset, auth.TokenDiscoveryPasswordReset,
}

// throttle refuses an email when its address already got auth.MaxSends
// links (of every kind, magic link, invite or password reset, consumer or
// B2B) in the last auth.SendWindow, counted from the stored tokens within
// tx, so that no endpoint can flood an inbox.
func throttle(ctx context.Context, tx store.Store, p *auth.Project, address string, now time.Time) error {
	n, err := tx.CountTokens(ctx, p.ID, address, emailedKinds, now.Add(-auth.SendWindow))
	if err != nil {
		return fmt.Errorf("magiclink: count sends: %w", err)
	}
	if n >= auth.MaxSends {
		return auth.ErrTooManyRequests.WithMessage("Too many emails were sent to %s; wait a few minutes before sending another.", address)
	}
	return nil
}

// Link returns the URL a consumer magic link email carries: the redirect
// URL with stytch_token_type and token appended to any query it already
// has.
func Link(redirect, tok string) string {
	return token.AppendQuery(redirect, "stytch_token_type=magic_links&token="+tok)
}

// AuthenticateInput is a magic_links.authenticate request.
type AuthenticateInput struct {
	Token           string
	CodeVerifier    string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
}

// AuthenticateResult is a successful magic link authentication.
type AuthenticateResult struct {
	MethodID string // the email ID the link was sent to
	session.Result
}

// Authenticate consumes a magic link token, verifies its email, activates a
// pending user and, when asked, starts or extends a session.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, error) {
	if in.Token == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if res, ok, err := s.sandbox(ctx, p, in); ok {
		return res, err
	}
	var res *AuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		t, err := s.consume(ctx, tx, p, in.Token, auth.TokenMagicLink, auth.TokenInvite)
		if err != nil {
			return err
		}
		if err := token.CheckPKCE(t.CodeChallenge, in.CodeVerifier); err != nil {
			return err // rolls back: the token stays usable with the right verifier
		}
		u, err := tx.GetUser(ctx, p.ID, t.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrMagicLinkNotFound
		}
		if err != nil {
			return fmt.Errorf("magiclink: get user: %w", err)
		}
		if err := s.users.VerifyEmail(ctx, tx, p, u, t.EmailID); err != nil {
			return err
		}
		if err := s.users.Activate(ctx, tx, u); err != nil {
			return err
		}
		now := s.now().UTC()
		sres, err := s.sessions.Attach(ctx, tx, p, session.AttachInput{
			User: u,
			Factor: auth.AuthenticationFactor{
				Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
				LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
				EmailFactor: &auth.EmailFactor{EmailID: t.EmailID, EmailAddress: t.EmailAddress},
			},
			DurationMinutes: in.DurationMinutes,
			CustomClaims:    in.CustomClaims,
			Attributes:      in.Attributes,
			SessionToken:    in.SessionToken,
			SessionJWT:      in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res = &AuthenticateResult{MethodID: t.EmailID, Result: *sres}
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

func (s *Service) sandbox(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, bool, error) {
	if p.Env != auth.EnvTest {
		return nil, false, nil
	}
	switch in.Token {
	case auth.SandboxMagicLinkUsed:
		return nil, true, auth.ErrUnableToAuthMagicLink
	case auth.SandboxMagicLinkNotFound:
		return nil, true, auth.ErrMagicLinkNotFound
	case auth.SandboxMagicLinkToken:
	default:
		return nil, false, nil
	}
	res := &AuthenticateResult{MethodID: auth.SandboxEmailID, Result: session.Result{User: auth.SandboxUser(p.ID)}}
	if in.DurationMinutes > 0 {
		sres, err := s.sessions.Sandbox(ctx, p)
		if err != nil {
			return nil, true, err
		}
		res.Result = *sres
	}
	return res, true, nil
}

func checkMinutes(ms ...int) error {
	for _, m := range ms {
		if m != 0 && (m < minMinutes || m > maxMinutes) {
			return auth.ErrInvalidExpiration
		}
	}
	return nil
}

func checkLocale(l string) error {
	switch l {
	case "", "en", "es", "pt-br", "fr":
		return nil
	}
	return auth.ErrInvalidLocale
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
