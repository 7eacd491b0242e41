package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// B2B OAuth logins share the consumer flow's start URL checks, login in
// progress, callback and identity verification; they differ in what the
// callback hands to the app. A consumer login finds or creates its user at
// the callback; a B2B login keeps the verified identity, sealed, in the
// token it hands over, and the app's exchange of that token decides who
// enters which organization (b2b oauth.authenticate) or which
// organizations the account may enter (b2b oauth.discovery.authenticate),
// so that organization policy refusals reach the app as API errors.

// Stytch's stytch_token_type values of the two B2B tokens.
const (
	tokenTypeB2B       = "oauth"
	tokenTypeDiscovery = "discovery_oauth"
)

func tokenType(k auth.OAuthLoginKind) string {
	if k == auth.OAuthLoginDiscovery {
		return tokenTypeDiscovery
	}
	return tokenTypeB2B
}

// b2bAuthMethod returns the organization auth method (allowed_auth_methods)
// a provider's logins are, and refuses provider types Stytch offers no B2B
// login for (Apple, generic OpenID Connect).
func b2bAuthMethod(cfg *Config) (string, error) {
	m := auth.OAuthAuthMethod(cfg.Type)
	if m == "" {
		return "", auth.ErrInvalidArgument.WithMessage("%s (%s) cannot be used for B2B logins; B2B OAuth supports google, microsoft and github providers.", cfg.Name, cfg.Type)
	}
	return m, nil
}

// b2bOrganization returns the organization a B2B start names, checking
// that it allows the provider's logins.
func (s *Service) b2bOrganization(ctx context.Context, p *auth.Project, cfg *Config, ref string) (*auth.Organization, error) {
	method, err := b2bAuthMethod(cfg)
	if err != nil {
		return nil, err
	}
	o, err := organization.Lookup(ctx, s.store, p.ID, ref)
	if err != nil {
		return nil, err
	}
	if err := organization.AllowsAuthMethod(o, method); err != nil {
		return nil, err
	}
	return o, nil
}

// sealedIdentity is the sealed form of a verified provider identity that
// a B2B OAuth token carries.
type sealedIdentity struct {
	Subject    string         `json:"subject"`
	Email      string         `json:"email"`
	GivenName  string         `json:"given_name"`
	FamilyName string         `json:"family_name"`
	Picture    string         `json:"picture"`
	Locale     string         `json:"locale"`
	TenantID   string         `json:"tenant_id"`
	Tokens     ProviderValues `json:"tokens"`
}

func identityAD(projectID, tokenID string) []byte {
	return []byte(projectID + "/oauth/b2b_identity/" + tokenID)
}

// issueB2B ends a B2B or discovery login at the callback: it issues the
// token for the app, carrying the sealed identity, and returns the app's
// redirect URL with it. A B2B login goes to the signup URL when the
// account is not yet a member of the organization.
func (s *Service) issueB2B(ctx context.Context, p *auth.Project, cfg *Config, st *auth.OAuthState, id *identity, now time.Time) (string, error) {
	plain, err := json.Marshal(sealedIdentity{
		Subject: id.Subject, Email: id.Email, GivenName: id.GivenName, FamilyName: id.FamilyName, Picture: id.Picture,
		Locale: id.Locale, TenantID: id.TenantID,
		Tokens: id.providerValues(),
	})
	if err != nil {
		return "", fmt.Errorf("oauth: encode identity: %w", err)
	}
	tok := token.New()
	t := &auth.OneTimeToken{
		ID: auth.NewID("oauth-token", p.Env), ProjectID: p.ID, Kind: auth.TokenDiscoveryOAuth, TokenHash: token.Hash(tok),
		EmailAddress: id.Email, CodeChallenge: st.CodeChallenge, Provider: cfg.Name,
		CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
	}
	redirect := st.LoginRedirectURL
	if st.Kind == auth.OAuthLoginB2B {
		t.Kind, t.OrganizationID = auth.TokenB2BOAuth, st.OrganizationID
		known, err := s.knownMember(ctx, p, st.OrganizationID, cfg.Name, id)
		if err != nil {
			return "", err
		}
		if !known {
			redirect = st.SignupRedirectURL
		}
	}
	t.SealedOAuthIdentity = s.box.Seal(plain, identityAD(p.ID, t.ID))
	if err := s.store.CreateToken(ctx, p.ID, t); err != nil {
		return "", fmt.Errorf("oauth: issue token: %w", err)
	}
	return token.AppendQuery(redirect, "stytch_token_type="+tokenType(st.Kind)+"&token="+url.QueryEscape(tok)), nil
}

