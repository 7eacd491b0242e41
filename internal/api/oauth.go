package api

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/oauth"
)

// bindingCookie holds the random value that ties an OAuth login to the
// browser that started it. It is sent only to the callback path.
const bindingCookie = "latch_oauth_binding"

// oauthStart is GET /v1/public/oauth/{provider}/start: the browser comes
// here from the app's "Sign in with …" button and is sent on to the
// provider.
func (h *handler) oauthStart(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	params, err := providerParams(q)
	if err != nil {
		return err
	}
	return h.startOAuth(w, r, oauth.StartInput{
		PublicToken: q.Get("public_token"), Provider: r.PathValue("provider"),
		LoginRedirectURL: q.Get("login_redirect_url"), SignupRedirectURL: q.Get("signup_redirect_url"),
		CustomScopes: q.Get("custom_scopes"), CodeChallenge: q.Get("code_challenge"), ProviderParams: params,
		AttachToken: q.Get("oauth_attach_token"),
	})
}

// providerParams are the parameters a start URL passes on to the
// provider: each provider_<key>, and the keys of provider_params, a JSON
// object of strings (the B2B start URL's form).
func providerParams(q url.Values) (map[string]string, error) {
	params := map[string]string{}
	for k, vs := range q {
		if name, ok := strings.CutPrefix(k, "provider_"); ok && len(vs) > 0 && name != "params" {
			params[name] = vs[0]
		}
	}
	if raw := q.Get("provider_params"); raw != "" {
		var obj map[string]string
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return nil, auth.ErrInvalidArgument.WithMessage("provider_params must be a JSON object of strings.")
		}
		for k, v := range obj {
			params[k] = v
		}
	}
	return params, nil
}

// startOAuth begins any OAuth login: it binds the login to this browser
// with a cookie sent only to the callback, and sends the browser on to the
// provider.
func (h *handler) startOAuth(w http.ResponseWriter, r *http.Request, in oauth.StartInput) error {
	res, err := h.OAuth.Start(r.Context(), in)
	if err != nil {
		return err
	}
	c := bindingCookieFor(r, h.SecureCookies, res.ProjectID, res.CrossSite)
	c.Value, c.MaxAge = res.Binding, int(auth.OAuthStateLifetime/time.Second)
	http.SetCookie(w, c)
	http.Redirect(w, r, res.RedirectURL, http.StatusFound)
	return nil
}

// oauthCallback is the provider's redirect back to Latch, by GET or (for
// response_mode=form_post) POST. It ends on the app's redirect URL, or on
// an error page when the login cannot be matched to an app.
func (h *handler) oauthCallback(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return h.writeErrorPage(w, r, auth.ErrBadRequest)
	}
	in := oauth.CallbackInput{
		ProjectID: r.PathValue("project_id"), Provider: r.PathValue("provider"),
		State: r.Form.Get("state"), Code: r.Form.Get("code"),
		Error: r.Form.Get("error"), ErrorDescription: r.Form.Get("error_description"),
		// Apple posts the user's name on the first login.
		User: r.PostForm.Get("user"),
	}
	if c, err := r.Cookie(bindingCookie); err == nil {
		in.Binding = c.Value
	}
	redirect, err := h.OAuth.Callback(r.Context(), in)
	if redirect != "" {
		// The login is over, one way or the other: its binding is spent.
		// (A callback that matched no login leaves the cookie alone, so a
		// forged one cannot end the real login in progress.)
		c := bindingCookieFor(r, h.SecureCookies, in.ProjectID, r.Method == http.MethodPost)
		c.MaxAge = -1
		http.SetCookie(w, c)
		if err != nil {
			h.Logger.InfoContext(r.Context(), "oauth login ended without success", "request_id", requestID(r), "err", err)
		}
		http.Redirect(w, r, redirect, http.StatusFound)
		return nil
	}
	return h.writeErrorPage(w, r, err)
}

// writeErrorPage is writeError for a browser: the callback's refusals,
// and its internal failures, end on a page that says what happened.
func (h *handler) writeErrorPage(w http.ResponseWriter, r *http.Request, err error) error {
	e := h.clientError(r, err)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(e.Status)
	return oauthErrorPage.Execute(w, struct{ Type, Message, RequestID string }{e.Type, e.Message, requestID(r)})
}

