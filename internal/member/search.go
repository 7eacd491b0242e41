package member

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
)

// SearchInput is an organizations.members.search request.
type SearchInput struct {
	// OrganizationIDs scope the search (IDs or slugs); at least one is
	// required.
	OrganizationIDs []string
	Cursor          string
	Limit           int    // 0 means organization.DefaultSearchLimit
	Operator        string // "AND" (the default) or "OR"
	Operands        []organization.Operand
}

// SearchResult is one page of members, with the organizations they belong
// to keyed by ID.
type SearchResult struct {
	Members       []auth.Member
	Organizations map[string]*auth.Organization
	Total         int
	NextCursor    string // "" on the last page
}

// liveStatuses are the statuses a search matches when it names none:
// Stytch's empty query "returns all non-deleted Members".
var liveStatuses = []auth.MemberStatus{auth.MemberActive, auth.MemberInvited, auth.MemberPending}

// Search returns a page of the members of in.OrganizationIDs matching its
// query.
//
// Errors: ErrMemberSearchOrganizationIDsEmpty, ErrOrganizationNotFound,
// ErrSearchInvalidLimit, ErrSearchInvalidCursor, ErrInvalidArgument
// (operator), ErrMemberSearchFilterNotRecognized,
// ErrMemberSearchExpectedArray, ErrMemberSearchExpectedString,
// ErrMemberSearchExpectedBoolean, ErrMemberSearchEmailFuzzyTooShort,
// ErrSearchInvalidStatusFilter, ErrInvalidRBACRoleID.
func (s *Service) Search(ctx context.Context, projectID string, in SearchInput) (*SearchResult, error) {
	if len(in.OrganizationIDs) == 0 {
		return nil, auth.ErrMemberSearchOrganizationIDsEmpty
	}
	limit, or, err := organization.SearchPaging(in.Limit, in.Operator)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{Organizations: map[string]*auth.Organization{}}
	f := store.MemberFilter{Limit: limit, Or: or}
	for _, id := range in.OrganizationIDs {
		o, err := s.orgs.Get(ctx, projectID, id)
		if err != nil {
			return nil, err
		}
		if _, dup := res.Organizations[o.ID]; !dup {
			res.Organizations[o.ID] = o
			f.OrganizationIDs = append(f.OrganizationIDs, o.ID)
		}
	}
	statuses, everyone := false, false
	for _, op := range in.Operands {
		if err := addOperand(&f, op, &everyone); err != nil {
			return nil, err
		}
		statuses = statuses || op.FilterName == "statuses"
	}
	if everyone && f.Or {
		// One condition holds for every member, so the disjunction does.
		f = store.MemberFilter{OrganizationIDs: f.OrganizationIDs, Limit: f.Limit}
		statuses = false
	}
	// Without a statuses filter, deleted members are left out. The store
	// joins every condition with the query's operator, so this can only be
	// one more condition of an AND query: an OR query without a statuses
	// filter matches deleted members too.
	if !statuses && (!f.Or || len(in.Operands) == 0) {
		f.Or = false
		f.Statuses = liveStatuses
	}
	if in.Cursor != "" {
		c, err := store.ParseCursor(in.Cursor)
		if err != nil || !auth.HasKind(c.ID, auth.KindMember) {
			return nil, auth.ErrSearchInvalidCursor
		}
		f.After = c
	}
	// Ask for one more than the page to learn whether a next page exists.
	f.Limit++
	members, total, err := s.store.SearchMembers(ctx, projectID, f)
	if err != nil {
		return nil, fmt.Errorf("member: search: %w", err)
	}
	res.Members, res.Total = members, total
	if len(members) == f.Limit {
		res.Members = members[:limit]
		last := res.Members[limit-1]
		res.NextCursor = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.String()
	}
	return res, nil
}

// addOperand adds op's condition to f. It sets everyone when the condition
// holds for every member (member_roles naming stytch_member).
func addOperand(f *store.MemberFilter, op organization.Operand, everyone *bool) error {
	strs := func() ([]string, error) {
		return organization.OperandStrings(op.FilterValue, auth.ErrMemberSearchExpectedArray, op.FilterName)
	}
	var err error
	switch op.FilterName {
	case "member_ids":
		var ids []string
		ids, err = strs()
		f.MemberIDs = append(f.MemberIDs, ids...)
	case "member_emails":
		var addrs []string
		addrs, err = strs()
		for _, a := range addrs {
			f.EmailAddresses = append(f.EmailAddresses, strings.ToLower(strings.TrimSpace(a)))
		}
	case "member_email_fuzzy":
		f.EmailFuzzy, err = organization.OperandFuzzy(op.FilterValue, auth.ErrMemberSearchExpectedString, auth.ErrMemberSearchEmailFuzzyTooShort, op.FilterName)
	case "statuses":
		var ss []string
		ss, err = strs()
		for _, s := range ss {
			st := auth.MemberStatus(s)
			if !st.Valid() {
				return auth.ErrSearchInvalidStatusFilter.WithMessage("statuses: %q is not a member status; they are active, pending, invited and deleted.", s)
			}
			if !slices.Contains(f.Statuses, st) {
				f.Statuses = append(f.Statuses, st)
			}
		}
	case "member_is_breakglass":
		b, ok := op.FilterValue.(bool)
		if !ok {
			return auth.ErrMemberSearchExpectedBoolean.WithMessage("The member_is_breakglass filter takes a boolean.")
		}
		f.IsBreakglass = &b
	case "member_roles":
		var roles []string
		roles, err = strs()
		for _, r := range roles {
			if !organization.ValidRole(r) {
				return auth.ErrInvalidRBACRoleID.WithMessage("member_roles: the role %q does not exist; Latch's roles are %s and %s.", r, auth.RoleMember, auth.RoleAdmin)
			}
			// Every member holds stytch_member, and the store matches only
			// directly assigned roles: the condition holds for everyone.
			if r == auth.RoleMember {
				*everyone = true
			} else {
				f.Roles = append(f.Roles, r)
			}
		}
	default:
		return auth.ErrMemberSearchFilterNotRecognized.WithMessage(
			"The search filter %q is not recognized; Latch supports member_ids, member_emails, member_email_fuzzy, statuses, member_is_breakglass and member_roles.", op.FilterName)
	}
	return err
}
