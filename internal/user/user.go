// Package user manages consumer users: creation, lookup, update, search,
// their email addresses and their phone numbers. Login flows (magic links,
// passcodes, passwords, and later OAuth) find or create users through it.
package user

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/phone"
	"github.com/latchauth/latch/internal/store"
)

// Service manages users.
type Service struct {
	store store.Store
	now   func() time.Time
}

// NewService returns a Service.
func NewService(st store.Store, now func() time.Time) *Service {
	return &Service{store: st, now: now}
}

// Size limits, as Stytch's: external IDs and each part of a name
// (metadata is bounded by auth.CheckMetadata).
const (
	maxExternalIDBytes = 128
	maxNamePartBytes   = 256
)

// checkFields refuses oversized names and external IDs.
func checkFields(n auth.Name, externalID string) error {
	for field, v := range map[string]string{"name.first_name": n.First, "name.middle_name": n.Middle, "name.last_name": n.Last} {
		if len(v) > maxNamePartBytes {
			return auth.ErrInvalidArgument.WithMessage("%s must be at most %d bytes.", field, maxNamePartBytes)
		}
	}
	if len(externalID) > maxExternalIDBytes {
		return auth.ErrInvalidArgument.WithMessage("external_id must be at most %d bytes.", maxExternalIDBytes)
	}
	return nil
}

// NormalizeEmail validates an email address and returns it lowercased.
// It accepts only a bare address (no display name) with a dotted domain.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return "", auth.ErrInvalidEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", auth.ErrInvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", auth.ErrInvalidEmail
	}
	return strings.ToLower(s), nil
}

// CreateInput is what a new user starts with.
type CreateInput struct {
	Email string
	// Phone is a phone number in any form phone.Normalize accepts.
	Phone             string
	Name              auth.Name
	ExternalID        string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Pending           bool
}

// Create makes a user, active unless in.Pending.
func (s *Service) Create(ctx context.Context, p *auth.Project, in CreateInput) (*auth.User, error) {
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		u, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	return u, err
}

// CreateTx is Create within the caller's transaction.
func (s *Service) CreateTx(ctx context.Context, tx store.Store, p *auth.Project, in CreateInput) (*auth.User, error) {
	now := s.now().UTC()
	u := &auth.User{
		ID:                auth.NewID(auth.KindUser, p.Env),
		ProjectID:         p.ID,
		Status:            auth.UserActive,
		Name:              in.Name,
		ExternalID:        in.ExternalID,
		TrustedMetadata:   auth.MergeMetadata(nil, in.TrustedMetadata),
		UntrustedMetadata: auth.MergeMetadata(nil, in.UntrustedMetadata),
		CreatedAt:         now,
		UpdatedAt:         now,
	}
	if in.Pending {
		u.Status = auth.UserPending
	}
	if err := auth.CheckMetadata(u.TrustedMetadata, u.UntrustedMetadata); err != nil {
		return nil, err
	}
	if err := checkFields(u.Name, u.ExternalID); err != nil {
		return nil, err
	}
	if in.Email != "" {
		addr, err := NormalizeEmail(in.Email)
		if err != nil {
			return nil, err
		}
		u.Emails = []auth.Email{{ID: auth.NewID(auth.KindEmail, p.Env), UserID: u.ID, Address: addr, CreatedAt: now}}
	}
	if in.Phone != "" {
		number, err := NormalizePhone(p, in.Phone)
		if err != nil {
			return nil, err
		}
		u.Phones = []auth.Phone{{ID: auth.NewID(auth.KindPhone, p.Env), UserID: u.ID, Number: number, CreatedAt: now}}
	}
	// Check the address and number first so a conflict can be attributed:
	// after them, a unique violation can only be the external ID (or a
	// concurrent signup with the same address or number, which is
	// reported as a duplicate of that).
	if len(u.Emails) > 0 {
		if _, err := tx.GetUserByEmail(ctx, p.ID, u.Emails[0].Address); err == nil {
			return nil, auth.ErrDuplicateEmail
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("user: create: %w", err)
		}
	}
	if len(u.Phones) > 0 {
		if _, err := tx.GetUserByPhone(ctx, p.ID, u.Phones[0].Number); err == nil {
			return nil, auth.ErrDuplicatePhoneNumber
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("user: create: %w", err)
		}
	}
	err := tx.CreateUser(ctx, p.ID, u)
	if errors.Is(err, store.ErrConflict) {
		switch {
		case in.ExternalID != "":
			return nil, auth.ErrDuplicateUserExternalID
		case len(u.Emails) == 0:
			return nil, auth.ErrDuplicatePhoneNumber
		}
		return nil, auth.ErrDuplicateEmail
	}
	if err != nil {
		return nil, fmt.Errorf("user: create: %w", err)
	}
	return u, nil
}

