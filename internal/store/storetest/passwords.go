package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
)

func passwordSpec(projectID, userID, hash string) *auth.Password {
	return &auth.Password{
		ID: auth.NewID(auth.KindPassword, auth.EnvTest), ProjectID: projectID, UserID: userID,
		Hash: hash, CreatedAt: t0, UpdatedAt: t0,
	}
}

var passwordTests = []subtest{
	{"SetGetAndUser", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ctx := t.Context()
		_, err := st.GetUserPassword(ctx, p.ID, u.ID)
		wantNotFound(t, "GetUserPassword before any", err)

		pw := passwordSpec(p.ID, u.ID, "$argon2id$first")
		must(t, st.SetPassword(ctx, p.ID, pw))
		got, err := st.GetUserPassword(ctx, p.ID, u.ID)
		must(t, err)
		diff(t, "GetUserPassword", got, pw)
		gotU, err := st.GetUser(ctx, p.ID, u.ID)
		must(t, err)
		if gotU.PasswordID != pw.ID {
			t.Errorf("user PasswordID = %q, want %q", gotU.PasswordID, pw.ID)
		}
		gotU, err = st.GetUserByEmail(ctx, p.ID, "ada@example.com")
		must(t, err)
		if gotU.PasswordID != pw.ID {
			t.Errorf("GetUserByEmail PasswordID = %q, want %q", gotU.PasswordID, pw.ID)
		}

		// A second set keeps the ID and creation time and replaces the hash.
		again := passwordSpec(p.ID, u.ID, "$argon2id$second")
		again.UpdatedAt = at(time.Hour)
		must(t, st.SetPassword(ctx, p.ID, again))
		want := *pw
		want.Hash, want.UpdatedAt = "$argon2id$second", at(time.Hour)
		diff(t, "SetPassword result", again, &want)
		got, err = st.GetUserPassword(ctx, p.ID, u.ID)
		must(t, err)
		diff(t, "GetUserPassword after replace", got, &want)
	}},
	{"SetForMissingUser", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		err := st.SetPassword(t.Context(), p.ID, passwordSpec(p.ID, auth.NewID(auth.KindUser, auth.EnvTest), "h"))
		wantNotFound(t, "SetPassword for a missing user", err)
	}},
	{"UpdateHash", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ctx := t.Context()
		pw := passwordSpec(p.ID, u.ID, "$2a$old")
		must(t, st.SetPassword(ctx, p.ID, pw))
		must(t, st.UpdatePasswordHash(ctx, p.ID, pw.ID, "$2a$old", "$argon2id$new", at(time.Minute)))
		got, err := st.GetUserPassword(ctx, p.ID, u.ID)
		must(t, err)
		if got.Hash != "$argon2id$new" || !got.UpdatedAt.Equal(at(time.Minute)) {
			t.Errorf("after update: hash %q updated %v", got.Hash, got.UpdatedAt)
		}
		wantErr(t, st.UpdatePasswordHash(ctx, p.ID, pw.ID, "$2a$old", "$argon2id$other", at(time.Minute)), store.ErrConflict)
		wantNotFound(t, "UpdatePasswordHash of a missing password",
			st.UpdatePasswordHash(ctx, p.ID, auth.NewID(auth.KindPassword, auth.EnvTest), "a", "b", t0))
	}},
	{"RequireReset", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ctx := t.Context()
		pw := passwordSpec(p.ID, u.ID, "$2a$old")
		must(t, st.SetPassword(ctx, p.ID, pw))
		must(t, st.RequirePasswordReset(ctx, p.ID, pw.ID, at(time.Minute)))
		got, err := st.GetUserPassword(ctx, p.ID, u.ID)
		must(t, err)
		if !got.RequiresReset || !got.UpdatedAt.Equal(at(time.Minute)) {
			t.Errorf("after RequirePasswordReset: %+v", got)
		}
		if u, err := st.GetUserByEmail(ctx, p.ID, "ada@example.com"); err != nil || !u.PasswordRequiresReset || u.PasswordID != pw.ID {
			t.Errorf("user after RequirePasswordReset: %+v, %v", u, err)
		}
		// Setting a new password clears the flag.
		again := passwordSpec(p.ID, u.ID, "$argon2id$new")
		must(t, st.SetPassword(ctx, p.ID, again))
		if got, err = st.GetUserPassword(ctx, p.ID, u.ID); err != nil || got.RequiresReset {
			t.Errorf("after SetPassword: %+v, %v", got, err)
		}
		if u, err := st.GetUser(ctx, p.ID, u.ID); err != nil || u.PasswordRequiresReset {
			t.Errorf("user after SetPassword: %+v, %v", u, err)
		}
		wantNotFound(t, "RequirePasswordReset of a missing password",
			st.RequirePasswordReset(ctx, p.ID, auth.NewID(auth.KindPassword, auth.EnvTest), t0))
	}},
	{"Delete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ctx := t.Context()
		pw := passwordSpec(p.ID, u.ID, "h")
		must(t, st.SetPassword(ctx, p.ID, pw))
		got, err := st.DeletePassword(ctx, p.ID, pw.ID)
		must(t, err)
		diff(t, "DeletePassword", got, pw)
		gotU, err := st.GetUser(ctx, p.ID, u.ID)
		must(t, err)
		if gotU.PasswordID != "" {
			t.Errorf("user PasswordID = %q after delete, want empty", gotU.PasswordID)
		}
		_, err = st.DeletePassword(ctx, p.ID, pw.ID)
		wantNotFound(t, "DeletePassword twice", err)
	}},
	{"CascadeWithUser", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ctx := t.Context()
		must(t, st.SetPassword(ctx, p.ID, passwordSpec(p.ID, u.ID, "h")))
		must(t, st.DeleteUser(ctx, p.ID, u.ID))
		_, err := st.GetUserPassword(ctx, p.ID, u.ID)
		wantNotFound(t, "GetUserPassword after the user's deletion", err)
	}},
}