// bindingCookieFor returns the binding cookie's attributes, without value
// or lifetime. It is HttpOnly and sent only to the project's callbacks.
//
// SameSite is Lax when the provider's redirect back is a top-level GET,
// which carries Lax cookies. A provider that posts back (form_post:
// Apple) sends a cross-site POST, which carries only SameSite=None
// cookies, and browsers keep those only when Secure: such a cookie is
// always Secure. Browsers keep Secure cookies from https origins and
// from localhost and loopback addresses; the OAuth service refuses to
// start a form_post login when Latch is served over plain http on any
// other host, since the cookie would be dropped (use_https).
func bindingCookieFor(r *http.Request, secure bool, projectID string, crossSite bool) *http.Cookie {
	c := &http.Cookie{
		Name: bindingCookie, Path: "/v1/oauth/callback/" + projectID + "/", HttpOnly: true,
		Secure: r.TLS != nil || secure, SameSite: http.SameSiteLaxMode,
	}
	if crossSite {
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	return c
}

var oauthErrorPage = template.Must(template.New("oauth-error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222} .meta{color:#666;font-size:.85rem}</style>
</head><body>
<h1>Sign-in failed</h1>
<p>{{.Message}}</p>
<p class="meta">{{.Type}} · {{.RequestID}}</p>
</body></html>
`))

type oauthAuthenticateRequest struct {
	Token                  string         `json:"token"`
	CodeVerifier           string         `json:"code_verifier"`
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
	Attributes             *struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"attributes"`
}

type providerValuesJSON struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	IDToken      string   `json:"id_token"`
	ExpiresAt    *string  `json:"expires_at"`
	Scopes       []string `json:"scopes"`
}

// toProviderValuesJSON is provider_values of oauth.authenticate, consumer
// and B2B: expires_at is null when the provider gave no expiry.
func toProviderValuesJSON(v oauth.ProviderValues) providerValuesJSON {
	pv := providerValuesJSON{AccessToken: v.AccessToken, RefreshToken: v.RefreshToken, IDToken: v.IDToken, Scopes: orEmptyList(v.Scopes)}
	if !v.Expiry.IsZero() {
		t := timestamp(v.Expiry)
		pv.ExpiresAt = &t
	}
	return pv
}

type oauthAuthenticateResponse struct {
	envelope
	UserID                  string             `json:"user_id"`
	OAuthUserRegistrationID string             `json:"oauth_user_registration_id"`
	ProviderSubject         string             `json:"provider_subject"`
	ProviderType            string             `json:"provider_type"`
	SessionToken            string             `json:"session_token"`
	SessionJWT              string             `json:"session_jwt"`
	ProviderValues          providerValuesJSON `json:"provider_values"`
	User                    userJSON           `json:"user"`
	ResetSessions           bool               `json:"reset_sessions"`
	// UserSession is null without a session: OAuth names it user_session
	// where the other login responses say session.
	UserSession *sessionJSON `json:"user_session"`
}

// providerTypeNames are provider_type as Stytch spells it.
var providerTypeNames = map[auth.OAuthProviderType]string{
	auth.OAuthGoogle: "Google", auth.OAuthMicrosoft: "Microsoft", auth.OAuthApple: "Apple",
	auth.OAuthGitHub: "Github", auth.OAuthOIDC: "OIDC",
}

func (h *handler) oauthAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[oauthAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	in := oauth.AuthenticateInput{
		Token: req.Token, CodeVerifier: req.CodeVerifier, DurationMinutes: minutes,
		SessionToken: req.SessionToken, SessionJWT: req.SessionJWT, CustomClaims: req.SessionCustomClaims,
	}
	if a := req.Attributes; a != nil {
		in.Attributes = auth.SessionAttributes{IPAddress: a.IPAddress, UserAgent: a.UserAgent}
	}
	res, err := h.OAuth.Authenticate(r.Context(), projectOf(r), in)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &oauthAuthenticateResponse{
		UserID: res.User.ID, OAuthUserRegistrationID: res.Registration.ID, ProviderSubject: res.Registration.Subject,
		ProviderType: providerTypeNames[res.ProviderType], SessionToken: res.Token, SessionJWT: res.JWT,
		ProviderValues: toProviderValuesJSON(res.ProviderValues), User: toUserJSON(res.User), UserSession: sessionPtr(res.Session),
	})
}

type oauthAttachRequest struct {
	Provider     string `json:"provider"`
	UserID       string `json:"user_id"`
	SessionToken string `json:"session_token"`
	SessionJWT   string `json:"session_jwt"`
}

type oauthAttachResponse struct {
	envelope
	OAuthAttachToken string `json:"oauth_attach_token"`
}

func (h *handler) oauthAttach(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[oauthAttachRequest](w, r)
	if err != nil {
		return err
	}
	tok, err := h.OAuth.Attach(r.Context(), projectOf(r), oauth.AttachInput{
		Provider: req.Provider, UserID: req.UserID, SessionToken: req.SessionToken, SessionJWT: req.SessionJWT,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &oauthAttachResponse{OAuthAttachToken: tok})
}