// Get returns a user.
func (s *Service) Get(ctx context.Context, projectID, userID string) (*auth.User, error) {
	return s.get(ctx, s.store, projectID, userID)
}

func (s *Service) get(ctx context.Context, st store.Store, projectID, userID string) (*auth.User, error) {
	if !auth.HasKind(userID, auth.KindUser) {
		return nil, auth.ErrInvalidUserID
	}
	u, err := st.GetUser(ctx, projectID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user: get: %w", err)
	}
	return u, nil
}

// GetByEmail returns the user owning an address.
func (s *Service) GetByEmail(ctx context.Context, st store.Store, projectID, address string) (*auth.User, error) {
	u, err := st.GetUserByEmail(ctx, projectID, address)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user: get by email: %w", err)
	}
	return u, nil
}

// LoginOrCreate returns, within tx, the user owning a (normalized) address
// and that address's email record. When there is none it creates one
// (pending when asked) if create is set, and refuses with
// ErrEmailNotFound otherwise. created reports whether it made the user.
// Every login-by-email flow (magic links, passcodes) starts here.
func (s *Service) LoginOrCreate(ctx context.Context, tx store.Store, p *auth.Project, address string, create, pending bool) (u *auth.User, email auth.Email, created bool, err error) {
	u, err = s.GetByEmail(ctx, tx, p.ID, address)
	switch {
	case errors.Is(err, auth.ErrUserNotFound) && create:
		if u, err = s.CreateTx(ctx, tx, p, CreateInput{Email: address, Pending: pending}); err != nil {
			return nil, auth.Email{}, false, err
		}
		created = true
	case errors.Is(err, auth.ErrUserNotFound):
		return nil, auth.Email{}, false, auth.ErrEmailNotFound.WithMessage("No user has the email address %s.", address)
	case err != nil:
		return nil, auth.Email{}, false, err
	}
	email, _ = u.EmailByAddress(address)
	return u, email, created, nil
}

// UpdateInput changes a user. Nil fields are left as they are. Metadata
// objects are merged key by key; a key set to null is removed.
type UpdateInput struct {
	Name              *auth.Name
	ExternalID        *string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
}

// Update applies in to a user and returns it.
func (s *Service) Update(ctx context.Context, projectID, userID string, in UpdateInput) (*auth.User, error) {
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if u, err = s.get(ctx, tx, projectID, userID); err != nil {
			return err
		}
		if in.Name != nil {
			u.Name = *in.Name
		}
		if in.ExternalID != nil {
			u.ExternalID = *in.ExternalID
		}
		u.TrustedMetadata = auth.MergeMetadata(u.TrustedMetadata, in.TrustedMetadata)
		u.UntrustedMetadata = auth.MergeMetadata(u.UntrustedMetadata, in.UntrustedMetadata)
		if err := auth.CheckMetadata(u.TrustedMetadata, u.UntrustedMetadata); err != nil {
			return err
		}
		if err := checkFields(u.Name, u.ExternalID); err != nil {
			return err
		}
		u.UpdatedAt = s.now().UTC()
		err = tx.UpdateUser(ctx, projectID, u)
		if errors.Is(err, store.ErrConflict) {
			return auth.ErrDuplicateUserExternalID
		}
		if err != nil {
			return fmt.Errorf("user: update: %w", err)
		}
		return nil
	})
	return u, err
}

