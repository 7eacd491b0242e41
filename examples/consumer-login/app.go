package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/magiclinks/email"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/oauth"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/consumer/stytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

const (
	// sessionCookie holds the Stytch session token. The token is the whole
	// credential: whoever has it is signed in, so the cookie is HttpOnly
	// and never readable by page scripts.
	sessionCookie = "session_token"
	// verifierCookie holds the PKCE code verifier of an OAuth login in
	// progress, from the app's /oauth/{provider} to its /authenticate.
	verifierCookie = "oauth_code_verifier"
	// sessionMinutes is how long a session lasts after login: one day.
	sessionMinutes = 60 * 24
)

// app is the web app. It keeps no state of its own: the session lives in
// Stytch (or Latch), and the browser holds only its token.
type app struct {
	client  *stytchapi.API
	baseURL string // what the browser sees, e.g. http://localhost:3000
	secure  bool   // baseURL is https, so cookies get the Secure attribute
	// devInboxURL, when set, is shown after sending a link: Latch keeps a
	// test project's email there instead of sending it.
	devInboxURL string
	// oauthStartURL and publicToken, when set, add a "Sign in with …"
	// button for each of oauthProviders: the browser goes to the API's
	// public start URL, on to the provider, and comes back to
	// /authenticate with an OAuth token.
	oauthStartURL  string // e.g. http://127.0.0.1:8080/v1/public/oauth/
	publicToken    string
	oauthProviders []string
	// oauthPKCE makes the buttons go through the app's /oauth/{provider},
	// which keeps a PKCE code verifier in a cookie and sends only its
	// challenge to the start URL: a token stolen from the redirect back
	// (a browser extension, a log of URLs) is then useless without it.
	oauthPKCE bool
	log       *slog.Logger
	handler   http.Handler
}

// newApp returns the app's handler. baseURL is the app's own public URL,
// without a trailing slash; magic links point at baseURL+"/authenticate".
func newApp(client *stytchapi.API, baseURL string) *app {
	baseURL = strings.TrimSuffix(baseURL, "/")
	a := &app{
		client:  client,
		baseURL: baseURL,
		secure:  strings.HasPrefix(baseURL, "https://"),
		log:     slog.Default(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /oauth/{provider}", a.oauthStart)
	mux.HandleFunc("GET /authenticate", a.authenticate)
	mux.HandleFunc("GET /profile", a.requireSession(a.profile))
	mux.HandleFunc("POST /logout", a.logout)
	// SameSite=Lax already keeps the cookie off cross-site POSTs; this also
	// refuses cross-origin form posts from sibling subdomains, which count
	// as the same site.
	a.handler = http.NewCrossOriginProtection().Handler(mux)
	return a
}

// ServeHTTP serves the app's pages.
func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The /authenticate URL carries a login token: keep it out of the
	// Referer of anything the page links to. And pages show personal
	// data, which no shared cache should keep.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	a.handler.ServeHTTP(w, r)
}

// home sends a signed-in visitor to their profile and shows everyone else
// the sign-in form.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	_, err := a.session(r)
	switch {
	case err == nil:
		http.Redirect(w, r, "/profile", http.StatusSeeOther)
	case signedOut(err):
		if !errors.Is(err, http.ErrNoCookie) {
			a.clearSession(w)
		}
		a.render(w, http.StatusOK, "home", homePage{OAuth: a.oauthButtons()})
	default:
		a.unavailable(w, err)
	}
}

// login asks Stytch to email a magic link. LoginOrCreate creates the user
// on first use, so sign-up and sign-in are the same form.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	addr := strings.TrimSpace(r.PostFormValue("email"))
	if addr == "" {
		a.render(w, http.StatusBadRequest, "home", homePage{Error: "Enter your email address.", OAuth: a.oauthButtons()})
		return
	}
	_, err := a.client.MagicLinks.Email.LoginOrCreate(r.Context(), &email.LoginOrCreateParams{
		Email: addr,
		// Both URLs must be on the project's redirect allowlist.
		LoginMagicLinkURL:  a.baseURL + "/authenticate",
		SignupMagicLinkURL: a.baseURL + "/authenticate",
	})
	if err != nil {
		if se, ok := rejected(err); ok {
			// Stytch's messages (an invalid address, a redirect URL missing
			// from the allowlist) are readable; a production app might map
			// error_type to its own wording instead.
			a.log.Info("login_or_create rejected", "type", se.ErrorType, "message", se.ErrorMessage)
			a.render(w, http.StatusBadRequest, "home", homePage{Email: addr, Error: string(se.ErrorMessage), OAuth: a.oauthButtons()})
			return
		}
		a.unavailable(w, err)
		return
	}
	a.render(w, http.StatusOK, "sent", sentPage{Email: addr, DevInboxURL: a.devInboxURL})
}

