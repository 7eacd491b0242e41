package providertest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// AppleIssuer is Apple's issuer, and so the audience Apple wants in a
// client secret; a stand-in in Apple mode uses its own URL instead.
const AppleIssuer = "https://appleid.apple.com"

// maxAppleSecretLifetime is the longest a client secret JWT may live:
// Apple refuses an exp more than 15777000 seconds (6 months) after iat.
const maxAppleSecretLifetime = 15777000 * time.Second

// Options configure a stand-in.
type Options struct {
	// RedirectURIs, when set, are the only redirect URIs accepted, as
	// providers require them registered; empty accepts any absolute URI.
	RedirectURIs []string
	// Apple, when set, makes the stand-in behave as Sign in with Apple.
	Apple *Apple
	// MultiTenant makes the stand-in behave as Microsoft's v2.0
	// endpoints: configure the client with the issuer
	// URL + "/common/v2.0" (Server.Issuer).
	MultiTenant bool
	// Host, when set, is the host name in URL (and so in Issuer and every
	// endpoint) instead of the listener's address; it must resolve to
	// that loopback address. "localhost" puts the stand-in on another
	// site than servers on 127.0.0.1, as a real provider is to a browser:
	// its redirects and form posts back are then cross-site.
	Host string
}

// Apple is what Apple knows of a developer team's Sign in with Apple key.
type Apple struct {
	TeamID string
	KeyID  string
	// PublicKey checks the ES256 signature of the client secret JWT.
	PublicKey *ecdsa.PublicKey
}

// User is who a login signs in as, and so the claims of its ID token and
// userinfo.
type User struct {
	Subject string
	Email   string
	// EmailVerified is the email_verified claim: true, false, the string
	// "true" (as Apple sends it) or nil to leave it out. In Apple mode a
	// bool is sent as a string.
	EmailVerified any
	// Name, GivenName and FamilyName are the profile claims; in Apple mode
	// they are not claims but the "user" form field of the first login.
	Name, GivenName, FamilyName string
	// HostedDomain is Google's hd claim, TenantID Microsoft's tid.
	HostedDomain string
	TenantID     string
	// Extra claims, added as they are.
	Extra map[string]any
}

// Login scripts one login. The zero value signs in the default user.
type Login struct {
	// User, when set, replaces the default's user.
	User *User
	// Error and ErrorDescription make /authorize refuse: the browser goes
	// back to the redirect URI with error=Error (access_denied: the user
	// cancelled).
	Error, ErrorDescription string
	// TokenError makes /token refuse the code with this OAuth error
	// (HTTP 400, {"error": TokenError}).
	TokenError string
	// WrongNonce, WrongAudience and Expired spoil the ID token's nonce,
	// aud (another client's) and exp (an hour ago).
	WrongNonce, WrongAudience, Expired bool
	// Issuer, when set, is the ID token's iss instead of the right one.
	Issuer string
	// BadSignature signs the ID token with a key the provider does not
	// publish, under the published key's ID.
	BadSignature bool
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base of every endpoint.
	URL string
	// Issuer is the issuer to configure a client with: URL, or for
	// MultiTenant URL + "/common/v2.0".
	Issuer       string
	ClientID     string
	ClientSecret string

	opts   Options
	key    *rsa.PrivateKey
	badKey *rsa.PrivateKey
	kid    string

	mu       sync.Mutex
	def      Login
	next     []Login
	codes    map[string]*grant
	tokens   map[string]User
	seen     map[string]bool // Apple: subjects whose name was posted
	refusals []string
}

type grant struct {
	login       Login
	user        User
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
}

// DefaultUser is the user of a stand-in until SetDefault says otherwise.
var DefaultUser = User{
	Subject: "user-1", Email: "ada@example.com", EmailVerified: true,
	Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace",
}

// Start starts a stand-in and stops it when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	badKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{
		ClientID: "client-" + randomHex(6), ClientSecret: randomHex(20),
		opts: opts, key: key, badKey: badKey, kid: "key-" + randomHex(4),
		def:   Login{User: &DefaultUser},
		codes: map[string]*grant{}, tokens: map[string]User{}, seen: map[string]bool{},
	}
	if opts.Apple != nil {
		// Apple's client ID is the Services ID.
		s.ClientID, s.ClientSecret = "com.example.web", ""
	}
	mux := http.NewServeMux()
	if opts.MultiTenant {
		mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.discovery)
	} else {
		mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	}
	mux.HandleFunc("GET /keys", s.keys)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	if opts.Apple == nil {
		mux.HandleFunc("GET /userinfo", s.userinfo)
	}
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	if opts.Host != "" {
		_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
		if err != nil {
			tb.Fatal(err)
		}
		s.URL = "http://" + net.JoinHostPort(opts.Host, port)
	}
	s.Issuer = s.URL
	if opts.MultiTenant {
		s.Issuer = s.URL + "/common/v2.0"
	}
	return s
}