// knownMember reports whether the account of id already is a member of
// the organization: linked to one, or by its verified address.
func (s *Service) knownMember(ctx context.Context, p *auth.Project, orgID, provider string, id *identity) (bool, error) {
	_, err := s.store.GetMemberOAuthRegistrationBySubject(ctx, p.ID, orgID, provider, id.Subject)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("oauth: find member link: %w", err)
	}
	if id.Email == "" {
		return false, nil
	}
	m, err := s.store.GetMemberByEmail(ctx, p.ID, orgID, id.Email)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("oauth: find member: %w", err)
	}
	return m.Status == auth.MemberActive, nil
}

// consumeB2B consumes a B2B OAuth token of kind within tx, checks the
// app's PKCE verifier and opens the identity it carries.
func (s *Service) consumeB2B(ctx context.Context, tx store.Store, p *auth.Project, tok, verifier string, kind auth.TokenKind) (*auth.OneTimeToken, *sealedIdentity, *Config, error) {
	t, err := tx.ConsumeToken(ctx, p.ID, token.Hash(tok), []auth.TokenKind{kind}, s.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConsumed):
		return nil, nil, nil, auth.ErrOAuthTokenNotFound
	case err != nil:
		return nil, nil, nil, fmt.Errorf("oauth: consume token: %w", err)
	}
	if err := token.CheckPKCE(t.CodeChallenge, verifier); err != nil {
		return nil, nil, nil, err
	}
	var id sealedIdentity
	plain, err := s.box.Open(t.SealedOAuthIdentity, identityAD(p.ID, t.ID))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("oauth: open identity: %w", err)
	}
	if err := json.Unmarshal(plain, &id); err != nil {
		return nil, nil, nil, fmt.Errorf("oauth: decode identity: %w", err)
	}
	// The provider's type follows from its name: no need to read (or
	// still have) its configuration.
	return t, &id, &Config{Name: t.Provider, Type: auth.OAuthProviderTypeOf(t.Provider)}, nil
}

// B2BAuthenticateInput is a POST /v1/b2b/oauth/authenticate.
type B2BAuthenticateInput struct {
	Token           string
	CodeVerifier    string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	// IntermediateSessionToken carries the factors of an earlier login
	// step (a primary factor the organization required, or discovery) for
	// the same member: they join the OAuth factor.
	IntermediateSessionToken string
}

// B2BAuthenticateResult is a member logged in by a B2B OAuth login, or
// stopped for MFA.
type B2BAuthenticateResult struct {
	session.MemberResult
	Registration *auth.MemberOAuthRegistration
	ProviderType auth.OAuthProviderType
	TenantID     string
	ProviderValues
}

