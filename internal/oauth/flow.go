package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
	"github.com/latchauth/latch/internal/user"
)

// TokenLifetime is how long the token a login hands to the app's redirect
// URL may wait for oauth.authenticate.
const TokenLifetime = 10 * time.Minute

// maxCustomScopes bounds the custom_scopes of a start URL.
const maxCustomScopes = 50

// Service runs OAuth logins: the start URL, the provider's callback and
// the app's exchange of the resulting token.
type Service struct {
	store     store.Store
	providers *Providers
	projects  *project.Service
	users     *user.Service
	sessions  *session.Service
	discovery *discovery.Service
	box       *secretbox.Box
	client    *http.Client
	publicURL string
	now       func() time.Time

	mu sync.Mutex
	// discovered caches providers' discovery documents and key sets by
	// issuer: go-oidc refreshes the keys itself when a token names a new
	// one.
	discovered map[string]*oidc.Provider
}

// Options are a Service's settings.
type Options struct {
	// PublicURL is the base URL browsers reach Latch at; the callback URL
	// every provider must allow is PublicURL + CallbackPath(project, name).
	PublicURL string
	// Client makes the requests to providers; nil means one with a 30 s
	// timeout.
	Client *http.Client
}

// NewService returns a Service. box seals the PKCE verifiers and provider
// tokens it keeps; it may be the box of Providers. B2B logins enter
// organizations through disc.
func NewService(st store.Store, providers *Providers, projects *project.Service, users *user.Service, sessions *session.Service,
	disc *discovery.Service, box *secretbox.Box, now func() time.Time, opts Options) *Service {
	c := opts.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	return &Service{
		store: st, providers: providers, projects: projects, users: users, sessions: sessions, discovery: disc, box: box,
		client: c, publicURL: strings.TrimSuffix(opts.PublicURL, "/"), now: now, discovered: map[string]*oidc.Provider{},
	}
}

// CallbackPath is the path of a project's provider callback, below
// Latch's public URL: the redirect URI to register with the provider.
func CallbackPath(projectID, provider string) string {
	return "/v1/oauth/callback/" + url.PathEscape(projectID) + "/" + url.PathEscape(provider)
}

// StartInput is a GET /v1/public/oauth/{provider}/start, or with Kind set
// a B2B one: /v1/b2b/public/oauth/{provider}/start (into Organization) or
// …/discovery/start.
type StartInput struct {
	// Kind is what the login is for; "" is a consumer login.
	Kind auth.OAuthLoginKind
	// Organization names the organization a B2B login enters: its ID,
	// slug or external ID.
	Organization string
	// DiscoveryRedirectURL is where a discovery login ends (allowlisted
	// as a discovery URL); LoginRedirectURL and SignupRedirectURL are
	// unused then.
	DiscoveryRedirectURL string

	PublicToken       string
	Provider          string
	LoginRedirectURL  string
	SignupRedirectURL string
	// CustomScopes is space-separated, as the start URL carries it.
	CustomScopes  string
	CodeChallenge string
	// ProviderParams are the provider_* query parameters, without the
	// prefix (prompt, login_hint, …), passed on to the provider.
	ProviderParams map[string]string
	// AttachToken is an oauth.attach token: the login then links the
	// provider account to that token's user.
	AttachToken string
}

// StartResult is where to send the browser, and the value of the cookie
// that binds the login to it.
type StartResult struct {
	RedirectURL string
	Binding     string
	ProjectID   string
	// CrossSite is set when the provider returns to the callback by a
	// cross-site form POST (Apple): the binding cookie must then be
	// SameSite=None; Secure to come along.
	CrossSite bool
}

