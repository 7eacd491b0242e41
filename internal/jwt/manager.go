package jwt

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// KeyStore persists signing keys. It has exactly the methods of
// store.SigningKeys, so a store.Store satisfies it; it is declared here so
// that this package need not import internal/store.
type KeyStore interface {
	// AddSigningKey inserts k. Returns store.ErrConflict if its key ID exists.
	AddSigningKey(ctx context.Context, projectID string, k *auth.SigningKey) error
	// ListSigningKeys returns the project's keys not yet expired at now,
	// oldest first.
	ListSigningKeys(ctx context.Context, projectID string, now time.Time) ([]auth.SigningKey, error)
	// RetireSigningKey stops a key signing at retiredAt and unpublishes it
	// at expiresAt. Returns store.ErrNotFound.
	RetireSigningKey(ctx context.Context, projectID, keyID string, retiredAt, expiresAt time.Time) error
}

// DefaultTTL is the default [Manager.TTL].
const DefaultTTL = time.Minute

// expiryMargin keeps a retired key published this long after the last JWT
// it signed has expired. It absorbs clock skew between Latch processes and,
// with the default TTL, a process that keeps signing with the retired key
// until its cache refreshes.
const expiryMargin = time.Minute

// loadTimeout bounds a shared key load. The load runs detached from the
// caller that started it (its cancellation must not fail the other callers
// waiting on the same load), so it needs a bound of its own.
const loadTimeout = 30 * time.Second

// Manager hands out each project's [Keyring], cached, and creates and
// rotates keys. The server keeps one Manager; it is safe for concurrent use.
type Manager struct {
	// TTL bounds how long a cached Keyring is used, so that a key rotated
	// by another Latch process is seen within TTL. Set it before first use;
	// zero or negative means DefaultTTL.
	TTL time.Duration

	ks  KeyStore
	now func() time.Time

	// writeMu serializes Ensure and Rotate within this process, so two
	// concurrent calls do not both create a key. Across processes a race
	// only leaves an extra key, which the next rotation retires.
	writeMu sync.Mutex

	mu    sync.Mutex
	cache map[string]cacheEntry
	loads map[string]*load // in-flight loads by project
}

type cacheEntry struct {
	kr      *Keyring
	staleAt time.Time
}

// load is one in-flight ListSigningKeys+NewKeyring shared by every caller
// that asks for the project while it runs; kr and err are set before done
// is closed.
type load struct {
	done chan struct{}
	kr   *Keyring
	err  error
}

// NewManager returns a Manager reading and writing keys in ks, with now as
// its clock.
func NewManager(ks KeyStore, now func() time.Time) *Manager {
	return &Manager{
		TTL:   DefaultTTL,
		ks:    ks,
		now:   now,
		cache: make(map[string]cacheEntry),
		loads: make(map[string]*load),
	}
}

// Keyring returns projectID's Keyring. A cached one is returned until its
// ValidUntil or the TTL passes, whichever is first. Otherwise the keys are
// loaded once however many callers ask at the same time (a cold cache
// under load costs one query, not one per request), and each caller waits
// until the load completes or its ctx is done. Failed loads are not cached.
func (m *Manager) Keyring(ctx context.Context, projectID string) (*Keyring, error) {
	now := m.now()
	m.mu.Lock()
	if e, ok := m.cache[projectID]; ok && now.Before(e.staleAt) {
		m.mu.Unlock()
		return e.kr, nil
	}
	l, ok := m.loads[projectID]
	if !ok {
		l = &load{done: make(chan struct{})}
		m.loads[projectID] = l
		go m.load(context.WithoutCancel(ctx), projectID, l)
	}
	m.mu.Unlock()

	select {
	case <-l.done:
		return l.kr, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load builds projectID's Keyring and caches it, unless the project was
// invalidated meanwhile: the keys it read may predate the change that
// invalidated it.
func (m *Manager) load(ctx context.Context, projectID string, l *load) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	defer close(l.done)

	now := m.now()
	l.kr, l.err = m.build(ctx, projectID, now)

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loads[projectID] != l {
		return
	}
	delete(m.loads, projectID)
	if l.err != nil {
		return
	}
	ttl := m.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	staleAt := now.Add(ttl)
	if v := l.kr.ValidUntil(); !v.IsZero() && v.Before(staleAt) {
		staleAt = v
	}
	m.cache[projectID] = cacheEntry{kr: l.kr, staleAt: staleAt}
}

// build reads projectID's keys and parses them. It runs on its own
// goroutine, where a panic (say, in a store driver) would bring the whole
// server down instead of failing one request, so it recovers.
func (m *Manager) build(ctx context.Context, projectID string, now time.Time) (kr *Keyring, err error) {
	defer func() {
		if r := recover(); r != nil {
			kr, err = nil, fmt.Errorf("jwt: load keys of %s: panic: %v", projectID, r)
		}
	}()
	keys, err := m.ks.ListSigningKeys(ctx, projectID, now)
	if err == nil {
		kr, err = NewKeyring(projectID, keys, now)
	}
	if err != nil {
		return nil, fmt.Errorf("jwt: load keys of %s: %w", projectID, err)
	}
	return kr, nil
}

// Invalidate drops projectID's cached Keyring, and detaches any load in
// flight from the cache, so the next [Manager.Keyring] reads the store.
// Callers already waiting on that load still get its result.
func (m *Manager) Invalidate(projectID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cache, projectID)
	delete(m.loads, projectID)
}