// AuthenticateMember exchanges a B2B OAuth token for a member session in
// the organization its login named. The member is the one the provider
// account is linked to, else the one with the verified address the
// provider asserted, else a new member when the organization lets the
// address join by email domain or the account's tenant join by its
// allowed OAuth tenants. The account is linked to the member, and the
// session records an oauth factor (MFA is decided as for every B2B login).
func (s *Service) AuthenticateMember(ctx context.Context, p *auth.Project, in B2BAuthenticateInput) (*B2BAuthenticateResult, error) {
	if in.Token == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("oauth_token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	var res *B2BAuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		t, id, cfg, err := s.consumeB2B(ctx, tx, p, in.Token, in.CodeVerifier, auth.TokenB2BOAuth)
		if err != nil {
			return err
		}
		// The organization's allowed auth methods are checked as the
		// member enters (b2bMember, ConsumeForMember).
		o, err := organization.Lookup(ctx, tx, p.ID, t.OrganizationID)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		factor := oauthFactor(cfg.Type, auth.OAuthFactor{ProviderSubject: id.Subject, ProviderName: cfg.Name, TenantID: id.TenantID}, now)
		factors := []auth.AuthenticationFactor{factor}
		m, err := s.b2bMember(ctx, tx, p, o, cfg, id, factors)
		if err != nil {
			return err
		}
		if in.IntermediateSessionToken != "" {
			ist, entered, err := s.discovery.ConsumeForMember(ctx, tx, p, in.IntermediateSessionToken, o, m, factor)
			if err != nil {
				return err
			}
			m, factors = entered, append(slices.Clone(ist.Factors), factor)
		}
		sealed, err := json.Marshal(id.Tokens)
		if err != nil {
			return fmt.Errorf("oauth: encode provider tokens: %w", err)
		}
		reg := &auth.MemberOAuthRegistration{
			ID: auth.NewID(auth.KindMemberOAuthRegistration, p.Env), OrganizationID: o.ID, MemberID: m.ID,
			Provider: cfg.Name, Subject: id.Subject, Email: id.Email, TenantID: id.TenantID,
			ProfilePictureURL: id.Picture, Locale: id.Locale, CreatedAt: now, UpdatedAt: now,
			SealedTokens: s.box.Seal(sealed, memberTokensAD(p.ID, o.ID, cfg.Name, id.Subject)),
		}
		if err := tx.PutMemberOAuthRegistration(ctx, p.ID, reg); err != nil {
			return fmt.Errorf("oauth: link %s account: %w", cfg.Name, err)
		}
		m.SetOAuthRegistration(reg.ProviderLink())
		factors[len(factors)-1].OAuthFactor.RegistrationID = reg.ID
		mres, err := s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: factors,
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res = &B2BAuthenticateResult{
			MemberResult: *mres, Registration: reg, ProviderType: cfg.Type, TenantID: id.TenantID, ProviderValues: id.Tokens,
		}
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

// b2bMember returns the member of o a B2B OAuth login enters as, within
// tx: the one linked to the provider account, else discovery.Join's (the
// member with the verified address, or a new one the organization lets
// join by email domain or OAuth tenant).
func (s *Service) b2bMember(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, cfg *Config, id *sealedIdentity, factors []auth.AuthenticationFactor) (*auth.Member, error) {
	reg, err := tx.GetMemberOAuthRegistrationBySubject(ctx, p.ID, o.ID, cfg.Name, id.Subject)
	switch {
	case err == nil:
		m, err := tx.GetMember(ctx, p.ID, o.ID, reg.MemberID)
		if err != nil {
			return nil, fmt.Errorf("oauth: get linked member: %w", err)
		}
		// The link logs the member in; only an address the provider
		// proved now verifies the member's.
		return s.discovery.Enter(ctx, tx, p, o, m, id.Email, factors)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("oauth: find member link: %w", err)
	}
	if id.Email == "" {
		return nil, auth.ErrMemberNotFound.WithMessage("%s asserted no verified email address for this account, and it is linked to no member of %s.", cfg.Name, o.Name)
	}
	return s.discovery.Join(ctx, tx, p, o, id.Email, factors)
}

func memberTokensAD(projectID, orgID, provider, subject string) []byte {
	return []byte(projectID + "/oauth/" + orgID + "/" + provider + "/" + subject + "/member_tokens")
}

// DiscoveryAuthenticateInput is a POST /v1/b2b/oauth/discovery/authenticate.
type DiscoveryAuthenticateInput struct {
	Token        string
	CodeVerifier string
}

// DiscoveryAuthenticateResult is a provider account's verified address, its
// intermediate session token and the organizations it may enter.
type DiscoveryAuthenticateResult struct {
	IntermediateSessionToken string
	EmailAddress             string
	Discovered               []discovery.Discovered
	ProviderType             auth.OAuthProviderType
	TenantID                 string
	FullName                 string
}

// AuthenticateDiscovery exchanges a discovery OAuth token for an
// intermediate session of the account's verified address, holding an
// oauth factor with the account's tenant, and lists the organizations it
// may enter: memberships, organizations its email domain may join, and
// organizations whose allowed OAuth tenants list its tenant.
func (s *Service) AuthenticateDiscovery(ctx context.Context, p *auth.Project, in DiscoveryAuthenticateInput) (*DiscoveryAuthenticateResult, error) {
	if in.Token == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("discovery_oauth_token is required.")
	}
	var res *DiscoveryAuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		_, id, cfg, err := s.consumeB2B(ctx, tx, p, in.Token, in.CodeVerifier, auth.TokenDiscoveryOAuth)
		if err != nil {
			return err
		}
		if id.Email == "" {
			return auth.ErrOAuthCallbackFailed.WithMessage("%s asserted no verified email address for this account; discovery needs one.", cfg.Name)
		}
		factors := []auth.AuthenticationFactor{oauthFactor(cfg.Type, auth.OAuthFactor{
			ProviderSubject: id.Subject, ProviderName: cfg.Name, TenantID: id.TenantID,
		}, s.now().UTC())}
		ist, err := s.discovery.Start(ctx, tx, p, id.Email, factors)
		if err != nil {
			return err
		}
		ds, err := s.discovery.Discovered(ctx, tx, p, id.Email, factors)
		if err != nil {
			return err
		}
		res = &DiscoveryAuthenticateResult{
			IntermediateSessionToken: ist, EmailAddress: id.Email, Discovered: ds, ProviderType: cfg.Type, TenantID: id.TenantID,
			FullName: strings.TrimSpace(id.GivenName + " " + id.FamilyName),
		}
		return nil
	})
	return res, err
}

