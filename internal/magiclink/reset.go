package magiclink

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// Password reset links. The passwords service decides who may reset and
// what a reset does; this file gives its links the magic links' machinery:
// tokens stored only as hashes and consumed by one conditional UPDATE, the
// redirect allowlist (type reset_password), the email templates and the
// durable outbox.

// DefaultResetMinutes is how long a password reset link lives when the
// request names no reset_password_expiration_minutes, as Stytch's.
const DefaultResetMinutes = 30

// stytch_token_type values of reset links: consumer apps route
// reset_password to passwords.email.reset; B2B apps route
// multi_tenant_passwords to b2b passwords.email.reset and discovery (with
// stytch_redirect_type=reset_password) to passwords.discovery.email.reset.
const (
	tokenTypeResetPassword = "reset_password"
	tokenTypeMultiTenantPW = "multi_tenant_passwords"
)

// CheckSend validates what a send takes before anything is written (the
// locale and link lifetimes) and refuses a project whose email cannot be
// delivered.
func (s *Service) CheckSend(p *auth.Project, locale string, minutes ...int) error {
	if err := checkMinutes(minutes...); err != nil {
		return err
	}
	if err := checkLocale(locale); err != nil {
		return err
	}
	return s.mail.CanDeliver(p.Env)
}

// ResetInput is a password reset link to send.
type ResetInput struct {
	// Token names whom the link resets: Kind, the subject (UserID and
	// EmailID, or OrganizationID and MemberID, or neither for discovery),
	// EmailAddress and CodeChallenge. The rest is filled in.
	Token *auth.OneTimeToken
	// RedirectURL is the requested reset_password_redirect_url; empty
	// means the project's default reset_password URL.
	RedirectURL string
	// LoginURL is the requested login_redirect_url. The email carries no
	// login link, but an unlisted URL is refused, as magic links refuse
	// one of the type they do not use.
	LoginURL string
	Minutes  int // 0 means DefaultResetMinutes
	// Brand is the name the email speaks for: the project's, or an
	// organization's.
	Brand string
}

// SendReset issues a password reset token within tx and enqueues the
// email carrying its link. It returns the message ID, to pass to Deliver
// once tx has committed.
func (s *Service) SendReset(ctx context.Context, tx store.Store, p *auth.Project, in ResetInput) (string, error) {
	redirect, err := s.projects.ResolveRedirect(ctx, p.ID, auth.RedirectResetPassword, in.RedirectURL, auth.ErrNoDefaultResetPasswordRedirectURL)
	if err != nil {
		return "", err
	}
	if in.LoginURL != "" {
		if _, err := s.projects.ResolveRedirect(ctx, p.ID, auth.RedirectLogin, in.LoginURL, nil); err != nil {
			return "", err
		}
	}
	link := func(tok string) string {
		return token.AppendQuery(redirect, "stytch_token_type="+tokenTypeResetPassword+"&token="+tok)
	}
	switch in.Token.Kind {
	case auth.TokenPasswordReset:
	case auth.TokenB2BPasswordReset:
		link = func(tok string) string {
			return token.AppendQuery(redirect, "stytch_redirect_type=reset_password&stytch_token_type="+tokenTypeMultiTenantPW+"&token="+tok)
		}
	case auth.TokenDiscoveryPasswordReset:
		link = func(tok string) string {
			return token.AppendQuery(redirect, "stytch_redirect_type=reset_password&stytch_token_type="+stytchTokenTypeDiscovery+"&token="+tok)
		}
	default:
		return "", fmt.Errorf("magiclink: %s is not a password reset token", in.Token.Kind)
	}
	return s.issue(ctx, tx, p, in.Token, tmplReset, in.Brand, link, or(in.Minutes, DefaultResetMinutes))
}

// Deliver attempts at once the delivery of a message enqueued by a
// committed transaction; the outbox retries it if this attempt fails.
func (s *Service) Deliver(ctx context.Context, p *auth.Project, messageID string) {
	s.mail.Deliver(ctx, p.ID, messageID)
}

// PeekReset returns the usable password reset token tok of kind without
// consuming it, after checking its PKCE verifier, so that the caller can
// check the new password against the address before spending the link.
func (s *Service) PeekReset(ctx context.Context, p *auth.Project, tok, verifier string, kind auth.TokenKind) (*auth.OneTimeToken, error) {
	if tok == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("The password reset token is required.")
	}
	t, err := s.store.GetToken(ctx, p.ID, token.Hash(tok), []auth.TokenKind{kind}, s.now().UTC())
	if err != nil {
		return nil, resetTokenError(err)
	}
	if err := token.CheckPKCE(t.CodeChallenge, verifier); err != nil {
		return nil, err
	}
	return t, nil
}

// ConsumeReset spends the password reset token tok of kind within tx. Of
// concurrent resets with one link, exactly one gets past this call.
func (s *Service) ConsumeReset(ctx context.Context, tx store.Store, p *auth.Project, tok string, kind auth.TokenKind) (*auth.OneTimeToken, error) {
	t, err := tx.ConsumeToken(ctx, p.ID, token.Hash(tok), []auth.TokenKind{kind}, s.now().UTC())
	if err != nil {
		return nil, resetTokenError(err)
	}
	return t, nil
}

// resetTokenError maps the store's answer for an unusable reset token to
// one client error: whether the link never existed, was used or expired,
// the remedy is the same, another reset.
func resetTokenError(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConsumed) {
		return auth.ErrUnableToAuthPasswordResetToken
	}
	return fmt.Errorf("magiclink: password reset token: %w", err)
}
