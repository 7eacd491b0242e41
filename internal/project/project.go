// Package project manages projects (tenants), their API credentials and
// their redirect URL allowlists.
package project

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// KeyEnsurer creates a project's first JWT signing key.
type KeyEnsurer interface {
	Ensure(ctx context.Context, projectID string, env auth.Env) error
}

// Service creates projects and checks their credentials.
type Service struct {
	store store.Store
	keys  KeyEnsurer
	now   func() time.Time

	// cache keeps projects by ID, because every API request checks its
	// credentials and projects change only through this service.
	mu    sync.RWMutex
	cache map[string]cached
}

type cached struct {
	p       *auth.Project
	expires time.Time
}

// cacheTTL bounds how long another process's change to a project (its
// password policy, set by the CLI) can go unseen.
const cacheTTL = time.Minute

// NewService returns a Service.
func NewService(st store.Store, keys KeyEnsurer, now func() time.Time) *Service {
	return &Service{store: st, keys: keys, now: now, cache: map[string]cached{}}
}

// Credentials are a new project's identifiers and its one-time-shown secret.
type Credentials struct {
	Project *auth.Project
	Secret  string
}

// Create makes a project in env with its secret, public token, first
// signing key, and (for test projects) the default redirect URL allowlisted
// for every type, as Stytch does.
func (s *Service) Create(ctx context.Context, name string, env auth.Env) (*Credentials, error) {
	if !env.Valid() {
		return nil, fmt.Errorf("project: unknown environment %q", env)
	}
	if strings.TrimSpace(name) == "" {
		name = "Latch " + string(env) + " project"
	}
	now := s.now().UTC()
	secret := token.NewSecret("secret-" + string(env) + "-")
	p := &auth.Project{
		ID:          auth.NewID(auth.KindProject, env),
		Name:        name,
		Env:         env,
		SecretHash:  token.Hash(secret),
		PublicToken: auth.NewID(auth.KindPublicToken, env),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	err := s.store.InTx(ctx, func(tx store.Store) error {
		if err := tx.CreateProject(ctx, p); err != nil {
			return err
		}
		if env != auth.EnvTest {
			return nil
		}
		for _, t := range auth.RedirectTypes {
			u := auth.RedirectURL{ProjectID: p.ID, URL: auth.DefaultRedirectURL, Type: t, IsDefault: true, CreatedAt: now}
			if err := tx.AddRedirectURL(ctx, p.ID, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("project: create: %w", err)
	}
	if err := s.keys.Ensure(ctx, p.ID, env); err != nil {
		return nil, fmt.Errorf("project: create signing key: %w", err)
	}
	return &Credentials{Project: p, Secret: secret}, nil
}

// Get returns a project, from cache when fresh.
func (s *Service) Get(ctx context.Context, projectID string) (*auth.Project, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := s.cache[projectID]
	s.mu.RUnlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	p, err := s.store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrProjectNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("project: get: %w", err)
	}
	s.mu.Lock()
	s.cache[projectID] = cached{p: p, expires: now.Add(cacheTTL)}
	s.mu.Unlock()
	return p, nil
}

// Authenticate returns the project whose ID and secret these are. Any
// mismatch, including an unknown project, is ErrUnauthorizedCredentials.
func (s *Service) Authenticate(ctx context.Context, projectID, secret string) (*auth.Project, error) {
	if projectID == "" || secret == "" {
		return nil, auth.ErrUnauthorizedCredentials
	}
	p, err := s.Get(ctx, projectID)
	if errors.Is(err, auth.ErrProjectNotFound) {
		return nil, auth.ErrUnauthorizedCredentials
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(p.SecretHash, token.Hash(secret)) != 1 {
		return nil, auth.ErrUnauthorizedCredentials
	}
	return p, nil
}

// SetPasswordPolicy replaces a project's password strength policy, after
// checking it against Stytch's bounds. A server running meanwhile applies
// it within cacheTTL.
func (s *Service) SetPasswordPolicy(ctx context.Context, projectID string, pol auth.PasswordPolicy) (*auth.Project, error) {
	if err := (password.Policy{Kind: pol.Kind, LUDSMinLength: pol.LUDSMinLength, LUDSMinCharTypes: pol.LUDSMinCharTypes}).Validate(); err != nil {
		return nil, auth.ErrInvalidArgument.Wrap(err).WithMessage("%v", err)
	}
	if pol.Kind != password.PolicyLUDS && (pol.LUDSMinLength != 0 || pol.LUDSMinCharTypes != 0) {
		return nil, auth.ErrInvalidArgument.WithMessage("LUDS settings apply only to the luds policy.")
	}
	err := s.store.SetProjectPasswordPolicy(ctx, projectID, pol, s.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrProjectNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("project: set password policy: %w", err)
	}
	s.mu.Lock()
	delete(s.cache, projectID)
	s.mu.Unlock()
	return s.Get(ctx, projectID)
}

// List returns every project.
func (s *Service) List(ctx context.Context) ([]auth.Project, error) {
	ps, err := s.store.ListProjects(ctx)
	if err != nil {
		return nil, fmt.Errorf("project: list: %w", err)
	}
	return ps, nil
}

// AddRedirectURL allowlists rawURL for each of types. With isDefault it
// becomes the default of those types.
func (s *Service) AddRedirectURL(ctx context.Context, projectID, rawURL string, types []auth.RedirectType, isDefault bool) error {
	if _, err := s.Get(ctx, projectID); err != nil {
		return err
	}
	if err := validRedirectURL(rawURL); err != nil {
		return err
	}
	if len(types) == 0 {
		return auth.ErrInvalidRedirectURLType
	}
	now := s.now().UTC()
	return s.store.InTx(ctx, func(tx store.Store) error {
		for _, t := range types {
			if !t.Valid() {
				return auth.ErrInvalidRedirectURLType
			}
			err := tx.AddRedirectURL(ctx, projectID, auth.RedirectURL{ProjectID: projectID, URL: rawURL, Type: t, IsDefault: isDefault, CreatedAt: now})
			if errors.Is(err, store.ErrConflict) {
				return auth.ErrDuplicateRedirectURL.WithMessage("%s is already allowlisted for %s.", rawURL, t)
			}
			if err != nil {
				return fmt.Errorf("project: add redirect url: %w", err)
			}
		}
		return nil
	})
}

// RedirectURLs returns a project's allowlist.
func (s *Service) RedirectURLs(ctx context.Context, projectID string) ([]auth.RedirectURL, error) {
	us, err := s.store.ListRedirectURLs(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("project: list redirect urls: %w", err)
	}
	return us, nil
}

// ResolveRedirect returns the URL a link of type t should lead to: rawURL
// when it exactly matches an allowlisted URL of that type, the type's
// default when rawURL is empty, and otherwise an error naming what is wrong
// (ErrNoMatchForMagicLinkURL for a URL off the allowlist).
func (s *Service) ResolveRedirect(ctx context.Context, projectID string, t auth.RedirectType, rawURL string, noDefault *auth.Error) (string, error) {
	return s.ResolveRedirectFor(ctx, projectID, t, rawURL, noDefault, auth.ErrNoMatchForMagicLinkURL)
}

// ResolveRedirectFor is ResolveRedirect for a product whose error for a
// URL off the allowlist is noMatch (OAuth's no_match_for_provided_oauth_url).
func (s *Service) ResolveRedirectFor(ctx context.Context, projectID string, t auth.RedirectType, rawURL string, noDefault, noMatch *auth.Error) (string, error) {
	us, err := s.RedirectURLs(ctx, projectID)
	if err != nil {
		return "", err
	}
	if rawURL == "" {
		for _, u := range us {
			if u.Type == t && u.IsDefault {
				return u.URL, nil
			}
		}
		return "", noDefault
	}
	if err := validRedirectURL(rawURL); err != nil {
		return "", err
	}
	for _, u := range us {
		if u.Type == t && u.URL == rawURL {
			return rawURL, nil
		}
	}
	return "", noMatch.WithMessage(
		"The %s URL %s is not allowlisted for this project. Add it with: latch redirect-urls add --project %s --type %s %s",
		t, rawURL, projectID, t, rawURL)
}

func validRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2048 {
		return auth.ErrInvalidMagicLinkURL
	}
	return nil
}
