// Package githubtest runs a local stand-in for GitHub's OAuth app flow and
// the two REST endpoints a login reads, for tests of Latch's GitHub
// provider: github.com cannot be reached from tests.
//
// It behaves as GitHub documents: GET /login/oauth/authorize sends the
// browser straight back to the redirect URI with a code and the state (the
// user "approves", as a signed-in user who authorized the app before
// would), or with error=access_denied after Deny; POST
// /login/oauth/access_token exchanges a code once, checking the client
// credentials, the redirect URI and the PKCE verifier, and answers errors
// with HTTP 200 and an "error" field, as GitHub does; GET /user and GET
// /user/emails need the access token and return the user and every
// address, verified or not, so the client must pick the verified one.
package githubtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Email is one of a user's addresses, as /user/emails lists it.
type Email struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// User is a GitHub user.
type User struct {
	ID        int64
	Login     string
	Name      string
	AvatarURL string
	Emails    []Email
}

// Server is a running stand-in. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base of both github.com's OAuth endpoints and the API:
	// URL+"/login/oauth/authorize", URL+"/login/oauth/access_token" and
	// URL+"/user".
	URL          string
	ClientID     string
	ClientSecret string

	mu     sync.Mutex
	user   *User
	deny   bool
	codes  map[string]grant
	tokens map[string]*User
}

type grant struct {
	user        *User
	redirectURI string
	challenge   string
	scope       string
}

// Start starts a stand-in whose signed-in user is u, and stops it when
// the test ends.
func Start(tb testing.TB, u User) *Server {
	tb.Helper()
	s := &Server{ClientID: "Iv1." + randomHex(8), ClientSecret: randomHex(20), user: &u,
		codes: map[string]grant{}, tokens: map[string]*User{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", s.authorize)
	mux.HandleFunc("POST /login/oauth/access_token", s.accessToken)
	mux.HandleFunc("GET /user", s.withUser(func(w http.ResponseWriter, u *User) {
		writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "login": u.Login, "name": u.Name, "avatar_url": u.AvatarURL, "email": nil})
	}))
	mux.HandleFunc("GET /user/emails", s.withUser(func(w http.ResponseWriter, u *User) {
		writeJSON(w, http.StatusOK, u.Emails)
	}))
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// SignInAs changes the user who approves the next logins.
func (s *Server) SignInAs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = &u
}

// Deny makes the user refuse the next logins (access_denied).
func (s *Server) Deny(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = deny
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_id") != s.ClientID || err != nil || redirect.Host == "" {
		http.Error(w, "The redirect_uri MUST match the registered callback URL for this application.", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	s.mu.Lock()
	if s.deny {
		back.Set("error", "access_denied")
		back.Set("error_description", "The user has denied your application access.")
	} else {
		if q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" {
			s.mu.Unlock()
			http.Error(w, "code_challenge_method must be S256", http.StatusBadRequest)
			return
		}
		code := randomHex(10)
		s.codes[code] = grant{user: s.user, redirectURI: redirect.String(), challenge: q.Get("code_challenge"), scope: q.Get("scope")}
		back.Set("code", code)
	}
	s.mu.Unlock()
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, secret := r.Form.Get("client_id"), r.Form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id != s.ClientID || secret != s.ClientSecret {
		s.tokenError(w, r, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
		return
	}
	s.mu.Lock()
	g, ok := s.codes[r.Form.Get("code")]
	delete(s.codes, r.Form.Get("code")) // a code is good for one exchange
	s.mu.Unlock()
	if !ok || g.redirectURI != r.Form.Get("redirect_uri") {
		s.tokenError(w, r, "bad_verification_code", "The code passed is incorrect or expired.")
		return
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			s.tokenError(w, r, "bad_verification_code", "The code_verifier does not match the code_challenge.")
			return
		}
	}
	tok := "gho_" + randomHex(18)
	s.mu.Lock()
	s.tokens[tok] = g.user
	s.mu.Unlock()
	v := url.Values{"access_token": {tok}, "token_type": {"bearer"}, "scope": {strings.ReplaceAll(g.scope, " ", ",")}}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, map[string]string{"access_token": tok, "token_type": "bearer", "scope": v.Get("scope")})
		return
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(v.Encode()))
}

// tokenError answers as GitHub does: HTTP 200 with an error field.
func (s *Server) tokenError(w http.ResponseWriter, r *http.Request, code, description string) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusOK, map[string]string{"error": code, "error_description": description})
		return
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = w.Write([]byte(url.Values{"error": {code}, "error_description": {description}}.Encode()))
}

func (s *Server) withUser(fn func(http.ResponseWriter, *User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			tok, _ = strings.CutPrefix(auth, "token ")
		}
		s.mu.Lock()
		u := s.tokens[tok]
		s.mu.Unlock()
		if u == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
			return
		}
		fn(w, u)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