var passwordIsolationTests = []subtest{
	{"Passwords", func(t *testing.T, st store.Store) {
		a, b := newProject(t, st), newProject(t, st)
		u := newUser(t, st, a.ID, "ada@example.com")
		ctx := t.Context()
		pw := passwordSpec(a.ID, u.ID, "h")
		must(t, st.SetPassword(ctx, a.ID, pw))

		_, err := st.GetUserPassword(ctx, b.ID, u.ID)
		wantNotFound(t, "GetUserPassword from another project", err)
		wantNotFound(t, "UpdatePasswordHash from another project", st.UpdatePasswordHash(ctx, b.ID, pw.ID, "h", "x", t0))
		wantNotFound(t, "RequirePasswordReset from another project", st.RequirePasswordReset(ctx, b.ID, pw.ID, t0))
		_, err = st.DeletePassword(ctx, b.ID, pw.ID)
		wantNotFound(t, "DeletePassword from another project", err)
		wantNotFound(t, "SetPassword for another project's user", st.SetPassword(ctx, b.ID, passwordSpec(b.ID, u.ID, "x")))

		got, err := st.GetUserPassword(ctx, a.ID, u.ID)
		must(t, err)
		diff(t, "password in its own project", got, pw)
	}},
}

func memberPasswordSpec(projectID, memberID, hash string) *auth.Password {
	return &auth.Password{
		ID: auth.NewID(auth.KindMemberPassword, auth.EnvTest), ProjectID: projectID, MemberID: memberID,
		Hash: hash, CreatedAt: t0, UpdatedAt: t0,
	}
}

