package jwt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeStore is an in-memory KeyStore following store.SigningKeys' contract.
// It lives here because this package may not import internal/store (and so
// cannot use the SQLite store the rest of Latch tests with).
type fakeStore struct {
	mu      sync.Mutex
	keys    map[string][]auth.SigningKey
	listErr error
	// gate, when set, makes ListSigningKeys announce itself on entered and
	// wait until gate is closed.
	gate    chan struct{}
	entered chan struct{}

	lists atomic.Int32
}

var _ KeyStore = (*fakeStore)(nil)

func newFakeStore(keys ...auth.SigningKey) *fakeStore {
	s := &fakeStore{keys: map[string][]auth.SigningKey{}}
	for _, k := range keys {
		s.keys[k.ProjectID] = append(s.keys[k.ProjectID], cloneKey(k))
	}
	return s
}

func cloneKey(k auth.SigningKey) auth.SigningKey {
	if k.RetiredAt != nil {
		k.RetiredAt = ptr(*k.RetiredAt)
	}
	if k.ExpiresAt != nil {
		k.ExpiresAt = ptr(*k.ExpiresAt)
	}
	return k
}

func (s *fakeStore) AddSigningKey(_ context.Context, projectID string, k *auth.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pk := range s.keys {
		for _, e := range pk {
			if e.KeyID == k.KeyID {
				return fmt.Errorf("fake store: %s exists", k.KeyID)
			}
		}
	}
	s.keys[projectID] = append(s.keys[projectID], cloneKey(*k))
	return nil
}

func (s *fakeStore) ListSigningKeys(ctx context.Context, projectID string, now time.Time) ([]auth.SigningKey, error) {
	s.lists.Add(1)
	s.mu.Lock()
	gate, entered, listErr := s.gate, s.entered, s.listErr
	s.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if listErr != nil {
		return nil, listErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.SigningKey
	for _, k := range s.keys[projectID] {
		if k.ExpiresAt == nil || now.Before(*k.ExpiresAt) {
			out = append(out, cloneKey(k))
		}
	}
	slices.SortFunc(out, func(a, b auth.SigningKey) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (s *fakeStore) RetireSigningKey(_ context.Context, projectID, keyID string, retiredAt, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys[projectID] {
		if k.KeyID == keyID {
			s.keys[projectID][i].RetiredAt = ptr(retiredAt)
			s.keys[projectID][i].ExpiresAt = ptr(expiresAt)
			return nil
		}
	}
	return fmt.Errorf("fake store: %s not found", keyID)
}

// all returns every key of projectID, expired or not.
func (s *fakeStore) all(projectID string) []auth.SigningKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auth.SigningKey
	for _, k := range s.keys[projectID] {
		out = append(out, cloneKey(k))
	}
	return out
}

// block makes ListSigningKeys wait until the returned function is called.
func (s *fakeStore) block() (entered <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate, ent := make(chan struct{}), make(chan struct{}, 64)
	s.gate, s.entered = gate, ent
	return ent, func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	}
}

func (s *fakeStore) setListErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listErr = err
}

