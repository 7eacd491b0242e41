package main

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/b2bstytchapi"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/intermediatesessions"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery/organizations"
	mldiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"
)

const (
	// sessionCookie holds the Stytch member session token. The token is
	// the whole credential: whoever has it is signed in to the
	// organization, so the cookie is HttpOnly and never readable by page
	// scripts.
	sessionCookie = "session_token"
	// sessionMinutes is how long a member session lasts after login: one
	// day.
	sessionMinutes = 60 * 24
	// istCookie holds the intermediate session token between the emailed
	// link and the choice of organization. It proves the email address,
	// not membership of anything, and is as sensitive as a session token
	// for the few minutes it lives.
	istCookie = "intermediate_session_token"
	// istMinutes is the intermediate session's lifetime in Stytch (and
	// Latch); the cookie lasts no longer than what it holds.
	istMinutes = 10
)

// app is the web app. It keeps no state of its own: sessions live in
// Stytch (or Latch), and the browser holds only their tokens.
type app struct {
	client  *b2bstytchapi.API
	baseURL string // what the browser sees, e.g. http://localhost:3000
	secure  bool   // baseURL is https, so cookies get the Secure attribute
	// devInboxURL, when set, is shown after sending a link: Latch keeps a
	// test project's email there instead of sending it.
	devInboxURL string
	log         *slog.Logger
	handler     http.Handler
}

// newApp returns the app's handler. baseURL is the app's own public URL,
// without a trailing slash; discovery links point at
// baseURL+"/authenticate".
func newApp(client *b2bstytchapi.API, baseURL string) *app {
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
	mux.HandleFunc("GET /authenticate", a.authenticate)
	mux.HandleFunc("POST /select", a.selectOrganization)
	mux.HandleFunc("POST /create", a.createOrganization)
	mux.HandleFunc("GET /dashboard", a.requireSession(a.dashboard))
	mux.HandleFunc("POST /logout", a.logout)
	// SameSite=Lax already keeps the cookies off cross-site POSTs; this
	// also refuses cross-origin form posts from sibling subdomains, which
	// count as the same site.
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

// home sends a signed-in member to the dashboard and shows everyone else
// the sign-in form.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	_, err := a.session(r)
	switch {
	case err == nil:
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	case signedOut(err):
		if !errors.Is(err, http.ErrNoCookie) {
			a.clearCookie(w, sessionCookie)
		}
		a.render(w, http.StatusOK, "home", homePage{})
	default:
		a.unavailable(w, err)
	}
}

// login asks Stytch to email a discovery magic link. Discovery does not
// need to know the organization yet: the link proves the address, and the
// organizations it may enter are listed afterwards. So sign-up and sign-in
// are the same form.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	addr := strings.TrimSpace(r.PostFormValue("email"))
	if addr == "" {
		a.render(w, http.StatusBadRequest, "home", homePage{Error: "Enter your email address."})
		return
	}
	_, err := a.client.MagicLinks.Email.Discovery.Send(r.Context(), &discovery.SendParams{
		EmailAddress: addr,
		// Must be on the project's redirect allowlist as a discovery URL.
		DiscoveryRedirectURL: a.baseURL + "/authenticate",
	})
	if err != nil {
		if se, ok := rejected(err); ok {
			// Stytch's messages (an invalid address, a redirect URL missing
			// from the allowlist) are readable; a production app might map
			// error_type to its own wording instead.
			a.log.Info("discovery send rejected", "type", se.ErrorType, "message", se.ErrorMessage)
			a.render(w, http.StatusBadRequest, "home", homePage{Email: addr, Error: string(se.ErrorMessage)})
			return
		}
		a.unavailable(w, err)
		return
	}
	a.render(w, http.StatusOK, "sent", sentPage{Email: addr, DevInboxURL: a.devInboxURL})
}

