package user

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/phone"
	"github.com/latchauth/latch/internal/store"
)

// NormalizePhone validates a phone number for project p and returns it in
// E.164 form, or auth.ErrInvalidPhoneNumber saying why not. Stytch's
// sandbox number is a number only in test projects.
func NormalizePhone(p *auth.Project, raw string) (string, error) {
	return phone.ForEnv(p.Env, raw, raw)
}

// GetByPhone returns the user owning an (E.164) number.
func (s *Service) GetByPhone(ctx context.Context, st store.Store, projectID, number string) (*auth.User, error) {
	u, err := st.GetUserByPhone(ctx, projectID, number)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("user: get by phone: %w", err)
	}
	return u, nil
}

// GetTx is Get within the caller's transaction.
func (s *Service) GetTx(ctx context.Context, tx store.Store, projectID, userID string) (*auth.User, error) {
	return s.get(ctx, tx, projectID, userID)
}

// LoginOrCreatePhone is LoginOrCreate for a (normalized) phone number: the
// user owning it and its phone record, or a new user with only that
// number when create is set, or auth.ErrPhoneNumberNotFound.
func (s *Service) LoginOrCreatePhone(ctx context.Context, tx store.Store, p *auth.Project, number string, create, pending bool) (u *auth.User, ph auth.Phone, created bool, err error) {
	u, err = s.GetByPhone(ctx, tx, p.ID, number)
	switch {
	case errors.Is(err, auth.ErrUserNotFound) && create:
		if u, err = s.CreateTx(ctx, tx, p, CreateInput{Phone: number, Pending: pending}); err != nil {
			return nil, auth.Phone{}, false, err
		}
		created = true
	case errors.Is(err, auth.ErrUserNotFound):
		return nil, auth.Phone{}, false, auth.ErrPhoneNumberNotFound.WithMessage("No user has the phone number %s.", number)
	case err != nil:
		return nil, auth.Phone{}, false, err
	}
	ph, _ = u.PhoneByNumber(number)
	return u, ph, created, nil
}

// AttachPhone adds a verified number to u within tx under the given ID,
// when a passcode sent to a number new to u authenticates: the user has
// just proved they hold it. A number that another user took meanwhile is
// auth.ErrDuplicatePhoneNumber.
func (s *Service) AttachPhone(ctx context.Context, tx store.Store, u *auth.User, phoneID, number string) (auth.Phone, error) {
	ph := auth.Phone{ID: phoneID, UserID: u.ID, Number: number, Verified: true, CreatedAt: s.now().UTC()}
	err := tx.AddPhone(ctx, u.ProjectID, ph)
	switch {
	case errors.Is(err, store.ErrConflict):
		return auth.Phone{}, auth.ErrDuplicatePhoneNumber
	case errors.Is(err, store.ErrNotFound):
		return auth.Phone{}, auth.ErrUserNotFound
	case err != nil:
		return auth.Phone{}, fmt.Errorf("user: attach phone: %w", err)
	}
	u.Phones = append(u.Phones, ph)
	return ph, nil
}

// DeletePhone detaches a phone number from its user and returns the user.
func (s *Service) DeletePhone(ctx context.Context, projectID, phoneID string) (*auth.User, error) {
	if !auth.HasKind(phoneID, auth.KindPhone) {
		return nil, auth.ErrInvalidArgument.WithMessage("phone_id %q is not a phone ID.", phoneID)
	}
	var u *auth.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		ph, err := tx.GetPhone(ctx, projectID, phoneID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrPhoneNumberNotFound
		}
		if err != nil {
			return fmt.Errorf("user: delete phone: %w", err)
		}
		if err := tx.DeletePhone(ctx, projectID, phoneID); err != nil {
			return fmt.Errorf("user: delete phone: %w", err)
		}
		u, err = s.get(ctx, tx, projectID, ph.UserID)
		return err
	})
	return u, err
}