// Ensure gives projectID its first signing key, active at once, unless it
// already has a key that signs now or will sign later. Project creation
// calls it; calling it again is harmless.
func (m *Manager) Ensure(ctx context.Context, projectID string, env auth.Env) error {
	m.writeMu.Lock()
	defer m.writeMu.Unlock()

	now := m.now()
	keys, err := m.ks.ListSigningKeys(ctx, projectID, now)
	if err != nil {
		return fmt.Errorf("jwt: ensure key of %s: %w", projectID, err)
	}
	for _, k := range keys {
		if k.RetiredAt == nil || k.RetiredAt.After(now) {
			return nil
		}
	}
	k, err := GenerateKey(projectID, env, now)
	if err != nil {
		return err
	}
	if err := m.ks.AddSigningKey(ctx, projectID, k); err != nil {
		return fmt.Errorf("jwt: ensure key of %s: %w", projectID, err)
	}
	m.Invalidate(projectID)
	return nil
}

// Rotate replaces projectID's signing key with a new one and returns it.
// The swap overlaps so that no JWT fails local verification in an SDK that
// has cached the JWKS:
//
//  1. Now, the new key is published in the JWKS but does not sign yet.
//  2. At now+publishLead, the new key starts signing and every key still
//     signing (or due to) retires.
//  3. The retired keys stay published for [Lifetime] plus a minute, until
//     every JWT they signed has expired, and then leave the JWKS.
//
// The lead is what lets SDKs learn the new key before JWTs signed with it
// arrive. The Go SDK (keyfunc) refreshes its JWKS hourly, and on an unknown
// kid at most once every 5 minutes; a JWT with a kid it cannot fetch fails
// local verification, and AuthenticateJWT falls back to remote
// authentication (POST /v1/sessions/authenticate), which still succeeds, only
// slower. A lead of an hour (config LATCH_JWT_PUBLISH_LEAD) therefore makes
// rotation invisible; a shorter one is safe but costs remote calls. The lead
// should also be at least [Manager.TTL], so that every Latch process has
// reloaded its keys, and can verify the new key's JWTs, before any exist.
//
// The new key is added before the old ones are retired: if retiring fails,
// the new key still takes over at now+publishLead (the newest active key
// signs), whereas the reverse order could leave the project with no key.
// Rotate invalidates this Manager's cache; other processes see the rotation
// within their TTL.
func (m *Manager) Rotate(ctx context.Context, projectID string, env auth.Env, publishLead time.Duration) (*auth.SigningKey, error) {
	if publishLead < 0 {
		return nil, fmt.Errorf("jwt: rotate key of %s: negative publish lead %s", projectID, publishLead)
	}
	// Generating an RSA key takes tens of milliseconds; do it before
	// taking the lock that other projects' rotations wait on.
	k, err := GenerateKey(projectID, env, time.Time{})
	if err != nil {
		return nil, err
	}

	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	defer m.Invalidate(projectID)

	now := m.now()
	k.CreatedAt, k.ActiveAt = now, now.Add(publishLead)
	retireAt, expireAt := k.ActiveAt, k.ActiveAt.Add(Lifetime+expiryMargin)

	keys, err := m.ks.ListSigningKeys(ctx, projectID, now)
	if err != nil {
		return nil, fmt.Errorf("jwt: rotate key of %s: %w", projectID, err)
	}
	if err := m.ks.AddSigningKey(ctx, projectID, k); err != nil {
		return nil, fmt.Errorf("jwt: rotate key of %s: %w", projectID, err)
	}
	for _, old := range keys {
		if old.RetiredAt != nil && !old.RetiredAt.After(retireAt) {
			continue // already retiring no later than the new key takes over
		}
		if err := m.ks.RetireSigningKey(ctx, projectID, old.KeyID, retireAt, expireAt); err != nil {
			return nil, fmt.Errorf("jwt: rotate key of %s: retire %s: %w", projectID, old.KeyID, err)
		}
	}
	return k, nil
}
