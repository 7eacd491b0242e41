package discovery

import (
	"context"

	"github.com/latchauth/latch/internal/auth"
)

// MemberCredentials name the login a B2B second factor (TOTP, an SMS
// passcode) is part of: an intermediate session (primary authentication
// done, second factor pending) or the member's session. At most one is
// set.
type MemberCredentials struct {
	IntermediateSessionToken string
	SessionToken             string
	SessionJWT               string
}

// Count returns how many of the credentials are set.
func (c MemberCredentials) Count() int {
	return auth.CountSet(c.IntermediateSessionToken, c.SessionToken, c.SessionJWT)
}

// CheckMemberCredentials checks, without using them up, that credentials
// belong to member m of o: an intermediate session bound to (or able to
// enter as) m, or a session of m. No credentials pass.
func (s *Service) CheckMemberCredentials(ctx context.Context, p *auth.Project, o *auth.Organization, m *auth.Member, c MemberCredentials) error {
	switch {
	case c.IntermediateSessionToken != "":
		_, err := s.CheckIntermediate(ctx, p, c.IntermediateSessionToken, o, m)
		return err
	case c.SessionToken != "" || c.SessionJWT != "":
		sess, _, _, err := s.sessions.AuthenticateMember(ctx, p, c.SessionToken, c.SessionJWT)
		if err != nil {
			return err
		}
		if sess.MemberID != m.ID {
			return auth.ErrSessionNotFound.WithMessage("The session belongs to a different member.")
		}
	}
	return nil
}
