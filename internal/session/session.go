// Package session starts, authenticates, extends and revokes consumer
// sessions, and mints their JWTs. Login flows (magic links, and later OTP,
// OAuth, passwords) attach their factor to a session through Attach.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// touchInterval is how stale last_accessed_at may grow before an
// authenticate call writes it. Writing on every call would turn the hottest
// read in the product into a write; a minute's resolution is what the field
// is useful for.
const touchInterval = time.Minute

// Service manages sessions.
type Service struct {
	store store.Store
	keys  *jwt.Manager
	now   func() time.Time
	jwts  jwtCache
	// verified remembers JWTs that verified, until they expire.
	verified verifiedJWTs
	// sms texts a member its passcode as a login stops for MFA; nil sends
	// nothing (see SetSMSChallenger).
	sms SMSChallenger
}

// NewService returns a Service.
func NewService(st store.Store, keys *jwt.Manager, now func() time.Time) *Service {
	return &Service{store: st, keys: keys, now: now, jwts: jwtCache{m: map[string]cachedJWT{}}}
}

// Result is an authenticated session with its user and credentials.
// Session is nil when a login created none.
type Result struct {
	Session *auth.Session
	// Token is the opaque session token when it is known: Latch stores only
	// its hash, so a session authenticated by JWT has an empty Token.
	Token string
	JWT   string
	User  *auth.User
}

// maxCustomClaimsBytes bounds a session's custom claims, serialized, as
// Stytch does: they travel in every JWT.
const maxCustomClaimsBytes = 4096

// validateClaims checks custom claims as given and as merged into the
// session's existing ones.
func validateClaims(existing, patch map[string]any) (map[string]any, error) {
	if err := jwt.ValidateCustomClaims(patch); err != nil {
		return nil, err
	}
	merged := auth.MergeMetadata(existing, patch)
	b, err := json.Marshal(merged)
	if err != nil {
		return nil, auth.ErrInvalidArgument.WithMessage("session_custom_claims must be a JSON object.")
	}
	if len(b) > maxCustomClaimsBytes {
		return nil, auth.ErrCustomClaimsTooLarge
	}
	return merged, nil
}

// ValidateDuration checks a session_duration_minutes value (0 means none).
func ValidateDuration(minutes int) error {
	if minutes != 0 && (minutes < auth.MinSessionMinutes || minutes > auth.MaxSessionMinutes) {
		return auth.ErrInvalidSessionDuration
	}
	return nil
}

// AttachInput says how a successful login becomes a session.
type AttachInput struct {
	User            *auth.User
	Factor          auth.AuthenticationFactor
	DurationMinutes int
	CustomClaims    map[string]any
	Attributes      auth.SessionAttributes
	// SessionToken or SessionJWT name an existing session of the same user
	// to add Factor to instead of starting a new one.
	SessionToken string
	SessionJWT   string
}

// Attach records a login's factor within tx: on the existing session the
// input names, on a new session when DurationMinutes is set, or nowhere
// (Stytch's consumer default). The returned Result has no JWT yet: call
// Finish after the transaction commits, so RSA signing never holds a
// database write lock.
func (s *Service) Attach(ctx context.Context, tx store.Store, p *auth.Project, in AttachInput) (*Result, error) {
	if err := ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if _, err := validateClaims(nil, in.CustomClaims); err != nil {
		return nil, err
	}
	if in.SessionToken != "" && in.SessionJWT != "" {
		return nil, auth.ErrTooManySessionArguments
	}
	now := s.now().UTC()
	res := &Result{User: in.User}
	if in.SessionToken != "" || in.SessionJWT != "" {
		sess, _, err := s.find(ctx, tx, p, in.SessionToken, in.SessionJWT, now)
		if err != nil {
			return nil, err
		}
		if sess.UserID != in.User.ID {
			return nil, auth.ErrSessionNotFound.WithMessage("The session belongs to a different user.")
		}
		sess.AuthenticationFactors = addFactor(sess.AuthenticationFactors, in.Factor)
		sess.LastAccessedAt = now
		if in.DurationMinutes > 0 {
			sess.ExpiresAt = now.Add(time.Duration(in.DurationMinutes) * time.Minute)
		}
		if sess.CustomClaims, err = validateClaims(sess.CustomClaims, in.CustomClaims); err != nil {
			return nil, err
		}
		if err := s.update(ctx, tx, p.ID, sess); err != nil {
			return nil, err
		}
		res.Session, res.Token = sess, in.SessionToken
		return res, nil
	}
	if in.DurationMinutes == 0 {
		return res, nil
	}
	tok := token.NewSession()
	sess := &auth.Session{
		ID:                    auth.NewID(auth.KindSession, p.Env),
		ProjectID:             p.ID,
		UserID:                in.User.ID,
		TokenHash:             token.Hash(tok),
		StartedAt:             now,
		LastAccessedAt:        now,
		ExpiresAt:             now.Add(time.Duration(in.DurationMinutes) * time.Minute),
		Attributes:            in.Attributes,
		AuthenticationFactors: []auth.AuthenticationFactor{in.Factor},
		CustomClaims:          auth.MergeMetadata(nil, in.CustomClaims),
	}
	if err := tx.CreateSession(ctx, p.ID, sess); err != nil {
		return nil, fmt.Errorf("session: create: %w", err)
	}
	res.Session, res.Token = sess, tok
	return res, nil
}

