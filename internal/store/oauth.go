package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// OAuthProviders persists each project's identity provider configurations,
// one per provider name.
type OAuthProviders interface {
	// PutOAuthProvider creates or replaces the project's provider named
	// p.Name. Replacing keeps the original CreatedAt, written back to p.
	PutOAuthProvider(ctx context.Context, projectID string, p *auth.OAuthProvider) error
	// GetOAuthProvider returns the project's provider by name. Returns ErrNotFound.
	GetOAuthProvider(ctx context.Context, projectID, name string) (*auth.OAuthProvider, error)
	// ListOAuthProviders returns the project's providers by name.
	ListOAuthProviders(ctx context.Context, projectID string) ([]auth.OAuthProvider, error)
	// DeleteOAuthProvider removes a provider. Returns ErrNotFound.
	DeleteOAuthProvider(ctx context.Context, projectID, name string) error
}

// OAuthLogins persists OAuth logins in progress and users' links to
// provider accounts.
type OAuthLogins interface {
	// CreateOAuthState inserts s. Returns ErrConflict if its hash exists.
	CreateOAuthState(ctx context.Context, projectID string, s *auth.OAuthState) error
	// ConsumeOAuthState marks the unused, unexpired state whose hash is
	// stateHash as consumed at now, in one conditional statement, and
	// returns it: of any number of concurrent callbacks at most one
	// succeeds. Returns ErrNotFound if no such state exists in the
	// project, and ErrConsumed if it was used or has expired.
	ConsumeOAuthState(ctx context.Context, projectID string, stateHash []byte, now time.Time) (*auth.OAuthState, error)

	// PutOAuthRegistration inserts r, or, when the project already links
	// r's provider and subject, updates that link's email, picture, locale
	// and tokens and writes its ID, user and creation time back to r.
	// Returns ErrNotFound if r.UserID names no user.
	PutOAuthRegistration(ctx context.Context, projectID string, r *auth.OAuthRegistration) error
	// GetOAuthRegistration returns a link by ID. Returns ErrNotFound.
	GetOAuthRegistration(ctx context.Context, projectID, registrationID string) (*auth.OAuthRegistration, error)
	// GetOAuthRegistrationBySubject returns the link of a provider account.
	// Returns ErrNotFound.
	GetOAuthRegistrationBySubject(ctx context.Context, projectID, provider, subject string) (*auth.OAuthRegistration, error)
	// ListUserOAuthRegistrations returns a user's links, oldest first.
	ListUserOAuthRegistrations(ctx context.Context, projectID, userID string) ([]auth.OAuthRegistration, error)
	// DeleteOAuthRegistration removes a link. Returns ErrNotFound.
	DeleteOAuthRegistration(ctx context.Context, projectID, registrationID string) error

	// PutMemberOAuthRegistration inserts r, or, when r's organization
	// already links r's provider and subject, updates that link's email,
	// tenant, picture, locale and (when r has any) tokens, and writes its
	// ID, member and creation time back to r. Returns ErrNotFound if
	// r.MemberID names no member.
	PutMemberOAuthRegistration(ctx context.Context, projectID string, r *auth.MemberOAuthRegistration) error
	// GetMemberOAuthRegistrationBySubject returns the link of a provider
	// account in an organization. Returns ErrNotFound.
	GetMemberOAuthRegistrationBySubject(ctx context.Context, projectID, organizationID, provider, subject string) (*auth.MemberOAuthRegistration, error)
	// ListMemberOAuthRegistrations returns a member's links with their
	// sealed tokens, oldest first; none is an empty list.
	ListMemberOAuthRegistrations(ctx context.Context, projectID, memberID string) ([]auth.MemberOAuthRegistration, error)
}