// TenantIssuer is the issuer of a MultiTenant stand-in's tokens for the
// users of tenant.
func (s *Server) TenantIssuer(tenant string) string { return s.URL + "/" + tenant + "/v2.0" }

// SetDefault sets what every login does from now on (unless Next queued
// one). A nil User keeps the current default user.
func (s *Server) SetDefault(l Login) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.User == nil {
		l.User = s.def.User
	}
	s.def = l
}

// Next queues a login for the next authorization request only. A nil
// User is the default user.
func (s *Server) Next(l Login) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, l)
}

// Refusals returns why the stand-in refused requests so far, oldest
// first: a test that expects a success can show them when it fails.
func (s *Server) Refusals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refusals)
}

func (s *Server) refuse(w http.ResponseWriter, status int, code, why string) {
	s.mu.Lock()
	s.refusals = append(s.refusals, code+": "+why)
	s.mu.Unlock()
	writeJSON(w, status, map[string]string{"error": code, "error_description": why})
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	issuer := s.Issuer
	if s.opts.MultiTenant {
		switch t := r.PathValue("tenant"); t {
		case "common", "organizations", "consumers":
			// Microsoft's multi-tenant documents name no one issuer:
			// each token's is its user's tenant's.
			issuer = s.URL + "/{tenantid}/v2.0"
		default:
			issuer = s.TenantIssuer(t)
		}
	}
	doc := map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/token",
		"jwks_uri":                              s.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "form_post"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile", "name"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	if s.opts.Apple == nil {
		doc["userinfo_endpoint"] = s.URL + "/userinfo"
	} else {
		doc["token_endpoint_auth_methods_supported"] = []string{"client_secret_post"}
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) keys(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": s.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.ClientID:
		s.refusePage(w, "unknown client_id "+q.Get("client_id"))
		return
	case err != nil || !redirect.IsAbs() || redirect.Host == "":
		s.refusePage(w, "redirect_uri is not an absolute URL")
		return
	case len(s.opts.RedirectURIs) > 0 && !slices.Contains(s.opts.RedirectURIs, redirect.String()):
		s.refusePage(w, "redirect_uri "+redirect.String()+" is not registered")
		return
	}
	formPost := q.Get("response_mode") == "form_post"
	back := url.Values{"state": {q.Get("state")}}
	answer := func() {
		if formPost {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = formPostPage.Execute(w, struct {
				Action string
				Fields url.Values
			}{redirect.String(), back})
			return
		}
		u := *redirect
		rq := u.Query()
		for k, vs := range back {
			rq[k] = vs
		}
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
		answer()
		return
	case !slices.Contains(scopes, "openid"):
		back.Set("error", "invalid_scope")
		back.Set("error_description", "openid is required")
		answer()
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		back.Set("error", "invalid_request")
		back.Set("error_description", "an S256 code_challenge is required")
		answer()
		return
	case s.opts.Apple != nil && !formPost && (slices.Contains(scopes, "name") || slices.Contains(scopes, "email")):
		// As Apple: "response_mode must be form_post when name or email
		// scope is requested".
		s.refusePage(w, "response_mode must be form_post when name or email scope is requested")
		return
	}

	s.mu.Lock()
	l := s.def
	if len(s.next) > 0 {
		l, s.next = s.next[0], s.next[1:]
		if l.User == nil {
			l.User = s.def.User
		}
	}
	if l.Error != "" {
		s.mu.Unlock()
		back.Set("error", l.Error)
		if l.ErrorDescription != "" {
			back.Set("error_description", l.ErrorDescription)
		}
		answer()
		return
	}
	code := randomHex(16)
	s.codes[code] = &grant{login: l, user: *l.User, clientID: q.Get("client_id"), redirectURI: redirect.String(),
		challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	// Apple posts the user's name once, on the first authorization of
	// the app, and never again.
	firstApple := s.opts.Apple != nil && !s.seen[l.User.Subject]
	if firstApple {
		s.seen[l.User.Subject] = true
	}
	s.mu.Unlock()
	back.Set("code", code)
	if firstApple && formPost {
		u := map[string]any{"email": l.User.Email}
		if slices.Contains(scopes, "name") {
			u["name"] = map[string]string{"firstName": l.User.GivenName, "lastName": l.User.FamilyName}
		}
		b, _ := json.Marshal(u)
		back.Set("user", string(b))
	}
	answer()
}