// TestRotationOverlap plays a rotation end to end with two Managers on one
// store, standing for the Latch process that rotates and another one: JWTs
// of the old key verify throughout the overlap, the new key signs from the
// end of the lead, and the old key leaves the JWKS once its JWTs expired.
func TestRotationOverlap(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := newFakeClock(t0)
	st := newFakeStore()
	m := NewManager(st, clock.Now)
	peer := NewManager(st, clock.Now)

	keyring := func(m *Manager) *Keyring {
		t.Helper()
		kr, err := m.Keyring(ctx, testProject)
		if err != nil {
			t.Fatalf("Keyring: %v", err)
		}
		return kr
	}
	sign := func(kr *Keyring) string {
		t.Helper()
		return mustSign(t, kr, consumerClaims(clock.Now()))
	}
	verify := func(kr *Keyring, tok string) error {
		t.Helper()
		_, err := kr.VerifySession(tok, clock.Now())
		return err
	}

	if err := m.Ensure(ctx, testProject, auth.EnvTest); err != nil {
		t.Fatal(err)
	}
	old := keyring(m).SigningKeyID()
	if old == "" {
		t.Fatal("no signing key after Ensure")
	}
	jwtFirst := sign(keyring(m))

	clock.Advance(time.Minute)
	if got := kids(keyring(peer).JWKS()); !slices.Equal(got, []string{old}) {
		t.Fatalf("peer JWKS before rotation = %v", got)
	}
	const lead = time.Hour
	nk, err := m.Rotate(ctx, testProject, auth.EnvTest, lead)
	if err != nil {
		t.Fatal(err)
	}
	switchAt := clock.Now().Add(lead)
	expiry := switchAt.Add(Lifetime + time.Minute)
	if !nk.ActiveAt.Equal(switchAt) || !nk.CreatedAt.Equal(clock.Now()) {
		t.Errorf("new key CreatedAt, ActiveAt = %v, %v, want %v, %v", nk.CreatedAt, nk.ActiveAt, clock.Now(), switchAt)
	}
	for _, k := range st.all(testProject) {
		if k.KeyID == old && (k.RetiredAt == nil || !k.RetiredAt.Equal(switchAt) || k.ExpiresAt == nil || !k.ExpiresAt.Equal(expiry)) {
			t.Errorf("old key RetiredAt, ExpiresAt = %v, %v, want %v, %v", k.RetiredAt, k.ExpiresAt, switchAt, expiry)
		}
	}

	// Right after the rotation the new key is published, not signing.
	kr := keyring(m)
	if got, want := kids(kr.JWKS()), []string{old, nk.KeyID}; !slices.Equal(got, want) {
		t.Errorf("JWKS after rotation = %v, want %v", got, want)
	}
	if got := kr.SigningKeyID(); got != old {
		t.Errorf("signing key after rotation = %s, want the old %s", got, old)
	}
	if err := verify(kr, jwtFirst); err != nil {
		t.Errorf("JWT of the old key during the overlap: %v", err)
	}
	// The other process still serves its cached JWKS, until its TTL ends.
	if got := kids(keyring(peer).JWKS()); !slices.Equal(got, []string{old}) {
		t.Errorf("peer JWKS within TTL = %v, want the cached [old]", got)
	}
	clock.Advance(DefaultTTL)
	if got, want := kids(keyring(peer).JWKS()), []string{old, nk.KeyID}; !slices.Equal(got, want) {
		t.Errorf("peer JWKS after TTL = %v, want %v", got, want)
	}

	// An instant before the switch the old key still signs.
	clock.Set(switchAt.Add(-time.Second))
	if got := keyring(m).SigningKeyID(); got != old {
		t.Errorf("signing key before the switch = %s, want the old %s", got, old)
	}
	jwtLast := sign(keyring(m))

	// At the switch both processes sign with the new key, without any
	// Invalidate: the keyrings' ValidUntil ends their cache.
	clock.Set(switchAt)
	for name, mgr := range map[string]*Manager{"rotating": m, "peer": peer} {
		if got := keyring(mgr).SigningKeyID(); got != nk.KeyID {
			t.Errorf("%s: signing key at the switch = %s, want the new %s", name, got, nk.KeyID)
		}
	}
	jwtNew := sign(keyring(m))
	if got := jwtHeaderKid(t, jwtNew); got != nk.KeyID {
		t.Errorf("JWT at the switch has kid %s, want %s", got, nk.KeyID)
	}

	// The old key's last JWT verifies until it expires, on both processes.
	clock.Set(switchAt.Add(Lifetime - 2*time.Second))
	for name, mgr := range map[string]*Manager{"rotating": m, "peer": peer} {
		kr := keyring(mgr)
		if err := verify(kr, jwtLast); err != nil {
			t.Errorf("%s: last JWT of the old key: %v", name, err)
		}
		if err := verify(kr, jwtNew); err != nil {
			t.Errorf("%s: JWT of the new key: %v", name, err)
		}
	}

	// Then the old key leaves the JWKS; its JWTs no longer verify at all,
	// not even as expired.
	clock.Set(expiry.Add(-time.Nanosecond))
	if got, want := kids(keyring(m).JWKS()), []string{old, nk.KeyID}; !slices.Equal(got, want) {
		t.Errorf("JWKS just before expiry = %v, want %v", got, want)
	}
	clock.Set(expiry)
	for name, mgr := range map[string]*Manager{"rotating": m, "peer": peer} {
		kr := keyring(mgr)
		if got, want := kids(kr.JWKS()), []string{nk.KeyID}; !slices.Equal(got, want) {
			t.Errorf("%s: JWKS after expiry = %v, want %v", name, got, want)
		}
		err := verify(kr, jwtLast)
		if !errors.Is(err, auth.ErrUnableToParseSessionJWT) || errors.Is(err, ErrExpired) {
			t.Errorf("%s: JWT of the removed key: error %v, want unable_to_parse_session_jwt", name, err)
		}
	}
}

