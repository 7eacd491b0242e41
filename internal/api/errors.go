package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/latchauth/latch/internal/auth"
)

// errorResponse is the Stytch error envelope, frozen: every error Latch
// returns has exactly this shape.
type errorResponse struct {
	StatusCode   int            `json:"status_code"`
	RequestID    string         `json:"request_id"`
	ErrorType    string         `json:"error_type"`
	ErrorMessage string         `json:"error_message"`
	ErrorURL     string         `json:"error_url"`
	ErrorDetails map[string]any `json:"error_details"`
}

// writeError is the only place an error becomes a response. Anything that
// is not an *auth.Error is an internal error: clients see a generic
// message and the cause is logged with the request ID.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, rid := h.clientError(r, err), requestID(r)
	_ = writeJSON(w, e.Status, errorResponse{
		StatusCode:   e.Status,
		RequestID:    rid,
		ErrorType:    e.Type,
		ErrorMessage: e.Message,
		ErrorURL:     fmt.Sprintf("%s/%d#%s", h.ErrorDocsURL, e.Status, e.Type),
		ErrorDetails: map[string]any{},
	})
}

// clientError is what a client is told of err: err's auth.Error, or
// ErrInternal for anything else, whose cause is logged, never shown.
func (h *handler) clientError(r *http.Request, err error) *auth.Error {
	var e *auth.Error
	if !errors.As(err, &e) {
		e = auth.ErrInternal.Wrap(err)
	}
	if e.Status >= 500 {
		h.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "error_type", e.Type, "err", err)
	}
	return e
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return auth.ErrRouteNotFound.WithMessage("No route matches %s %s.", r.Method, r.URL.Path)
}
