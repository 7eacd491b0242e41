package magiclink

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// B2B email magic links: login or signup into one organization, invites
// into one, and discovery links that prove an address before any
// organization is chosen. They share the consumer links' tokens, redirect
// allowlist, templates and durable delivery; what differs is the subject
// (a member of an organization, or just an address) and the organization
// policy checked before anything is sent.

// Default B2B link lifetimes, in minutes, as Stytch's.
const (
	DefaultB2BLoginMinutes     = 60
	DefaultB2BSignupMinutes    = 60
	DefaultB2BInviteMinutes    = 7 * 24 * 60
	DefaultDiscoveryMinutes    = 60
	stytchTokenTypeMultiTenant = "multi_tenant_magic_links"
	stytchTokenTypeDiscovery   = "discovery"
)

// B2BLink returns the URL a B2B magic link email carries.
func B2BLink(redirect, tokenType, tok string) string {
	return token.AppendQuery(redirect, "stytch_redirect_type=login&stytch_token_type="+tokenType+"&token="+tok)
}

// LoginOrSignupInput is a b2b magic_links.email.login_or_signup request.
type LoginOrSignupInput struct {
	OrganizationID string
	Email          string
	LoginURL       string
	SignupURL      string
	LoginMinutes   int
	SignupMinutes  int
	CodeChallenge  string
	Locale         string
}

// MemberSendResult is the member a B2B link went to, in its organization.
type MemberSendResult struct {
	Member       *auth.Member
	Organization *auth.Organization
	Created      bool
}

