package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// totpSpec is a pending registration of a user (or, with m, a member),
// expiring an hour after t0. Its sealed values are opaque bytes here.
func totpSpec(projectID string, u *auth.User, m *auth.Member) *auth.TOTP {
	t := &auth.TOTP{
		ID: auth.NewID(auth.KindTOTP, auth.EnvTest), ProjectID: projectID,
		SealedSecret: []byte("sealed-secret"), SealedRecoveryCodes: []byte("sealed-codes"),
		ExpiresAt: at(time.Hour), CreatedAt: t0, UpdatedAt: t0,
	}
	if u != nil {
		t.UserID = u.ID
	}
	if m != nil {
		t.ID = auth.NewID(auth.KindMemberTOTP, auth.EnvTest)
		t.OrganizationID, t.MemberID = m.OrganizationID, m.ID
	}
	return t
}

// recoveryCodesSpec returns n unused codes of a registration, whose plain
// values are code-0, code-1, …
func recoveryCodesSpec(totpID string, n int) []auth.RecoveryCode {
	cs := make([]auth.RecoveryCode, n)
	for i := range cs {
		cs[i] = auth.RecoveryCode{
			ID: auth.NewID(auth.KindRecoveryCode, auth.EnvTest), TOTPID: totpID,
			Hash: token.Hash(fmt.Sprintf("%s/code-%d", totpID, i)), CreatedAt: at(time.Duration(i) * time.Microsecond),
		}
	}
	return cs
}

func newTOTP(t *testing.T, st store.Store, projectID string, u *auth.User, m *auth.Member) (*auth.TOTP, []auth.RecoveryCode) {
	t.Helper()
	tp := totpSpec(projectID, u, m)
	cs := recoveryCodesSpec(tp.ID, 10)
	must(t, st.CreateTOTP(t.Context(), projectID, tp, cs))
	return tp, cs
}

// countOutcomes runs fn from n goroutines at once and counts successes and
// ErrConsumed; any other error fails the test.
func countOutcomes(t *testing.T, n int, fn func() error) (ok, consumed int) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrConsumed):
			consumed++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return ok, consumed
}

var totpTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, cs := newTOTP(t, st, p.ID, u, nil)
		got, err := st.GetTOTP(t.Context(), p.ID, tp.ID)
		must(t, err)
		diff(t, "GetTOTP", got, tp)
		got, err = st.GetUserTOTP(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUserTOTP", got, tp)
		codes, err := st.ListRecoveryCodes(t.Context(), p.ID, tp.ID)
		must(t, err)
		diff(t, "ListRecoveryCodes", codes, cs)
		// Pending: not yet the user's registration.
		gotU, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		if gotU.TOTPID != "" {
			t.Errorf("user TOTPID = %q before verification, want empty", gotU.TOTPID)
		}

		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		mt, _ := newTOTP(t, st, p.ID, nil, m)
		got, err = st.GetMemberTOTP(t.Context(), p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberTOTP", got, mt)

		_, err = st.GetTOTP(t.Context(), p.ID, "totp-test-missing")
		wantNotFound(t, "GetTOTP", err)
		_, err = st.GetUserTOTP(t.Context(), p.ID, newUser(t, st, p.ID).ID)
		wantNotFound(t, "GetUserTOTP of a user without one", err)
		_, err = st.GetMemberTOTP(t.Context(), p.ID, newMember(t, st, p.ID, o.ID, "bob@acme.example").ID)
		wantNotFound(t, "GetMemberTOTP of a member without one", err)
	}},
	{"OneOwner", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		newTOTP(t, st, p.ID, u, nil)
		wantErr(t, st.CreateTOTP(t.Context(), p.ID, totpSpec(p.ID, u, nil), nil), store.ErrConflict)

		missing := &auth.User{ID: "user-test-missing"}
		wantNotFound(t, "CreateTOTP for a missing user", st.CreateTOTP(t.Context(), p.ID, totpSpec(p.ID, missing, nil), nil))
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		other := newOrg(t, st, p.ID, "other")
		wrongOrg := totpSpec(p.ID, nil, m)
		wrongOrg.OrganizationID = other.ID
		wantNotFound(t, "CreateTOTP naming another organization than the member's", st.CreateTOTP(t.Context(), p.ID, wrongOrg, nil))

		both := totpSpec(p.ID, newUser(t, st, p.ID), m)
		if err := st.CreateTOTP(t.Context(), p.ID, both, nil); err == nil {
			t.Error("CreateTOTP with two owners: no error")
		}
		if err := st.CreateTOTP(t.Context(), p.ID, totpSpec(p.ID, nil, nil), nil); err == nil {
			t.Error("CreateTOTP without an owner: no error")
		}
		// A refused registration leaves nothing behind, codes included.
		dup := totpSpec(p.ID, u, nil)
		_ = st.CreateTOTP(t.Context(), p.ID, dup, recoveryCodesSpec(dup.ID, 2))
		codes, err := st.ListRecoveryCodes(t.Context(), p.ID, dup.ID)
		must(t, err)
		if len(codes) != 0 {
			t.Errorf("a refused registration left %d recovery codes", len(codes))
		}
	}},
	{"AcceptStep", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, _ := newTOTP(t, st, p.ID, u, nil)
		now := at(time.Minute)
		got, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 100, now)
		must(t, err)
		want := *tp
		want.Verified, want.LastStep, want.UpdatedAt = true, 100, now
		diff(t, "AcceptTOTPStep", got, &want)
		gotU, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		if gotU.TOTPID != tp.ID {
			t.Errorf("user TOTPID = %q after verification, want %q", gotU.TOTPID, tp.ID)
		}
		for _, step := range []int64{100, 99, 1} {
			_, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, step, now)
			wantErr(t, err, store.ErrConsumed)
		}
		got, err = st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 102, at(2*time.Minute))
		must(t, err)
		if got.LastStep != 102 {
			t.Errorf("LastStep = %d, want 102", got.LastStep)
		}
		_, err = st.AcceptTOTPStep(t.Context(), p.ID, "totp-test-missing", 1, now)
		wantNotFound(t, "AcceptTOTPStep", err)
	}},
	{"AcceptExpired", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, _ := newTOTP(t, st, p.ID, u, nil)
		_, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 1, tp.ExpiresAt) // expiring at now is expired
		wantErr(t, err, store.ErrConsumed)
		_, err = st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 1, tp.ExpiresAt.Add(-time.Microsecond))
		must(t, err)
		// Verified, it no longer expires.
		_, err = st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 2, tp.ExpiresAt.Add(24*time.Hour))
		must(t, err)
	}},
	{"AcceptConcurrently", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tp, _ := newTOTP(t, st, p.ID, newUser(t, st, p.ID, "ada@example.com"), nil)
		const callers = 50
		ok, consumed := countOutcomes(t, callers, func() error {
			_, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 1000, at(time.Minute))
			return err
		})
		if ok != 1 || consumed != callers-1 {
			t.Errorf("%d succeeded and %d got ErrConsumed, want 1 and %d", ok, consumed, callers-1)
		}
	}},
	{"MemberRegistration", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		tp, _ := newTOTP(t, st, p.ID, nil, m)
		stale, err := st.GetMember(t.Context(), p.ID, o.ID, m.ID)
		must(t, err)
		_, err = st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 5, t0)
		must(t, err)
		got, err := st.GetMember(t.Context(), p.ID, o.ID, m.ID)
		must(t, err)
		if got.TOTPRegistrationID != tp.ID {
			t.Fatalf("member TOTPRegistrationID = %q, want %q", got.TOTPRegistrationID, tp.ID)
		}
		// An update from a read taken before the verification keeps it.
		stale.Name = "Ada"
		must(t, st.UpdateMember(t.Context(), p.ID, stale))
		got, err = st.GetMember(t.Context(), p.ID, o.ID, m.ID)
		must(t, err)
		if got.TOTPRegistrationID != tp.ID || got.Name != "Ada" {
			t.Errorf("after UpdateMember: name %q, TOTPRegistrationID %q; want Ada and %q", got.Name, got.TOTPRegistrationID, tp.ID)
		}
		s := newMemberSession(t, st, p.ID, got)
		_, sm, _, err := st.GetMemberSession(t.Context(), p.ID, s.ID)
		must(t, err)
		if sm.TOTPRegistrationID != tp.ID {
			t.Errorf("GetMemberSession member TOTPRegistrationID = %q, want %q", sm.TOTPRegistrationID, tp.ID)
		}

		deleted, err := st.DeleteTOTP(t.Context(), p.ID, tp.ID)
		must(t, err)
		if deleted.ID != tp.ID || deleted.MemberID != m.ID {
			t.Errorf("DeleteTOTP = %+v", deleted)
		}
		got, err = st.GetMember(t.Context(), p.ID, o.ID, m.ID)
		must(t, err)
		if got.TOTPRegistrationID != "" {
			t.Errorf("member TOTPRegistrationID = %q after delete, want empty", got.TOTPRegistrationID)
		}
	}},
	{"UserUpdateKeepsTOTP", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, _ := newTOTP(t, st, p.ID, u, nil)
		_, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 5, t0)
		must(t, err)
		u.Name.First = "Augusta" // u was read before the verification
		must(t, st.UpdateUser(t.Context(), p.ID, u))
		for _, get := range []func() (*auth.User, error){
			func() (*auth.User, error) { return st.GetUser(t.Context(), p.ID, u.ID) },
			func() (*auth.User, error) { return st.GetUserByEmail(t.Context(), p.ID, "ada@example.com") },
			func() (*auth.User, error) {
				_, u, err := st.GetSessionUser(t.Context(), p.ID, newSession(t, st, p.ID, u.ID).ID)
				return u, err
			},
			func() (*auth.User, error) {
				us, _, err := st.SearchUsers(t.Context(), p.ID, store.UserFilter{UserIDs: []string{u.ID}, Limit: 1})
				if err != nil || len(us) != 1 {
					return nil, fmt.Errorf("SearchUsers: %d users, %v", len(us), err)
				}
				return &us[0], nil
			},
		} {
			got, err := get()
			must(t, err)
			if got.TOTPID != tp.ID || got.Name.First != "Augusta" {
				t.Errorf("user: name %q, TOTPID %q; want Augusta and %q", got.Name.First, got.TOTPID, tp.ID)
			}
		}
	}},
	{"Delete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, cs := newTOTP(t, st, p.ID, u, nil)
		_, err := st.AcceptTOTPStep(t.Context(), p.ID, tp.ID, 5, t0)
		must(t, err)
		_, err = st.DeleteTOTP(t.Context(), p.ID, tp.ID)
		must(t, err)
		_, err = st.GetTOTP(t.Context(), p.ID, tp.ID)
		wantNotFound(t, "GetTOTP after delete", err)
		_, err = st.UseRecoveryCode(t.Context(), p.ID, tp.ID, cs[0].Hash, t0)
		wantNotFound(t, "UseRecoveryCode after delete", err)
		gotU, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		if gotU.TOTPID != "" {
			t.Errorf("user TOTPID = %q after delete, want empty", gotU.TOTPID)
		}
		_, err = st.DeleteTOTP(t.Context(), p.ID, tp.ID)
		wantNotFound(t, "DeleteTOTP twice", err)
		// The owner may register again.
		newTOTP(t, st, p.ID, u, nil)
	}},
	{"OwnerDeleted", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, _ := newTOTP(t, st, p.ID, u, nil)
		must(t, st.DeleteUser(t.Context(), p.ID, u.ID))
		_, err := st.GetTOTP(t.Context(), p.ID, tp.ID)
		wantNotFound(t, "GetTOTP after its user was deleted", err)
		o := newOrg(t, st, p.ID, "acme")
		mt, _ := newTOTP(t, st, p.ID, nil, newMember(t, st, p.ID, o.ID, "ada@acme.example"))
		must(t, st.DeleteOrganization(t.Context(), p.ID, o.ID))
		_, err = st.GetTOTP(t.Context(), p.ID, mt.ID)
		wantNotFound(t, "GetTOTP after its organization was deleted", err)
	}},
	{"RecoveryCodes", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tp, cs := newTOTP(t, st, p.ID, newUser(t, st, p.ID, "ada@example.com"), nil)
		now := at(time.Minute)
		got, err := st.UseRecoveryCode(t.Context(), p.ID, tp.ID, cs[3].Hash, now)
		must(t, err)
		want := cs[3]
		want.UsedAt = &now
		diff(t, "UseRecoveryCode", got, &want)
		_, err = st.UseRecoveryCode(t.Context(), p.ID, tp.ID, cs[3].Hash, at(2*time.Minute))
		wantErr(t, err, store.ErrConsumed)
		_, err = st.UseRecoveryCode(t.Context(), p.ID, tp.ID, token.Hash("nope"), now)
		wantNotFound(t, "UseRecoveryCode of an unknown code", err)
		// A code belongs to its registration only.
		other, _ := newTOTP(t, st, p.ID, newUser(t, st, p.ID, "bob@example.com"), nil)
		_, err = st.UseRecoveryCode(t.Context(), p.ID, other.ID, cs[4].Hash, now)
		wantNotFound(t, "UseRecoveryCode of another registration's code", err)

		list, err := st.ListRecoveryCodes(t.Context(), p.ID, tp.ID)
		must(t, err)
		wantList := append([]auth.RecoveryCode(nil), cs...)
		wantList[3] = want
		diff(t, "ListRecoveryCodes", list, wantList)
	}},
	{"UseRecoveryCodeConcurrently", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tp, cs := newTOTP(t, st, p.ID, newUser(t, st, p.ID, "ada@example.com"), nil)
		const callers = 50
		ok, consumed := countOutcomes(t, callers, func() error {
			_, err := st.UseRecoveryCode(t.Context(), p.ID, tp.ID, cs[0].Hash, at(time.Minute))
			return err
		})
		if ok != 1 || consumed != callers-1 {
			t.Errorf("%d succeeded and %d got ErrConsumed, want 1 and %d", ok, consumed, callers-1)
		}
	}},
	{"ReplaceRecoveryCodes", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tp, old := newTOTP(t, st, p.ID, newUser(t, st, p.ID, "ada@example.com"), nil)
		_, err := st.UseRecoveryCode(t.Context(), p.ID, tp.ID, old[0].Hash, t0)
		must(t, err)
		fresh := recoveryCodesSpec(tp.ID, 10)
		for i := range fresh {
			fresh[i].Hash = token.Hash(fmt.Sprintf("fresh-%d", i))
		}
		now := at(time.Minute)
		must(t, st.ReplaceRecoveryCodes(t.Context(), p.ID, tp.ID, []byte("sealed-fresh"), fresh, now))
		list, err := st.ListRecoveryCodes(t.Context(), p.ID, tp.ID)
		must(t, err)
		diff(t, "ListRecoveryCodes after replace", list, fresh)
		_, err = st.UseRecoveryCode(t.Context(), p.ID, tp.ID, old[1].Hash, now)
		wantNotFound(t, "UseRecoveryCode of a replaced code", err)
		got, err := st.GetTOTP(t.Context(), p.ID, tp.ID)
		must(t, err)
		if string(got.SealedRecoveryCodes) != "sealed-fresh" || !got.UpdatedAt.Equal(now) {
			t.Errorf("after replace: sealed %q, updated %v", got.SealedRecoveryCodes, got.UpdatedAt)
		}
		wantNotFound(t, "ReplaceRecoveryCodes of a missing registration",
			st.ReplaceRecoveryCodes(t.Context(), p.ID, "totp-test-missing", nil, nil, now))
	}},
}