// oauthButtons are the "Sign in with …" links of the configured
// providers. Both redirect URLs are this app's /authenticate, which must be
// on the project's allowlist.
func (a *app) oauthButtons() []oauthButton {
	var bs []oauthButton
	for _, p := range a.oauthProviders {
		u := a.startURL(p, "")
		if a.oauthPKCE {
			u = "/oauth/" + url.PathEscape(p)
		}
		bs = append(bs, oauthButton{Name: p, URL: u})
	}
	return bs
}

// startURL is the API's start URL for provider, with a PKCE challenge
// when challenge is not "".
func (a *app) startURL(provider, challenge string) string {
	q := url.Values{
		"public_token":        {a.publicToken},
		"login_redirect_url":  {a.baseURL + "/authenticate"},
		"signup_redirect_url": {a.baseURL + "/authenticate"},
	}
	if challenge != "" {
		q.Set("code_challenge", challenge)
	}
	return a.oauthStartURL + url.PathEscape(provider) + "/start?" + q.Encode()
}

// oauthStart begins an OAuth login with PKCE: a fresh code verifier goes
// into an HttpOnly cookie, its S256 challenge to the start URL, and
// /authenticate proves the login is this browser's by sending the
// verifier with the token.
func (a *app) oauthStart(w http.ResponseWriter, r *http.Request) {
	provider := r.PathValue("provider")
	if !a.oauthPKCE || !slices.Contains(a.oauthProviders, provider) {
		http.NotFound(w, r)
		return
	}
	verifier := rand.Text() + rand.Text() // 52 base32 characters, 260 bits
	sum := sha256.Sum256([]byte(verifier))
	http.SetCookie(w, &http.Cookie{
		Name: verifierCookie, Value: verifier, Path: "/authenticate", MaxAge: 600,
		// Lax: the provider's redirect back to /authenticate is a
		// top-level navigation, which carries it.
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, a.startURL(provider, base64.RawURLEncoding.EncodeToString(sum[:])), http.StatusSeeOther)
}

// authenticate is where the emailed link, and the browser back from an
// OAuth provider, land. It trades the one-time token for a session and
// keeps the session token in a cookie.
func (a *app) authenticate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// Stytch sends every product's redirects (magic links, OAuth, password
	// resets) with a stytch_token_type, and each needs its own
	// authenticate call.
	var (
		token   string
		expires *time.Time
		err     error
	)
	switch {
	case q.Get("stytch_token_type") == "oauth" && q.Get("error") != "":
		// The user cancelled at the provider, or it refused the login.
		a.render(w, http.StatusUnauthorized, "error", errorPage{
			Title:   "Sign-in was cancelled",
			Message: "The sign-in provider did not sign you in. Try again, or use your email address.",
		})
		return
	case q.Get("token") == "":
		err = errNotALoginLink
	case q.Get("stytch_token_type") == "magic_links":
		var resp *magiclinks.AuthenticateResponse
		resp, err = a.client.MagicLinks.Authenticate(r.Context(), &magiclinks.AuthenticateParams{
			Token: q.Get("token"), SessionDurationMinutes: sessionMinutes,
		})
		if err == nil {
			token = resp.SessionToken
			if resp.Session != nil {
				expires = resp.Session.ExpiresAt
			}
		}
	case q.Get("stytch_token_type") == "oauth":
		params := &oauth.AuthenticateParams{Token: q.Get("token"), SessionDurationMinutes: sessionMinutes}
		if c, cerr := r.Cookie(verifierCookie); cerr == nil {
			// The login's verifier is spent whatever the answer.
			params.CodeVerifier = c.Value
			http.SetCookie(w, &http.Cookie{Name: verifierCookie, Path: "/authenticate", MaxAge: -1, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
		}
		var resp *oauth.AuthenticateResponse
		resp, err = a.client.OAuth.Authenticate(r.Context(), params)
		if err == nil {
			token = resp.SessionToken
			if resp.UserSession != nil {
				expires = resp.UserSession.ExpiresAt
			}
		}
	default:
		err = errNotALoginLink
	}
	if errors.Is(err, errNotALoginLink) {
		a.render(w, http.StatusBadRequest, "error", errorPage{
			Title:   "That link is not a sign-in link",
			Message: "Start again from the sign-in page.",
		})
		return
	}
	if err != nil {
		if se, ok := rejected(err); ok {
			a.log.Info("login token rejected", "type", se.ErrorType)
			a.render(w, http.StatusUnauthorized, "error", errorPage{
				Title:   "This link has expired or was already used",
				Message: "Sign-in links work once and only for a short time. Ask for a new one.",
			})
			return
		}
		a.unavailable(w, err)
		return
	}
	until := time.Now().Add(sessionMinutes * time.Minute)
	if expires != nil {
		until = *expires
	}
	a.setSession(w, token, until)
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}

// errNotALoginLink marks a request to /authenticate that carries no token
// this app can use.
var errNotALoginLink = errors.New("not a sign-in link")

// requireSession runs next only for a request whose session cookie Stytch
// accepts. Checking with the API on every request (rather than trusting
// the cookie) means a revoked session stops working at once.
func (a *app) requireSession(next func(http.ResponseWriter, *http.Request, *sessions.AuthenticateResponse)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := a.session(r)
		if err != nil {
			if !signedOut(err) {
				a.unavailable(w, err)
				return
			}
			a.clearSession(w)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		next(w, r, s)
	}
}

// profile shows who is signed in.
func (a *app) profile(w http.ResponseWriter, r *http.Request, s *sessions.AuthenticateResponse) {
	p := profilePage{UserID: s.User.UserID}
	if n := s.User.Name; n != nil {
		// Users from an email link have no name; OAuth logins take the
		// provider's.
		p.Name = strings.Join(strings.Fields(n.FirstName+" "+n.MiddleName+" "+n.LastName), " ")
	}
	if len(s.User.Emails) > 0 {
		p.Email = s.User.Emails[0].Email
	}
	if s.Session.ExpiresAt != nil {
		p.Expires = s.Session.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST")
	}
	a.render(w, http.StatusOK, "profile", p)
}

// logout revokes the session in Stytch, so the token is worthless even if
// it was copied, then drops the cookie.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_, err := a.client.Sessions.Revoke(r.Context(), &sessions.RevokeParams{SessionToken: c.Value})
		// A rejection means the session was already gone. Any other error
		// is logged, but this browser is signed out anyway: that is what
		// the user asked for, and the session still expires on its own.
		if _, gone := rejected(err); err != nil && !gone {
			a.log.Error("revoke session", "err", err)
		}
	}
	a.clearSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// session authenticates the request's session cookie with Stytch. The
// error is http.ErrNoCookie when there is none.
func (a *app) session(r *http.Request) (*sessions.AuthenticateResponse, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, err
	}
	return a.client.Sessions.Authenticate(r.Context(), &sessions.AuthenticateParams{SessionToken: c.Value})
}

