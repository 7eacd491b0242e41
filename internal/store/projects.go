package store

import (
	"context"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Projects persists projects and their credentials.
type Projects interface {
	// CreateProject inserts p. Returns ErrConflict if the ID or public token exists.
	CreateProject(ctx context.Context, p *auth.Project) error
	// GetProject returns the project. Returns ErrNotFound.
	GetProject(ctx context.Context, projectID string) (*auth.Project, error)
	// GetProjectByPublicToken returns the project owning a public token. Returns ErrNotFound.
	GetProjectByPublicToken(ctx context.Context, publicToken string) (*auth.Project, error)
	// ListProjects returns every project, oldest first. Operator-level: spans projects.
	ListProjects(ctx context.Context) ([]auth.Project, error)
	// SetProjectPasswordPolicy replaces a project's password strength
	// policy. Returns ErrNotFound.
	SetProjectPasswordPolicy(ctx context.Context, projectID string, pol auth.PasswordPolicy, now time.Time) error
}

// RedirectURLs persists each project's redirect URL allowlist.
type RedirectURLs interface {
	// AddRedirectURL allowlists u.URL for u.Type. When u.IsDefault, any
	// previous default of that type stops being the default. Returns
	// ErrConflict if the URL is already allowlisted for that type.
	AddRedirectURL(ctx context.Context, projectID string, u auth.RedirectURL) error
	// ListRedirectURLs returns the project's allowlist, oldest first.
	ListRedirectURLs(ctx context.Context, projectID string) ([]auth.RedirectURL, error)
	// DeleteRedirectURL removes u from the allowlist for every type. Returns ErrNotFound.
	DeleteRedirectURL(ctx context.Context, projectID, url string) error
}