// Start begins a login: it checks the request, records the login in
// progress and returns the provider's authorization URL.
func (s *Service) Start(ctx context.Context, in StartInput) (*StartResult, error) {
	p, err := s.projectByPublicToken(ctx, in.PublicToken)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, p, in.Provider)
	if err != nil {
		return nil, err
	}
	if err := checkCrossSiteCallback(cfg, s.publicURL); err != nil {
		return nil, err
	}
	kind, orgID := in.Kind, ""
	if kind == "" {
		kind = auth.OAuthLoginConsumer
	}
	var login, signup string
	switch kind {
	case auth.OAuthLoginB2B:
		o, err := s.b2bOrganization(ctx, p, cfg, in.Organization)
		if err != nil {
			return nil, err
		}
		orgID = o.ID
	case auth.OAuthLoginDiscovery:
		if _, err := b2bAuthMethod(cfg); err != nil {
			return nil, err
		}
		if login, err = s.redirect(ctx, p, auth.RedirectDiscovery, in.DiscoveryRedirectURL, auth.ErrNoDefaultDiscoveryRedirectURL); err != nil {
			return nil, err
		}
	}
	if kind != auth.OAuthLoginDiscovery {
		if login, err = s.redirect(ctx, p, auth.RedirectLogin, in.LoginRedirectURL, auth.ErrNoDefaultLoginRedirectURL); err != nil {
			return nil, err
		}
		if signup, err = s.redirect(ctx, p, auth.RedirectSignup, in.SignupRedirectURL, auth.ErrNoDefaultSignupRedirectURL); err != nil {
			return nil, err
		}
	}
	scopes := strings.Fields(in.CustomScopes)
	if len(scopes) > maxCustomScopes {
		return nil, auth.ErrInvalidArgument.WithMessage("custom_scopes may list at most %d scopes.", maxCustomScopes)
	}
	if in.CodeChallenge != "" && len(in.CodeChallenge) != 43 {
		return nil, auth.ErrInvalidArgument.WithMessage("code_challenge must be an S256 challenge: 43 characters of base64url.")
	}
	// Checked before anything is written or an attach token spent.
	params, err := providerParams(in.ProviderParams)
	if err != nil {
		return nil, err
	}
	endpoint, err := s.endpoint(ctx, cfg)
	if err != nil {
		return nil, err
	}

	now := s.now().UTC()
	attachUser := ""
	if in.AttachToken != "" && kind != auth.OAuthLoginConsumer {
		return nil, auth.ErrInvalidArgument.WithMessage("oauth_attach_token links a consumer user's provider account; B2B logins take none.")
	}
	if in.AttachToken != "" {
		t, err := s.store.ConsumeToken(ctx, p.ID, token.Hash(in.AttachToken), []auth.TokenKind{auth.TokenOAuthAttach}, now)
		switch {
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConsumed):
			return nil, auth.ErrOAuthTokenNotFound.WithMessage("The oauth_attach_token could not be found: it was already used, has expired, or never existed.")
		case err != nil:
			return nil, fmt.Errorf("oauth: start: attach token: %w", err)
		case t.Provider != cfg.Name:
			return nil, auth.ErrInvalidArgument.WithMessage("The oauth_attach_token was issued for %s, not %s.", t.Provider, cfg.Name)
		}
		attachUser = t.UserID
	}

	state, binding, verifier := token.NewSession(), token.NewSession(), oauth2.GenerateVerifier()
	st := &auth.OAuthState{
		ID: auth.NewID(auth.KindOAuthState, p.Env), ProjectID: p.ID,
		StateHash: token.Hash(state), BindingHash: token.Hash(binding), Provider: cfg.Name,
		Nonce: token.NewSession(), SealedVerifier: s.box.Seal([]byte(verifier), verifierAD(p.ID, cfg.Name)),
		LoginRedirectURL: login, SignupRedirectURL: signup, CodeChallenge: in.CodeChallenge, Scopes: scopes,
		AttachUserID: attachUser, Kind: kind, OrganizationID: orgID, CreatedAt: now, ExpiresAt: now.Add(auth.OAuthStateLifetime),
	}
	if err := s.store.CreateOAuthState(ctx, p.ID, st); err != nil {
		return nil, fmt.Errorf("oauth: start: %w", err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if cfg.OIDC {
		opts = append(opts, oidc.Nonce(st.Nonce))
	}
	opts = append(append(opts, params...), authParams(cfg)...)
	oc := s.oauth2Config(p, cfg, endpoint, scopes)
	return &StartResult{RedirectURL: oc.AuthCodeURL(state, opts...), Binding: binding, ProjectID: p.ID, CrossSite: formPost(cfg)}, nil
}

// providerParams are the app's provider_* parameters as options of the
// authorization URL, refusing those the flow sets itself.
func providerParams(ps map[string]string) ([]oauth2.AuthCodeOption, error) {
	var opts []oauth2.AuthCodeOption
	for k, v := range ps {
		switch k {
		case "state", "nonce", "client_id", "redirect_uri", "response_type", "response_mode", "scope", "code_challenge", "code_challenge_method":
			// These are the flow's own, not the app's to change.
			return nil, auth.ErrInvalidArgument.WithMessage("provider_%s cannot be set.", k)
		}
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return opts, nil
}

// CallbackInput is the provider's redirect back to Latch.
type CallbackInput struct {
	ProjectID string
	Provider  string
	State     string
	Code      string
	// Error and ErrorDescription are the provider's refusal, when it
	// sends one (the user cancelled, the client is misconfigured).
	Error            string
	ErrorDescription string
	// Binding is the cookie Start set in the browser, "" when missing.
	Binding string
	// User is Apple's "user" form field: the user's name, posted on the
	// first login only.
	User string
}

// Callback finishes a login at the provider: it consumes the login in
// progress, exchanges the code, verifies who the provider says the user
// is, finds or creates the user and returns the app's redirect URL with a
// single-use token. A refusal by the provider after the login is matched
// is returned as ErrOAuthCallbackFailed with the URL to send the browser
// to (the app's login redirect URL, with the provider's error).
func (s *Service) Callback(ctx context.Context, in CallbackInput) (string, error) {
	p, err := s.projects.Get(ctx, in.ProjectID)
	if err != nil {
		return "", auth.ErrOAuthInvalidState
	}
	if in.State == "" {
		return "", auth.ErrOAuthInvalidState
	}
	now := s.now().UTC()
	st, err := s.store.ConsumeOAuthState(ctx, p.ID, token.Hash(in.State), now)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConsumed):
		return "", auth.ErrOAuthInvalidState
	case err != nil:
		return "", fmt.Errorf("oauth: callback: %w", err)
	}
	// A state carried back by another browser than the one that started
	// the login is refused: it may be an attacker's login planted in the
	// victim's browser (login CSRF).
	if in.Binding == "" || subtle.ConstantTimeCompare(token.Hash(in.Binding), st.BindingHash) != 1 || st.Provider != in.Provider {
		return "", auth.ErrOAuthInvalidState
	}
	if in.Error != "" || in.Code == "" {
		return appRedirectWithError(st, in.Error, in.ErrorDescription), auth.ErrOAuthCallbackFailed.WithMessage(
			"The identity provider refused the login: %s %s", in.Error, in.ErrorDescription)
	}
	cfg, err := s.config(ctx, p, st.Provider)
	if err != nil {
		return "", err
	}
	verifier, err := s.box.Open(st.SealedVerifier, verifierAD(p.ID, cfg.Name))
	if err != nil {
		return "", fmt.Errorf("oauth: callback: open verifier: %w", err)
	}
	id, err := s.identify(ctx, p, cfg, st, in.Code, string(verifier))
	if err != nil {
		return appRedirectWithError(st, "server_error", "The login could not be verified."), err
	}
	if st.Kind == auth.OAuthLoginB2B || st.Kind == auth.OAuthLoginDiscovery {
		return s.issueB2B(ctx, p, cfg, st, id, now)
	}
	applyAppleUser(cfg, id, in.User)
	link, tok, err := s.login(ctx, p, cfg, st, id, now)
	if err != nil {
		return "", err
	}
	return token.AppendQuery(link, "stytch_token_type=oauth&token="+url.QueryEscape(tok)), nil
}

