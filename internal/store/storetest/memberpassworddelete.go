package storetest

import (
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

var memberPasswordDeleteTests = []subtest{
	{"DeleteClearsMember", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		ctx := t.Context()
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		pw := memberPasswordSpec(p.ID, m.ID, "$argon2id$first")
		must(t, st.SetMemberPassword(ctx, p.ID, pw))

		got, err := st.DeleteMemberPassword(ctx, p.ID, pw.ID)
		must(t, err)
		diff(t, "DeleteMemberPassword", got, pw)
		_, err = st.GetMemberPassword(ctx, p.ID, m.ID)
		wantNotFound(t, "GetMemberPassword after delete", err)
		gotM, err := st.GetMember(ctx, p.ID, o.ID, m.ID)
		must(t, err)
		if gotM.PasswordID != "" {
			t.Errorf("member PasswordID after delete = %q, want empty", gotM.PasswordID)
		}
		_, err = st.DeleteMemberPassword(ctx, p.ID, pw.ID)
		wantNotFound(t, "DeleteMemberPassword twice", err)

		// A new password can be set afterwards.
		again := memberPasswordSpec(p.ID, m.ID, "$argon2id$second")
		must(t, st.SetMemberPassword(ctx, p.ID, again))
		gotM, err = st.GetMember(ctx, p.ID, o.ID, m.ID)
		must(t, err)
		if gotM.PasswordID != again.ID {
			t.Errorf("member PasswordID after a new set = %q, want %q", gotM.PasswordID, again.ID)
		}
	}},
	{"DeleteIsolated", func(t *testing.T, st store.Store) {
		a, b := newProject(t, st), newProject(t, st)
		ctx := t.Context()
		m := newMember(t, st, a.ID, newOrg(t, st, a.ID, "acme").ID, "ada@acme.example")
		pw := memberPasswordSpec(a.ID, m.ID, "$argon2id$first")
		must(t, st.SetMemberPassword(ctx, a.ID, pw))
		_, err := st.DeleteMemberPassword(ctx, b.ID, pw.ID)
		wantNotFound(t, "DeleteMemberPassword from another project", err)
		// A user password's ID is not a member password's.
		u := newUser(t, st, a.ID, "ada@example.com")
		upw := passwordSpec(a.ID, u.ID, "$argon2id$user")
		must(t, st.SetPassword(ctx, a.ID, upw))
		_, err = st.DeleteMemberPassword(ctx, a.ID, upw.ID)
		wantNotFound(t, "DeleteMemberPassword of a user's password", err)
		_, err = st.DeleteMemberPassword(ctx, a.ID, auth.NewID(auth.KindMemberPassword, auth.EnvTest))
		wantNotFound(t, "DeleteMemberPassword of an unknown ID", err)
		if _, err := st.GetMemberPassword(ctx, a.ID, m.ID); err != nil {
			t.Errorf("member password after refused deletes: %v", err)
		}
	}},
}
