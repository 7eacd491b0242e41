package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

func otpSpec(projectID string, u *auth.User, hash string, created time.Time) *auth.OTP {
	return &auth.OTP{
		ID: auth.NewID(auth.KindOTP, auth.EnvTest), ProjectID: projectID, MethodID: u.Emails[0].ID, UserID: u.ID,
		Delivery: auth.DeliveryEmail, Address: u.Emails[0].Address, CodeHash: []byte(hash),
		CreatedAt: created, ExpiresAt: created.Add(2 * time.Minute),
	}
}

var otpTests = []subtest{
	{"AuthenticateConsumesOnce", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		o := otpSpec(p.ID, u, "right", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, o))
		got, err := st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), at(time.Second), auth.OTPMaxAttempts)
		must(t, err)
		if got.ID != o.ID || got.UserID != u.ID || got.Address != "ada@example.com" || got.ConsumedAt == nil {
			t.Errorf("AuthenticateOTP = %+v", got)
		}
		_, err = st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), at(2*time.Second), auth.OTPMaxAttempts)
		wantNotFound(t, "second AuthenticateOTP", err)
	}},
	{"WrongCodesCountAndVoid", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		o := otpSpec(p.ID, u, "right", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, o))
		for i := range auth.OTPMaxAttempts {
			_, err := st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("wrong"), at(time.Second), auth.OTPMaxAttempts)
			if !errors.Is(err, store.ErrMismatch) {
				t.Fatalf("wrong guess %d: err = %v, want ErrMismatch", i+1, err)
			}
		}
		_, err := st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), at(time.Second), auth.OTPMaxAttempts)
		wantNotFound(t, "the right code after too many wrong ones", err)
	}},
	{"Expires", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		o := otpSpec(p.ID, u, "right", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, o))
		_, err := st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), o.ExpiresAt, auth.OTPMaxAttempts)
		wantNotFound(t, "AuthenticateOTP at expiry", err)
	}},
	{"NewCodeVoidsOld", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		old := otpSpec(p.ID, u, "old", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, old))
		must(t, st.CreateOTP(t.Context(), p.ID, otpSpec(p.ID, u, "new", at(time.Second))))
		_, err := st.AuthenticateOTP(t.Context(), p.ID, old.MethodID, []byte("old"), at(2*time.Second), auth.OTPMaxAttempts)
		if !errors.Is(err, store.ErrMismatch) {
			t.Errorf("the voided code: err = %v, want ErrMismatch against the live one", err)
		}
		_, err = st.AuthenticateOTP(t.Context(), p.ID, old.MethodID, []byte("new"), at(2*time.Second), auth.OTPMaxAttempts)
		must(t, err)
	}},
	{"CountForThrottle", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		for i := range 3 {
			must(t, st.CreateOTP(t.Context(), p.ID, otpSpec(p.ID, u, "c", at(time.Duration(i)*time.Minute))))
		}
		n, err := st.CountOTPs(t.Context(), p.ID, "ADA@example.com", at(time.Minute))
		must(t, err)
		if n != 2 {
			t.Errorf("CountOTPs since t0+1m = %d, want 2", n)
		}
	}},
	{"Isolation", func(t *testing.T, st store.Store) {
		p, intruder := newProject(t, st), newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		o := otpSpec(p.ID, u, "right", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, o))
		_, err := st.AuthenticateOTP(t.Context(), intruder.ID, o.MethodID, []byte("right"), at(time.Second), auth.OTPMaxAttempts)
		wantNotFound(t, "AuthenticateOTP in another project", err)
		n, err := st.CountOTPs(t.Context(), intruder.ID, "ada@example.com", t0)
		must(t, err)
		if n != 0 {
			t.Errorf("CountOTPs in another project = %d", n)
		}
		_, err = st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), at(time.Second), auth.OTPMaxAttempts)
		must(t, err)
	}},
	{"ConcurrentAuthenticateSucceedsOnce", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		o := otpSpec(p.ID, u, "right", t0)
		must(t, st.CreateOTP(t.Context(), p.ID, o))
		var (
			wg sync.WaitGroup
			mu sync.Mutex
			ok int
		)
		for range 50 {
			wg.Go(func() {
				if _, err := st.AuthenticateOTP(t.Context(), p.ID, o.MethodID, []byte("right"), at(time.Second), auth.OTPMaxAttempts); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok != 1 {
			t.Errorf("%d of 50 concurrent authentications succeeded, want 1", ok)
		}
	}},
}