// identity is who a provider says the user is.
type identity struct {
	Subject    string
	Email      string // "" unless the provider vouches it is verified
	GivenName  string
	FamilyName string
	Picture    string
	Locale     string
	// TenantID is the organization the provider says the account belongs
	// to: Google's hosted domain (hd), Microsoft's tenant (tid); "" for
	// personal accounts and other providers. B2B logins match it against
	// organizations' allowed OAuth tenants.
	TenantID      string
	AccessToken   string
	RefreshToken  string
	IDToken       string
	Expiry        time.Time
	GrantedScopes []string
}

// providerValues are the provider's tokens of id.
func (id *identity) providerValues() ProviderValues {
	return ProviderValues{AccessToken: id.AccessToken, RefreshToken: id.RefreshToken, IDToken: id.IDToken, Expiry: id.Expiry, Scopes: id.GrantedScopes}
}

// identify exchanges the code and verifies what the provider returns.
func (s *Service) identify(ctx context.Context, p *auth.Project, cfg *Config, st *auth.OAuthState, code, verifier string) (*identity, error) {
	endpoint, err := s.endpoint(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, s.client)
	oc := s.oauth2Config(p, cfg, endpoint, st.Scopes)
	if err := clientAuth(cfg, oc, s.now()); err != nil {
		return nil, err
	}
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The identity provider refused the authorization code.").Wrap(err)
	}
	id := &identity{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	if sc, ok := tok.Extra("scope").(string); ok {
		// Space-separated (RFC 6749), or comma-separated as GitHub has it.
		id.GrantedScopes = strings.FieldsFunc(sc, func(r rune) bool { return r == ' ' || r == ',' })
	}
	if !cfg.OIDC {
		return s.githubIdentity(ctx, cfg, tok.AccessToken, id)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The identity provider returned no ID token.")
	}
	prov, err := s.discover(ctx, cfg)
	if err != nil {
		return nil, err
	}
	tmpl := issuerTemplate(cfg)
	// A multi-tenant issuer is checked below, against the token's tenant.
	idt, err := prov.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: s.now, SkipIssuerCheck: tmpl != ""}).Verify(ctx, raw)
	if err != nil {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The ID token could not be verified.").Wrap(err)
	}
	if tmpl != "" {
		if err := checkTenantIssuer(idt, tmpl); err != nil {
			return nil, err
		}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The ID token was not issued for this login (nonce mismatch).")
	}
	id.Subject, id.IDToken = idt.Subject, raw
	var claims profileClaims
	if err := idt.Claims(&claims); err != nil {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The ID token's claims could not be read.").Wrap(err)
	}
	// Some providers put the profile only in userinfo; ask there when
	// the ID token has no address.
	if claims.Email == "" && prov.UserInfoEndpoint() != "" {
		ui, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, auth.ErrOAuthCallbackFailed.WithMessage("The provider's userinfo could not be read.").Wrap(err)
		}
		if ui.Subject != idt.Subject {
			return nil, auth.ErrOAuthCallbackFailed.WithMessage("The provider's userinfo is about another user.")
		}
		if err := ui.Claims(&claims); err != nil {
			return nil, auth.ErrOAuthCallbackFailed.WithMessage("The provider's userinfo could not be read.").Wrap(err)
		}
	}
	verified := bool(claims.EmailVerified) || (cfg.Type == auth.OAuthMicrosoft && bool(claims.EmailDomainOwnerVerified))
	if claims.Email != "" && verified {
		if addr, err := user.NormalizeEmail(claims.Email); err == nil {
			id.Email = addr
		}
	}
	id.GivenName, id.FamilyName, id.Picture, id.Locale = claims.GivenName, claims.FamilyName, claims.Picture, claims.Locale
	switch cfg.Type {
	case auth.OAuthGoogle:
		id.TenantID = claims.HostedDomain
	case auth.OAuthMicrosoft:
		id.TenantID = claims.TenantID
	}
	return id, nil
}