// totpFactorTests pin the stored form of the TOTP and recovery code
// factors: a session and a member session keep them as written.
var totpFactorTests = []subtest{
	{"SessionFactors", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		factors := []auth.AuthenticationFactor{
			{
				Type: auth.FactorTOTP, DeliveryMethod: auth.DeliveryAuthenticatorApp,
				LastAuthenticatedAt: t0, CreatedAt: t0, UpdatedAt: t0,
				AuthenticatorAppFactor: &auth.AuthenticatorAppFactor{TOTPID: "totp-test-1"},
			},
			{
				Type: auth.FactorRecoveryCodes, DeliveryMethod: auth.DeliveryRecoveryCode,
				LastAuthenticatedAt: at(time.Second), CreatedAt: at(time.Second), UpdatedAt: at(time.Second),
				RecoveryCodeFactor: &auth.RecoveryCodeFactor{RecoveryCodeID: "totp-recovery-code-test-1"},
			},
		}
		s := sessionSpec(p.ID, u.ID)
		s.AuthenticationFactors = factors
		must(t, st.CreateSession(t.Context(), p.ID, s))
		got, _, err := st.GetSessionUser(t.Context(), p.ID, s.ID)
		must(t, err)
		diff(t, "session factors", got.AuthenticationFactors, factors)

		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		ms := memberSessionSpec(p.ID, m)
		ms.AuthenticationFactors = factors
		must(t, st.CreateMemberSession(t.Context(), p.ID, ms))
		gotM, _, _, err := st.GetMemberSession(t.Context(), p.ID, ms.ID)
		must(t, err)
		diff(t, "member session factors", gotM.AuthenticationFactors, factors)
	}},
}