// Activate marks a pending user active, as their first authentication does.
func (s *Service) Activate(ctx context.Context, tx store.Store, u *auth.User) error {
	if u.Status == auth.UserActive {
		return nil
	}
	u.Status = auth.UserActive
	u.UpdatedAt = s.now().UTC()
	if err := tx.UpdateUser(ctx, u.ProjectID, u); err != nil {
		return fmt.Errorf("user: activate: %w", err)
	}
	return nil
}

// VerifyEmail marks u's email emailID verified within tx, by a
// passwordless login that proved it (a magic link or an email passcode).
// When the address was unverified and u has a password, that password
// must be reset before it logs in again, as Stytch requires: whoever set
// it never proved the address, and may not be the person who just did (a
// pre-hijacked account).
func (s *Service) VerifyEmail(ctx context.Context, tx store.Store, p *auth.Project, u *auth.User, emailID string) error {
	for i := range u.Emails {
		e := &u.Emails[i]
		if e.ID != emailID || e.Verified {
			continue
		}
		if err := tx.VerifyEmail(ctx, p.ID, emailID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user: verify email: %w", err)
		}
		e.Verified = true
		if u.PasswordID != "" {
			if err := tx.RequirePasswordReset(ctx, p.ID, u.PasswordID, s.now().UTC()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("user: require password reset: %w", err)
			}
		}
	}
	return nil
}

// Delete removes a user with everything attached to it.
func (s *Service) Delete(ctx context.Context, projectID, userID string) error {
	if !auth.HasKind(userID, auth.KindUser) {
		return auth.ErrInvalidUserID
	}
	err := s.store.DeleteUser(ctx, projectID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrUserNotFound
	}
	if err != nil {
		return fmt.Errorf("user: delete: %w", err)
	}
	return nil
}

// DeleteEmail detaches an email from its user and returns the user.
func (s *Service) DeleteEmail(ctx context.Context, projectID, emailID string) (*auth.User, error) {
	if !auth.HasKind(emailID, auth.KindEmail) {
		return nil, auth.ErrInvalidEmailID
	}
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		e, err := tx.GetEmail(ctx, projectID, emailID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrEmailNotFound
		}
		if err != nil {
			return fmt.Errorf("user: delete email: %w", err)
		}
		if err := tx.DeleteEmail(ctx, projectID, emailID); err != nil {
			return fmt.Errorf("user: delete email: %w", err)
		}
		u, err = s.get(ctx, tx, projectID, e.UserID)
		return err
	})
	return u, err
}

// DeleteOAuthRegistration unlinks a provider account from its user and
// returns the user. The account's next login finds or creates a user as a
// first login would.
func (s *Service) DeleteOAuthRegistration(ctx context.Context, projectID, registrationID string) (*auth.User, error) {
	if !auth.HasKind(registrationID, auth.KindOAuthRegistration) {
		return nil, auth.ErrInvalidArgument.WithMessage("%q is not an oauth_user_registration_id.", registrationID)
	}
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		r, err := tx.GetOAuthRegistration(ctx, projectID, registrationID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrOAuthUserRegistrationNotFound
		}
		if err != nil {
			return fmt.Errorf("user: delete oauth registration: %w", err)
		}
		if err := tx.DeleteOAuthRegistration(ctx, projectID, registrationID); err != nil {
			return fmt.Errorf("user: delete oauth registration: %w", err)
		}
		u, err = s.get(ctx, tx, projectID, r.UserID)
		return err
	})
	return u, err
}

// Operand is one search condition, as Stytch's users.search takes it.
type Operand struct {
	FilterName  string
	FilterValue any
}

// SearchInput is a users.search request.
type SearchInput struct {
	Cursor   string
	Limit    int
	Operator string // "AND" (default) or "OR"
	Operands []Operand
}