// profileClaims are the standard OIDC claims Latch reads.
type profileClaims struct {
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Picture       string   `json:"picture"`
	Locale        string   `json:"locale"`
	// HostedDomain (Google) and TenantID (Microsoft) name the account's
	// organization.
	HostedDomain string `json:"hd"`
	TenantID     string `json:"tid"`
	// EmailDomainOwnerVerified is Microsoft's xms_edov optional claim:
	// the tenant owns the address's domain. Microsoft's ID tokens carry
	// no email_verified; an app registration that adds this claim gets
	// addresses Latch can trust.
	EmailDomainOwnerVerified flexBool `json:"xms_edov"`
}

// flexBool reads a boolean claim sent as true or as "true", as some
// providers (Apple) send email_verified.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	default:
		*b = false
	}
	return nil
}

// ProviderValues are the tokens a provider returned for a login, as
// oauth.authenticate reports them in provider_values. Latch keeps them
// sealed, in this JSON form.
type ProviderValues struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	IDToken      string    `json:"id_token"`
	Expiry       time.Time `json:"expiry"`
	Scopes       []string  `json:"scopes"`
}

// login finds or creates the user of id in one transaction, links the
// provider account, and issues the token for the app. It returns the
// redirect URL to use (login or signup) and the token.
func (s *Service) login(ctx context.Context, p *auth.Project, cfg *Config, st *auth.OAuthState, id *identity, now time.Time) (redirect, tok string, err error) {
	sealed, err := json.Marshal(id.providerValues())
	if err != nil {
		return "", "", fmt.Errorf("oauth: encode provider tokens: %w", err)
	}
	tok = token.New()
	err = s.store.InTx(ctx, func(tx store.Store) error {
		u, created, err := s.findOrCreate(ctx, tx, p, cfg, st, id)
		if err != nil {
			return err
		}
		redirect = st.LoginRedirectURL
		if created {
			redirect = st.SignupRedirectURL
		}
		reg := &auth.OAuthRegistration{
			ID: auth.NewID(auth.KindOAuthRegistration, p.Env), UserID: u.ID, Provider: cfg.Name, Subject: id.Subject,
			Email: id.Email, ProfilePictureURL: id.Picture, Locale: id.Locale, CreatedAt: now, UpdatedAt: now,
		}
		reg.SealedTokens = s.box.Seal(sealed, tokensAD(p.ID, cfg.Name, id.Subject))
		if err := tx.PutOAuthRegistration(ctx, p.ID, reg); err != nil {
			return fmt.Errorf("oauth: link %s account: %w", cfg.Name, err)
		}
		t := &auth.OneTimeToken{
			ID: auth.NewID("oauth-token", p.Env), ProjectID: p.ID, Kind: auth.TokenOAuth, TokenHash: token.Hash(tok),
			UserID: u.ID, EmailAddress: id.Email, CodeChallenge: st.CodeChallenge, OAuthRegistrationID: reg.ID,
			CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
		}
		if e, ok := u.EmailByAddress(id.Email); ok {
			t.EmailID = e.ID
		}
		if err := tx.CreateToken(ctx, p.ID, t); err != nil {
			return fmt.Errorf("oauth: issue token: %w", err)
		}
		return nil
	})
	return redirect, tok, err
}

