package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// maxBodyBytes bounds request bodies; larger ones are refused unread.
const maxBodyBytes = 1 << 20

// envelope is embedded in every response: the two fields every Stytch
// response carries and the Python SDK requires.
type envelope struct {
	StatusCode int    `json:"status_code"`
	RequestID  string `json:"request_id"`
}

func (e *envelope) setEnvelope(status int, requestID string) {
	e.StatusCode, e.RequestID = status, requestID
}

type enveloped interface {
	setEnvelope(status int, requestID string)
}

// decode reads a JSON request body into a T. Malformed JSON, a wrong type,
// trailing data and oversized bodies are all 400 bad_request.
func decode[T any](w http.ResponseWriter, r *http.Request) (*T, error) {
	var v T
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(body)
	err := dec.Decode(&v)
	if errors.Is(err, io.EOF) {
		// An empty body is an empty object: some SDK calls send none.
		return &v, nil
	}
	if err == nil && dec.More() {
		err = errTrailingData
	}
	if err != nil {
		return nil, decodeError(err)
	}
	return &v, nil
}

var errTrailingData = errors.New("trailing data after the JSON value")

func decodeError(err error) error {
	var (
		tooBig  *http.MaxBytesError
		typeErr *json.UnmarshalTypeError
		syntax  *json.SyntaxError
	)
	switch {
	case errors.As(err, &tooBig):
		return auth.ErrBadRequest.WithMessage("The request body exceeds the %d byte limit.", maxBodyBytes).Wrap(err)
	case errors.As(err, &typeErr):
		field := jsonPath(typeErr.Field)
		return auth.ErrBadRequest.WithMessage("%s must be %s (got %s).", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value).Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return auth.ErrBadRequest.WithMessage("The request body is not valid JSON: it ends before the value is complete.").Wrap(err)
	case errors.Is(err, errTrailingData):
		return auth.ErrBadRequest.WithMessage("The request body must hold exactly one JSON object; there is data after it.").Wrap(err)
	case errors.As(err, &syntax):
		return auth.ErrBadRequest.WithMessage("The request body is not valid JSON (at byte %d).", syntax.Offset).Wrap(err)
	default:
		return auth.ErrBadRequest.Wrap(err)
	}
}

// jsonPath turns the field path of a decoding error into the JSON one a
// client sent: encoding/json names embedded structs by their Go type in
// the path (organizationSettingsJSON.email_allowed_domains); JSON field
// names in Latch's wire types are all lowercase, so segments with an
// uppercase letter are dropped.
func jsonPath(p string) string {
	var keep []string
	for _, seg := range strings.Split(p, ".") {
		if seg != "" && strings.ToLower(seg) == seg {
			keep = append(keep, seg)
		}
	}
	if len(keep) == 0 {
		return "body"
	}
	return strings.Join(keep, ".")
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "a whole number"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "a boolean"
	case goKind == "slice":
		return "an array"
	default:
		return "an object"
	}
}

// encode writes v with its envelope filled in.
func encode(w http.ResponseWriter, r *http.Request, status int, v enveloped) error {
	v.setEnvelope(status, requestID(r))
	return writeJSON(w, status, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// timestamp formats a time as Stytch does: RFC 3339 in UTC, with
// sub-second digits when there are any.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// orEmpty makes nil maps encode as {} rather than null.
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// intValue reads an optional JSON integer field; absent is 0. The field is
// decoded as *int64, so a string, a fraction or an overflowing number is
// already a bad_request from decode; this refuses negatives and values no
// Stytch field takes.
func intValue(n *int64, field string) (int, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 0 || *n > 1<<31 {
		return 0, auth.ErrBadRequest.WithMessage("%s must be a non-negative whole number.", field)
	}
	return int(*n), nil
}
