package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/store"
)

// ErrProviderNotFound is returned when a project has no provider of the
// name asked for.
var ErrProviderNotFound = errors.New("oauth: provider not configured")

// Providers manages projects' identity provider configurations.
type Providers struct {
	store store.Store
	box   *secretbox.Box
	now   func() time.Time
}

// NewProviders returns a Providers that seals secrets with box, a box
// under its own subkey of the server key.
func NewProviders(st store.Store, box *secretbox.Box, now func() time.Time) *Providers {
	return &Providers{store: st, box: box, now: now}
}

// ProviderInput configures one provider of a project. Name defaults to
// the type for built-in types; a generic OIDC provider needs a name of its
// own. ClientSecret and ApplePrivateKey are in the clear here and sealed
// before they are stored.
type ProviderInput struct {
	Name            string
	Type            auth.OAuthProviderType
	ClientID        string
	ClientSecret    string
	Scopes          []string
	IssuerURL       string
	AuthURL         string
	TokenURL        string
	UserInfoURL     string
	APIURL          string
	Tenant          string
	AppleTeamID     string
	AppleKeyID      string
	ApplePrivateKey string // PEM, PKCS #8, P-256, as Apple issues it
}

// nameRE is a provider name: a URL path segment of lowercase letters,
// digits and dashes.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// tenantRE is a Microsoft tenant: a name ("common"), a GUID or a domain.
var tenantRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,127}$`)

// Set creates or replaces a project's provider and returns it as stored
// (secrets sealed).
func (s *Providers) Set(ctx context.Context, projectID string, in ProviderInput) (*auth.OAuthProvider, error) {
	if err := check(&in); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	p := &auth.OAuthProvider{
		ProjectID: projectID, Name: in.Name, Type: in.Type, ClientID: in.ClientID,
		Scopes: slices.Clone(in.Scopes), IssuerURL: in.IssuerURL, AuthURL: in.AuthURL, TokenURL: in.TokenURL,
		UserInfoURL: in.UserInfoURL, APIURL: in.APIURL, Tenant: in.Tenant,
		AppleTeamID: in.AppleTeamID, AppleKeyID: in.AppleKeyID, CreatedAt: now, UpdatedAt: now,
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	if in.ClientSecret != "" {
		p.SealedClientSecret = s.box.Seal([]byte(in.ClientSecret), secretAD(projectID, in.Name, "client_secret"))
	}
	if in.ApplePrivateKey != "" {
		p.SealedApplePrivateKey = s.box.Seal([]byte(in.ApplePrivateKey), secretAD(projectID, in.Name, "apple_private_key"))
	}
	if err := s.store.PutOAuthProvider(ctx, projectID, p); err != nil {
		return nil, fmt.Errorf("oauth: set provider %s: %w", in.Name, err)
	}
	return p, nil
}

// List returns a project's providers, secrets sealed.
func (s *Providers) List(ctx context.Context, projectID string) ([]auth.OAuthProvider, error) {
	ps, err := s.store.ListOAuthProviders(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("oauth: list providers: %w", err)
	}
	return ps, nil
}

// Remove deletes a project's provider; ErrProviderNotFound if it has none
// of that name.
func (s *Providers) Remove(ctx context.Context, projectID, name string) error {
	err := s.store.DeleteOAuthProvider(ctx, projectID, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrProviderNotFound, name)
	}
	if err != nil {
		return fmt.Errorf("oauth: remove provider %s: %w", name, err)
	}
	return nil
}

// Config is a provider ready for a login: the configuration with the
// type's defaults applied and the secrets opened.
type Config struct {
	Name string
	Type auth.OAuthProviderType
	// OIDC is set for providers that issue ID tokens (all but GitHub).
	OIDC         bool
	ClientID     string
	ClientSecret string
	// Scopes are the type's required scopes followed by the configured
	// ones, without repeats.
	Scopes []string
	// Issuer is an OIDC provider's issuer; AuthURL and TokenURL, when set,
	// override what its discovery document says (and are all GitHub has).
	Issuer      string
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	APIURL      string
	Tenant      string
	// Apple's client secret signing material.
	AppleTeamID     string
	AppleKeyID      string
	ApplePrivateKey *ecdsa.PrivateKey
}

// Get returns the project's provider of that name ready for a login, or
// ErrProviderNotFound.
func (s *Providers) Get(ctx context.Context, projectID, name string) (*Config, error) {
	p, err := s.store.GetOAuthProvider(ctx, projectID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrProviderNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: get provider %s: %w", name, err)
	}
	b := builtins[p.Type]
	c := &Config{
		Name: p.Name, Type: p.Type, OIDC: b.oidc, ClientID: p.ClientID,
		AuthURL: or(p.AuthURL, b.authURL), TokenURL: or(p.TokenURL, b.tokenURL), UserInfoURL: p.UserInfoURL,
		APIURL: or(p.APIURL, b.apiURL), Tenant: or(p.Tenant, defaultTenant),
		AppleTeamID: p.AppleTeamID, AppleKeyID: p.AppleKeyID,
	}
	if b.oidc {
		c.Issuer = issuerFor(p)
	}
	for _, sc := range slices.Concat(b.scopes, p.Scopes) {
		if !slices.Contains(c.Scopes, sc) {
			c.Scopes = append(c.Scopes, sc)
		}
	}
	if len(p.SealedClientSecret) > 0 {
		secret, err := s.box.Open(p.SealedClientSecret, secretAD(projectID, p.Name, "client_secret"))
		if err != nil {
			return nil, fmt.Errorf("oauth: provider %s: open client secret: %w", p.Name, err)
		}
		c.ClientSecret = string(secret)
	}
	if len(p.SealedApplePrivateKey) > 0 {
		pemKey, err := s.box.Open(p.SealedApplePrivateKey, secretAD(projectID, p.Name, "apple_private_key"))
		if err != nil {
			return nil, fmt.Errorf("oauth: provider %s: open Apple key: %w", p.Name, err)
		}
		if c.ApplePrivateKey, err = parseAppleKey(string(pemKey)); err != nil {
			return nil, fmt.Errorf("oauth: provider %s: %w", p.Name, err)
		}
	}
	return c, nil
}

// secretAD binds a sealed secret to its project, provider and field, so
// that a sealed value copied to another row does not open.
func secretAD(projectID, name, field string) []byte {
	return []byte(projectID + "/oauth/" + name + "/" + field)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// Check validates a provider configuration without storing it, so that a
// batch can be checked whole before any of it is written.
func Check(in ProviderInput) error { return check(&in) }

// check validates a provider configuration and fills the default name.
func check(in *ProviderInput) error {
	if !in.Type.Valid() {
		return fmt.Errorf("oauth: provider type %q is not one of google, microsoft, apple, github, oidc", in.Type)
	}
	if in.Name == "" && in.Type != auth.OAuthOIDC {
		in.Name = string(in.Type)
	}
	switch {
	case !nameRE.MatchString(in.Name):
		return fmt.Errorf("oauth: provider name %q must be lowercase letters, digits and dashes", in.Name)
	case in.Type != auth.OAuthOIDC && in.Name != string(in.Type):
		return fmt.Errorf("oauth: a %s provider is named %s", in.Type, in.Type)
	case in.Type == auth.OAuthOIDC && auth.OAuthProviderType(in.Name).Valid():
		return fmt.Errorf("oauth: %q is a built-in provider's name; give the OIDC provider a name of its own", in.Name)
	case in.ClientID == "":
		return errors.New("oauth: client ID is required")
	case in.Type == auth.OAuthApple && in.ClientSecret != "":
		return errors.New("oauth: Apple takes no client secret; give its team ID, key ID and private key")
	case in.Type != auth.OAuthApple && in.ClientSecret == "":
		return errors.New("oauth: client secret is required")
	case in.Type == auth.OAuthOIDC && in.IssuerURL == "":
		return errors.New("oauth: an OIDC provider needs its issuer URL")
	case in.Tenant != "" && (in.Type != auth.OAuthMicrosoft || !tenantRE.MatchString(in.Tenant)):
		return fmt.Errorf("oauth: tenant %q: only a Microsoft provider has one, a name, GUID or domain", in.Tenant)
	}
	for _, sc := range in.Scopes {
		if sc == "" || strings.ContainsAny(sc, " \t\n") {
			return fmt.Errorf("oauth: scope %q is empty or has white space", sc)
		}
	}
	for field, v := range map[string]string{"issuer URL": in.IssuerURL, "authorization URL": in.AuthURL,
		"token URL": in.TokenURL, "userinfo URL": in.UserInfoURL, "API URL": in.APIURL} {
		if err := checkURL(field, v); err != nil {
			return err
		}
	}
	if in.Type == auth.OAuthApple {
		if in.AppleTeamID == "" || in.AppleKeyID == "" || in.ApplePrivateKey == "" {
			return errors.New("oauth: Apple needs the team ID, the key ID and the private key (.p8)")
		}
		if _, err := parseAppleKey(in.ApplePrivateKey); err != nil {
			return err
		}
	} else if in.AppleTeamID != "" || in.AppleKeyID != "" || in.ApplePrivateKey != "" {
		return fmt.Errorf("oauth: Apple settings given for a %s provider", in.Type)
	}
	return nil
}

// checkURL accepts an empty value or an absolute https URL; http only to
// a loopback host, since the client secret travels to these endpoints.
func checkURL(field, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("oauth: %s %q is not an absolute URL without query", field, v)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return fmt.Errorf("oauth: %s %q must be https (http only on a loopback host)", field, v)
}

// parseAppleKey reads Apple's .p8 key: PEM, PKCS #8, an ECDSA P-256 key.
func parseAppleKey(s string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("oauth: Apple private key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("oauth: Apple private key: %w", err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("oauth: Apple private key is not an ECDSA P-256 key")
	}
	return ec, nil
}