// findOrCreate returns the user a provider account logs in: the one it is
// linked to, else the one with the verified address the provider asserts
// (whose address is then verified), else a new user.
func (s *Service) findOrCreate(ctx context.Context, tx store.Store, p *auth.Project, cfg *Config, st *auth.OAuthState, id *identity) (*auth.User, bool, error) {
	reg, err := tx.GetOAuthRegistrationBySubject(ctx, p.ID, cfg.Name, id.Subject)
	switch {
	case st.AttachUserID != "" && err == nil && reg.UserID != st.AttachUserID:
		return nil, false, auth.ErrOAuthCallbackFailed.WithMessage("This %s account is already linked to another user.", cfg.Name)
	case st.AttachUserID != "" && (err == nil || errors.Is(err, store.ErrNotFound)):
		// oauth.attach: the account joins the user the app named.
		u, err := s.users.GetTx(ctx, tx, p.ID, st.AttachUserID)
		return u, false, err
	case err == nil:
		u, err := s.users.GetTx(ctx, tx, p.ID, reg.UserID)
		return u, false, err
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, fmt.Errorf("oauth: find link: %w", err)
	}
	if id.Email != "" {
		u, err := s.users.GetByEmail(ctx, tx, p.ID, id.Email)
		if err == nil {
			// The provider proved the address: as after a magic link, an
			// unverified address becomes verified, and a password set by
			// whoever never proved it must be reset.
			if e, ok := u.EmailByAddress(id.Email); ok {
				if err := s.users.VerifyEmail(ctx, tx, p, u, e.ID); err != nil {
					return nil, false, err
				}
			}
			return u, false, s.users.Activate(ctx, tx, u)
		}
		if !errors.Is(err, auth.ErrUserNotFound) {
			return nil, false, err
		}
	}
	u, err := s.users.CreateTx(ctx, tx, p, user.CreateInput{
		Email: id.Email, Name: auth.Name{First: id.GivenName, Last: id.FamilyName},
	})
	if err != nil {
		return nil, false, err
	}
	for _, e := range u.Emails {
		if err := s.users.VerifyEmail(ctx, tx, p, u, e.ID); err != nil {
			return nil, false, err
		}
	}
	return u, true, nil
}

