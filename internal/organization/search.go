package organization

import (
	"context"
	"fmt"
	"strings"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

// Operand is one search condition, as Stytch's search endpoints take it:
// a filter name and its JSON value (decoded into any).
type Operand struct {
	FilterName  string
	FilterValue any
}

// SearchInput is an organizations.search request.
type SearchInput struct {
	Cursor   string
	Limit    int    // 0 means DefaultSearchLimit
	Operator string // "AND" (the default) or "OR"
	Operands []Operand
}

// SearchResult is one page of organizations.
type SearchResult struct {
	Organizations []auth.Organization
	Total         int
	NextCursor    string // "" on the last page
}

// Search limits, as Stytch's.
const (
	DefaultSearchLimit = 100
	MaxSearchLimit     = 1000
	// minFuzzyLen is the shortest value a *_fuzzy filter takes: Stytch
	// requires three characters of every fuzzy search.
	minFuzzyLen = 3
)

// Search returns a page of the project's organizations matching in.
//
// Errors: ErrSearchInvalidLimit, ErrSearchInvalidCursor,
// ErrInvalidArgument (operator), ErrOrganizationSearchFilterNotRecognized,
// ErrOrganizationSearchExpectedArray, ErrOrganizationSearchExpectedString
// and the *_fuzzy_too_short errors.
func (s *Service) Search(ctx context.Context, projectID string, in SearchInput) (*SearchResult, error) {
	limit, or, err := SearchPaging(in.Limit, in.Operator)
	if err != nil {
		return nil, err
	}
	f := store.OrganizationFilter{Limit: limit, Or: or}
	for _, op := range in.Operands {
		if err := addOperand(&f, op); err != nil {
			return nil, err
		}
	}
	if in.Cursor != "" {
		c, err := store.ParseCursor(in.Cursor)
		if err != nil || !auth.HasKind(c.ID, auth.KindOrganization) {
			return nil, auth.ErrSearchInvalidCursor
		}
		f.After = c
	}
	// Ask for one more than the page to learn whether a next page exists.
	f.Limit++
	orgs, total, err := s.store.SearchOrganizations(ctx, projectID, f)
	if err != nil {
		return nil, fmt.Errorf("organization: search: %w", err)
	}
	res := &SearchResult{Organizations: orgs, Total: total}
	if len(orgs) == f.Limit {
		res.Organizations = orgs[:limit]
		last := res.Organizations[limit-1]
		res.NextCursor = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.String()
	}
	return res, nil
}

// SearchPaging validates a search's limit and operator, shared by the
// organization and member searches: it returns the page size (a zero limit
// is DefaultSearchLimit) and whether operands are joined with OR.
func SearchPaging(limit int, operator string) (int, bool, error) {
	if limit == 0 {
		limit = DefaultSearchLimit
	}
	if limit < 1 || limit > MaxSearchLimit {
		return 0, false, auth.ErrSearchInvalidLimit
	}
	switch strings.ToUpper(operator) {
	case "", "AND":
		return limit, false, nil
	case "OR":
		return limit, true, nil
	default:
		return 0, false, auth.ErrInvalidArgument.WithMessage("query.operator must be AND or OR (got %q).", operator)
	}
}

// OperandStrings reads a filter value that must be a non-empty JSON array of
// strings, returning bad otherwise.
func OperandStrings(v any, bad *auth.Error, filter string) ([]string, error) {
	vs, ok := v.([]any)
	if !ok || len(vs) == 0 {
		return nil, bad.WithMessage("The %s filter takes a non-empty array of strings.", filter)
	}
	out := make([]string, 0, len(vs))
	for _, e := range vs {
		s, ok := e.(string)
		if !ok {
			return nil, bad.WithMessage("The %s filter takes a non-empty array of strings.", filter)
		}
		out = append(out, s)
	}
	return out, nil
}

// OperandFuzzy reads a *_fuzzy filter value: a string of at least three
// characters, lowercased. It returns bad for a value that is not a string
// and short for one too short.
func OperandFuzzy(v any, bad, short *auth.Error, filter string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", bad.WithMessage("The %s filter takes a string.", filter)
	}
	if len([]rune(s)) < minFuzzyLen {
		return "", short
	}
	return strings.ToLower(s), nil
}

func addOperand(f *store.OrganizationFilter, op Operand) error {
	strs := func() ([]string, error) {
		return OperandStrings(op.FilterValue, auth.ErrOrganizationSearchExpectedArray, op.FilterName)
	}
	var err error
	switch op.FilterName {
	case "organization_ids":
		var ids []string
		ids, err = strs()
		f.OrganizationIDs = append(f.OrganizationIDs, ids...)
	case "organization_slugs":
		var slugs []string
		slugs, err = strs()
		f.Slugs = append(f.Slugs, slugs...)
	case "organization_name_fuzzy":
		f.NameFuzzy, err = OperandFuzzy(op.FilterValue, auth.ErrOrganizationSearchExpectedString, auth.ErrOrganizationSearchNameFuzzyTooShort, op.FilterName)
	case "organization_slug_fuzzy":
		f.SlugFuzzy, err = OperandFuzzy(op.FilterValue, auth.ErrOrganizationSearchExpectedString, auth.ErrOrganizationSearchSlugFuzzyTooShort, op.FilterName)
	case "member_emails":
		var addrs []string
		addrs, err = strs()
		for _, a := range addrs {
			f.MemberEmails = append(f.MemberEmails, strings.ToLower(strings.TrimSpace(a)))
		}
	case "member_email_fuzzy":
		f.MemberEmailFuzzy, err = OperandFuzzy(op.FilterValue, auth.ErrOrganizationSearchExpectedString, auth.ErrOrganizationSearchMemberEmailFuzzyTooShort, op.FilterName)
	case "allowed_domains":
		var ds []string
		ds, err = strs()
		for _, d := range ds {
			f.AllowedDomains = append(f.AllowedDomains, strings.ToLower(strings.TrimSpace(d)))
		}
	default:
		return auth.ErrOrganizationSearchFilterNotRecognized.WithMessage(
			"The search filter %q is not recognized; Latch supports organization_ids, organization_slugs, organization_name_fuzzy, organization_slug_fuzzy, member_emails, member_email_fuzzy and allowed_domains.", op.FilterName)
	}
	return err
}