// Finish mints the JWT of a Result's session, if it has one.
func (s *Service) Finish(ctx context.Context, p *auth.Project, res *Result) error {
	if res.Session == nil {
		return nil
	}
	j, err := s.mint(ctx, p, res.Session, s.now().UTC())
	if err != nil {
		return err
	}
	res.JWT = j
	return nil
}

// AuthenticateInput is a sessions.authenticate request.
type AuthenticateInput struct {
	Token           string
	JWT             string
	DurationMinutes int
	CustomClaims    map[string]any
}

// Authenticate checks a session by token or JWT, optionally extending it
// and changing its custom claims, and returns it with a fresh JWT. An
// expired JWT of a live session is accepted, as Stytch does, so that a
// client holding only a JWT can refresh it.
func (s *Service) Authenticate(ctx context.Context, p *auth.Project, in AuthenticateInput) (*Result, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if res, ok, err := s.sandbox(ctx, p, in.Token, in.JWT, now); ok || err != nil {
		return res, err
	}
	sess, u, err := s.find(ctx, s.store, p, in.Token, in.JWT, now)
	if err != nil {
		return nil, err
	}
	if err := s.refresh(ctx, p, sess, in, now, s.update); err != nil {
		return nil, err
	}
	j, err := s.mint(ctx, p, sess, now)
	if err != nil {
		return nil, err
	}
	return &Result{Session: sess, Token: in.Token, JWT: j, User: u}, nil
}

// check validates an authenticate request before any lookup.
func (in AuthenticateInput) check() error {
	if in.Token != "" && in.JWT != "" {
		return auth.ErrTooManySessionArguments
	}
	if in.Token == "" && in.JWT == "" {
		return auth.ErrNoSessionArguments
	}
	if err := ValidateDuration(in.DurationMinutes); err != nil {
		return err
	}
	_, err := validateClaims(nil, in.CustomClaims)
	return err
}

// refresh applies an authenticate request to a live session: a new
// duration, changed custom claims, and last_accessed_at, writing the
// session with write only when something changed or last_accessed_at is
// stale (see touchInterval).
func (s *Service) refresh(ctx context.Context, p *auth.Project, sess *auth.Session, in AuthenticateInput, now time.Time,
	write func(context.Context, store.Store, string, *auth.Session) error) error {
	changed := false
	if in.DurationMinutes > 0 {
		sess.ExpiresAt = now.Add(time.Duration(in.DurationMinutes) * time.Minute)
		changed = true
	}
	if len(in.CustomClaims) > 0 {
		claims, err := validateClaims(sess.CustomClaims, in.CustomClaims)
		if err != nil {
			return err
		}
		sess.CustomClaims, changed = claims, true
	}
	if !changed && now.Sub(sess.LastAccessedAt) < touchInterval {
		return nil
	}
	sess.LastAccessedAt = now
	return write(ctx, s.store, p.ID, sess)
}

// RevokeInput names the session to revoke; exactly one field is set.
type RevokeInput struct {
	SessionID string
	Token     string
	JWT       string
}