// LoginOrSignup emails a login link to the organization's member with this
// address, or creates a pending member (when the organization's email
// policy allows it to join) and emails a signup link.
func (s *Service) LoginOrSignup(ctx context.Context, p *auth.Project, in LoginOrSignupInput) (*MemberSendResult, error) {
	addr, sandbox, err := s.precheck(p, in.Email, in.Locale, in.LoginMinutes, in.SignupMinutes)
	if err != nil {
		return nil, err
	}
	if sandbox != nil {
		return s.b2bSandboxSend(p, in.OrganizationID)
	}
	var (
		res   MemberSendResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		o, err := getOrganization(ctx, tx, p, in.OrganizationID)
		if err != nil {
			return err
		}
		if err := organization.AllowsAuthMethod(o, "magic_link"); err != nil {
			return err
		}
		res.Organization = o
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := organization.CanJITProvision(o, addr); err != nil {
				return err
			}
			if m, err = s.createMember(ctx, tx, p, o, addr, auth.MemberPending, auth.Member{}); err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return fmt.Errorf("magiclink: get member: %w", err)
		case m.Status == auth.MemberDeleted:
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted; reactivate it first.", addr, o.Name)
		}
		res.Member = m
		signup := m.Status != auth.MemberActive
		tmpl, typ, minutes, rawURL, noDefault := tmplLogin, auth.RedirectLogin, or(in.LoginMinutes, DefaultB2BLoginMinutes), in.LoginURL, auth.ErrNoDefaultLoginRedirectURL
		if signup {
			tmpl, typ, minutes, rawURL, noDefault = tmplSignup, auth.RedirectSignup, or(in.SignupMinutes, DefaultB2BSignupMinutes), in.SignupURL, auth.ErrNoDefaultSignupRedirectURL
		}
		redirect, err := s.projects.ResolveRedirect(ctx, p.ID, typ, rawURL, noDefault)
		if err != nil {
			return err
		}
		msgID, err = s.issue(ctx, tx, p, &auth.OneTimeToken{
			Kind: auth.TokenB2BMagicLink, EmailAddress: addr, OrganizationID: o.ID, MemberID: m.ID, CodeChallenge: in.CodeChallenge,
		}, tmpl, o.Name, func(tok string) string { return B2BLink(redirect, stytchTokenTypeMultiTenant, tok) }, minutes)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// B2BInviteInput is a b2b magic_links.email.invite request.
type B2BInviteInput struct {
	OrganizationID    string
	Email             string
	URL               string
	Minutes           int
	Name              string
	Roles             []string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Locale            string
}

// InviteMember creates an invited member of an organization (or re-invites
// a pending or invited one) and emails them an invite link, when the
// organization's email_invites policy allows the address.
func (s *Service) InviteMember(ctx context.Context, p *auth.Project, in B2BInviteInput) (*MemberSendResult, error) {
	addr, sandbox, err := s.precheck(p, in.Email, in.Locale, in.Minutes)
	if err != nil {
		return nil, err
	}
	if sandbox != nil {
		return s.b2bSandboxSend(p, in.OrganizationID)
	}
	for _, r := range in.Roles {
		if r != auth.RoleMember && r != auth.RoleAdmin {
			return nil, auth.ErrInvalidRBACRoleID.WithMessage("The role %q does not exist.", r)
		}
	}
	var (
		res   MemberSendResult
		msgID string
	)
	err = s.store.InTx(ctx, func(tx store.Store) error {
		o, err := getOrganization(ctx, tx, p, in.OrganizationID)
		if err != nil {
			return err
		}
		if err := organization.CanInvite(o, addr); err != nil {
			return err
		}
		res.Organization = o
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			m, err = s.createMember(ctx, tx, p, o, addr, auth.MemberInvited, auth.Member{
				Name: in.Name, Roles: in.Roles, TrustedMetadata: in.TrustedMetadata, UntrustedMetadata: in.UntrustedMetadata,
			})
			if err != nil {
				return err
			}
			res.Created = true
		case err != nil:
			return fmt.Errorf("magiclink: get member: %w", err)
		case m.Status == auth.MemberActive:
			return auth.ErrDuplicateMemberEmail.WithMessage("%s is already an active member of %s.", addr, o.Name)
		case m.Status == auth.MemberDeleted:
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("%s's membership in %s was deleted; reactivate it first.", addr, o.Name)
		}
		res.Member = m
		redirect, err := s.projects.ResolveRedirect(ctx, p.ID, auth.RedirectInvite, in.URL, auth.ErrNoDefaultInviteRedirectURL)
		if err != nil {
			return err
		}
		msgID, err = s.issue(ctx, tx, p, &auth.OneTimeToken{
			Kind: auth.TokenB2BInvite, EmailAddress: addr, OrganizationID: o.ID, MemberID: m.ID,
		}, tmplInvite, o.Name, func(tok string) string { return B2BLink(redirect, stytchTokenTypeMultiTenant, tok) }, or(in.Minutes, DefaultB2BInviteMinutes))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return &res, nil
}

// DiscoverySendInput is a b2b magic_links.email.discovery.send request.
type DiscoverySendInput struct {
	Email         string
	URL           string
	Minutes       int
	CodeChallenge string
	Locale        string
}

// DiscoverySend emails a discovery link: it proves the address, after
// which the app lists and picks among the organizations it may enter.
func (s *Service) DiscoverySend(ctx context.Context, p *auth.Project, in DiscoverySendInput) error {
	addr, sandbox, err := s.precheck(p, in.Email, in.Locale, in.Minutes)
	if err != nil || sandbox != nil {
		return err
	}
	var msgID string
	err = s.store.InTx(ctx, func(tx store.Store) error {
		redirect, err := s.projects.ResolveRedirect(ctx, p.ID, auth.RedirectDiscovery, in.URL, auth.ErrNoDefaultDiscoveryRedirectURL)
		if err != nil {
			return err
		}
		msgID, err = s.issue(ctx, tx, p, &auth.OneTimeToken{
			Kind: auth.TokenDiscovery, EmailAddress: addr, CodeChallenge: in.CodeChallenge,
		}, tmplDiscovery, p.Name, func(tok string) string { return B2BLink(redirect, stytchTokenTypeDiscovery, tok) }, or(in.Minutes, DefaultDiscoveryMinutes))
		return err
	})
	if err != nil {
		return err
	}
	s.mail.Deliver(ctx, p.ID, msgID)
	return nil
}

// B2BAuthenticateInput is a b2b magic_links.authenticate request.
type B2BAuthenticateInput struct {
	Token           string
	CodeVerifier    string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
}

// B2BAuthenticateResult is a member logged in by a magic link.
type B2BAuthenticateResult struct {
	MethodID string
	session.MemberResult
}

// AuthenticateMember consumes a login, signup or invite link into an
// organization: the member becomes active with its email verified, and a
// member session starts (60 minutes unless the request says otherwise).
func (s *Service) AuthenticateMember(ctx context.Context, p *auth.Project, in B2BAuthenticateInput) (*B2BAuthenticateResult, error) {
	if in.Token == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("magic_links_token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if res, ok, err := s.b2bSandboxAuthenticate(p, in.Token); ok {
		return res, err
	}
	var res *B2BAuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		t, err := s.consume(ctx, tx, p, in.Token, auth.TokenB2BMagicLink, auth.TokenB2BInvite)
		if err != nil {
			return err
		}
		if err := token.CheckPKCE(t.CodeChallenge, in.CodeVerifier); err != nil {
			return err
		}
		o, err := getOrganization(ctx, tx, p, t.OrganizationID)
		if err != nil {
			return err
		}
		if err := organization.AllowsAuthMethod(o, "magic_link"); err != nil {
			return err
		}
		m, err := tx.GetMember(ctx, p.ID, o.ID, t.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrMagicLinkNotFound
		}
		if err != nil {
			return fmt.Errorf("magiclink: get member: %w", err)
		}
		if m.Status == auth.MemberDeleted {
			return auth.ErrActionAvailableOnlyForActiveMembers.WithMessage("This membership was deleted.")
		}
		if m.Status != auth.MemberActive || !m.EmailVerified {
			m.Status, m.EmailVerified, m.UpdatedAt = auth.MemberActive, true, s.now().UTC()
			if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
				return fmt.Errorf("magiclink: activate member: %w", err)
			}
		}
		mres, err := s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: []auth.AuthenticationFactor{s.emailFactor("", t.EmailAddress)},
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res = &B2BAuthenticateResult{MethodID: t.MemberID, MemberResult: *mres}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.FinishMember(ctx, p, &res.MemberResult); err != nil {
		return nil, err
	}
	return res, nil
}

// DiscoveryAuthenticateResult is a proven address, its intermediate
// session token and the organizations it may enter.
type DiscoveryAuthenticateResult struct {
	IntermediateSessionToken string
	EmailAddress             string
	Discovered               []discovery.Discovered
}

// AuthenticateDiscovery consumes a discovery link and starts an
// intermediate session for its address.
func (s *Service) AuthenticateDiscovery(ctx context.Context, p *auth.Project, tok, verifier string) (*DiscoveryAuthenticateResult, error) {
	if tok == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("discovery_magic_links_token is required.")
	}
	if p.Env == auth.EnvTest {
		switch tok {
		case auth.SandboxMagicLinkUsed:
			return nil, auth.ErrUnableToAuthMagicLink
		case auth.SandboxMagicLinkNotFound:
			return nil, auth.ErrMagicLinkNotFound
		}
	}
	var res *DiscoveryAuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		address := auth.SandboxEmail
		var factor auth.AuthenticationFactor
		if p.Env == auth.EnvTest && tok == auth.SandboxMagicLinkToken {
			factor = s.emailFactor("", address)
		} else {
			t, err := s.consume(ctx, tx, p, tok, auth.TokenDiscovery)
			if err != nil {
				return err
			}
			if err := token.CheckPKCE(t.CodeChallenge, verifier); err != nil {
				return err
			}
			address, factor = t.EmailAddress, s.emailFactor("", t.EmailAddress)
		}
		ist, err := s.discovery.Start(ctx, tx, p, address, []auth.AuthenticationFactor{factor})
		if err != nil {
			return err
		}
		ds, err := s.discovery.Discovered(ctx, tx, p, address, []auth.AuthenticationFactor{factor})
		if err != nil {
			return err
		}
		res = &DiscoveryAuthenticateResult{IntermediateSessionToken: ist, EmailAddress: address, Discovered: ds}
		return nil
	})
	return res, err
}