func jwtHeaderKid(tb testing.TB, tok string) string {
	tb.Helper()
	var h struct{ Kid string }
	if err := json.Unmarshal(decodeSegment(tb, tok, 0), &h); err != nil {
		tb.Fatal(err)
	}
	return h.Kid
}

// TestRotateDuringLead rotates again before the previous rotation's key
// took over: that key must retire too, or it would stay published forever.
func TestRotateDuringLead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := newFakeClock(t0)
	a := newTestKey(t, t0)
	st := newFakeStore(a)
	m := NewManager(st, clock.Now)

	b, err := m.Rotate(ctx, testProject, auth.EnvTest, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute)
	c, err := m.Rotate(ctx, testProject, auth.EnvTest, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	retire := t0.Add(20 * time.Minute)
	expire := retire.Add(Lifetime + time.Minute)
	want := map[string][2]time.Time{a.KeyID: {retire, expire}, b.KeyID: {retire, expire}}
	for _, k := range st.all(testProject) {
		w, ok := want[k.KeyID]
		if !ok {
			if k.KeyID != c.KeyID || k.RetiredAt != nil {
				t.Errorf("unexpected key %s retired at %v", k.KeyID, k.RetiredAt)
			}
			continue
		}
		if k.RetiredAt == nil || !k.RetiredAt.Equal(w[0]) || k.ExpiresAt == nil || !k.ExpiresAt.Equal(w[1]) {
			t.Errorf("key %s RetiredAt, ExpiresAt = %v, %v, want %v, %v", k.KeyID, k.RetiredAt, k.ExpiresAt, w[0], w[1])
		}
	}

	for _, at := range []time.Time{retire, t0.Add(time.Hour)} {
		clock.Set(at)
		kr, err := m.Keyring(ctx, testProject)
		if err != nil {
			t.Fatal(err)
		}
		if got := kr.SigningKeyID(); got != c.KeyID {
			t.Errorf("at %v the signing key is %s, want %s", at, got, c.KeyID)
		}
		if at.After(expire) {
			if got := kids(kr.JWKS()); !slices.Equal(got, []string{c.KeyID}) {
				t.Errorf("at %v JWKS = %v, want only %s", at, got, c.KeyID)
			}
		}
	}

	if _, err := m.Rotate(ctx, testProject, auth.EnvTest, -time.Second); err == nil {
		t.Error("Rotate with a negative lead succeeded")
	}
}