// Revoke ends a session at once: later authenticate calls with its token or
// JWT fail with session_not_found.
func (s *Service) Revoke(ctx context.Context, p *auth.Project, in RevokeInput) error {
	n := 0
	for _, v := range []string{in.SessionID, in.Token, in.JWT} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return auth.ErrNoSessionRevokeArguments
	case n > 1:
		return auth.ErrTooManySessionRevokeArguments
	}
	now := s.now().UTC()
	id := in.SessionID
	switch {
	case in.SessionID != "":
		if !auth.HasKind(in.SessionID, auth.KindSession) {
			return auth.ErrInvalidSessionID
		}
	case in.Token == auth.SandboxSessionToken && p.Env == auth.EnvTest:
		return nil
	default:
		sess, _, err := s.find(ctx, s.store, p, in.Token, in.JWT, now)
		if err != nil {
			return err
		}
		id = sess.ID
	}
	if id == auth.SandboxSessionID && p.Env == auth.EnvTest {
		return nil
	}
	err := s.store.DeleteSession(ctx, p.ID, id)
	s.jwts.drop(id)
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("session: revoke: %w", err)
	}
	return nil
}

// Get checks a session by token or JWT without changing it, and returns
// it with its user, for flows that act with a session's authority.
func (s *Service) Get(ctx context.Context, p *auth.Project, tok, jwtStr string) (*auth.Session, *auth.User, error) {
	if tok != "" && jwtStr != "" {
		return nil, nil, auth.ErrTooManySessionArguments
	}
	if tok == "" && jwtStr == "" {
		return nil, nil, auth.ErrNoSessionArguments
	}
	return s.find(ctx, s.store, p, tok, jwtStr, s.now().UTC())
}

// GetOrSandbox is Get that also answers, in a test project, Stytch's
// sandbox session token and JWT with the sandbox session and user, as
// Authenticate does.
func (s *Service) GetOrSandbox(ctx context.Context, p *auth.Project, tok, jwtStr string) (*auth.Session, *auth.User, error) {
	if tok != "" && jwtStr != "" {
		return nil, nil, auth.ErrTooManySessionArguments
	}
	now := s.now().UTC()
	if sess, u, ok, err := s.sandboxSession(ctx, p, tok, jwtStr, now); ok || err != nil {
		return sess, u, err
	}
	return s.Get(ctx, p, tok, jwtStr)
}

// RevokeUserSessions ends, within tx, every live session of a user except
// the one with ID keep (none when keep is empty): a password reset logs
// the user out everywhere else.
func (s *Service) RevokeUserSessions(ctx context.Context, tx store.Store, p *auth.Project, userID, keep string) error {
	err := s.revokeAllBut(keep, func(now time.Time) ([]auth.Session, error) {
		return tx.ListUserSessions(ctx, p.ID, userID, now)
	}, func(sessionID string) error {
		return tx.DeleteSession(ctx, p.ID, sessionID)
	})
	if err != nil {
		return fmt.Errorf("session: revoke user sessions: %w", err)
	}
	return nil
}

