package password

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// BreachChecker looks passwords up in a corpus of breached passwords.
type BreachChecker interface {
	// Breached reports whether password appears in a breach. An error
	// means the answer is unknown; it wraps ErrBreachCheck.
	Breached(ctx context.Context, password string) (bool, error)
}

// ErrBreachCheck is wrapped by every error of a breach check: the answer
// is unknown, not "breached" and not "safe".
var ErrBreachCheck = errors.New("password: breach check unavailable")

// Evaluate is [Check] followed, when breach is non-nil, by breach
// detection: a breached password is reported and is not valid. A nil
// breach turns detection off (BreachDetectionOnCreate and
// BreachedPassword stay false).
//
// As in Stytch's strength_check, the breach lookup runs only when email
// is given: create, reset and migrate flows always pass the user's email,
// and a strength check without one rates strength alone.
//
// Outages fail open: if the lookup fails, Evaluate returns the Strength
// without breach information (BreachedPassword false, validity from the
// policy alone) together with an error wrapping [ErrBreachCheck]. The
// caller logs the error and goes on with the Strength. Breach detection is
// a second line of defence behind the strength policy and argon2id, and it
// depends on a third party that self-hosted deployments may not reach:
// failing closed would stop every signup and password reset whenever that
// party is slow or unreachable, which is worse than accepting a password
// that the policy accepts. A caller that wants to fail closed has the
// error to do so.
func Evaluate(ctx context.Context, password, email string, policy Policy, breach BreachChecker) (Strength, error) {
	s := Check(password, email, policy)
	if breach == nil {
		return s, nil
	}
	s.BreachDetectionOnCreate = true
	if email == "" {
		return s, nil
	}
	breached, err := breach.Breached(ctx, password)
	if err != nil {
		return s, err
	}
	if breached {
		s.BreachedPassword = true
		s.ValidPassword = false
	}
	return s, nil
}

// DefaultHIBPBaseURL is the Pwned Passwords API of Have I Been Pwned.
const DefaultHIBPBaseURL = "https://api.pwnedpasswords.com"

// DefaultHIBPTimeout bounds a lookup when neither the context nor the
// client sets a deadline.
const DefaultHIBPTimeout = 5 * time.Second

// maxHIBPResponse bounds the body read: a padded range response is about
// 40 KB.
const maxHIBPResponse = 1 << 20

// defaultHTTP is the client of an HIBPClient whose HTTP is nil.
var defaultHTTP = &http.Client{Timeout: DefaultHIBPTimeout}

// HIBPClient checks passwords against Have I Been Pwned's Pwned Passwords
// with its k-anonymity range API: only the first five hex characters of
// the password's SHA-1 leave the process, and responses are padded so
// that their size says nothing about the prefix either. The zero value is
// ready to use.
type HIBPClient struct {
	// BaseURL is the API's base URL, DefaultHIBPBaseURL when empty; tests
	// point it at an internal/hibptest server.
	BaseURL string
	// HTTP is the client to use; when nil, a client with a
	// DefaultHIBPTimeout timeout.
	HTTP *http.Client
}

var _ BreachChecker = (*HIBPClient)(nil)

// Breached asks GET {BaseURL}/range/{first five hex of SHA-1, uppercase}
// with "Add-Padding: true", and reports whether the remaining 35
// characters appear among the response's SUFFIX:COUNT lines with a
// non-zero count (padding lines have count 0). Errors wrap ErrBreachCheck,
// and never include the prefix, which says something about the password.
func (c *HIBPClient) Breached(ctx context.Context, password string) (bool, error) {
	sum := sha1.Sum([]byte(password))
	hash := strings.ToUpper(hex.EncodeToString(sum[:]))
	prefix, suffix := hash[:5], []byte(hash[5:])

	client := c.HTTP
	if client == nil {
		client = defaultHTTP
	}
	if _, ok := ctx.Deadline(); !ok && client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultHIBPTimeout)
		defer cancel()
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultHIBPBaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/range/"+prefix, nil)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrBreachCheck, redact(err, prefix))
	}
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", "latch-password-check")
	resp, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrBreachCheck, redact(err, prefix))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%w: range API answered %s", ErrBreachCheck, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHIBPResponse+1))
	if err != nil {
		return false, fmt.Errorf("%w: reading the range response: %w", ErrBreachCheck, redact(err, prefix))
	}
	if len(body) > maxHIBPResponse {
		return false, fmt.Errorf("%w: range response exceeds %d bytes", ErrBreachCheck, maxHIBPResponse)
	}
	breached := false
	for i, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		s, count, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(s) != len(suffix) {
			// An answer that is not the range format (a proxy's error page,
			// say) must not read as "not breached".
			return false, fmt.Errorf("%w: line %d of the range response is not SUFFIX:COUNT", ErrBreachCheck, i+1)
		}
		n, err := strconv.ParseUint(string(count), 10, 64)
		if err != nil {
			return false, fmt.Errorf("%w: line %d of the range response has a bad count", ErrBreachCheck, i+1)
		}
		// Every line is compared, in constant time, so the time taken says
		// nothing about where (or whether) the suffix appears.
		if subtle.ConstantTimeCompare(bytes.ToUpper(s), suffix) == 1 && n > 0 {
			breached = true
		}
	}
	return breached, nil
}

// redact removes the hash prefix from an error that quotes the request URL
// (as *url.Error does), since logs should not learn 20 bits of a password's
// SHA-1.
func redact(err error, prefix string) error {
	msg := err.Error()
	if !strings.Contains(msg, prefix) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(msg, prefix, "XXXXX"), err: err}
}

// redacted is an error whose message hides the prefix but which still
// unwraps to the cause, so errors.Is(err, context.DeadlineExceeded) works.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
