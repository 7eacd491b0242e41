package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// Organizations persists B2B organizations.
type Organizations interface {
	// CreateOrganization inserts o. Returns ErrConflict if its ID, slug or
	// (non-empty) external ID is already used in the project. Slugs are
	// compared exactly: callers normalize them.
	CreateOrganization(ctx context.Context, projectID string, o *auth.Organization) error
	// GetOrganization returns an organization. Returns ErrNotFound.
	GetOrganization(ctx context.Context, projectID, organizationID string) (*auth.Organization, error)
	// GetOrganizationBySlug returns the organization with a slug. Returns ErrNotFound.
	GetOrganizationBySlug(ctx context.Context, projectID, slug string) (*auth.Organization, error)
	// GetOrganizationByExternalID returns the organization with a
	// (non-empty) external ID. Returns ErrNotFound.
	GetOrganizationByExternalID(ctx context.Context, projectID, externalID string) (*auth.Organization, error)
	// UpdateOrganization writes every field of o but its ID and CreatedAt.
	// Returns ErrNotFound, or ErrConflict for a slug or external ID already
	// used.
	UpdateOrganization(ctx context.Context, projectID string, o *auth.Organization) error
	// DeleteOrganization removes an organization with its members, their
	// sessions and their tokens. Returns ErrNotFound.
	DeleteOrganization(ctx context.Context, projectID, organizationID string) error
	// SearchOrganizations returns one page of organizations matching f,
	// ordered by (CreatedAt, ID), and how many match in all pages.
	SearchOrganizations(ctx context.Context, projectID string, f OrganizationFilter) (orgs []auth.Organization, total int, err error)
	// ListOrganizationsWithOAuthTenantJIT returns the organizations whose
	// oauth_tenant_jit_provisioning is RESTRICTED, oldest first: those an
	// account of an allowed OAuth tenant may join.
	ListOrganizationsWithOAuthTenantJIT(ctx context.Context, projectID string) ([]auth.Organization, error)
	// ListOrganizationsByAllowedDomain returns the organizations whose
	// EmailAllowedDomains contain the (lowercased) domain, oldest first.
	ListOrganizationsByAllowedDomain(ctx context.Context, projectID, domain string) ([]auth.Organization, error)
}

// OrganizationFilter selects organizations for SearchOrganizations. Each
// non-zero field is one condition; conditions are joined with AND, or with
// OR when Or is set. A filter with no condition matches everything.
type OrganizationFilter struct {
	Or              bool
	OrganizationIDs []string
	Slugs           []string
	// NameFuzzy and SlugFuzzy match a case-insensitive substring.
	NameFuzzy string
	SlugFuzzy string
	// MemberEmails matches organizations with a member (of any status but
	// deleted) whose address is in the list; MemberEmailFuzzy a member
	// whose address contains the (lowercased) substring.
	MemberEmails     []string
	MemberEmailFuzzy string
	// AllowedDomains matches organizations allowing any of the domains.
	AllowedDomains []string

	After *Cursor
	Limit int // must be positive
}

// Cursor is a position in a (CreatedAt, ID) order.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// String encodes the cursor as the opaque next_cursor string of search
// responses.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + ":" + c.ID))
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("store: parse cursor: %w", err)
	}
	us, id, ok := strings.Cut(string(b), ":")
	if !ok || id == "" {
		return nil, errors.New("store: parse cursor: malformed")
	}
	n, err := strconv.ParseInt(us, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("store: parse cursor: %w", err)
	}
	return &Cursor{CreatedAt: time.UnixMicro(n).UTC(), ID: id}, nil
}