// revokeAllBut ends every live session list returns except the one with
// ID keep: it deletes each with del (one gone already is no error) and
// forgets the JWTs minted for it. Consumer and member sessions share it.
func (s *Service) revokeAllBut(keep string, list func(now time.Time) ([]auth.Session, error), del func(sessionID string) error) error {
	ss, err := list(s.now().UTC())
	if err != nil {
		return err
	}
	for _, sess := range ss {
		if sess.ID == keep {
			continue
		}
		if err := del(sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		s.jwts.drop(sess.ID)
	}
	return nil
}

// List returns a user's active sessions.
func (s *Service) List(ctx context.Context, p *auth.Project, userID string) ([]auth.Session, error) {
	if !auth.HasKind(userID, auth.KindUser) {
		return nil, auth.ErrInvalidUserID
	}
	if p.Env == auth.EnvTest && userID == auth.SandboxUserID {
		return []auth.Session{*auth.SandboxSession(p.ID, s.now())}, nil
	}
	if _, err := s.store.GetUser(ctx, p.ID, userID); errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUserNotFound
	} else if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	ss, err := s.store.ListUserSessions(ctx, p.ID, userID, s.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	return ss, nil
}

// find resolves a token or JWT to a live session and its user, in one
// read of the store.
func (s *Service) find(ctx context.Context, st store.Store, p *auth.Project, tok, jwtStr string, now time.Time) (*auth.Session, *auth.User, error) {
	var (
		sess *auth.Session
		u    *auth.User
		err  error
	)
	if tok != "" {
		sess, u, err = st.GetSessionUserByTokenHash(ctx, p.ID, token.Hash(tok))
	} else {
		var claims *jwt.SessionClaims
		claims, err = s.verify(ctx, p, jwtStr, now)
		if err != nil {
			return nil, nil, err
		}
		if claims.Organization != nil {
			// A member session's JWT: not a consumer session.
			return nil, nil, auth.ErrSessionNotFound
		}
		sess, u, err = st.GetSessionUser(ctx, p.ID, claims.SessionID)
		if err == nil && sess.UserID != claims.Subject {
			err = store.ErrNotFound
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, auth.ErrSessionNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: find: %w", err)
	}
	if !sess.Active(now) {
		return nil, nil, auth.ErrSessionNotFound
	}
	return sess, u, nil
}

// verify checks a JWT's signature, issuer and audience; an expired JWT
// still yields its claims. A JWT that verified once is remembered until it
// expires: its claims cannot change without changing the string, and RSA
// verification and claim parsing are most of the cost of an authenticate
// by JWT. Past its expiry it is verified afresh, so a JWT whose signing key
// has since left the JWKS is refused as before.
func (s *Service) verify(ctx context.Context, p *auth.Project, jwtStr string, now time.Time) (*jwt.SessionClaims, error) {
	key := verifiedKey{projectID: p.ID, jwt: jwtStr}
	if c, ok := s.verified.get(key, now); ok {
		return c, nil
	}
	kr, err := s.keys.Keyring(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("session: keyring: %w", err)
	}
	claims, err := kr.VerifySession(jwtStr, now)
	switch {
	case err == nil:
		s.verified.put(key, claims)
	case !errors.Is(err, jwt.ErrExpired):
		return nil, err
	}
	return claims, nil
}

type verifiedKey struct{ projectID, jwt string }

// verifiedJWTs remembers the claims of JWTs that verified.
type verifiedJWTs struct {
	mu sync.Mutex
	m  map[verifiedKey]*jwt.SessionClaims
}

func (v *verifiedJWTs) get(k verifiedKey, now time.Time) (*jwt.SessionClaims, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.m[k]
	if !ok {
		return nil, false
	}
	if !now.Before(c.IssuedAt.Add(jwt.Lifetime)) {
		delete(v.m, k)
		return nil, false
	}
	return c, true
}

func (v *verifiedJWTs) put(k verifiedKey, c *jwt.SessionClaims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxCachedJWTs {
		v.m = map[verifiedKey]*jwt.SessionClaims{}
	}
	v.m[k] = c
}

func (s *Service) update(ctx context.Context, st store.Store, projectID string, sess *auth.Session) error {
	err := st.UpdateSession(ctx, projectID, sess)
	if errors.Is(err, store.ErrNotFound) {
		// Revoked between read and write.
		return auth.ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("session: update: %w", err)
	}
	return nil
}

// sandbox answers Stytch's sandbox session values for test projects.
func (s *Service) sandbox(ctx context.Context, p *auth.Project, tok, jwtStr string, now time.Time) (*Result, bool, error) {
	sess, u, ok, err := s.sandboxSession(ctx, p, tok, jwtStr, now)
	if !ok || err != nil {
		return nil, ok, err
	}
	res := &Result{Session: sess, Token: auth.SandboxSessionToken, User: u}
	if err := s.Finish(ctx, p, res); err != nil {
		return nil, true, err
	}
	return res, true, nil
}

// sandboxSession resolves Stytch's sandbox session values in a test
// project to the sandbox session and user, reporting whether tok or
// jwtStr is one; it changes and signs nothing.
func (s *Service) sandboxSession(ctx context.Context, p *auth.Project, tok, jwtStr string, now time.Time) (*auth.Session, *auth.User, bool, error) {
	if p.Env != auth.EnvTest {
		return nil, nil, false, nil
	}
	switch {
	case tok == auth.SandboxSessionNotFound:
		return nil, nil, true, auth.ErrSessionNotFound
	case tok == auth.SandboxSessionToken:
	case jwtStr != "":
		claims, err := s.verify(ctx, p, jwtStr, now)
		if err != nil || claims.SessionID != auth.SandboxSessionID {
			return nil, nil, false, nil
		}
	default:
		return nil, nil, false, nil
	}
	return auth.SandboxSession(p.ID, now), auth.SandboxUser(p.ID), true, nil
}

// Sandbox returns the sandbox session with its JWT, for login flows that
// authenticate sandbox tokens with a session duration.
func (s *Service) Sandbox(ctx context.Context, p *auth.Project) (*Result, error) {
	res, _, err := s.sandbox(ctx, p, auth.SandboxSessionToken, "", s.now().UTC())
	return res, err
}

// addFactor records f, replacing an earlier factor of the same kind and
// target so repeated logins refresh it instead of piling up.
func addFactor(fs []auth.AuthenticationFactor, f auth.AuthenticationFactor) []auth.AuthenticationFactor {
	same := func(g auth.AuthenticationFactor) bool {
		return g.Type == f.Type && g.DeliveryMethod == f.DeliveryMethod && g.Target() == f.Target()
	}
	if i := slices.IndexFunc(fs, same); i >= 0 {
		f.CreatedAt = fs[i].CreatedAt
		out := slices.Clone(fs)
		out[i] = f
		return out
	}
	return append(slices.Clone(fs), f)
}

// mint returns a JWT for sess, reusing one minted recently for the same
// state of the session. RSA signing is the most expensive step of
// sessions.authenticate; a JWT is reused only while the session row is
// unchanged (same last_accessed_at and expires_at, which every write
// bumps) and for at most touchInterval, so its iat is never more than a
// minute old.
func (s *Service) mint(ctx context.Context, p *auth.Project, sess *auth.Session, now time.Time) (string, error) {
	return s.mintFor(ctx, p, sess, subject{id: sess.UserID, roles: auth.DefaultUserRoles}, now)
}

// subject is who a JWT is about: a user, or a member with its roles and
// organization.
type subject struct {
	id    string
	roles []string
	org   *jwt.OrgClaim
}

// key identifies what of the subject a JWT carries, so a cached JWT is not
// reused after a member's roles or organization slug change.
func (sub subject) key() string {
	k := strings.Join(sub.roles, ",")
	if sub.org != nil {
		k += "|" + sub.org.Slug
	}
	return k
}

func (s *Service) mintFor(ctx context.Context, p *auth.Project, sess *auth.Session, sub subject, now time.Time) (string, error) {
	if j, ok := s.jwts.get(sess, sub, now); ok {
		return j, nil
	}
	kr, err := s.keys.Keyring(ctx, p.ID)
	if err != nil {
		return "", fmt.Errorf("session: keyring: %w", err)
	}
	j, err := kr.SignSession(jwt.SessionClaims{
		ProjectID:      p.ID,
		Subject:        sub.id,
		SessionID:      sess.ID,
		StartedAt:      sess.StartedAt,
		LastAccessedAt: sess.LastAccessedAt,
		ExpiresAt:      sess.ExpiresAt,
		Attributes:     sess.Attributes,
		Factors:        sess.AuthenticationFactors,
		Roles:          sub.roles,
		Organization:   sub.org,
		Custom:         sess.CustomClaims,
		IssuedAt:       now,
	})
	if err != nil {
		return "", fmt.Errorf("session: sign jwt: %w", err)
	}
	s.jwts.put(sess, sub, j, now)
	return j, nil
}

type cachedJWT struct {
	jwt            string
	issuedAt       time.Time
	lastAccessedAt time.Time
	expiresAt      time.Time
	subject        string
}

// jwtCache holds the last JWT minted per session.
type jwtCache struct {
	mu sync.Mutex
	m  map[string]cachedJWT
}

// maxCachedJWTs bounds the cache; when full it is emptied, which costs one
// signature per active session and needs no eviction bookkeeping.
const maxCachedJWTs = 100_000

func (c *jwtCache) get(sess *auth.Session, sub subject, now time.Time) (string, bool) {
	c.mu.Lock()
	e, ok := c.m[sess.ID]
	c.mu.Unlock()
	if !ok || !e.lastAccessedAt.Equal(sess.LastAccessedAt) || !e.expiresAt.Equal(sess.ExpiresAt) || e.subject != sub.key() ||
		now.Sub(e.issuedAt) >= touchInterval || now.Before(e.issuedAt) {
		return "", false
	}
	return e.jwt, true
}

func (c *jwtCache) put(sess *auth.Session, sub subject, j string, now time.Time) {
	c.mu.Lock()
	if len(c.m) >= maxCachedJWTs {
		clear(c.m)
	}
	c.m[sess.ID] = cachedJWT{jwt: j, issuedAt: now, lastAccessedAt: sess.LastAccessedAt, expiresAt: sess.ExpiresAt, subject: sub.key()}
	c.mu.Unlock()
}

func (c *jwtCache) drop(sessionID string) {
	c.mu.Lock()
	delete(c.m, sessionID)
	c.mu.Unlock()
}