var totpIsolationTests = []subtest{
	{"TOTPs", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tp, cs := newTOTP(t, st, p.ID, u, nil)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		mt, _ := newTOTP(t, st, p.ID, nil, m)
		b, ctx := newProject(t, st).ID, t.Context()

		for _, id := range []string{tp.ID, mt.ID} {
			_, err := st.GetTOTP(ctx, b, id)
			wantNotFound(t, "GetTOTP", err)
			_, err = st.AcceptTOTPStep(ctx, b, id, 1, t0)
			wantNotFound(t, "AcceptTOTPStep", err)
			_, err = st.DeleteTOTP(ctx, b, id)
			wantNotFound(t, "DeleteTOTP", err)
			wantNotFound(t, "ReplaceRecoveryCodes", st.ReplaceRecoveryCodes(ctx, b, id, nil, nil, t0))
			list, err := st.ListRecoveryCodes(ctx, b, id)
			must(t, err)
			if len(list) != 0 {
				t.Errorf("ListRecoveryCodes from another project = %d codes", len(list))
			}
		}
		_, err := st.GetUserTOTP(ctx, b, u.ID)
		wantNotFound(t, "GetUserTOTP", err)
		_, err = st.GetMemberTOTP(ctx, b, m.ID)
		wantNotFound(t, "GetMemberTOTP", err)
		_, err = st.UseRecoveryCode(ctx, b, tp.ID, cs[0].Hash, t0)
		wantNotFound(t, "UseRecoveryCode", err)
		// A registration naming another project's user or member is refused.
		wantNotFound(t, "CreateTOTP for another project's user", st.CreateTOTP(ctx, b, totpSpec(b, u, nil), nil))
		wantNotFound(t, "CreateTOTP for another project's member", st.CreateTOTP(ctx, b, totpSpec(b, nil, m), nil))

		// The owner's rows are intact in their own project.
		got, err := st.GetTOTP(ctx, p.ID, tp.ID)
		must(t, err)
		diff(t, "GetTOTP in its own project", got, tp)
		_, err = st.UseRecoveryCode(ctx, p.ID, tp.ID, cs[0].Hash, t0)
		must(t, err)
		_, err = st.AcceptTOTPStep(ctx, p.ID, mt.ID, 1, t0)
		must(t, err)
	}},
}
