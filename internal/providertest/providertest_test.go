package providertest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	gojwt "github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/latchauth/latch/internal/providertest"
)

// client is a plain go-oidc relying party of a stand-in: its callback
// (GET or form_post) sends the browser on to /done with what it received.
type client struct {
	srv      *providertest.Server
	prov     *oidc.Provider
	oc       *oauth2.Config
	url      string
	verifier string
	nonce    string
}

func newClient(t *testing.T, ctx context.Context, srv *providertest.Server, secret string) *client {
	t.Helper()
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		http.Redirect(w, r, "/done?"+r.Form.Encode(), http.StatusFound)
	}))
	t.Cleanup(cb.Close)
	prov, err := oidc.NewProvider(ctx, srv.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{srv: srv, prov: prov, url: cb.URL, verifier: oauth2.GenerateVerifier(), nonce: "n-" + t.Name()}
	c.oc = &oauth2.Config{ClientID: srv.ClientID, ClientSecret: secret, Endpoint: prov.Endpoint(),
		RedirectURL: cb.URL + "/cb", Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	return c
}

// login runs the browser part and returns what the callback received.
func (c *client) login(t *testing.T, opts ...oauth2.AuthCodeOption) (url.Values, *providertest.Landing) {
	t.Helper()
	opts = append(opts, oauth2.S256ChallengeOption(c.verifier), oidc.Nonce(c.nonce))
	l := providertest.SignIn(t, nil, c.oc.AuthCodeURL("st", opts...), c.url+"/done")
	if l.URL == nil {
		t.Fatalf("login ended at %d %s; refusals %v", l.Status, l.Body, c.srv.Refusals())
	}
	if got := l.URL.Query().Get("state"); got != "st" {
		t.Errorf("state = %q", got)
	}
	return l.URL.Query(), l
}

func (c *client) exchange(ctx context.Context, code string) (*oauth2.Token, error) {
	return c.oc.Exchange(ctx, code, oauth2.VerifierOption(c.verifier))
}

func (c *client) verify(ctx context.Context, tok *oauth2.Token) (*oidc.IDToken, error) {
	raw, _ := tok.Extra("id_token").(string)
	return c.prov.Verifier(&oidc.Config{ClientID: c.oc.ClientID}).Verify(ctx, raw)
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := providertest.Start(t, providertest.Options{})
	c := newClient(t, ctx, srv, srv.ClientSecret)
	q, _ := c.login(t)
	tok, err := c.exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := c.verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		GivenName     string `json:"given_name"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Subject != "user-1" || idt.Nonce != c.nonce || claims.Email != "ada@example.com" || !claims.EmailVerified || claims.GivenName != "Ada" {
		t.Errorf("ID token: sub %q nonce %q claims %+v", idt.Subject, idt.Nonce, claims)
	}
	ui, err := c.prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != "user-1" || ui.Email != "ada@example.com" {
		t.Errorf("userinfo = %+v, %v", ui, err)
	}

	// A code is single use.
	if _, err := c.exchange(ctx, q.Get("code")); !isOAuthError(err, "invalid_grant") {
		t.Errorf("second exchange: %v, want invalid_grant", err)
	}
	// PKCE, the redirect URI and the client secret are checked.
	q, _ = c.login(t)
	if _, err := c.oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuthError(err, "invalid_grant") {
		t.Errorf("wrong verifier: %v, want invalid_grant", err)
	}
	q, _ = c.login(t)
	other := *c.oc
	other.RedirectURL = c.url + "/elsewhere"
	if _, err := other.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(c.verifier)); !isOAuthError(err, "invalid_grant") {
		t.Errorf("other redirect_uri: %v, want invalid_grant", err)
	}
	q, _ = c.login(t)
	other = *c.oc
	other.ClientSecret = "wrong"
	if _, err := other.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(c.verifier)); !isOAuthError(err, "invalid_client") {
		t.Errorf("wrong secret: %v, want invalid_client", err)
	}
	// form_post works for any client.
	q, l := c.login(t, oauth2.SetAuthURLParam("response_mode", "form_post"))
	if l.FormPosts != 1 || q.Get("code") == "" {
		t.Errorf("form_post login: %d form posts, %v", l.FormPosts, q)
	}
}

func TestScriptedLogins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := providertest.Start(t, providertest.Options{})
	c := newClient(t, ctx, srv, srv.ClientSecret)
	for _, tc := range []struct {
		name  string
		login providertest.Login
		want  string // in the verification error; "" for a valid token
	}{
		{"wrong audience", providertest.Login{WrongAudience: true}, "audience"},
		{"expired", providertest.Login{Expired: true}, "expired"},
		{"wrong issuer", providertest.Login{Issuer: "https://evil.example.com"}, "different provider"},
		{"bad signature", providertest.Login{BadSignature: true}, "signature"},
		{"wrong nonce", providertest.Login{WrongNonce: true}, ""},
		{"other user", providertest.Login{User: &providertest.User{Subject: "u2", Email: "bo@example.com", EmailVerified: "true", HostedDomain: "example.com", Extra: map[string]any{"x": 1.0}}}, ""},
	} {
		srv.Next(tc.login)
		q, _ := c.login(t)
		tok, err := c.exchange(ctx, q.Get("code"))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		idt, err := c.verify(ctx, tok)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Verify = %v, want an error about %s", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var claims map[string]any
		_ = idt.Claims(&claims)
		switch tc.name {
		case "wrong nonce":
			if idt.Nonce == c.nonce || idt.Nonce == "" {
				t.Errorf("nonce %q, want a wrong one", idt.Nonce)
			}
		case "other user":
			if idt.Subject != "u2" || claims["email_verified"] != "true" || claims["hd"] != "example.com" || claims["x"] != 1.0 {
				t.Errorf("claims = %v", claims)
			}
		}
	}

	// The next login is the default again.
	q, _ := c.login(t)
	tok, err := c.exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if idt, err := c.verify(ctx, tok); err != nil || idt.Subject != "user-1" {
		t.Errorf("default login after scripted ones: %v, %v", idt, err)
	}

	// Refusals at the authorization and token endpoints.
	srv.Next(providertest.Login{Error: "access_denied", ErrorDescription: "The user cancelled."})
	if q, _ := c.login(t); q.Get("error") != "access_denied" || q.Get("code") != "" {
		t.Errorf("cancelled login = %v", q)
	}
	srv.Next(providertest.Login{TokenError: "invalid_grant"})
	q, _ = c.login(t)
	if _, err := c.exchange(ctx, q.Get("code")); !isOAuthError(err, "invalid_grant") {
		t.Errorf("scripted token error: %v", err)
	}
	// SetDefault applies to every login.
	srv.SetDefault(providertest.Login{Error: "temporarily_unavailable"})
	for range 2 {
		if q, _ := c.login(t); q.Get("error") != "temporarily_unavailable" {
			t.Errorf("default refusal = %v", q)
		}
	}
}

func TestApple(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := providertest.Start(t, providertest.Options{Apple: &providertest.Apple{TeamID: "TEAM123456", KeyID: "KEY1234567", PublicKey: &key.PublicKey}})
	secret := func(mod func(h map[string]any, c gojwt.MapClaims)) string {
		now := time.Now()
		c := gojwt.MapClaims{"iss": "TEAM123456", "sub": srv.ClientID, "aud": srv.Issuer, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		tok := gojwt.NewWithClaims(gojwt.SigningMethodES256, c)
		tok.Header["kid"] = "KEY1234567"
		if mod != nil {
			mod(tok.Header, c)
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	c := newClient(t, ctx, srv, secret(nil))
	c.oc.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	c.oc.Scopes = []string{"openid", "name", "email"}

	// Name and email need form_post.
	l := providertest.SignIn(t, nil, c.oc.AuthCodeURL("st", oauth2.S256ChallengeOption(c.verifier)), c.url+"/done")
	if l.URL != nil || l.Status != http.StatusBadRequest || !strings.Contains(l.Body, "form_post") {
		t.Errorf("Apple login without form_post: %+v", l)
	}

	formPost := oauth2.SetAuthURLParam("response_mode", "form_post")
	q, l := c.login(t, formPost)
	var user struct {
		Name  struct{ FirstName, LastName string }
		Email string
	}
	if err := json.Unmarshal([]byte(q.Get("user")), &user); err != nil || l.FormPosts != 1 ||
		user.Name.FirstName != "Ada" || user.Name.LastName != "Lovelace" || user.Email != "ada@example.com" {
		t.Errorf("first Apple login: user %q (%v), %d form posts", q.Get("user"), err, l.FormPosts)
	}
	tok, err := c.exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatalf("%v; refusals %v", err, srv.Refusals())
	}
	idt, err := c.verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	if claims["email_verified"] != "true" || claims["given_name"] != nil {
		t.Errorf("Apple ID token claims = %v, want email_verified \"true\" and no name", claims)
	}
	if q, _ := c.login(t, formPost); q.Get("user") != "" || q.Get("code") == "" {
		t.Errorf("second Apple login posted %v, want a code and no user", q)
	}

	for _, tc := range []struct {
		name string
		mod  func(h map[string]any, c gojwt.MapClaims)
	}{
		{"wrong kid", func(h map[string]any, _ gojwt.MapClaims) { h["kid"] = "OTHER" }},
		{"wrong team", func(_ map[string]any, c gojwt.MapClaims) { c["iss"] = "OTHER" }},
		{"wrong client", func(_ map[string]any, c gojwt.MapClaims) { c["sub"] = "com.example.other" }},
		{"wrong audience", func(_ map[string]any, c gojwt.MapClaims) { c["aud"] = "https://appleid.apple.com.evil" }},
		{"expired", func(_ map[string]any, c gojwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }},
		{"over six months", func(_ map[string]any, c gojwt.MapClaims) { c["exp"] = time.Now().Add(200 * 24 * time.Hour).Unix() }},
		{"no iat", func(_ map[string]any, c gojwt.MapClaims) { delete(c, "iat") }},
	} {
		q, _ := c.login(t, formPost)
		bad := *c.oc
		bad.ClientSecret = secret(tc.mod)
		if _, err := bad.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(c.verifier)); !isOAuthError(err, "invalid_client") {
			t.Errorf("%s: %v, want invalid_client", tc.name, err)
		}
	}
	// A secret signed by another key is refused too.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	q, _ = c.login(t, formPost)
	s, _ := gojwt.NewWithClaims(gojwt.SigningMethodES256, gojwt.MapClaims{"iss": "TEAM123456", "sub": srv.ClientID, "aud": srv.Issuer,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}).SignedString(other)
	bad := *c.oc
	bad.ClientSecret = s
	if _, err := bad.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(c.verifier)); !isOAuthError(err, "invalid_client") {
		t.Errorf("other key: %v, want invalid_client", err)
	}
}

func TestMultiTenant(t *testing.T) {
	t.Parallel()
	srv := providertest.Start(t, providertest.Options{MultiTenant: true})
	template := srv.URL + "/{tenantid}/v2.0"
	// Strict discovery refuses the common endpoint: its issuer is a
	// template.
	if _, err := oidc.NewProvider(t.Context(), srv.Issuer); err == nil || !strings.Contains(err.Error(), "did not match the issuer URL") {
		t.Fatalf("strict discovery of common: %v", err)
	}
	ctx := oidc.InsecureIssuerURLContext(t.Context(), template)
	c := newClient(t, ctx, srv, srv.ClientSecret)
	for _, tenant := range []string{"tenant-a", "tenant-b"} {
		srv.Next(providertest.Login{User: &providertest.User{Subject: "s-" + tenant, Email: tenant + "@example.com", EmailVerified: true, TenantID: tenant}})
		q, _ := c.login(t)
		tok, err := c.exchange(ctx, q.Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := c.prov.Verifier(&oidc.Config{ClientID: srv.ClientID, SkipIssuerCheck: true}).Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			TID string `json:"tid"`
		}
		_ = idt.Claims(&claims)
		if claims.TID != tenant || idt.Issuer != srv.TenantIssuer(tenant) {
			t.Errorf("tenant %s: tid %q iss %q", tenant, claims.TID, idt.Issuer)
		}
	}
	// A tenant's own endpoint has a plain issuer, strictly checked.
	if p, err := oidc.NewProvider(t.Context(), srv.TenantIssuer("tenant-a")); err != nil || p.Endpoint().TokenURL != srv.URL+"/token" {
		t.Errorf("discovery of a tenant: %v", err)
	}
}

func TestJar(t *testing.T) {
	t.Parallel()
	jar := providertest.Jar(t)
	u, _ := url.Parse("http://127.0.0.1:8080/v1/oauth/callback/p/apple")
	jar.SetCookies(u, []*http.Cookie{{Name: "b", Value: "1", Path: "/", Secure: true, SameSite: http.SameSiteNoneMode}})
	if cs := jar.Cookies(u); len(cs) != 1 {
		t.Errorf("loopback Secure cookie: %v", cs)
	}
	remote, _ := url.Parse("http://example.com/")
	jar.SetCookies(remote, []*http.Cookie{{Name: "b", Value: "1", Path: "/", Secure: true}})
	if cs := jar.Cookies(remote); len(cs) != 0 {
		t.Errorf("plain-http Secure cookie kept: %v", cs)
	}
}

func isOAuthError(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

// TestHost: a stand-in named by another host serves every endpoint, and
// a whole login, under that name.
func TestHost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv := providertest.Start(t, providertest.Options{Host: "localhost"})
	if u, err := url.Parse(srv.URL); err != nil || u.Hostname() != "localhost" || srv.Issuer != srv.URL {
		t.Fatalf("URL %q, Issuer %q: want both http://localhost:<port>", srv.URL, srv.Issuer)
	}
	c := newClient(t, ctx, srv, srv.ClientSecret)
	if got := c.prov.Endpoint().AuthURL; got != srv.URL+"/authorize" {
		t.Errorf("authorization endpoint %q, want it under %s", got, srv.URL)
	}
	q, _ := c.login(t)
	tok, err := c.exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := c.verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if idt.Issuer != srv.URL {
		t.Errorf("ID token issuer %q, want %q", idt.Issuer, srv.URL)
	}
}