// consume consumes a link token of one of kinds, mapping the store's
// answers to Stytch's errors.
func (s *Service) consume(ctx context.Context, tx store.Store, p *auth.Project, tok string, kinds ...auth.TokenKind) (*auth.OneTimeToken, error) {
	t, err := tx.ConsumeToken(ctx, p.ID, token.Hash(tok), kinds, s.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, auth.ErrMagicLinkNotFound
	case errors.Is(err, store.ErrConsumed):
		return nil, auth.ErrUnableToAuthMagicLink
	case err != nil:
		return nil, fmt.Errorf("magiclink: consume: %w", err)
	}
	return t, nil
}

// emailFactor is the factor an email link proves. B2B members have no
// email records of their own, so B2B factors carry an empty email_id.
func (s *Service) emailFactor(emailID, address string) auth.AuthenticationFactor {
	now := s.now().UTC()
	return auth.AuthenticationFactor{
		Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now,
		EmailFactor: &auth.EmailFactor{EmailID: emailID, EmailAddress: address},
	}
}

// createMember adds a member of o with the given status and optional
// details, within tx.
func (s *Service) createMember(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, addr string, status auth.MemberStatus, d auth.Member) (*auth.Member, error) {
	now := s.now().UTC()
	m := &auth.Member{
		ID: auth.NewID(auth.KindMember, p.Env), ProjectID: p.ID, OrganizationID: o.ID,
		EmailAddress: addr, Status: status, Name: d.Name, Roles: orEmptyList(d.Roles),
		TrustedMetadata: orEmptyMap(d.TrustedMetadata), UntrustedMetadata: orEmptyMap(d.UntrustedMetadata),
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateMember(ctx, p.ID, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, auth.ErrDuplicateMemberEmail
		}
		return nil, fmt.Errorf("magiclink: create member: %w", err)
	}
	return m, nil
}

