package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/session"
)

type (
	emailFactorJSON struct {
		EmailID      string `json:"email_id"`
		EmailAddress string `json:"email_address"`
	}
	oauthFactorJSON struct {
		ID              string `json:"id"`
		ProviderSubject string `json:"provider_subject"`
		EmailID         string `json:"email_id"`
	}
	phoneNumberFactorJSON struct {
		PhoneID     string `json:"phone_id"`
		PhoneNumber string `json:"phone_number"`
	}
	authenticatorAppFactorJSON struct {
		TOTPID string `json:"totp_id"`
	}
	recoveryCodeFactorJSON struct {
		TOTPRecoveryCodeID string `json:"totp_recovery_code_id"`
	}
	// oidcSSOFactorJSON is a generic OpenID Connect provider's login
	// (see auth.DeliverySSOOIDC): provider_id names the provider and
	// external_id is the account's subject there.
	oidcSSOFactorJSON struct {
		ID         string `json:"id"`
		ProviderID string `json:"provider_id"`
		ExternalID string `json:"external_id"`
	}
	factorJSON struct {
		Type                   string                      `json:"type"`
		DeliveryMethod         string                      `json:"delivery_method"`
		LastAuthenticatedAt    string                      `json:"last_authenticated_at"`
		CreatedAt              string                      `json:"created_at"`
		UpdatedAt              string                      `json:"updated_at"`
		EmailFactor            *emailFactorJSON            `json:"email_factor,omitempty"`
		PhoneNumberFactor      *phoneNumberFactorJSON      `json:"phone_number_factor,omitempty"`
		GoogleOAuthFactor      *oauthFactorJSON            `json:"google_oauth_factor,omitempty"`
		MicrosoftOAuthFactor   *oauthFactorJSON            `json:"microsoft_oauth_factor,omitempty"`
		AppleOAuthFactor       *oauthFactorJSON            `json:"apple_oauth_factor,omitempty"`
		GithubOAuthFactor      *oauthFactorJSON            `json:"github_oauth_factor,omitempty"`
		OIDCSSOFactor          *oidcSSOFactorJSON          `json:"oidc_sso_factor,omitempty"`
		AuthenticatorAppFactor *authenticatorAppFactorJSON `json:"authenticator_app_factor,omitempty"`
		RecoveryCodeFactor     *recoveryCodeFactorJSON     `json:"recovery_code_factor,omitempty"`
	}
	attributesJSON struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	}
	sessionJSON struct {
		SessionID             string         `json:"session_id"`
		UserID                string         `json:"user_id"`
		AuthenticationFactors []factorJSON   `json:"authentication_factors"`
		Roles                 []string       `json:"roles"`
		StartedAt             string         `json:"started_at"`
		LastAccessedAt        string         `json:"last_accessed_at"`
		ExpiresAt             string         `json:"expires_at"`
		Attributes            attributesJSON `json:"attributes"`
		CustomClaims          map[string]any `json:"custom_claims"`
	}
)

func toFactorsJSON(fs []auth.AuthenticationFactor) []factorJSON {
	out := make([]factorJSON, 0, len(fs))
	for _, f := range fs {
		fj := factorJSON{
			Type:                string(f.Type),
			DeliveryMethod:      string(f.DeliveryMethod),
			LastAuthenticatedAt: timestamp(f.LastAuthenticatedAt),
			CreatedAt:           timestamp(f.CreatedAt),
			UpdatedAt:           timestamp(f.UpdatedAt),
		}
		if f.EmailFactor != nil {
			fj.EmailFactor = &emailFactorJSON{EmailID: f.EmailFactor.EmailID, EmailAddress: f.EmailFactor.EmailAddress}
		}
		if f.PhoneNumberFactor != nil {
			fj.PhoneNumberFactor = &phoneNumberFactorJSON{PhoneID: f.PhoneNumberFactor.PhoneID, PhoneNumber: f.PhoneNumberFactor.PhoneNumber}
		}
		if o := f.OAuthFactor; o != nil {
			oj := &oauthFactorJSON{ID: o.RegistrationID, ProviderSubject: o.ProviderSubject, EmailID: o.EmailID}
			// Each provider has its own key, as Stytch's factors do.
			switch auth.OAuthProviderType(o.ProviderType) {
			case auth.OAuthGoogle:
				fj.GoogleOAuthFactor = oj
			case auth.OAuthMicrosoft:
				fj.MicrosoftOAuthFactor = oj
			case auth.OAuthApple:
				fj.AppleOAuthFactor = oj
			case auth.OAuthGitHub:
				fj.GithubOAuthFactor = oj
			case auth.OAuthOIDC:
				fj.OIDCSSOFactor = &oidcSSOFactorJSON{ID: o.RegistrationID, ProviderID: o.ProviderName, ExternalID: o.ProviderSubject}
			}
		}
		if f.AuthenticatorAppFactor != nil {
			fj.AuthenticatorAppFactor = &authenticatorAppFactorJSON{TOTPID: f.AuthenticatorAppFactor.TOTPID}
		}
		if f.RecoveryCodeFactor != nil {
			fj.RecoveryCodeFactor = &recoveryCodeFactorJSON{TOTPRecoveryCodeID: f.RecoveryCodeFactor.RecoveryCodeID}
		}
		out = append(out, fj)
	}
	return out
}