// AttachInput is a POST /v1/oauth/attach: the user whom the next login
// with Provider is linked to, by ID or by session.
type AttachInput struct {
	Provider     string
	UserID       string
	SessionToken string
	SessionJWT   string
}

// Attach issues a single-use token that, passed to the start URL as
// oauth_attach_token, links the provider account of that login to the
// user, instead of logging in (or creating) whoever owns its address.
func (s *Service) Attach(ctx context.Context, p *auth.Project, in AttachInput) (string, error) {
	if n := auth.CountSet(in.UserID, in.SessionToken, in.SessionJWT); n != 1 {
		return "", auth.ErrInvalidArgument.WithMessage("Pass exactly one of user_id, session_token and session_jwt.")
	}
	cfg, err := s.config(ctx, p, in.Provider)
	if err != nil {
		return "", err
	}
	var u *auth.User
	if in.UserID != "" {
		if u, err = s.users.Get(ctx, p.ID, in.UserID); err != nil {
			return "", err
		}
	} else {
		res, err := s.sessions.Authenticate(ctx, p, session.AuthenticateInput{Token: in.SessionToken, JWT: in.SessionJWT})
		if err != nil {
			return "", err
		}
		u = res.User
	}
	now := s.now().UTC()
	tok := token.New()
	t := &auth.OneTimeToken{
		ID: auth.NewID("oauth-attach", p.Env), ProjectID: p.ID, Kind: auth.TokenOAuthAttach, TokenHash: token.Hash(tok),
		UserID: u.ID, Provider: cfg.Name, CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
	}
	if err := s.store.CreateToken(ctx, p.ID, t); err != nil {
		return "", fmt.Errorf("oauth: attach: %w", err)
	}
	return tok, nil
}

// AuthenticateInput is a POST /v1/oauth/authenticate.
type AuthenticateInput struct {
	Token           string
	CodeVerifier    string
	DurationMinutes int
	SessionToken    string
	SessionJWT      string
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
}

// AuthenticateResult is a successful exchange of an OAuth token.
type AuthenticateResult struct {
	session.Result
	Registration *auth.OAuthRegistration
	ProviderType auth.OAuthProviderType
	ProviderValues
}

