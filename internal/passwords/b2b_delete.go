package passwords

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
)

// DeleteMember removes a member's password by its ID, within the
// organization orgRef names, and returns the member, now without a
// password, with its organization. authorize, if not nil, is asked
// whether the caller may delete the password of the member owning it;
// its refusal is returned and nothing is deleted.
//
// Errors: ErrInvalidPasswordID, ErrOrganizationNotFound,
// ErrPasswordNotFound (also for a password of a member of another
// organization, or of a deleted member).
func (s *Service) DeleteMember(ctx context.Context, p *auth.Project, orgRef, passwordID string, authorize func(memberID string) error) (*auth.Member, *auth.Organization, error) {
	if !auth.HasKind(passwordID, auth.KindMemberPassword) {
		return nil, nil, auth.ErrInvalidPasswordID
	}
	var (
		m *auth.Member
		o *auth.Organization
	)
	err := s.store.InTx(ctx, func(tx store.Store) error {
		var err error
		if o, err = organization.Lookup(ctx, tx, p.ID, orgRef); err != nil {
			return err
		}
		pw, err := tx.DeleteMemberPassword(ctx, p.ID, passwordID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrPasswordNotFound
		}
		if err != nil {
			return fmt.Errorf("passwords: delete member password: %w", err)
		}
		// A rollback undoes the delete when the password is not this
		// organization's or the caller may not delete it.
		m, err = tx.GetMember(ctx, p.ID, o.ID, pw.MemberID)
		if errors.Is(err, store.ErrNotFound) || err == nil && m.Status == auth.MemberDeleted {
			return auth.ErrPasswordNotFound
		}
		if err != nil {
			return fmt.Errorf("passwords: get member: %w", err)
		}
		if authorize != nil {
			return authorize(m.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return m, o, nil
}