func toSessionJSON(s *auth.Session) sessionJSON {
	return sessionJSON{
		SessionID:             s.ID,
		UserID:                s.UserID,
		AuthenticationFactors: toFactorsJSON(s.AuthenticationFactors),
		Roles:                 auth.DefaultUserRoles,
		StartedAt:             timestamp(s.StartedAt),
		LastAccessedAt:        timestamp(s.LastAccessedAt),
		ExpiresAt:             timestamp(s.ExpiresAt),
		Attributes:            attributesJSON{IPAddress: s.Attributes.IPAddress, UserAgent: s.Attributes.UserAgent},
		CustomClaims:          orEmpty(s.CustomClaims),
	}
}

// sessionPtr is a login's session as JSON, or nil (null) when the login
// started none.
func sessionPtr(s *auth.Session) *sessionJSON {
	if s == nil {
		return nil
	}
	j := toSessionJSON(s)
	return &j
}

type sessionsAuthenticateRequest struct {
	SessionToken           string         `json:"session_token"`
	SessionJWT             string         `json:"session_jwt"`
	SessionDurationMinutes *int64         `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]any `json:"session_custom_claims"`
}

type sessionsAuthenticateResponse struct {
	envelope
	Session      sessionJSON `json:"session"`
	SessionToken string      `json:"session_token"`
	SessionJWT   string      `json:"session_jwt"`
	User         userJSON    `json:"user"`
}

func (h *handler) sessionsAuthenticate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[sessionsAuthenticateRequest](w, r)
	if err != nil {
		return err
	}
	minutes, err := intValue(req.SessionDurationMinutes, "session_duration_minutes")
	if err != nil {
		return err
	}
	res, err := h.Sessions.Authenticate(r.Context(), projectOf(r), session.AuthenticateInput{
		Token: req.SessionToken, JWT: req.SessionJWT, DurationMinutes: minutes, CustomClaims: req.SessionCustomClaims,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &sessionsAuthenticateResponse{
		Session: toSessionJSON(res.Session), SessionToken: res.Token, SessionJWT: res.JWT, User: toUserJSON(res.User),
	})
}

type sessionsRevokeRequest struct {
	SessionID    string `json:"session_id"`
	SessionToken string `json:"session_token"`
	SessionJWT   string `json:"session_jwt"`
}

type sessionsRevokeResponse struct {
	envelope
}

func (h *handler) sessionsRevoke(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[sessionsRevokeRequest](w, r)
	if err != nil {
		return err
	}
	err = h.Sessions.Revoke(r.Context(), projectOf(r), session.RevokeInput{
		SessionID: req.SessionID, Token: req.SessionToken, JWT: req.SessionJWT,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &sessionsRevokeResponse{})
}

type sessionsGetResponse struct {
	envelope
	Sessions []sessionJSON `json:"sessions"`
}

func (h *handler) sessionsGet(w http.ResponseWriter, r *http.Request) error {
	ss, err := h.Sessions.List(r.Context(), projectOf(r), r.URL.Query().Get("user_id"))
	if err != nil {
		return err
	}
	out := &sessionsGetResponse{Sessions: make([]sessionJSON, 0, len(ss))}
	for i := range ss {
		out.Sessions = append(out.Sessions, toSessionJSON(&ss[i]))
	}
	return encode(w, r, http.StatusOK, out)
}