// SearchResult is one page of users.
type SearchResult struct {
	Users      []auth.User
	Total      int
	NextCursor string
}

// Search returns a page of users matching in.
func (s *Service) Search(ctx context.Context, projectID string, in SearchInput) (*SearchResult, error) {
	f := store.UserFilter{Limit: in.Limit}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 1000 {
		return nil, auth.ErrUserSearchInvalidLimit
	}
	switch strings.ToUpper(in.Operator) {
	case "", "AND":
	case "OR":
		f.Or = true
	default:
		return nil, auth.ErrUserSearchInvalidOperator
	}
	for _, op := range in.Operands {
		if err := addOperand(&f, op); err != nil {
			return nil, err
		}
	}
	if in.Cursor != "" {
		c, err := store.ParseCursor(in.Cursor)
		if err != nil || !auth.HasKind(c.ID, auth.KindUser) {
			return nil, auth.ErrUserSearchInvalidCursor
		}
		f.After = c
	}
	// Ask for one more than the page to learn whether a next page exists.
	f.Limit++
	users, total, err := s.store.SearchUsers(ctx, projectID, f)
	if err != nil {
		return nil, fmt.Errorf("user: search: %w", err)
	}
	res := &SearchResult{Users: users, Total: total}
	if len(users) == f.Limit {
		res.Users = users[:f.Limit-1]
		last := res.Users[len(res.Users)-1]
		res.NextCursor = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.String()
	}
	return res, nil
}

func addOperand(f *store.UserFilter, op Operand) error {
	strs := func() ([]string, error) {
		vs, ok := op.FilterValue.([]any)
		if !ok || len(vs) == 0 {
			return nil, auth.ErrUserSearchExpectedArray
		}
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			s, ok := v.(string)
			if !ok {
				return nil, auth.ErrUserSearchExpectedArray
			}
			out = append(out, s)
		}
		return out, nil
	}
	switch op.FilterName {
	case "user_id":
		ids, err := strs()
		if err != nil {
			return err
		}
		f.UserIDs = append(f.UserIDs, ids...)
	case "email_address":
		addrs, err := strs()
		if err != nil {
			return err
		}
		for _, a := range addrs {
			f.EmailAddresses = append(f.EmailAddresses, strings.ToLower(strings.TrimSpace(a)))
		}
	case "email_address_fuzzy":
		s, ok := op.FilterValue.(string)
		if !ok || s == "" {
			return auth.ErrUserSearchExpectedString
		}
		f.EmailFuzzy = strings.ToLower(s)
	case "phone_number":
		numbers, err := strs()
		if err != nil {
			return err
		}
		for _, n := range numbers {
			// A number that cannot be normalised matches no user; it is
			// a search, not a write, so it is not an error.
			if e164, err := phone.Normalize(n); err == nil {
				n = e164
			}
			f.PhoneNumbers = append(f.PhoneNumbers, n)
		}
	case "phone_id":
		ids, err := strs()
		if err != nil {
			return err
		}
		f.PhoneIDs = append(f.PhoneIDs, ids...)
	case "phone_number_fuzzy":
		s, ok := op.FilterValue.(string)
		if !ok || s == "" {
			return auth.ErrUserSearchExpectedString
		}
		f.PhoneFuzzy = s
	case "status":
		s, ok := op.FilterValue.(string)
		if !ok {
			return auth.ErrUserSearchExpectedString
		}
		st := auth.UserStatus(s)
		if st != auth.UserActive && st != auth.UserPending {
			return auth.ErrUserSearchInvalidStatus
		}
		f.Statuses = append(f.Statuses, st)
	default:
		return auth.ErrUserSearchFilterNotRecognized.WithMessage("The search filter %q is not recognized; Latch supports user_id, email_address, email_address_fuzzy, phone_number, phone_id, phone_number_fuzzy and status.", op.FilterName)
	}
	return nil
}