// refusePage answers an authorization request that cannot go back to
// the client, as providers do: a page at the provider.
func (s *Server) refusePage(w http.ResponseWriter, why string) {
	s.mu.Lock()
	s.refusals = append(s.refusals, "authorize: "+why)
	s.mu.Unlock()
	http.Error(w, why, http.StatusBadRequest)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.refuse(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	clientID, ok := s.authenticateClient(w, r)
	if !ok {
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		s.refuse(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	s.mu.Lock()
	g := s.codes[r.PostForm.Get("code")]
	delete(s.codes, r.PostForm.Get("code"))
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case g == nil:
		s.refuse(w, http.StatusBadRequest, "invalid_grant", "unknown or spent code")
		return
	case g.clientID != clientID:
		s.refuse(w, http.StatusBadRequest, "invalid_grant", "code issued to another client")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		s.refuse(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return
	case subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1:
		s.refuse(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	case g.login.TokenError != "":
		s.refuse(w, http.StatusBadRequest, g.login.TokenError, "scripted refusal")
		return
	}
	idToken, err := s.idToken(g)
	if err != nil {
		s.refuse(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access := randomHex(16)
	s.mu.Lock()
	s.tokens[access] = g.user
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 3600,
		"refresh_token": randomHex(16), "id_token": idToken,
	})
}

// authenticateClient checks the client's credentials: client_secret_basic
// or client_secret_post, or in Apple mode a client secret JWT.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both are form-encoded inside the header.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID {
		s.refuse(w, http.StatusUnauthorized, "invalid_client", "unknown client "+id)
		return "", false
	}
	if s.opts.Apple != nil {
		if basic {
			s.refuse(w, http.StatusBadRequest, "invalid_client", "Apple takes client_id and client_secret in the body")
			return "", false
		}
		if err := s.checkAppleSecret(secret); err != nil {
			s.refuse(w, http.StatusBadRequest, "invalid_client", err.Error())
			return "", false
		}
		return id, true
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.ClientSecret)) != 1 {
		s.refuse(w, http.StatusUnauthorized, "invalid_client", "wrong client secret")
		return "", false
	}
	return id, true
}

// checkAppleSecret checks a client secret as Apple does: an ES256 JWT
// from the team's key, about this client, for this provider.
func (s *Server) checkAppleSecret(secret string) error {
	a := s.opts.Apple
	var claims gojwt.RegisteredClaims
	_, err := gojwt.ParseWithClaims(secret, &claims, func(t *gojwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != a.KeyID {
			return nil, fmt.Errorf("kid %q is not the key %s", kid, a.KeyID)
		}
		return a.PublicKey, nil
	}, gojwt.WithValidMethods([]string{"ES256"}), gojwt.WithIssuer(a.TeamID), gojwt.WithSubject(s.ClientID),
		gojwt.WithAudience(s.Issuer), gojwt.WithExpirationRequired(), gojwt.WithIssuedAt())
	if err != nil {
		return fmt.Errorf("client secret: %w", err)
	}
	if claims.IssuedAt == nil {
		return fmt.Errorf("client secret: no iat")
	}
	if life := claims.ExpiresAt.Sub(claims.IssuedAt.Time); life > maxAppleSecretLifetime {
		return fmt.Errorf("client secret: lives %s, more than 6 months", life)
	}
	if aud := claims.Audience; len(aud) != 1 {
		return fmt.Errorf("client secret: aud %v is not just the issuer", aud)
	}
	return nil
}

// idToken signs g's ID token, spoiled as its login says.
func (s *Server) idToken(g *grant) (string, error) {
	now := time.Now()
	u := g.user
	iss := s.Issuer
	if s.opts.MultiTenant {
		iss = s.TenantIssuer(u.TenantID)
	}
	claims := gojwt.MapClaims{
		"iss": iss, "sub": u.Subject, "aud": g.clientID,
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	for k, v := range s.profile(u) {
		claims[k] = v
	}
	l := g.login
	if l.WrongNonce {
		claims["nonce"] = "not-" + g.nonce
	}
	if l.WrongAudience {
		claims["aud"] = "another-client"
	}
	if l.Expired {
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	if l.Issuer != "" {
		claims["iss"] = l.Issuer
	}
	t := gojwt.NewWithClaims(gojwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid
	key := s.key
	if l.BadSignature {
		key = s.badKey
	}
	return t.SignedString(key)
}

// profile is what the ID token and userinfo say of u.
func (s *Server) profile(u User) map[string]any {
	c := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			c[k] = v
		}
	}
	set("email", u.Email)
	if u.EmailVerified != nil {
		c["email_verified"] = u.EmailVerified
		if b, ok := u.EmailVerified.(bool); ok && s.opts.Apple != nil {
			c["email_verified"] = fmt.Sprint(b)
		}
	}
	if s.opts.Apple == nil {
		set("name", u.Name)
		set("given_name", u.GivenName)
		set("family_name", u.FamilyName)
	}
	set("hd", u.HostedDomain)
	set("tid", u.TenantID)
	for k, v := range u.Extra {
		c[k] = v
	}
	return c
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	access, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	u, known := s.tokens[access]
	s.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		s.refuse(w, http.StatusUnauthorized, "invalid_token", "unknown access token")
		return
	}
	c := s.profile(u)
	c["sub"] = u.Subject
	writeJSON(w, http.StatusOK, c)
}

// formPostPage is response_mode=form_post: a page that posts the answer to
// the redirect URI as soon as it loads (OAuth 2.0 Form Post Response
// Mode).
var formPostPage = template.Must(template.New("form_post").Parse(`<!doctype html>
<html><head><title>Submit This Form</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>
`))

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
