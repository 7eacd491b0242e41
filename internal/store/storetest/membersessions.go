package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

func memberSessionSpec(projectID string, m *auth.Member) *auth.Session {
	s := sessionSpec(projectID, "")
	s.ID = auth.NewID(auth.KindMemberSession, auth.EnvTest)
	s.MemberID, s.OrganizationID = m.ID, m.OrganizationID
	return s
}

func newMemberSession(t *testing.T, st store.Store, projectID string, m *auth.Member) *auth.Session {
	t.Helper()
	s := memberSessionSpec(projectID, m)
	must(t, st.CreateMemberSession(t.Context(), projectID, s))
	return s
}

// wantMemberSession checks that both one-read lookups of s return s, m and o.
func wantMemberSession(t *testing.T, st store.Store, projectID string, s *auth.Session, m *auth.Member, o *auth.Organization) {
	t.Helper()
	gs, gm, gorg, err := st.GetMemberSessionByTokenHash(t.Context(), projectID, s.TokenHash)
	must(t, err)
	diff(t, "GetMemberSessionByTokenHash session", gs, s)
	diff(t, "GetMemberSessionByTokenHash member", gm, m)
	diff(t, "GetMemberSessionByTokenHash organization", gorg, o)
	gs, gm, gorg, err = st.GetMemberSession(t.Context(), projectID, s.ID)
	must(t, err)
	diff(t, "GetMemberSession session", gs, s)
	diff(t, "GetMemberSession member", gm, m)
	diff(t, "GetMemberSession organization", gorg, o)
}

func intermediateSpec(projectID string) *auth.IntermediateSession {
	return &auth.IntermediateSession{
		ID:           auth.NewID(auth.KindIntermediateSession, auth.EnvTest),
		ProjectID:    projectID,
		TokenHash:    token.Hash(token.New()),
		EmailAddress: "ada@example.com",
		Factors:      []auth.AuthenticationFactor{},
		CreatedAt:    t0,
		ExpiresAt:    t0.Add(auth.IntermediateSessionLifetime),
	}
}

func newIntermediate(t *testing.T, st store.Store, projectID string) *auth.IntermediateSession {
	t.Helper()
	s := intermediateSpec(projectID)
	must(t, st.CreateIntermediateSession(t.Context(), projectID, s))
	return s
}

var emailFactorSpec = []auth.AuthenticationFactor{{
	Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
	LastAuthenticatedAt: at(time.Second), CreatedAt: t0, UpdatedAt: at(time.Second),
	EmailFactor: &auth.EmailFactor{EmailID: "member-email-test-1", EmailAddress: "ada@acme.example"},
}, {
	Type: auth.FactorTOTP, LastAuthenticatedAt: at(2 * time.Second), CreatedAt: at(2 * time.Second), UpdatedAt: at(2 * time.Second),
}}

