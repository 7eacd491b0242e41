package store

import (
	"context"

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