func TestManagerEnsure(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := newFakeClock(t0)
	st := newFakeStore()
	m := NewManager(st, clock.Now)

	kr, err := m.Keyring(ctx, testProject)
	if err != nil {
		t.Fatal(err)
	}
	if len(kr.JWKS()) != 0 || kr.SigningKeyID() != "" {
		t.Fatalf("keyring of a project without keys: %v", kids(kr.JWKS()))
	}

	for range 2 {
		if err := m.Ensure(ctx, testProject, auth.EnvTest); err != nil {
			t.Fatal(err)
		}
	}
	keys := st.all(testProject)
	if len(keys) != 1 {
		t.Fatalf("two Ensure calls made %d keys, want 1", len(keys))
	}
	if !auth.HasKind(keys[0].KeyID, auth.KindJWK) || !keys[0].ActiveAt.Equal(t0) {
		t.Errorf("key %s active at %v, want a jwk active at %v", keys[0].KeyID, keys[0].ActiveAt, t0)
	}
	// Ensure invalidated the cached empty keyring.
	kr, err = m.Keyring(ctx, testProject)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.SigningKeyID(); got != keys[0].KeyID {
		t.Errorf("signing key = %q, want %q", got, keys[0].KeyID)
	}

	// A project whose only key was retired without replacement gets a new one.
	if err := st.RetireSigningKey(ctx, testProject, keys[0].KeyID, t0.Add(time.Minute), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := m.Ensure(ctx, testProject, auth.EnvTest); err != nil {
		t.Fatal(err)
	}
	if got := len(st.all(testProject)); got != 1 {
		t.Errorf("Ensure while the key still signs made %d keys, want 1", got)
	}
	clock.Advance(time.Minute)
	if err := m.Ensure(ctx, testProject, auth.EnvTest); err != nil {
		t.Fatal(err)
	}
	if got := len(st.all(testProject)); got != 2 {
		t.Errorf("Ensure after the key retired: %d keys, want 2", got)
	}
}

func TestManagerCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := newFakeClock(t0)
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, clock.Now)
	get := func() *Keyring {
		t.Helper()
		kr, err := m.Keyring(ctx, testProject)
		if err != nil {
			t.Fatal(err)
		}
		return kr
	}
	wantLists := func(want int32) {
		t.Helper()
		if got := st.lists.Load(); got != want {
			t.Errorf("ListSigningKeys called %d times, want %d", got, want)
		}
	}

	first := get()
	if get() != first {
		t.Error("second call did not return the cached keyring")
	}
	wantLists(1)

	clock.Advance(DefaultTTL - time.Nanosecond)
	get()
	wantLists(1)
	clock.Advance(time.Nanosecond)
	if get() == first {
		t.Error("keyring not rebuilt after the TTL")
	}
	wantLists(2)

	m.Invalidate(testProject)
	get()
	wantLists(3)

	// A transition before the TTL ends the cache early.
	pending := newTestKey(t, clock.Now())
	pending.ActiveAt = clock.Now().Add(10 * time.Second)
	if err := st.AddSigningKey(ctx, testProject, &pending); err != nil {
		t.Fatal(err)
	}
	m.Invalidate(testProject)
	if got, want := get().ValidUntil(), pending.ActiveAt; !got.Equal(want) {
		t.Errorf("ValidUntil = %v, want %v", got, want)
	}
	wantLists(4)
	clock.Advance(10 * time.Second)
	if got := get().SigningKeyID(); got != pending.KeyID {
		t.Errorf("signing key after ActiveAt = %s, want %s", got, pending.KeyID)
	}
	wantLists(5)

	// A shorter TTL shows rotations by other processes sooner.
	m.TTL = 5 * time.Second
	m.Invalidate(testProject)
	get()
	clock.Advance(5 * time.Second)
	get()
	wantLists(7)

	// Projects are cached separately.
	other, err := m.Keyring(ctx, otherProject)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.JWKS()) != 0 || other.ProjectID() != otherProject {
		t.Errorf("keyring of %s: %s with %v", otherProject, other.ProjectID(), kids(other.JWKS()))
	}
}

func TestManagerLoadErrorNotCached(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, func() time.Time { return t0 })
	boom := errors.New("database is down")
	st.setListErr(boom)
	if _, err := m.Keyring(ctx, testProject); !errors.Is(err, boom) {
		t.Fatalf("Keyring error %v, want %v", err, boom)
	}
	st.setListErr(nil)
	kr, err := m.Keyring(ctx, testProject)
	if err != nil || kr.SigningKeyID() == "" {
		t.Fatalf("Keyring after recovery: %v, %v", kr, err)
	}

	// A key the keyring refuses is a load error too.
	bad := newTestKey(t, t0)
	bad.PrivateKeyDER = []byte("corrupt")
	if err := st.AddSigningKey(ctx, testProject, &bad); err != nil {
		t.Fatal(err)
	}
	m.Invalidate(testProject)
	if _, err := m.Keyring(ctx, testProject); err == nil {
		t.Error("Keyring with a corrupt key succeeded")
	}
}