// MemberTokens are the provider tokens Latch keeps for one of a member's
// linked accounts.
type MemberTokens struct {
	Registration auth.MemberOAuthRegistration
	ProviderValues
	// ExpiresIn is how long the access token has left, in whole seconds:
	// 0 once it has expired or when the provider gave no expiry.
	ExpiresIn int64
}

// MemberProviderTokens returns the tokens of the accounts of provider
// type t linked to a member of the organization orgRef names (an ID, slug
// or external ID), the member named by its ID or external ID: the
// organization members oauth_providers endpoints. The most recently used
// account comes first. Links recorded without tokens (a discovery login
// links the account it proved but keeps no tokens for the organization)
// are left out, so a member may have none.
//
// Errors: ErrOrganizationNotFound, ErrMemberNotFound (also for a deleted
// member, as members get says).
func (s *Service) MemberProviderTokens(ctx context.Context, p *auth.Project, orgRef, memberRef string, t auth.OAuthProviderType) ([]MemberTokens, error) {
	o, m, err := organization.LookupActiveMember(ctx, s.store, p.ID, orgRef, memberRef)
	if err != nil {
		return nil, err
	}
	regs, err := s.store.ListMemberOAuthRegistrations(ctx, p.ID, m.ID)
	if err != nil {
		return nil, fmt.Errorf("oauth: list member links: %w", err)
	}
	now := s.now()
	out := []MemberTokens{}
	for _, r := range regs {
		if auth.OAuthProviderTypeOf(r.Provider) != t || len(r.SealedTokens) == 0 {
			continue
		}
		plain, err := s.box.Open(r.SealedTokens, memberTokensAD(p.ID, o.ID, r.Provider, r.Subject))
		if err != nil {
			return nil, fmt.Errorf("oauth: open %s tokens: %w", r.Provider, err)
		}
		mt := MemberTokens{Registration: r}
		if err := json.Unmarshal(plain, &mt.ProviderValues); err != nil {
			return nil, fmt.Errorf("oauth: decode %s tokens: %w", r.Provider, err)
		}
		if !mt.Expiry.IsZero() {
			mt.ExpiresIn = max(0, int64(mt.Expiry.Sub(now)/time.Second))
		}
		out = append(out, mt)
	}
	slices.SortStableFunc(out, func(a, b MemberTokens) int { return b.Registration.UpdatedAt.Compare(a.Registration.UpdatedAt) })
	return out, nil
}
