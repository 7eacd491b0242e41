package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/session"
)

type (
	attributesJSON struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	}
	sessionJSON struct {
		SessionID             string         `json:"session_id"`
		UserID                string         `json:"user_id"`
		AuthenticationFactors []jwt.Factor   `json:"authentication_factors"`
		Roles                 []string       `json:"roles"`
		StartedAt             string         `json:"started_at"`
		LastAccessedAt        string         `json:"last_accessed_at"`
		ExpiresAt             string         `json:"expires_at"`
		Attributes            attributesJSON `json:"attributes"`
		CustomClaims          map[string]any `json:"custom_claims"`
	}
)

// toFactorsJSON is a session's authentication_factors: the factors as the
// session JWT carries them, with API timestamps and created_at and
// updated_at.
func toFactorsJSON(fs []auth.AuthenticationFactor) []jwt.Factor {
	out := make([]jwt.Factor, 0, len(fs))
	for _, f := range fs {
		fj := jwt.NewFactor(f)
		fj.LastAuthenticatedAt, fj.CreatedAt, fj.UpdatedAt = timestamp(f.LastAuthenticatedAt), timestamp(f.CreatedAt), timestamp(f.UpdatedAt)
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