func (a *app) setSession(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   int(time.Until(expires).Seconds()),
		HttpOnly: true,
		Secure:   a.secure,
		// Lax still sends the cookie when the user follows a link to the
		// app, but not on cross-site POSTs, which protects /logout.
		SameSite: http.SameSiteLaxMode,
	})
}

func (a *app) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	})
}

// rejected reports whether the API answered and said no: a bad, used or
// expired token, an invalid email address. Anything else (unreachable,
// 5xx, rate limited) is an outage, and signing users out during one would
// be wrong.
func rejected(err error) (stytcherror.Error, bool) {
	var se stytcherror.Error
	ok := errors.As(err, &se) && se.StatusCode >= 400 && se.StatusCode < 500 &&
		se.StatusCode != http.StatusTooManyRequests
	return se, ok
}

// signedOut reports whether a session error means the visitor is not
// signed in, as opposed to the API being unavailable.
func signedOut(err error) bool {
	_, ok := rejected(err)
	return ok || errors.Is(err, http.ErrNoCookie)
}

// unavailable reports an API failure without blaming the user.
func (a *app) unavailable(w http.ResponseWriter, err error) {
	a.log.Error("stytch API", "err", err)
	a.render(w, http.StatusBadGateway, "error", errorPage{
		Title:   "Sign-in is unavailable",
		Message: "We could not reach the authentication service. Try again in a moment.",
	})
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (a *app) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		a.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
