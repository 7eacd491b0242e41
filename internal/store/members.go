package store

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

// Members persists B2B members. A deleted member keeps its row (status
// deleted), so it can be reactivated and its address stays taken.
type Members interface {
	// CreateMember inserts m. Returns ErrConflict if the organization has a
	// member with its (lowercased) address or external ID, and ErrNotFound
	// if the organization does not exist.
	CreateMember(ctx context.Context, projectID string, m *auth.Member) error
	// GetMember returns a member of an organization. Returns ErrNotFound.
	GetMember(ctx context.Context, projectID, organizationID, memberID string) (*auth.Member, error)
	// GetMemberByEmail returns the member with the (lowercased) address in
	// an organization. Returns ErrNotFound.
	GetMemberByEmail(ctx context.Context, projectID, organizationID, address string) (*auth.Member, error)
	// GetMemberByExternalID returns the member with a (non-empty) external
	// ID in an organization. Returns ErrNotFound.
	GetMemberByExternalID(ctx context.Context, projectID, organizationID, externalID string) (*auth.Member, error)
	// GetMemberByID returns a member of any organization of the project.
	// Returns ErrNotFound.
	GetMemberByID(ctx context.Context, projectID, memberID string) (*auth.Member, error)
	// ListMembersByEmail returns the members with the (lowercased) address
	// in every organization of the project, of any status, oldest first.
	ListMembersByEmail(ctx context.Context, projectID, address string) ([]auth.Member, error)
	// UpdateMember writes every field of m but its IDs and CreatedAt.
	// Returns ErrNotFound (also when m.OrganizationID is not the member's
	// organization), or ErrConflict for an address or external ID already
	// used in the organization.
	UpdateMember(ctx context.Context, projectID string, m *auth.Member) error
	// SearchMembers returns one page of members matching f, ordered by
	// (CreatedAt, ID), and how many match in all pages.
	SearchMembers(ctx context.Context, projectID string, f MemberFilter) (members []auth.Member, total int, err error)
}

// MemberFilter selects members for SearchMembers. OrganizationIDs scopes
// the search and is always required (ANDed with the rest). Each other
// non-zero field is one condition; they are joined with AND, or with OR
// when Or is set.
type MemberFilter struct {
	OrganizationIDs []string
	Or              bool
	MemberIDs       []string
	EmailAddresses  []string // lowercased
	EmailFuzzy      string   // lowercased substring
	Statuses        []auth.MemberStatus
	IsBreakglass    *bool
	// Roles matches members holding any of the roles directly.
	Roles []string

	After *Cursor
	Limit int // must be positive
}