// getOrganization returns the organization an organization_id parameter
// names: an ID, slug or external ID.
func getOrganization(ctx context.Context, st store.Store, p *auth.Project, ref string) (*auth.Organization, error) {
	return organization.Lookup(ctx, st, p.ID, ref)
}

// b2bSandboxSend answers sends to sandbox@stytch.com in a test project.
func (s *Service) b2bSandboxSend(p *auth.Project, organizationID string) (*MemberSendResult, error) {
	if organizationID != auth.SandboxOrganizationID {
		return nil, auth.ErrOrganizationNotFound.WithMessage("In test projects, sandbox@stytch.com belongs to the sandbox organization %s.", auth.SandboxOrganizationID)
	}
	return &MemberSendResult{Member: auth.SandboxMember(p.ID), Organization: auth.SandboxOrganization(p.ID)}, nil
}

// b2bSandboxAuthenticate answers the sandbox magic link tokens.
func (s *Service) b2bSandboxAuthenticate(p *auth.Project, tok string) (*B2BAuthenticateResult, bool, error) {
	if p.Env != auth.EnvTest {
		return nil, false, nil
	}
	switch tok {
	case auth.SandboxMagicLinkUsed:
		return nil, true, auth.ErrUnableToAuthMagicLink
	case auth.SandboxMagicLinkNotFound:
		return nil, true, auth.ErrMagicLinkNotFound
	case auth.SandboxMagicLinkToken:
		return &B2BAuthenticateResult{MethodID: auth.SandboxMemberID, MemberResult: session.MemberResult{
			Member: auth.SandboxMember(p.ID), Organization: auth.SandboxOrganization(p.ID),
		}}, true, nil
	}
	return nil, false, nil
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