// authenticate is where the emailed link lands. It trades the one-time
// token for an intermediate session, which proves the email address but
// belongs to no organization yet, and shows the organizations the address
// may enter.
func (a *app) authenticate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// Stytch sends every product's redirects with a stytch_token_type, and
	// each needs its own authenticate call; this app only does discovery
	// magic links.
	if q.Get("stytch_token_type") != "discovery" || q.Get("token") == "" {
		a.render(w, http.StatusBadRequest, "error", errorPage{
			Title:   "That link is not a sign-in link",
			Message: "Start again from the sign-in page.",
		})
		return
	}
	resp, err := a.client.MagicLinks.Discovery.Authenticate(r.Context(), &mldiscovery.AuthenticateParams{
		DiscoveryMagicLinksToken: q.Get("token"),
	})
	if err != nil {
		if se, ok := rejected(err); ok {
			a.log.Info("discovery magic link rejected", "type", se.ErrorType)
			a.render(w, http.StatusUnauthorized, "error", errorPage{
				Title:   "This link has expired or was already used",
				Message: "Sign-in links work once and only for a short time. Ask for a new one.",
			})
			return
		}
		a.unavailable(w, err)
		return
	}
	// The picker's forms post back here without the token in them: the
	// intermediate session token rides in an HttpOnly cookie that expires
	// with it.
	a.setCookie(w, istCookie, resp.IntermediateSessionToken, time.Now().Add(istMinutes*time.Minute))

	p := pickerPage{Email: resp.EmailAddress}
	for _, d := range resp.DiscoveredOrganizations {
		if d.Organization == nil {
			continue
		}
		c := orgChoice{
			ID:   d.Organization.OrganizationID,
			Name: d.Organization.OrganizationName,
			Slug: d.Organization.OrganizationSlug,
			// An organization may want more than an emailed link: MFA
			// (mfa_required), or another primary method such as SSO
			// (primary_required). This app says so rather than implementing
			// those.
			NeedsMore: d.PrimaryRequired != nil || d.MFARequired != nil,
		}
		if d.Membership != nil {
			c.Membership = membershipLabel(d.Membership.Type)
		}
		p.Organizations = append(p.Organizations, c)
	}
	a.render(w, http.StatusOK, "picker", p)
}

// membershipLabel describes a discovered organization's membership type.
func membershipLabel(t string) string {
	switch t {
	case "active_member":
		return "Member"
	case "pending_member":
		return "Pending member"
	case "invited_member":
		return "Invited"
	case "eligible_to_join_by_email_domain":
		return "Can join: your email domain is allowed"
	case "eligible_to_join_by_oauth_tenant":
		return "Can join: your OAuth tenant is allowed"
	}
	return t
}

// selectOrganization exchanges the intermediate session for a member
// session in the organization the picker posted.
func (a *app) selectOrganization(w http.ResponseWriter, r *http.Request) {
	ist, ok := a.intermediateSession(w, r)
	if !ok {
		return
	}
	orgID := r.PostFormValue("organization_id")
	if orgID == "" {
		a.render(w, http.StatusBadRequest, "error", errorPage{
			Title:   "No organization chosen",
			Message: "Choose an organization from the list. If it is gone, sign in again.",
		})
		return
	}
	resp, err := a.client.Discovery.IntermediateSessions.Exchange(r.Context(), &intermediatesessions.ExchangeParams{
		IntermediateSessionToken: ist,
		OrganizationID:           orgID,
		SessionDurationMinutes:   sessionMinutes,
	})
	if err != nil {
		a.discoveryFailed(w, err, "You cannot enter that organization")
		return
	}
	a.signIn(w, r, resp.MemberAuthenticated, resp.SessionToken, resp.MemberSession)
}

// createOrganization creates an organization with the email address as
// its first member (and admin) and signs them in to it.
func (a *app) createOrganization(w http.ResponseWriter, r *http.Request) {
	ist, ok := a.intermediateSession(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("organization_name"))
	if name == "" {
		a.render(w, http.StatusBadRequest, "error", errorPage{
			Title:   "The organization needs a name",
			Message: "Enter a name for the new organization. If the list of organizations is gone, sign in again.",
		})
		return
	}
	resp, err := a.client.Discovery.Organizations.Create(r.Context(), &organizations.CreateParams{
		IntermediateSessionToken: ist,
		OrganizationName:         name,
		SessionDurationMinutes:   sessionMinutes,
	})
	if err != nil {
		a.discoveryFailed(w, err, "The organization could not be created")
		return
	}
	a.signIn(w, r, resp.MemberAuthenticated, resp.SessionToken, resp.MemberSession)
}

// intermediateSession returns the intermediate session token from its
// cookie, or answers the request itself when there is none: the cookie
// expired with the session, or the picker was never shown in this browser.
func (a *app) intermediateSession(w http.ResponseWriter, r *http.Request) (string, bool) {
	c, err := r.Cookie(istCookie)
	if err != nil || c.Value == "" {
		a.render(w, http.StatusUnauthorized, "error", istExpired)
		return "", false
	}
	return c.Value, true
}