// Authenticate exchanges the token a login handed to the app for its user
// and, when asked, a session.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*AuthenticateResult, error) {
	if in.Token == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var res *AuthenticateResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		t, err := tx.ConsumeToken(ctx, p.ID, token.Hash(in.Token), []auth.TokenKind{auth.TokenOAuth}, now)
		switch {
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConsumed):
			return auth.ErrOAuthTokenNotFound
		case err != nil:
			return fmt.Errorf("oauth: authenticate: %w", err)
		}
		if err := token.CheckPKCE(t.CodeChallenge, in.CodeVerifier); err != nil {
			return err
		}
		reg, err := tx.GetOAuthRegistration(ctx, p.ID, t.OAuthRegistrationID)
		if errors.Is(err, store.ErrNotFound) {
			return auth.ErrOAuthTokenNotFound
		}
		if err != nil {
			return fmt.Errorf("oauth: authenticate: %w", err)
		}
		u, err := s.users.GetTx(ctx, tx, p.ID, t.UserID)
		if err != nil {
			return err
		}
		// The type follows from the name, with no read of the provider's
		// row, which may even have been removed since the login.
		res = &AuthenticateResult{Registration: reg, ProviderType: auth.OAuthProviderTypeOf(reg.Provider)}
		if plain, err := s.box.Open(reg.SealedTokens, tokensAD(p.ID, reg.Provider, reg.Subject)); err == nil {
			_ = json.Unmarshal(plain, &res.ProviderValues) // written by login; unreadable means none
		}
		sres, err := s.sessions.Attach(ctx, tx, p, session.AttachInput{
			User: u, Factor: oauthFactor(res.ProviderType, auth.OAuthFactor{
				RegistrationID: reg.ID, ProviderSubject: reg.Subject, EmailID: t.EmailID, ProviderName: reg.Provider,
			}, now),
			DurationMinutes: in.DurationMinutes, CustomClaims: in.CustomClaims, Attributes: in.Attributes,
			SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
		})
		if err != nil {
			return err
		}
		res.Result = *sres
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.Finish(ctx, p, &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// oauthFactor is the authentication factor an OAuth login proves: its
// delivery method is oauth_<type> (oauth_google, …), as Stytch's, or
// sso_oidc for a generic OIDC provider (auth.OAuthDeliveryMethod).
func oauthFactor(t auth.OAuthProviderType, f auth.OAuthFactor, now time.Time) auth.AuthenticationFactor {
	f.ProviderType = string(t)
	return auth.AuthenticationFactor{
		Type: auth.FactorOAuth, DeliveryMethod: auth.OAuthDeliveryMethod(t),
		LastAuthenticatedAt: now, CreatedAt: now, UpdatedAt: now, OAuthFactor: &f,
	}
}

// projectByPublicToken returns the project a browser endpoint's
// public_token names.
func (s *Service) projectByPublicToken(ctx context.Context, publicToken string) (*auth.Project, error) {
	if publicToken == "" {
		return nil, auth.ErrPublicTokenNotFound
	}
	p, err := s.store.GetProjectByPublicToken(ctx, publicToken)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrPublicTokenNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: project by public token: %w", err)
	}
	return p, nil
}

// config returns a project's provider, or ErrOAuthConfigNotFound.
func (s *Service) config(ctx context.Context, p *auth.Project, name string) (*Config, error) {
	cfg, err := s.providers.Get(ctx, p.ID, name)
	if errors.Is(err, ErrProviderNotFound) {
		return nil, auth.ErrOAuthConfigNotFound.WithMessage("The OAuth provider %q is not configured for this project. Configure it with: latch oauth-providers set --project %s", name, p.ID)
	}
	return cfg, err
}

// redirect resolves an app redirect URL of type t against the allowlist.
func (s *Service) redirect(ctx context.Context, p *auth.Project, t auth.RedirectType, raw string, noDefault *auth.Error) (string, error) {
	return s.projects.ResolveRedirectFor(ctx, p.ID, t, raw, noDefault, auth.ErrNoMatchForOAuthURL)
}

