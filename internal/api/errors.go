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
	var e *auth.Error
	if !errors.As(err, &e) {
		e = auth.ErrInternal.Wrap(err)
	}
	rid := requestID(r)
	if e.Status >= 500 {
		h.Logger.ErrorContext(r.Context(), "request failed", "request_id", rid, "method", r.Method, "path", r.URL.Path, "error_type", e.Type, "err", err)
	}
	_ = writeJSON(w, e.Status, errorResponse{
		StatusCode:   e.Status,
		RequestID:    rid,
		ErrorType:    e.Type,
		ErrorMessage: e.Message,
		ErrorURL:     fmt.Sprintf("%s/%d#%s", h.ErrorDocsURL, e.Status, e.Type),
		ErrorDetails: map[string]any{},
	})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return auth.ErrRouteNotFound.WithMessage("No route matches %s %s.", r.Method, r.URL.Path)
}