// TestManagerSingleflight checks a cold cache under load reads the store
// once, and every caller gets the same keyring.
func TestManagerSingleflight(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, func() time.Time { return t0 })
	entered, release := st.block()

	const callers = 32
	var (
		wg      sync.WaitGroup
		started sync.WaitGroup
		results [callers]*Keyring
		errs    [callers]error
	)
	started.Add(callers)
	for i := range callers {
		wg.Go(func() {
			started.Done()
			results[i], errs[i] = m.Keyring(ctx, testProject)
		})
	}
	started.Wait()
	<-entered
	time.Sleep(10 * time.Millisecond) // let the callers pile up on the load
	release()
	wg.Wait()

	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("caller %d got a different keyring", i)
		}
	}
	if got := st.lists.Load(); got != 1 {
		t.Errorf("ListSigningKeys called %d times, want 1", got)
	}
}

// TestManagerCallerCanceled checks a caller can give up waiting, without
// failing the load for others: it completes and is cached.
func TestManagerCallerCanceled(t *testing.T) {
	t.Parallel()
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, func() time.Time { return t0 })
	entered, release := st.block()

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := m.Keyring(ctx, testProject)
		done <- err
	}()
	<-entered
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller: error %v, want context.Canceled", err)
	}
	release()
	if _, err := m.Keyring(t.Context(), testProject); err != nil {
		t.Fatal(err)
	}
	if got := st.lists.Load(); got != 1 {
		t.Errorf("ListSigningKeys called %d times, want 1 (the abandoned load is reused)", got)
	}
}

// TestManagerInvalidateDuringLoad checks a load that began before an
// Invalidate is not cached: it may have read keys from before the change.
func TestManagerInvalidateDuringLoad(t *testing.T) {
	t.Parallel()
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, func() time.Time { return t0 })
	entered, release := st.block()

	done := make(chan error, 1)
	go func() {
		_, err := m.Keyring(t.Context(), testProject)
		done <- err
	}()
	<-entered
	m.Invalidate(testProject)
	release()
	if err := <-done; err != nil {
		t.Fatalf("caller waiting on the invalidated load: %v", err)
	}
	if _, err := m.Keyring(t.Context(), testProject); err != nil {
		t.Fatal(err)
	}
	if got := st.lists.Load(); got != 2 {
		t.Errorf("ListSigningKeys called %d times, want 2", got)
	}
}

// TestManagerConcurrent signs and verifies from many goroutines while the
// clock moves, keys rotate and the cache is invalidated; run it with -race.
func TestManagerConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	clock := newFakeClock(t0)
	st := newFakeStore(newTestKey(t, t0))
	m := NewManager(st, clock.Now)

	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	var failures atomic.Int32
	fail := func(format string, args ...any) {
		failures.Add(1)
		t.Errorf(format, args...)
	}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				kr, err := m.Keyring(ctx, testProject)
				if err != nil {
					fail("Keyring: %v", err)
					return
				}
				c := consumerClaims(clock.Now())
				c.SessionID = fmt.Sprintf("session-test-%d-%d", w, r)
				tok, err := kr.SignSession(c)
				if err != nil {
					fail("SignSession: %v", err)
					return
				}
				got, err := kr.VerifySession(tok, c.IssuedAt)
				if err != nil {
					fail("VerifySession: %v", err)
					return
				}
				if got.SessionID != c.SessionID {
					fail("verified session %s, want %s", got.SessionID, c.SessionID)
				}
				if len(kr.JWKS()) == 0 {
					fail("empty JWKS")
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			clock.Advance(10 * time.Second)
			m.Invalidate(testProject)
			if i%10 == 0 {
				if _, err := m.Rotate(ctx, testProject, auth.EnvTest, 0); err != nil {
					fail("Rotate: %v", err)
				}
			}
		}
	})
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d failures", failures.Load())
	}
	if got, want := len(st.all(testProject)), 3; got != want {
		t.Errorf("%d keys after two rotations, want %d", got, want)
	}
}

type panickingStore struct{ KeyStore }

func (panickingStore) ListSigningKeys(context.Context, string, time.Time) ([]auth.SigningKey, error) {
	panic("driver bug")
}

// TestManagerLoadPanic checks a panic while loading keys, which happens on
// the Manager's own goroutine, fails the call instead of the process.
func TestManagerLoadPanic(t *testing.T) {
	t.Parallel()
	m := NewManager(panickingStore{newFakeStore()}, func() time.Time { return t0 })
	if _, err := m.Keyring(t.Context(), testProject); err == nil {
		t.Fatal("Keyring succeeded on a panicking store")
	}
}