// istExpired is the page for a missing, expired or used intermediate
// session.
var istExpired = errorPage{
	Title:   "Your sign-in has expired",
	Message: "After you open the emailed link you have ten minutes to choose an organization. Sign in again.",
}

// discoveryFailed reports an exchange or create that the API turned down.
// policyRefusals are the Stytch error types by which an organization's
// settings keep someone out.
var policyRefusals = map[string]bool{
	"operation_restricted_by_organization_auth_methods": true,
	"email_jit_provisioning_not_allowed":                true,
	"invalid_email_for_jit_provisioning":                true,
	"action_available_only_for_active_members":          true,
}

func (a *app) discoveryFailed(w http.ResponseWriter, err error, title string) {
	se, ok := rejected(err)
	if !ok {
		a.unavailable(w, err)
		return
	}
	a.log.Info("discovery rejected", "type", se.ErrorType, "message", se.ErrorMessage)
	if se.ErrorType == "intermediate_session_not_found" {
		// Used (an organization was already chosen) or expired: the
		// cookie is worthless now.
		a.clearCookie(w, istCookie)
		a.render(w, http.StatusUnauthorized, "error", istExpired)
		return
	}
	// The organization's policy said no, or the name was not acceptable.
	// Stytch's message says which; a policy refusal is a 403 to the
	// browser whatever status the API used for it.
	status := http.StatusBadRequest
	switch {
	case policyRefusals[string(se.ErrorType)], se.StatusCode == http.StatusForbidden:
		status = http.StatusForbidden
	case se.StatusCode == http.StatusNotFound:
		status = http.StatusNotFound
	}
	a.render(w, status, "error", errorPage{Title: title, Message: string(se.ErrorMessage)})
}

// signIn finishes an exchange or create: the intermediate session is
// spent, and the member session goes into the session cookie.
func (a *app) signIn(w http.ResponseWriter, r *http.Request, authenticated bool, token string, s *sessions.MemberSession) {
	a.clearCookie(w, istCookie)
	if !authenticated || token == "" {
		// The organization requires MFA or a different primary factor
		// (SSO, say). The response's mfa_required and primary_required say
		// what to do next; this quickstart stops here.
		a.render(w, http.StatusForbidden, "error", errorPage{
			Title:   "This organization needs more than an email link",
			Message: "It requires multi-factor authentication or another sign-in method, which this example app does not implement.",
		})
		return
	}
	expires := time.Now().Add(sessionMinutes * time.Minute)
	if s != nil && s.ExpiresAt != nil {
		expires = *s.ExpiresAt
	}
	a.setCookie(w, sessionCookie, token, expires)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

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
			a.clearCookie(w, sessionCookie)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		next(w, r, s)
	}
}

// dashboard shows who is signed in, to which organization, with which
// roles.
func (a *app) dashboard(w http.ResponseWriter, r *http.Request, s *sessions.AuthenticateResponse) {
	p := dashboardPage{
		Email:            s.Member.EmailAddress,
		MemberID:         s.Member.MemberID,
		OrganizationName: s.Organization.OrganizationName,
		OrganizationSlug: s.Organization.OrganizationSlug,
		OrganizationID:   s.Organization.OrganizationID,
		// The session's roles are what the member may do right now; the
		// member object's roles can include ones this session has not
		// earned (SSO-granted roles, for instance).
		Roles: s.MemberSession.Roles,
	}
	if s.MemberSession.ExpiresAt != nil {
		p.Expires = s.MemberSession.ExpiresAt.UTC().Format("2 Jan 2006 15:04 MST")
	}
	a.render(w, http.StatusOK, "dashboard", p)
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
	a.clearCookie(w, sessionCookie)
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

// setCookie stores a token in an HttpOnly cookie that expires with it.
func (a *app) setCookie(w http.ResponseWriter, name, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    token,
		Path:     "/",
		MaxAge:   int(time.Until(expires).Seconds()),
		HttpOnly: true,
		Secure:   a.secure,
		// Lax still sends the cookie when the user follows a link to the
		// app, but not on cross-site POSTs, which protects /select,
		// /create and /logout.
		SameSite: http.SameSiteLaxMode,
	})
}

func (a *app) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	})
}

// rejected reports whether the API answered and said no: a bad, used or
// expired token, an invalid email address, an organization's policy.
// Anything else (unreachable, 5xx, rate limited) is an outage, and signing
// users out during one would be wrong.
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