var memberSessionTests = []subtest{
	{"CreateGetInOneRead", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := fullOrg(p.ID)
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		m := fullMember(p.ID, o.ID)
		must(t, st.CreateMember(t.Context(), p.ID, m))
		s := memberSessionSpec(p.ID, m)
		s.AuthenticationFactors = emailFactorSpec
		s.CustomClaims = map[string]any{"tier": "gold", "n": 2.5, "list": []any{"x"}}
		s.LastAccessedAt = at(time.Minute)
		must(t, st.CreateMemberSession(t.Context(), p.ID, s))
		wantMemberSession(t, st, p.ID, s, m, o)
	}},
	{"ReadsCurrentMemberAndOrganization", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := newMemberSession(t, st, p.ID, m)
		o.Name, o.UpdatedAt = "Renamed", at(time.Hour)
		must(t, st.UpdateOrganization(t.Context(), p.ID, o))
		m.Roles, m.Status, m.UpdatedAt = []string{"editor"}, auth.MemberDeleted, at(time.Hour)
		must(t, st.UpdateMember(t.Context(), p.ID, m))
		wantMemberSession(t, st, p.ID, s, m, o)
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := memberSessionSpec(p.ID, m)
		s.AuthenticationFactors, s.CustomClaims = nil, nil
		must(t, st.CreateMemberSession(t.Context(), p.ID, s))
		got, _, _, err := st.GetMemberSession(t.Context(), p.ID, s.ID)
		must(t, err)
		if got.AuthenticationFactors == nil || got.CustomClaims == nil {
			t.Errorf("GetMemberSession = %+v, want empty, non-nil factors and claims", got)
		}
	}},
	{"ExpiredIsStillReturned", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := memberSessionSpec(p.ID, m)
		s.ExpiresAt = t0.Add(-time.Hour)
		must(t, st.CreateMemberSession(t.Context(), p.ID, s))
		wantMemberSession(t, st, p.ID, s, m, o)
	}},
	{"Conflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := newMemberSession(t, st, p.ID, m)
		sameID := memberSessionSpec(p.ID, m)
		sameID.ID = s.ID
		wantErr(t, st.CreateMemberSession(t.Context(), p.ID, sameID), store.ErrConflict)
		sameHash := memberSessionSpec(p.ID, m)
		sameHash.TokenHash = s.TokenHash
		wantErr(t, st.CreateMemberSession(t.Context(), p.ID, sameHash), store.ErrConflict)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		other := newOrg(t, st, p.ID, "other")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		_, _, _, err := st.GetMemberSessionByTokenHash(t.Context(), p.ID, token.Hash("nope"))
		wantNotFound(t, "GetMemberSessionByTokenHash", err)
		_, _, _, err = st.GetMemberSession(t.Context(), p.ID, "member-session-test-missing")
		wantNotFound(t, "GetMemberSession", err)
		wantNotFound(t, "UpdateMemberSession", st.UpdateMemberSession(t.Context(), p.ID, memberSessionSpec(p.ID, m)))
		wantNotFound(t, "DeleteMemberSession", st.DeleteMemberSession(t.Context(), p.ID, "member-session-test-missing"))
		missing := memberSpec(p.ID, o.ID, "x@example.com")
		wantNotFound(t, "CreateMemberSession for a missing member", st.CreateMemberSession(t.Context(), p.ID, memberSessionSpec(p.ID, missing)))
		elsewhere := memberSessionSpec(p.ID, m)
		elsewhere.OrganizationID = other.ID
		wantNotFound(t, "CreateMemberSession in another organization than the member's", st.CreateMemberSession(t.Context(), p.ID, elsewhere))
		// A consumer session is not a member session, nor the reverse.
		u := newUser(t, st, p.ID, "ada@example.com")
		cs := newSession(t, st, p.ID, u.ID)
		_, _, _, err = st.GetMemberSession(t.Context(), p.ID, cs.ID)
		wantNotFound(t, "GetMemberSession of a consumer session", err)
		_, _, _, err = st.GetMemberSessionByTokenHash(t.Context(), p.ID, cs.TokenHash)
		wantNotFound(t, "GetMemberSessionByTokenHash of a consumer session", err)
		ms := newMemberSession(t, st, p.ID, m)
		_, err = st.GetSession(t.Context(), p.ID, ms.ID)
		wantNotFound(t, "GetSession of a member session", err)
	}},
	{"ListActiveNewestFirst", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		other := newMember(t, st, p.ID, o.ID, "other@example.com")
		mk := func(id string, started, expires time.Duration) *auth.Session {
			s := memberSessionSpec(p.ID, m)
			s.ID, s.StartedAt, s.LastAccessedAt, s.ExpiresAt = id, at(started), at(started), at(expires)
			must(t, st.CreateMemberSession(t.Context(), p.ID, s))
			return s
		}
		old := mk("member-session-test-old", 0, 2*time.Hour)
		tieA := mk("member-session-test-a", time.Minute, 2*time.Hour)
		tieB := mk("member-session-test-b", time.Minute, 2*time.Hour)
		mk("member-session-test-expired", 2*time.Minute, time.Hour) // expires exactly at now
		newMemberSession(t, st, p.ID, other)
		got, err := st.ListMemberSessions(t.Context(), p.ID, m.ID, at(time.Hour))
		must(t, err)
		diff(t, "ListMemberSessions", got, []auth.Session{*tieB, *tieA, *old})
		got, err = st.ListMemberSessions(t.Context(), p.ID, m.ID, at(3*time.Hour))
		must(t, err)
		diff(t, "ListMemberSessions once all expired", got, []auth.Session{})
	}},
	{"Update", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := newMemberSession(t, st, p.ID, m)
		upd := *s
		upd.LastAccessedAt, upd.ExpiresAt = at(time.Minute), at(3*time.Hour)
		upd.AuthenticationFactors = emailFactorSpec
		upd.CustomClaims = map[string]any{"k": "v"}
		must(t, st.UpdateMemberSession(t.Context(), p.ID, &upd))
		wantMemberSession(t, st, p.ID, &upd, m, o)
	}},
	{"Delete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s, keep := newMemberSession(t, st, p.ID, m), newMemberSession(t, st, p.ID, m)
		must(t, st.DeleteMemberSession(t.Context(), p.ID, s.ID))
		_, _, _, err := st.GetMemberSession(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetMemberSession after DeleteMemberSession", err)
		_, _, _, err = st.GetMemberSessionByTokenHash(t.Context(), p.ID, s.TokenHash)
		wantNotFound(t, "GetMemberSessionByTokenHash after DeleteMemberSession", err)
		wantNotFound(t, "second DeleteMemberSession", st.DeleteMemberSession(t.Context(), p.ID, s.ID))
		wantMemberSession(t, st, p.ID, keep, m, o)
	}},
	{"DeleteAllOfMember", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		other := newMember(t, st, p.ID, o.ID, "other@example.com")
		expired := memberSessionSpec(p.ID, m)
		expired.ExpiresAt = t0.Add(-time.Hour)
		must(t, st.CreateMemberSession(t.Context(), p.ID, expired))
		newMemberSession(t, st, p.ID, m)
		newMemberSession(t, st, p.ID, m)
		keep := newMemberSession(t, st, p.ID, other)
		n, err := st.DeleteMemberSessions(t.Context(), p.ID, m.ID)
		must(t, err)
		if n != 3 {
			t.Errorf("DeleteMemberSessions = %d, want 3 (expired ones too)", n)
		}
		got, err := st.ListMemberSessions(t.Context(), p.ID, m.ID, t0.Add(-2*time.Hour))
		must(t, err)
		diff(t, "ListMemberSessions after DeleteMemberSessions", got, []auth.Session{})
		n, err = st.DeleteMemberSessions(t.Context(), p.ID, m.ID)
		must(t, err)
		if n != 0 {
			t.Errorf("second DeleteMemberSessions = %d, want 0", n)
		}
		wantMemberSession(t, st, p.ID, keep, other, o)
	}},
}

var intermediateTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := newOrg(t, st, p.ID, "acme")
		m := newMember(t, st, p.ID, o.ID, "ada@example.com")
		s := intermediateSpec(p.ID)
		s.Factors = emailFactorSpec
		s.OrganizationID, s.MemberID = o.ID, m.ID
		must(t, st.CreateIntermediateSession(t.Context(), p.ID, s))
		got, err := st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, at(time.Minute))
		must(t, err)
		diff(t, "GetIntermediateSession", got, s)
		// Getting does not consume.
		got, err = st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, at(time.Minute))
		must(t, err)
		diff(t, "second GetIntermediateSession", got, s)
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := intermediateSpec(p.ID)
		s.Factors = nil
		s.EmailAddress = "Ada@Example.com"
		must(t, st.CreateIntermediateSession(t.Context(), p.ID, s))
		got, err := st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, t0)
		must(t, err)
		want := *s
		want.Factors, want.EmailAddress = []auth.AuthenticationFactor{}, "ada@example.com"
		diff(t, "GetIntermediateSession", got, &want)
	}},
	{"ConsumeOnce", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := intermediateSpec(p.ID)
		s.Factors = emailFactorSpec
		must(t, st.CreateIntermediateSession(t.Context(), p.ID, s))
		now := at(time.Minute)
		got, err := st.ConsumeIntermediateSession(t.Context(), p.ID, s.TokenHash, now)
		must(t, err)
		want := *s
		want.ConsumedAt = &now
		diff(t, "ConsumeIntermediateSession", got, &want)
		_, err = st.ConsumeIntermediateSession(t.Context(), p.ID, s.TokenHash, at(2*time.Minute))
		wantErr(t, err, store.ErrConsumed)
		_, err = st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, at(2*time.Minute))
		wantErr(t, err, store.ErrConsumed)
	}},
	{"ExpiredIsConsumed", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := newIntermediate(t, st, p.ID)
		_, err := st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, s.ExpiresAt) // expiring at now is expired
		wantErr(t, err, store.ErrConsumed)
		_, err = st.ConsumeIntermediateSession(t.Context(), p.ID, s.TokenHash, s.ExpiresAt)
		wantErr(t, err, store.ErrConsumed)
		before := s.ExpiresAt.Add(-time.Microsecond)
		_, err = st.GetIntermediateSession(t.Context(), p.ID, s.TokenHash, before)
		must(t, err)
		_, err = st.ConsumeIntermediateSession(t.Context(), p.ID, s.TokenHash, before)
		must(t, err)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		newIntermediate(t, st, p.ID)
		_, err := st.GetIntermediateSession(t.Context(), p.ID, token.Hash("nope"), t0)
		wantNotFound(t, "GetIntermediateSession", err)
		_, err = st.ConsumeIntermediateSession(t.Context(), p.ID, token.Hash("nope"), t0)
		wantNotFound(t, "ConsumeIntermediateSession", err)
		s := intermediateSpec(p.ID)
		s.OrganizationID = "organization-test-missing"
		wantNotFound(t, "CreateIntermediateSession into a missing organization", st.CreateIntermediateSession(t.Context(), p.ID, s))
	}},
	{"HashConflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := newIntermediate(t, st, p.ID)
		dup := intermediateSpec(p.ID)
		dup.TokenHash = s.TokenHash
		wantErr(t, st.CreateIntermediateSession(t.Context(), p.ID, dup), store.ErrConflict)
		sameID := intermediateSpec(p.ID)
		sameID.ID = s.ID
		wantErr(t, st.CreateIntermediateSession(t.Context(), p.ID, sameID), store.ErrConflict)
	}},
	{"ConsumeConcurrently", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := newIntermediate(t, st, p.ID)
		const callers = 50
		ok, consumed := countOutcomes(t, callers, func() error {
			_, err := st.ConsumeIntermediateSession(t.Context(), p.ID, s.TokenHash, at(time.Minute))
			return err
		})
		if ok != 1 || consumed != callers-1 {
			t.Errorf("%d succeeded and %d got ErrConsumed, want 1 and %d", ok, consumed, callers-1)
		}
	}},
}