var memberPasswordTests = []subtest{
	{"SetGetAndMember", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@acme.example")
		other := newMember(t, st, p.ID, newOrg(t, st, p.ID, "globex").ID, "ada@acme.example")
		ctx := t.Context()
		_, err := st.GetMemberPassword(ctx, p.ID, m.ID)
		wantNotFound(t, "GetMemberPassword before any", err)

		pw := memberPasswordSpec(p.ID, m.ID, "$argon2id$first")
		must(t, st.SetMemberPassword(ctx, p.ID, pw))
		got, err := st.GetMemberPassword(ctx, p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberPassword", got, pw)
		gotM, err := st.GetMember(ctx, p.ID, o.ID, m.ID)
		must(t, err)
		if gotM.PasswordID != pw.ID {
			t.Errorf("member PasswordID = %q, want %q", gotM.PasswordID, pw.ID)
		}
		// The same address in another organization is another account.
		_, err = st.GetMemberPassword(ctx, p.ID, other.ID)
		wantNotFound(t, "GetMemberPassword of the member in another organization", err)

		again := memberPasswordSpec(p.ID, m.ID, "$argon2id$second")
		again.UpdatedAt = at(time.Hour)
		must(t, st.SetMemberPassword(ctx, p.ID, again))
		want := *pw
		want.Hash, want.UpdatedAt = "$argon2id$second", at(time.Hour)
		diff(t, "SetMemberPassword result", again, &want)
		got, err = st.GetMemberPassword(ctx, p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberPassword after replace", got, &want)
		gotM, err = st.GetMember(ctx, p.ID, o.ID, m.ID)
		must(t, err)
		if gotM.PasswordID != pw.ID {
			t.Errorf("member PasswordID after replace = %q, want %q", gotM.PasswordID, pw.ID)
		}

		wantNotFound(t, "SetMemberPassword for a missing member",
			st.SetMemberPassword(ctx, p.ID, memberPasswordSpec(p.ID, auth.NewID(auth.KindMember, auth.EnvTest), "h")))
	}},
	{"UpdateHashAndRequireReset", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := newMember(t, st, p.ID, newOrg(t, st, p.ID, "acme").ID, "ada@acme.example")
		ctx := t.Context()
		pw := memberPasswordSpec(p.ID, m.ID, "$2a$old")
		must(t, st.SetMemberPassword(ctx, p.ID, pw))
		must(t, st.UpdateMemberPasswordHash(ctx, p.ID, pw.ID, "$2a$old", "$argon2id$new", at(time.Minute)))
		wantErr(t, st.UpdateMemberPasswordHash(ctx, p.ID, pw.ID, "$2a$old", "$argon2id$other", at(time.Minute)), store.ErrConflict)
		wantNotFound(t, "UpdateMemberPasswordHash of a missing password",
			st.UpdateMemberPasswordHash(ctx, p.ID, auth.NewID(auth.KindMemberPassword, auth.EnvTest), "a", "b", t0))
		must(t, st.RequireMemberPasswordReset(ctx, p.ID, pw.ID, at(2*time.Minute)))
		got, err := st.GetMemberPassword(ctx, p.ID, m.ID)
		must(t, err)
		if got.Hash != "$argon2id$new" || !got.RequiresReset || !got.UpdatedAt.Equal(at(2*time.Minute)) {
			t.Errorf("after update and require reset: %+v", got)
		}
		wantNotFound(t, "RequireMemberPasswordReset of a missing password",
			st.RequireMemberPasswordReset(ctx, p.ID, auth.NewID(auth.KindMemberPassword, auth.EnvTest), t0))
	}},
	{"Isolation", func(t *testing.T, st store.Store) {
		a, b := newProject(t, st), newProject(t, st)
		m := newMember(t, st, a.ID, newOrg(t, st, a.ID, "acme").ID, "ada@acme.example")
		ctx := t.Context()
		pw := memberPasswordSpec(a.ID, m.ID, "h")
		must(t, st.SetMemberPassword(ctx, a.ID, pw))
		_, err := st.GetMemberPassword(ctx, b.ID, m.ID)
		wantNotFound(t, "GetMemberPassword from another project", err)
		wantNotFound(t, "UpdateMemberPasswordHash from another project", st.UpdateMemberPasswordHash(ctx, b.ID, pw.ID, "h", "x", t0))
		wantNotFound(t, "RequireMemberPasswordReset from another project", st.RequireMemberPasswordReset(ctx, b.ID, pw.ID, t0))
		wantNotFound(t, "SetMemberPassword for another project's member", st.SetMemberPassword(ctx, b.ID, memberPasswordSpec(b.ID, m.ID, "x")))
	}},
}
