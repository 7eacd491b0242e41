package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	projectKey
)

// api adapts a handler that returns an error into an http.Handler that
// first authenticates the project with HTTP Basic project_id:secret, as
// every Stytch backend endpoint requires.
func (h *handler) api(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return h.open(func(w http.ResponseWriter, r *http.Request) error {
		id, secret, ok := basicAuth(r)
		if !ok {
			return auth.ErrUnauthorizedCredentials
		}
		p, err := h.Projects.Authenticate(r.Context(), id, secret)
		if err != nil {
			return err
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), projectKey, p)))
	})
}

// open adapts a handler that returns an error, without authentication,
// for public endpoints such as the JWKS.
func (h *handler) open(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

// basicAuth reads the Basic credentials; unlike r.BasicAuth it is spelled
// out so a malformed header is simply "no credentials".
func basicAuth(r *http.Request) (user, pass string, ok bool) {
	v := r.Header.Get("Authorization")
	const prefix = "Basic "
	if len(v) < len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(v[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(b), ":")
	return user, pass, ok
}

// projectOf returns the authenticated project of a request.
func projectOf(r *http.Request) *auth.Project {
	p, _ := r.Context().Value(projectKey).(*auth.Project)
	return p
}

// requestID returns the request's ID, shaped like Stytch's.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

func (h *handler) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The environment shows in the ID, as in Stytch's; it is read from
		// the claimed project ID, before (and whether or not) it is verified.
		env := auth.EnvTest
		if u, _, ok := basicAuth(r); ok && strings.HasPrefix(u, "project-live-") {
			env = auth.EnvLive
		}
		id := auth.NewRequestID(env)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (h *handler) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if !h.Logger.Enabled(r.Context(), slog.LevelInfo) {
			return
		}
		status := rec.status
		if r.Context().Err() != nil {
			status = 499 // the client went away first
		}
		h.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", requestID(r)), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", status),
			slog.Duration("duration", time.Since(start)))
	})
}

func (h *handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