// endpoint returns the provider's authorization and token endpoints: the
// configured ones, else its discovery document's.
func (s *Service) endpoint(ctx context.Context, cfg *Config) (oauth2.Endpoint, error) {
	e := oauth2.Endpoint{AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL}
	if cfg.OIDC && (e.AuthURL == "" || e.TokenURL == "") {
		prov, err := s.discover(ctx, cfg)
		if err != nil {
			return e, err
		}
		d := prov.Endpoint()
		if e.AuthURL == "" {
			e.AuthURL = d.AuthURL
		}
		if e.TokenURL == "" {
			e.TokenURL = d.TokenURL
		}
	}
	return e, nil
}

// discover returns cfg's OIDC provider, from cache or its discovery
// document.
func (s *Service) discover(ctx context.Context, cfg *Config) (*oidc.Provider, error) {
	key, tmpl := cfg.Issuer, issuerTemplate(cfg)
	if tmpl != "" {
		key = tmpl + " " + cfg.Issuer
	}
	key += " " + cfg.UserInfoURL
	s.mu.Lock()
	prov, ok := s.discovered[key]
	s.mu.Unlock()
	if ok {
		return prov, nil
	}
	// The provider outlives this request: it keeps the key set it fetches
	// with the context it was made with.
	pctx := oidc.ClientContext(context.WithoutCancel(ctx), s.client)
	if tmpl != "" {
		pctx = multiTenantContext(pctx, tmpl)
	}
	prov, err := oidc.NewProvider(pctx, cfg.Issuer)
	if err == nil && tmpl != "" {
		err = checkDiscoveredIssuer(prov, tmpl)
	}
	if err == nil && cfg.UserInfoURL != "" {
		prov, err = withUserInfo(pctx, prov, cfg.UserInfoURL)
	}
	if err != nil {
		return nil, auth.ErrOAuthCallbackFailed.WithMessage("The identity provider's discovery document could not be read.").Wrap(err)
	}
	s.mu.Lock()
	s.discovered[key] = prov
	s.mu.Unlock()
	return prov, nil
}

// withUserInfo is prov with its userinfo endpoint replaced by the
// configured override; the rest is what its discovery document said.
func withUserInfo(ctx context.Context, prov *oidc.Provider, userInfoURL string) (*oidc.Provider, error) {
	var doc struct {
		Issuer     string   `json:"issuer"`
		JWKSURL    string   `json:"jwks_uri"`
		Algorithms []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := prov.Claims(&doc); err != nil {
		return nil, fmt.Errorf("oauth: read discovery document: %w", err)
	}
	e := prov.Endpoint()
	return (&oidc.ProviderConfig{
		IssuerURL: doc.Issuer, AuthURL: e.AuthURL, TokenURL: e.TokenURL, UserInfoURL: userInfoURL,
		JWKSURL: doc.JWKSURL, Algorithms: doc.Algorithms,
	}).NewProvider(ctx), nil
}

func (s *Service) oauth2Config(p *auth.Project, cfg *Config, e oauth2.Endpoint, extra []string) *oauth2.Config {
	scopes := append([]string(nil), cfg.Scopes...)
	for _, sc := range extra {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	return &oauth2.Config{
		ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: e, Scopes: scopes,
		RedirectURL: s.publicURL + CallbackPath(p.ID, cfg.Name),
	}
}

// verifierAD and tokensAD bind sealed values to their use.
func verifierAD(projectID, provider string) []byte {
	return []byte(projectID + "/oauth/" + provider + "/pkce_verifier")
}

func tokensAD(projectID, provider, subject string) []byte {
	return []byte(projectID + "/oauth/" + provider + "/" + subject + "/tokens")
}

// appRedirectWithError is the app's URL with an OAuth error, for a login
// that ended at the provider without success.
func appRedirectWithError(st *auth.OAuthState, code, description string) string {
	if code == "" {
		code = "access_denied"
	}
	q := url.Values{"stytch_token_type": {tokenType(st.Kind)}, "error": {code}}
	if description != "" {
		q.Set("error_description", description)
	}
	return token.AppendQuery(st.LoginRedirectURL, q.Encode())
}
