package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// subtest is one behaviour of the contract, run against a fresh store.
type subtest struct {
	name string
	run  func(t *testing.T, st store.Store)
}

// RunConformance runs the store.Store contract against stores from open.
// Every subtest gets a fresh store of its own and runs in parallel, so open
// must return isolated stores and register their cleanup on tb.
func RunConformance(t *testing.T, open func(tb testing.TB) store.Store) {
	for _, group := range []struct {
		name  string
		tests []subtest
	}{
		{"Projects", projectTests},
		{"RedirectURLs", redirectURLTests},
		{"Users", userTests},
		{"Emails", emailTests},
		{"Phones", phoneTests},
		{"SearchUsers", searchTests},
		{"Sessions", sessionTests},
		{"Tokens", tokenTests},
		{"Outbox", outboxTests},
		{"DevInbox", devInboxTests},
		{"SigningKeys", signingKeyTests},
		{"Organizations", organizationTests},
		{"Members", memberTests},
		{"SearchOrganizations", orgSearchTests},
		{"SearchMembers", memberSearchTests},
		{"MemberSessions", memberSessionTests},
		{"IntermediateSessions", intermediateTests},
		{"B2BTokens", b2bTokenTests},
		{"TOTPs", totpTests},
		{"TOTPFactors", totpFactorTests},
		{"InTx", txTests},
		{"Isolation", isolationTests},
		{"B2BIsolation", b2bIsolationTests},
		{"TOTPIsolation", totpIsolationTests},
		{"OTPs", otpTests},
		{"Passwords", passwordTests},
		{"PasswordIsolation", passwordIsolationTests},
		{"MemberPasswords", memberPasswordTests},
		{"MemberPasswordDelete", memberPasswordDeleteTests},
		{"OAuthProviders", oauthProviderTests},
		{"OAuthStates", oauthStateTests},
		{"OAuthRegistrations", oauthRegistrationTests},
		{"MemberOAuthRegistrations", memberOAuthRegistrationTests},
	} {
		t.Run(group.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range group.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, open(t))
				})
			}
		})
	}
}

// t0 is the tests' reference time. It has microseconds, the precision
// stores keep, so values round-trip unchanged.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr[T any](v T) *T { return &v }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

// wantNotFound fails unless err is store.ErrNotFound; what is the call.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func newProject(t *testing.T, st store.Store) *auth.Project {
	t.Helper()
	p := &auth.Project{
		ID:          auth.NewID(auth.KindProject, auth.EnvTest),
		Name:        "Project",
		Env:         auth.EnvTest,
		SecretHash:  token.Hash(token.New()),
		PublicToken: auth.NewID(auth.KindPublicToken, auth.EnvTest),
		CreatedAt:   t0,
		UpdatedAt:   t0,
	}
	must(t, st.CreateProject(t.Context(), p))
	return p
}

// userSpec builds a user whose emails are the given addresses, created at
// t0 plus one second per email.
func userSpec(addresses ...string) *auth.User {
	u := &auth.User{
		ID:                auth.NewID(auth.KindUser, auth.EnvTest),
		Status:            auth.UserActive,
		Name:              auth.Name{First: "Ada", Last: "Lovelace"},
		TrustedMetadata:   map[string]any{},
		UntrustedMetadata: map[string]any{},
		Emails:            []auth.Email{},
		Phones:            []auth.Phone{},
		Providers:         []auth.ProviderLink{},
		CreatedAt:         t0,
		UpdatedAt:         t0,
	}
	for i, a := range addresses {
		u.Emails = append(u.Emails, auth.Email{
			ID:        auth.NewID(auth.KindEmail, auth.EnvTest),
			UserID:    u.ID,
			Address:   a,
			CreatedAt: at(time.Duration(i) * time.Second),
		})
	}
	return u
}

func newUser(t *testing.T, st store.Store, projectID string, addresses ...string) *auth.User {
	t.Helper()
	u := userSpec(addresses...)
	u.ProjectID = projectID
	must(t, st.CreateUser(t.Context(), projectID, u))
	return u
}

func sessionSpec(projectID, userID string) *auth.Session {
	return &auth.Session{
		ID:                    auth.NewID(auth.KindSession, auth.EnvTest),
		ProjectID:             projectID,
		UserID:                userID,
		TokenHash:             token.Hash(token.NewSession()),
		StartedAt:             t0,
		LastAccessedAt:        t0,
		ExpiresAt:             at(time.Hour),
		Attributes:            auth.SessionAttributes{IPAddress: "192.0.2.1", UserAgent: "test"},
		AuthenticationFactors: []auth.AuthenticationFactor{},
		CustomClaims:          map[string]any{},
	}
}

func newSession(t *testing.T, st store.Store, projectID, userID string) *auth.Session {
	t.Helper()
	s := sessionSpec(projectID, userID)
	must(t, st.CreateSession(t.Context(), projectID, s))
	return s
}

func tokenSpec(projectID string, u *auth.User, kind auth.TokenKind) *auth.OneTimeToken {
	tok := &auth.OneTimeToken{
		ID:        auth.NewID("token", auth.EnvTest),
		ProjectID: projectID,
		Kind:      kind,
		TokenHash: token.Hash(token.New()),
		CreatedAt: t0,
		ExpiresAt: at(time.Hour),
	}
	if u != nil {
		tok.UserID = u.ID
		if len(u.Emails) > 0 {
			tok.EmailID, tok.EmailAddress = u.Emails[0].ID, u.Emails[0].Address
		}
	}
	return tok
}

func newToken(t *testing.T, st store.Store, projectID string, u *auth.User, kind auth.TokenKind) *auth.OneTimeToken {
	t.Helper()
	tok := tokenSpec(projectID, u, kind)
	must(t, st.CreateToken(t.Context(), projectID, tok))
	return tok
}

func messageSpec(projectID string, due time.Time) *auth.Message {
	return &auth.Message{
		ID:            auth.NewID(auth.KindMessage, auth.EnvTest),
		ProjectID:     projectID,
		Channel:       auth.ChannelEmail,
		To:            "ada@example.com",
		Subject:       "Your login link",
		Text:          "text",
		HTML:          "<p>html</p>",
		CreatedAt:     due,
		NextAttemptAt: due,
	}
}

func signingKeySpec(projectID string, created time.Time) *auth.SigningKey {
	return &auth.SigningKey{
		ProjectID:     projectID,
		KeyID:         auth.NewID(auth.KindJWK, auth.EnvTest),
		PrivateKeyDER: []byte("not really DER"),
		CreatedAt:     created,
		ActiveAt:      created,
	}
}

var projectTests = []subtest{
	{"PasswordPolicy", func(t *testing.T, st store.Store) {
		p, other := newProject(t, st), newProject(t, st)
		pol := auth.PasswordPolicy{Kind: "luds", LUDSMinLength: 12, LUDSMinCharTypes: 3}
		must(t, st.SetProjectPasswordPolicy(t.Context(), p.ID, pol, at(time.Hour)))
		got, err := st.GetProject(t.Context(), p.ID)
		must(t, err)
		want := *p
		want.PasswordPolicy, want.UpdatedAt = pol, at(time.Hour)
		diff(t, "GetProject after SetProjectPasswordPolicy", got, &want)
		// The other project is untouched: no policy, its update time as
		// created.
		gotOther, err := st.GetProject(t.Context(), other.ID)
		must(t, err)
		diff(t, "GetProject of another project after SetProjectPasswordPolicy", gotOther, other)
		wantNotFound(t, "SetProjectPasswordPolicy of a missing project",
			st.SetProjectPasswordPolicy(t.Context(), "project-test-missing", pol, t0))
	}},
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		got, err := st.GetProject(t.Context(), p.ID)
		must(t, err)
		diff(t, "GetProject", got, p)
		got, err = st.GetProjectByPublicToken(t.Context(), p.PublicToken)
		must(t, err)
		diff(t, "GetProjectByPublicToken", got, p)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		newProject(t, st)
		_, err := st.GetProject(t.Context(), "project-test-missing")
		wantNotFound(t, "GetProject", err)
		_, err = st.GetProjectByPublicToken(t.Context(), "public-token-test-missing")
		wantNotFound(t, "GetProjectByPublicToken", err)
	}},
	{"Conflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		dupID := *p
		dupID.PublicToken = "public-token-test-other"
		wantErr(t, st.CreateProject(t.Context(), &dupID), store.ErrConflict)
		dupToken := *p
		dupToken.ID = "project-test-other"
		wantErr(t, st.CreateProject(t.Context(), &dupToken), store.ErrConflict)
	}},
	{"ListOldestFirst", func(t *testing.T, st store.Store) {
		var want []auth.Project
		for i, d := range []time.Duration{2, 0, 1} {
			p := &auth.Project{
				ID: fmt.Sprintf("project-test-%d", i), Name: "P", Env: auth.EnvLive, SecretHash: []byte{byte(i)},
				PublicToken: fmt.Sprintf("public-token-test-%d", i), CreatedAt: at(d * time.Second), UpdatedAt: at(d * time.Second),
			}
			must(t, st.CreateProject(t.Context(), p))
			want = append(want, *p)
		}
		want = []auth.Project{want[1], want[2], want[0]}
		got, err := st.ListProjects(t.Context())
		must(t, err)
		diff(t, "ListProjects", got, want)
	}},
	{"TimesRoundTripInUTCToTheMicrosecond", func(t *testing.T, st store.Store) {
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		created := time.Date(2031, 12, 31, 23, 59, 59, 999999000, zone)
		p := &auth.Project{ID: "project-test-tz", Name: "TZ", Env: auth.EnvTest, SecretHash: []byte{1},
			PublicToken: "public-token-test-tz", CreatedAt: created, UpdatedAt: time.UnixMicro(1).UTC()}
		must(t, st.CreateProject(t.Context(), p))
		got, err := st.GetProject(t.Context(), p.ID)
		must(t, err)
		if !got.CreatedAt.Equal(created) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v (%v), want %v in UTC", got.CreatedAt, got.CreatedAt.Location(), created.UTC())
		}
		if !got.UpdatedAt.Equal(time.UnixMicro(1)) {
			t.Errorf("UpdatedAt = %v, want one microsecond after the epoch", got.UpdatedAt)
		}
	}},
}

var redirectURLTests = []subtest{
	{"AddList", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		want := []auth.RedirectURL{
			{ProjectID: p.ID, URL: "https://a.example/cb", Type: auth.RedirectLogin, IsDefault: true, CreatedAt: t0},
			{ProjectID: p.ID, URL: "https://a.example/cb", Type: auth.RedirectSignup, CreatedAt: at(time.Second)},
			{ProjectID: p.ID, URL: "https://b.example/cb", Type: auth.RedirectLogin, CreatedAt: at(2 * time.Second)},
		}
		for _, u := range want {
			must(t, st.AddRedirectURL(t.Context(), p.ID, u))
		}
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		diff(t, "ListRedirectURLs", got, want)
	}},
	{"DuplicateIsConflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := auth.RedirectURL{URL: "https://a.example/cb", Type: auth.RedirectLogin, IsDefault: true, CreatedAt: t0}
		must(t, st.AddRedirectURL(t.Context(), p.ID, u))
		wantErr(t, st.AddRedirectURL(t.Context(), p.ID, u), store.ErrConflict)
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		if len(got) != 1 {
			t.Errorf("got %d URLs after a refused duplicate, want 1", len(got))
		}
	}},
	{"NewDefaultReplacesOldPerType", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		for i, u := range []auth.RedirectURL{
			{URL: "https://a.example/", Type: auth.RedirectLogin, IsDefault: true},
			{URL: "https://a.example/", Type: auth.RedirectSignup, IsDefault: true},
			{URL: "https://b.example/", Type: auth.RedirectLogin, IsDefault: true},
		} {
			u.CreatedAt = at(time.Duration(i) * time.Second)
			must(t, st.AddRedirectURL(t.Context(), p.ID, u))
		}
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		defaults := map[string]bool{}
		for _, u := range got {
			defaults[u.URL+" "+string(u.Type)] = u.IsDefault
		}
		diff(t, "defaults", defaults, map[string]bool{
			"https://a.example/ login":  false,
			"https://a.example/ signup": true,
			"https://b.example/ login":  true,
		})
	}},
	{"RefusedDuplicateKeepsDefault", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		must(t, st.AddRedirectURL(t.Context(), p.ID, auth.RedirectURL{URL: "https://a.example/", Type: auth.RedirectLogin, IsDefault: true, CreatedAt: t0}))
		must(t, st.AddRedirectURL(t.Context(), p.ID, auth.RedirectURL{URL: "https://b.example/", Type: auth.RedirectLogin, CreatedAt: at(time.Second)}))
		err := st.AddRedirectURL(t.Context(), p.ID, auth.RedirectURL{URL: "https://b.example/", Type: auth.RedirectLogin, IsDefault: true, CreatedAt: at(2 * time.Second)})
		wantErr(t, err, store.ErrConflict)
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		if len(got) != 2 || !got[0].IsDefault || got[1].IsDefault {
			t.Errorf("after a refused default: %+v, want a.example still the only default", got)
		}
	}},
	{"DeleteRemovesEveryType", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		for _, typ := range auth.RedirectTypes {
			must(t, st.AddRedirectURL(t.Context(), p.ID, auth.RedirectURL{URL: "https://a.example/", Type: typ, CreatedAt: t0}))
		}
		must(t, st.AddRedirectURL(t.Context(), p.ID, auth.RedirectURL{URL: "https://b.example/", Type: auth.RedirectLogin, CreatedAt: t0}))
		must(t, st.DeleteRedirectURL(t.Context(), p.ID, "https://a.example/"))
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		if len(got) != 1 || got[0].URL != "https://b.example/" {
			t.Errorf("after delete: %+v, want only b.example", got)
		}
		wantNotFound(t, "second DeleteRedirectURL", st.DeleteRedirectURL(t.Context(), p.ID, "https://a.example/"))
	}},
	{"ListEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		got, err := st.ListRedirectURLs(t.Context(), p.ID)
		must(t, err)
		diff(t, "ListRedirectURLs", got, []auth.RedirectURL{})
	}},
}

var userTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := userSpec("ada@example.com", "lovelace@example.com")
		u.ProjectID = p.ID
		u.Status = auth.UserPending
		u.Name = auth.Name{First: "Ada", Middle: "King", Last: "Lovelace"}
		u.ExternalID = "ext-1"
		u.CreatedAt, u.UpdatedAt = at(-time.Hour), at(-time.Minute)
		u.Emails[0].Verified = true
		u.TrustedMetadata = map[string]any{"plan": "pro", "seats": 3.0, "flags": []any{"a", true, nil}, "nested": map[string]any{"k": "v"}}
		u.UntrustedMetadata = map[string]any{"theme": "dark"}
		must(t, st.CreateUser(t.Context(), p.ID, u))
		got, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser", got, u)
		got, err = st.GetUserByEmail(t.Context(), p.ID, "lovelace@example.com")
		must(t, err)
		diff(t, "GetUserByEmail", got, u)
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := userSpec()
		u.TrustedMetadata, u.UntrustedMetadata, u.Emails = nil, nil, nil
		must(t, st.CreateUser(t.Context(), p.ID, u))
		got, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		if got.TrustedMetadata == nil || got.UntrustedMetadata == nil || got.Emails == nil {
			t.Errorf("GetUser = %+v, want empty, non-nil metadata and emails", got)
		}
		if len(got.TrustedMetadata)+len(got.UntrustedMetadata)+len(got.Emails) != 0 {
			t.Errorf("GetUser = %+v, want no metadata and no emails", got)
		}
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		_, err := st.GetUser(t.Context(), p.ID, "user-test-missing")
		wantNotFound(t, "GetUser", err)
		_, err = st.GetUserByEmail(t.Context(), p.ID, "nobody@example.com")
		wantNotFound(t, "GetUserByEmail", err)
		u := userSpec()
		wantNotFound(t, "UpdateUser", st.UpdateUser(t.Context(), p.ID, u))
		wantNotFound(t, "DeleteUser", st.DeleteUser(t.Context(), p.ID, u.ID))
	}},
	{"CreateConflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		u.ExternalID = "ext-1"
		must(t, st.UpdateUser(t.Context(), p.ID, u))

		sameID := userSpec()
		sameID.ID = u.ID
		wantErr(t, st.CreateUser(t.Context(), p.ID, sameID), store.ErrConflict)

		sameEmail := userSpec("ADA@Example.com")
		wantErr(t, st.CreateUser(t.Context(), p.ID, sameEmail), store.ErrConflict)

		sameExternal := userSpec()
		sameExternal.ExternalID = "ext-1"
		wantErr(t, st.CreateUser(t.Context(), p.ID, sameExternal), store.ErrConflict)

		// An empty external ID is no external ID: any number may have it.
		newUser(t, st, p.ID)
		newUser(t, st, p.ID)
	}},
	{"FailedCreateLeavesNothing", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		newUser(t, st, p.ID, "taken@example.com")
		u := userSpec("fresh@example.com", "taken@example.com")
		wantErr(t, st.CreateUser(t.Context(), p.ID, u), store.ErrConflict)
		_, err := st.GetUser(t.Context(), p.ID, u.ID)
		wantNotFound(t, "GetUser after failed create", err)
		_, err = st.GetUserByEmail(t.Context(), p.ID, "fresh@example.com")
		wantNotFound(t, "GetUserByEmail after failed create", err)
		newUser(t, st, p.ID, "fresh@example.com")
	}},
	{"AddressesAreStoredLowercased", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "Ada.Lovelace@Example.COM")
		got, err := st.GetUserByEmail(t.Context(), p.ID, "ada.lovelace@example.com")
		must(t, err)
		if got.ID != u.ID || got.Emails[0].Address != "ada.lovelace@example.com" {
			t.Errorf("GetUserByEmail = %+v, want user %s with a lowercased address", got, u.ID)
		}
	}},
	{"Update", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		u.Status = auth.UserPending
		u.Name = auth.Name{First: "Augusta", Middle: "Ada", Last: "King"}
		u.ExternalID = "ext-2"
		u.TrustedMetadata = map[string]any{"role": "admin"}
		u.UntrustedMetadata = nil
		u.UpdatedAt = at(time.Hour)
		u.Emails = nil // UpdateUser does not write emails
		must(t, st.UpdateUser(t.Context(), p.ID, u))
		got, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		want := *u
		want.UntrustedMetadata = map[string]any{}
		want.Emails = []auth.Email{{ID: got.Emails[0].ID, UserID: u.ID, Address: "ada@example.com", CreatedAt: t0}}
		diff(t, "GetUser after UpdateUser", got, &want)
	}},
	{"UpdateExternalIDConflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a, b := newUser(t, st, p.ID), newUser(t, st, p.ID)
		a.ExternalID = "ext"
		must(t, st.UpdateUser(t.Context(), p.ID, a))
		b.ExternalID = "ext"
		wantErr(t, st.UpdateUser(t.Context(), p.ID, b), store.ErrConflict)
	}},
	{"DeleteCascades", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		s := newSession(t, st, p.ID, u.ID)
		tok := newToken(t, st, p.ID, u, auth.TokenMagicLink)
		other := newUser(t, st, p.ID, "other@example.com")
		otherSession := newSession(t, st, p.ID, other.ID)
		otherToken := newToken(t, st, p.ID, other, auth.TokenMagicLink)

		must(t, st.DeleteUser(t.Context(), p.ID, u.ID))
		_, err := st.GetUser(t.Context(), p.ID, u.ID)
		wantNotFound(t, "GetUser", err)
		_, err = st.GetEmail(t.Context(), p.ID, u.Emails[0].ID)
		wantNotFound(t, "GetEmail", err)
		_, err = st.GetUserByEmail(t.Context(), p.ID, "ada@example.com")
		wantNotFound(t, "GetUserByEmail", err)
		_, err = st.GetSession(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetSession", err)
		_, _, err = st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		wantNotFound(t, "GetSessionUserByTokenHash", err)
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{tok.Kind}, t0)
		wantNotFound(t, "ConsumeToken", err)
		wantNotFound(t, "second DeleteUser", st.DeleteUser(t.Context(), p.ID, u.ID))

		// The other user's rows are untouched, and the address is free again.
		_, err = st.GetSession(t.Context(), p.ID, otherSession.ID)
		must(t, err)
		_, err = st.ConsumeToken(t.Context(), p.ID, otherToken.TokenHash, []auth.TokenKind{otherToken.Kind}, t0)
		must(t, err)
		newUser(t, st, p.ID, "ada@example.com")
	}},
}

var emailTests = []subtest{
	{"AddGetVerifyDelete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		e := auth.Email{ID: auth.NewID(auth.KindEmail, auth.EnvTest), UserID: u.ID, Address: "second@example.com", CreatedAt: at(time.Minute)}
		must(t, st.AddEmail(t.Context(), p.ID, e))
		got, err := st.GetEmail(t.Context(), p.ID, e.ID)
		must(t, err)
		diff(t, "GetEmail", got, &e)

		gu, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser emails", gu.Emails, append(u.Emails, e))

		must(t, st.VerifyEmail(t.Context(), p.ID, e.ID))
		got, err = st.GetEmail(t.Context(), p.ID, e.ID)
		must(t, err)
		if !got.Verified {
			t.Error("Verified = false after VerifyEmail")
		}
		must(t, st.VerifyEmail(t.Context(), p.ID, e.ID)) // idempotent

		must(t, st.DeleteEmail(t.Context(), p.ID, e.ID))
		_, err = st.GetEmail(t.Context(), p.ID, e.ID)
		wantNotFound(t, "GetEmail after DeleteEmail", err)
		gu, err = st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser emails after DeleteEmail", gu.Emails, u.Emails)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		_, err := st.GetEmail(t.Context(), p.ID, "email-test-missing")
		wantNotFound(t, "GetEmail", err)
		wantNotFound(t, "VerifyEmail", st.VerifyEmail(t.Context(), p.ID, "email-test-missing"))
		wantNotFound(t, "DeleteEmail", st.DeleteEmail(t.Context(), p.ID, "email-test-missing"))
		// An email must belong to a user of the project.
		e := auth.Email{ID: auth.NewID(auth.KindEmail, auth.EnvTest), UserID: "user-test-missing", Address: "x@example.com", CreatedAt: t0}
		wantNotFound(t, "AddEmail for a missing user", st.AddEmail(t.Context(), p.ID, e))
	}},
	{"Conflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a := newUser(t, st, p.ID, "ada@example.com")
		b := newUser(t, st, p.ID)
		taken := auth.Email{ID: auth.NewID(auth.KindEmail, auth.EnvTest), UserID: b.ID, Address: "Ada@Example.com", CreatedAt: t0}
		wantErr(t, st.AddEmail(t.Context(), p.ID, taken), store.ErrConflict)
		sameID := auth.Email{ID: a.Emails[0].ID, UserID: b.ID, Address: "new@example.com", CreatedAt: t0}
		wantErr(t, st.AddEmail(t.Context(), p.ID, sameID), store.ErrConflict)
	}},
}

func phoneSpec(userID, number string, created time.Time) auth.Phone {
	return auth.Phone{ID: auth.NewID(auth.KindPhone, auth.EnvTest), UserID: userID, Number: number, CreatedAt: created}
}

var phoneTests = []subtest{
	{"ReadWithEmailsAndProviders", func(t *testing.T, st store.Store) {
		// Two emails, two phones and two provider accounts: every read
		// must fold the joined rows back into exactly these, in creation
		// order.
		p := newProject(t, st)
		u := userSpec("ada@example.com", "ada2@example.com")
		u.ProjectID = p.ID
		u.Phones = []auth.Phone{phoneSpec(u.ID, "+12025550162", t0), phoneSpec(u.ID, "+447911123456", at(time.Second))}
		must(t, st.CreateUser(t.Context(), p.ID, u))
		for i, provider := range []string{"google", "github"} {
			r := oauthRegistrationSpec(p.ID, u.ID, "sub-"+provider, at(time.Duration(i)*time.Minute))
			r.Provider = provider
			must(t, st.PutOAuthRegistration(t.Context(), p.ID, r))
			u.Providers = append(u.Providers, auth.ProviderLink{
				RegistrationID: r.ID, Provider: provider, Subject: r.Subject,
				ProfilePictureURL: r.ProfilePictureURL, Locale: r.Locale, CreatedAt: r.CreatedAt,
			})
		}
		sess := sessionSpec(p.ID, u.ID)
		must(t, st.CreateSession(t.Context(), p.ID, sess))

		got, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser", got, u)
		got, err = st.GetUserByEmail(t.Context(), p.ID, "ada2@example.com")
		must(t, err)
		diff(t, "GetUserByEmail", got, u)
		got, err = st.GetUserByPhone(t.Context(), p.ID, "+447911123456")
		must(t, err)
		diff(t, "GetUserByPhone", got, u)
		_, got, err = st.GetSessionUserByTokenHash(t.Context(), p.ID, sess.TokenHash)
		must(t, err)
		diff(t, "GetSessionUserByTokenHash", got, u)
		_, got, err = st.GetSessionUser(t.Context(), p.ID, sess.ID)
		must(t, err)
		diff(t, "GetSessionUser", got, u)
		users, _, err := st.SearchUsers(t.Context(), p.ID, store.UserFilter{PhoneNumbers: []string{"+12025550162"}, Limit: 10})
		must(t, err)
		diff(t, "SearchUsers by phone", users, []auth.User{*u})

		phoneOnly := userSpec()
		phoneOnly.ProjectID = p.ID
		phoneOnly.Phones = []auth.Phone{phoneSpec(phoneOnly.ID, "+33612345678", t0)}
		must(t, st.CreateUser(t.Context(), p.ID, phoneOnly))
		got, err = st.GetUserByPhone(t.Context(), p.ID, "+33612345678")
		must(t, err)
		diff(t, "GetUserByPhone of a user without email", got, phoneOnly)
	}},
	{"AddGetVerifyDelete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		ph := phoneSpec(u.ID, "+12025550162", at(time.Minute))
		must(t, st.AddPhone(t.Context(), p.ID, ph))
		got, err := st.GetPhone(t.Context(), p.ID, ph.ID)
		must(t, err)
		diff(t, "GetPhone", got, &ph)

		must(t, st.VerifyPhone(t.Context(), p.ID, ph.ID))
		must(t, st.VerifyPhone(t.Context(), p.ID, ph.ID)) // idempotent
		ph.Verified = true
		gu, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser phones", gu.Phones, []auth.Phone{ph})

		must(t, st.DeletePhone(t.Context(), p.ID, ph.ID))
		_, err = st.GetPhone(t.Context(), p.ID, ph.ID)
		wantNotFound(t, "GetPhone after DeletePhone", err)
		_, err = st.GetUserByPhone(t.Context(), p.ID, ph.Number)
		wantNotFound(t, "GetUserByPhone after DeletePhone", err)
		gu, err = st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		diff(t, "GetUser phones after DeletePhone", gu.Phones, []auth.Phone{})
	}},
	{"NotFoundAndConflicts", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		_, err := st.GetPhone(t.Context(), p.ID, "phone-number-test-missing")
		wantNotFound(t, "GetPhone", err)
		wantNotFound(t, "VerifyPhone", st.VerifyPhone(t.Context(), p.ID, "phone-number-test-missing"))
		wantNotFound(t, "DeletePhone", st.DeletePhone(t.Context(), p.ID, "phone-number-test-missing"))
		wantNotFound(t, "AddPhone for a missing user", st.AddPhone(t.Context(), p.ID, phoneSpec("user-test-missing", "+12025550162", t0)))

		a, b := newUser(t, st, p.ID), newUser(t, st, p.ID)
		must(t, st.AddPhone(t.Context(), p.ID, phoneSpec(a.ID, "+12025550162", t0)))
		wantErr(t, st.AddPhone(t.Context(), p.ID, phoneSpec(b.ID, "+12025550162", t0)), store.ErrConflict)
		// The same number in another project is another phone.
		c := newUser(t, st, q.ID)
		must(t, st.AddPhone(t.Context(), q.ID, phoneSpec(c.ID, "+12025550162", t0)))
		_, err = st.GetUserByPhone(t.Context(), q.ID, "+447911123456")
		wantNotFound(t, "GetUserByPhone of an unknown number", err)
		got, err := st.GetUserByPhone(t.Context(), q.ID, "+12025550162")
		must(t, err)
		if got.ID != c.ID {
			t.Errorf("GetUserByPhone in project q = %s, want %s", got.ID, c.ID)
		}
		// A user's phones go with it.
		must(t, st.DeleteUser(t.Context(), p.ID, a.ID))
		_, err = st.GetUserByPhone(t.Context(), p.ID, "+12025550162")
		wantNotFound(t, "GetUserByPhone after DeleteUser", err)
		must(t, st.AddPhone(t.Context(), p.ID, phoneSpec(b.ID, "+12025550162", t0)))
	}},
	{"Search", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a, b := newUser(t, st, p.ID, "a@example.com"), newUser(t, st, p.ID, "b@example.com")
		pa := phoneSpec(a.ID, "+12025550162", t0)
		must(t, st.AddPhone(t.Context(), p.ID, pa))
		must(t, st.AddPhone(t.Context(), p.ID, phoneSpec(b.ID, "+447911123456", t0)))
		for _, tc := range []struct {
			name string
			f    store.UserFilter
			want []string
		}{
			{"number", store.UserFilter{PhoneNumbers: []string{"+447911123456"}}, []string{b.ID}},
			{"id", store.UserFilter{PhoneIDs: []string{pa.ID}}, []string{a.ID}},
			{"fuzzy", store.UserFilter{PhoneFuzzy: "5550"}, []string{a.ID}},
			{"fuzzy is literal", store.UserFilter{PhoneFuzzy: "%"}, []string{}},
			{"or email", store.UserFilter{Or: true, PhoneNumbers: []string{"+12025550162"}, EmailAddresses: []string{"b@example.com"}}, []string{a.ID, b.ID}},
		} {
			tc.f.Limit = 10
			users, total, err := st.SearchUsers(t.Context(), p.ID, tc.f)
			must(t, err)
			got := userIDs(users)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			diff(t, tc.name, got, want)
			if total != len(tc.want) {
				t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
			}
		}
	}},
}

// searchFixture creates, in p, users whose (CreatedAt, ID) order is
// u[0] … u[4]: u[1] and u[2] share a CreatedAt and are ordered by ID.
func searchFixture(t *testing.T, st store.Store, projectID string) []*auth.User {
	t.Helper()
	specs := []struct {
		id      string
		status  auth.UserStatus
		created time.Duration
		emails  []string
	}{
		{"user-test-0", auth.UserActive, 0, []string{"a@example.com"}},
		{"user-test-1a", auth.UserActive, time.Second, []string{"c_d@example.com"}},
		{"user-test-1b", auth.UserPending, time.Second, []string{"b@example.com", "b2@example.com"}},
		{"user-test-2", auth.UserPending, 2 * time.Second, nil},
		{"user-test-3", auth.UserActive, 3 * time.Second, []string{"cxd@example.com"}},
	}
	var us []*auth.User
	for _, s := range specs {
		u := userSpec(s.emails...)
		u.ID, u.ProjectID, u.Status = s.id, projectID, s.status
		for i := range u.Emails {
			u.Emails[i].UserID = s.id
		}
		u.CreatedAt, u.UpdatedAt = at(s.created), at(s.created)
		must(t, st.CreateUser(t.Context(), projectID, u))
		us = append(us, u)
	}
	return us
}

func userIDs(us []auth.User) []string {
	ids := []string{}
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	return ids
}

var searchTests = []subtest{
	{"Filters", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		searchFixture(t, st, p.ID)
		// A user of another project matches every filter but never shows.
		q := newProject(t, st)
		newUser(t, st, q.ID, "a@example.com")

		all := []string{"user-test-0", "user-test-1a", "user-test-1b", "user-test-2", "user-test-3"}
		for _, tc := range []struct {
			name string
			f    store.UserFilter
			want []string
		}{
			{"none", store.UserFilter{}, all},
			{"none or", store.UserFilter{Or: true}, all},
			{"status", store.UserFilter{Statuses: []auth.UserStatus{auth.UserActive}}, []string{"user-test-0", "user-test-1a", "user-test-3"}},
			{"ids", store.UserFilter{UserIDs: []string{"user-test-3", "user-test-0", "user-test-missing"}}, []string{"user-test-0", "user-test-3"}},
			{"addresses", store.UserFilter{EmailAddresses: []string{"b2@example.com", "a@example.com"}}, []string{"user-test-0", "user-test-1b"}},
			{"fuzzy escapes _", store.UserFilter{EmailFuzzy: "c_d"}, []string{"user-test-1a"}},
			{"fuzzy escapes %", store.UserFilter{EmailFuzzy: "%"}, []string{}},
			{"fuzzy substring", store.UserFilter{EmailFuzzy: "d@example"}, []string{"user-test-1a", "user-test-3"}},
			{"and", store.UserFilter{UserIDs: []string{"user-test-0", "user-test-1b"}, Statuses: []auth.UserStatus{auth.UserPending}}, []string{"user-test-1b"}},
			{"and none", store.UserFilter{EmailFuzzy: "b2", Statuses: []auth.UserStatus{auth.UserActive}}, []string{}},
			{"or", store.UserFilter{Or: true, UserIDs: []string{"user-test-2"}, EmailAddresses: []string{"a@example.com"}}, []string{"user-test-0", "user-test-2"}},
			{"or fuzzy status", store.UserFilter{Or: true, EmailFuzzy: "cxd", Statuses: []auth.UserStatus{auth.UserPending}}, []string{"user-test-1b", "user-test-2", "user-test-3"}},
		} {
			tc.f.Limit = 100
			got, total, err := st.SearchUsers(t.Context(), p.ID, tc.f)
			must(t, err)
			diff(t, tc.name, userIDs(got), tc.want)
			if total != len(tc.want) {
				t.Errorf("%s: total = %d, want %d", tc.name, total, len(tc.want))
			}
		}
	}},
	{"ReturnsFullUsers", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		us := searchFixture(t, st, p.ID)
		got, _, err := st.SearchUsers(t.Context(), p.ID, store.UserFilter{Limit: 10})
		must(t, err)
		want := []auth.User{}
		for _, u := range us {
			want = append(want, *u)
		}
		diff(t, "SearchUsers", got, want)
	}},
	{"Pages", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		searchFixture(t, st, p.ID)
		for _, tc := range []struct {
			name  string
			f     store.UserFilter
			pages [][]string
		}{
			{"all by 2", store.UserFilter{Limit: 2}, [][]string{{"user-test-0", "user-test-1a"}, {"user-test-1b", "user-test-2"}, {"user-test-3"}}},
			{"all by 5", store.UserFilter{Limit: 5}, [][]string{{"user-test-0", "user-test-1a", "user-test-1b", "user-test-2", "user-test-3"}}},
			{"active by 1", store.UserFilter{Limit: 1, Statuses: []auth.UserStatus{auth.UserActive}}, [][]string{{"user-test-0"}, {"user-test-1a"}, {"user-test-3"}}},
		} {
			checkPages(t, tc.name, tc.pages, func(after *store.Cursor) page {
				f := tc.f
				f.After = after
				got, total, err := st.SearchUsers(t.Context(), p.ID, f)
				must(t, err)
				pg := page{ids: userIDs(got), total: total}
				if len(got) > 0 {
					last := got[len(got)-1]
					pg.last = &store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
				}
				return pg
			})
		}
	}},
	{"LimitMustBePositive", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		if _, _, err := st.SearchUsers(t.Context(), p.ID, store.UserFilter{}); err == nil {
			t.Error("SearchUsers with Limit 0 succeeded, want an error")
		}
	}},
}

var sessionTests = []subtest{
	{"CreateGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		s := sessionSpec(p.ID, u.ID)
		s.AuthenticationFactors = []auth.AuthenticationFactor{{
			Type: auth.FactorMagicLink, DeliveryMethod: auth.DeliveryEmail,
			LastAuthenticatedAt: at(time.Second), CreatedAt: t0, UpdatedAt: at(time.Second),
			EmailFactor: &auth.EmailFactor{EmailID: u.Emails[0].ID, EmailAddress: "ada@example.com"},
		}, {
			Type: auth.FactorOAuth, LastAuthenticatedAt: t0, CreatedAt: t0, UpdatedAt: t0,
		}}
		s.CustomClaims = map[string]any{"tier": "gold", "n": 2.5, "list": []any{"x"}}
		must(t, st.CreateSession(t.Context(), p.ID, s))
		got, err := st.GetSession(t.Context(), p.ID, s.ID)
		must(t, err)
		diff(t, "GetSession", got, s)
		got, gotUser, err := st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		must(t, err)
		diff(t, "GetSessionUserByTokenHash session", got, s)
		diff(t, "GetSessionUserByTokenHash user", gotUser, u)
		got, gotUser, err = st.GetSessionUser(t.Context(), p.ID, s.ID)
		must(t, err)
		diff(t, "GetSessionUser session", got, s)
		diff(t, "GetSessionUser user", gotUser, u)
	}},
	{"SessionUserWithSeveralOrNoEmails", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "first@example.com", "second@example.com")
		s := newSession(t, st, p.ID, u.ID)
		_, gotUser, err := st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		must(t, err)
		diff(t, "user with two emails", gotUser, u)
		for _, e := range u.Emails {
			must(t, st.DeleteEmail(t.Context(), p.ID, e.ID))
		}
		_, gotUser, err = st.GetSessionUser(t.Context(), p.ID, s.ID)
		must(t, err)
		if gotUser.ID != u.ID || gotUser.Emails == nil || len(gotUser.Emails) != 0 {
			t.Errorf("user without emails = %+v, want no (non-nil) emails", gotUser)
		}
	}},
	{"NilValuesReadBackEmpty", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID)
		s := sessionSpec(p.ID, u.ID)
		s.AuthenticationFactors, s.CustomClaims = nil, nil
		must(t, st.CreateSession(t.Context(), p.ID, s))
		got, err := st.GetSession(t.Context(), p.ID, s.ID)
		must(t, err)
		if got.AuthenticationFactors == nil || got.CustomClaims == nil || len(got.AuthenticationFactors)+len(got.CustomClaims) != 0 {
			t.Errorf("GetSession = %+v, want empty, non-nil factors and claims", got)
		}
	}},
	{"ExpiredIsStillReturned", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID)
		s := sessionSpec(p.ID, u.ID)
		s.ExpiresAt = at(-time.Hour)
		must(t, st.CreateSession(t.Context(), p.ID, s))
		got, _, err := st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		must(t, err)
		diff(t, "GetSessionUserByTokenHash", got, s)
	}},
	{"Conflicts", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID)
		s := newSession(t, st, p.ID, u.ID)
		sameID := sessionSpec(p.ID, u.ID)
		sameID.ID = s.ID
		wantErr(t, st.CreateSession(t.Context(), p.ID, sameID), store.ErrConflict)
		sameHash := sessionSpec(p.ID, u.ID)
		sameHash.TokenHash = s.TokenHash
		wantErr(t, st.CreateSession(t.Context(), p.ID, sameHash), store.ErrConflict)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := sessionSpec(p.ID, "user-test-missing")
		_, err := st.GetSession(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetSession", err)
		_, _, err = st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		wantNotFound(t, "GetSessionUserByTokenHash", err)
		_, _, err = st.GetSessionUser(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetSessionUser", err)
		wantNotFound(t, "UpdateSession", st.UpdateSession(t.Context(), p.ID, s))
		wantNotFound(t, "DeleteSession", st.DeleteSession(t.Context(), p.ID, s.ID))
		wantNotFound(t, "CreateSession for a missing user", st.CreateSession(t.Context(), p.ID, s))
	}},
	{"ListUserSessionsActiveNewestFirst", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u, other := newUser(t, st, p.ID), newUser(t, st, p.ID)
		now := at(time.Hour)
		older := sessionSpec(p.ID, u.ID)
		older.StartedAt, older.ExpiresAt = at(time.Minute), at(2*time.Hour)
		newer := sessionSpec(p.ID, u.ID)
		newer.StartedAt, newer.ExpiresAt = at(2*time.Minute), at(2*time.Hour)
		expired := sessionSpec(p.ID, u.ID)
		expired.StartedAt, expired.ExpiresAt = at(3*time.Minute), now // expiring at now is expired
		for _, s := range []*auth.Session{older, newer, expired, sessionSpec(p.ID, other.ID)} {
			must(t, st.CreateSession(t.Context(), p.ID, s))
		}
		got, err := st.ListUserSessions(t.Context(), p.ID, u.ID, now)
		must(t, err)
		diff(t, "ListUserSessions", got, []auth.Session{*newer, *older})
		got, err = st.ListUserSessions(t.Context(), p.ID, "user-test-missing", now)
		must(t, err)
		diff(t, "ListUserSessions of nobody", got, []auth.Session{})
	}},
	{"Update", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID)
		s := newSession(t, st, p.ID, u.ID)
		upd := *s
		upd.LastAccessedAt, upd.ExpiresAt = at(time.Minute), at(3*time.Hour)
		upd.AuthenticationFactors = []auth.AuthenticationFactor{{Type: auth.FactorTOTP, LastAuthenticatedAt: at(time.Minute), CreatedAt: at(time.Minute), UpdatedAt: at(time.Minute)}}
		upd.CustomClaims = map[string]any{"k": "v"}
		// Fields UpdateSession does not write:
		upd.StartedAt, upd.Attributes, upd.UserID = at(time.Hour), auth.SessionAttributes{IPAddress: "198.51.100.1"}, "user-test-other"
		must(t, st.UpdateSession(t.Context(), p.ID, &upd))
		got, err := st.GetSession(t.Context(), p.ID, s.ID)
		must(t, err)
		want := upd
		want.StartedAt, want.Attributes, want.UserID = s.StartedAt, s.Attributes, s.UserID
		diff(t, "GetSession after UpdateSession", got, &want)
	}},
	{"Delete", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID)
		s, keep := newSession(t, st, p.ID, u.ID), newSession(t, st, p.ID, u.ID)
		must(t, st.DeleteSession(t.Context(), p.ID, s.ID))
		_, err := st.GetSession(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetSession after DeleteSession", err)
		_, _, err = st.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
		wantNotFound(t, "GetSessionUserByTokenHash after DeleteSession", err)
		_, _, err = st.GetSessionUser(t.Context(), p.ID, s.ID)
		wantNotFound(t, "GetSessionUser after DeleteSession", err)
		wantNotFound(t, "second DeleteSession", st.DeleteSession(t.Context(), p.ID, s.ID))
		_, err = st.GetSession(t.Context(), p.ID, keep.ID)
		must(t, err)
	}},
}

var magicLink = []auth.TokenKind{auth.TokenMagicLink}

var tokenTests = []subtest{
	{"ConsumeOnce", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tok := tokenSpec(p.ID, u, auth.TokenMagicLink)
		tok.CodeChallenge = "challenge"
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		now := at(time.Minute)
		got, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, now)
		must(t, err)
		want := *tok
		want.ConsumedAt = &now
		diff(t, "ConsumeToken", got, &want)
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, at(2*time.Minute))
		wantErr(t, err, store.ErrConsumed)
	}},
	{"GetWithoutConsuming", func(t *testing.T, st store.Store) {
		p, other := newProject(t, st), newProject(t, st)
		tok := newToken(t, st, p.ID, newUser(t, st, p.ID), auth.TokenPasswordReset)
		reset := []auth.TokenKind{auth.TokenPasswordReset}
		got, err := st.GetToken(t.Context(), p.ID, tok.TokenHash, reset, t0)
		must(t, err)
		diff(t, "GetToken", got, tok)
		_, err = st.GetToken(t.Context(), p.ID, tok.TokenHash, magicLink, t0)
		wantNotFound(t, "GetToken of another kind", err)
		_, err = st.GetToken(t.Context(), other.ID, tok.TokenHash, reset, t0)
		wantNotFound(t, "GetToken from another project", err)
		_, err = st.GetToken(t.Context(), p.ID, tok.TokenHash, reset, tok.ExpiresAt)
		wantErr(t, err, store.ErrConsumed)
		// Getting left it usable; consuming makes it spent for both.
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, reset, t0)
		must(t, err)
		_, err = st.GetToken(t.Context(), p.ID, tok.TokenHash, reset, t0)
		wantErr(t, err, store.ErrConsumed)
		_, err = st.GetToken(t.Context(), p.ID, token.Hash("nope"), reset, t0)
		wantNotFound(t, "GetToken of an unknown hash", err)
	}},
	{"ExpiredIsConsumed", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tok := newToken(t, st, p.ID, newUser(t, st, p.ID), auth.TokenMagicLink)
		_, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, tok.ExpiresAt) // expiring at now is expired
		wantErr(t, err, store.ErrConsumed)
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, tok.ExpiresAt.Add(-time.Microsecond))
		must(t, err)
	}},
	{"Kinds", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tok := newToken(t, st, p.ID, newUser(t, st, p.ID), auth.TokenInvite)
		_, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, t0)
		wantNotFound(t, "ConsumeToken of another kind", err)
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenMagicLink, auth.TokenInvite}, t0)
		must(t, err)
		_, err = st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, t0)
		wantNotFound(t, "ConsumeToken of another kind once consumed", err)
	}},
	{"NotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		_, err := st.ConsumeToken(t.Context(), p.ID, token.Hash("nope"), magicLink, t0)
		wantNotFound(t, "ConsumeToken", err)
		tok := tokenSpec(p.ID, nil, auth.TokenMagicLink)
		tok.UserID = "user-test-missing"
		wantNotFound(t, "CreateToken for a missing user", st.CreateToken(t.Context(), p.ID, tok))
	}},
	{"WithoutUser", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tok := tokenSpec(p.ID, nil, auth.TokenInvite)
		tok.EmailAddress = "invitee@example.com"
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		got, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenInvite}, t0)
		must(t, err)
		want := *tok
		want.ConsumedAt = ptr(t0)
		diff(t, "ConsumeToken", got, &want)
	}},
	{"HashConflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tok := newToken(t, st, p.ID, nil, auth.TokenMagicLink)
		dup := tokenSpec(p.ID, nil, auth.TokenInvite)
		dup.TokenHash = tok.TokenHash
		wantErr(t, st.CreateToken(t.Context(), p.ID, dup), store.ErrConflict)
	}},
	{"Revoke", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		other := newUser(t, st, p.ID, "other@example.com")
		a, b := newToken(t, st, p.ID, u, auth.TokenMagicLink), newToken(t, st, p.ID, u, auth.TokenMagicLink)
		used := newToken(t, st, p.ID, u, auth.TokenMagicLink)
		_, err := st.ConsumeToken(t.Context(), p.ID, used.TokenHash, magicLink, t0)
		must(t, err)
		invite := newToken(t, st, p.ID, u, auth.TokenInvite)
		elsewhere := newToken(t, st, p.ID, other, auth.TokenMagicLink)

		n, err := st.RevokeTokens(t.Context(), p.ID, auth.TokenMagicLink, "ada@example.com", at(time.Second))
		must(t, err)
		if n != 2 {
			t.Errorf("RevokeTokens = %d, want 2", n)
		}
		for _, tok := range []*auth.OneTimeToken{a, b} {
			_, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, magicLink, at(2*time.Second))
			wantErr(t, err, store.ErrConsumed)
		}
		_, err = st.ConsumeToken(t.Context(), p.ID, invite.TokenHash, []auth.TokenKind{auth.TokenInvite}, at(2*time.Second))
		must(t, err)
		_, err = st.ConsumeToken(t.Context(), p.ID, elsewhere.TokenHash, magicLink, at(2*time.Second))
		must(t, err)
		n, err = st.RevokeTokens(t.Context(), p.ID, auth.TokenMagicLink, "ada@example.com", at(3*time.Second))
		must(t, err)
		if n != 0 {
			t.Errorf("second RevokeTokens = %d, want 0", n)
		}
	}},
	{"CountForThrottle", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		other := newUser(t, st, p.ID, "other@example.com")
		for i, kind := range []auth.TokenKind{auth.TokenMagicLink, auth.TokenMagicLink, auth.TokenPasswordReset, auth.TokenOAuth} {
			tok := tokenSpec(p.ID, u, kind)
			tok.CreatedAt = at(time.Duration(i) * time.Minute)
			must(t, st.CreateToken(t.Context(), p.ID, tok))
		}
		spent := tokenSpec(p.ID, u, auth.TokenInvite)
		spent.CreatedAt = at(4 * time.Minute)
		must(t, st.CreateToken(t.Context(), p.ID, spent))
		_, err := st.ConsumeToken(t.Context(), p.ID, spent.TokenHash, []auth.TokenKind{auth.TokenInvite}, at(5*time.Minute))
		must(t, err)
		newToken(t, st, p.ID, other, auth.TokenMagicLink)

		emailed := []auth.TokenKind{auth.TokenMagicLink, auth.TokenInvite, auth.TokenPasswordReset}
		for _, c := range []struct {
			name    string
			address string
			kinds   []auth.TokenKind
			since   time.Time
			want    int
		}{
			// Since is inclusive, spent tokens count, and kinds left out
			// (here OAuth) do not.
			{"since t0", "ada@example.com", emailed, t0, 4},
			{"since t0+1m", "ada@example.com", emailed, at(time.Minute), 3},
			{"address in capitals", "ADA@example.com", emailed, at(time.Minute), 3},
			{"one kind", "ada@example.com", magicLink, t0, 2},
			{"after the last", "ada@example.com", emailed, at(5 * time.Minute), 0},
			{"no kinds", "ada@example.com", nil, t0, 0},
			{"unknown address", "nobody@example.com", emailed, t0, 0},
		} {
			n, err := st.CountTokens(t.Context(), p.ID, c.address, c.kinds, c.since)
			must(t, err)
			if n != c.want {
				t.Errorf("CountTokens %s = %d, want %d", c.name, n, c.want)
			}
		}
	}},
}

var outboxTests = []subtest{
	{"DueSpansProjectsOldestFirst", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		m1 := messageSpec(p.ID, t0)
		m2 := messageSpec(q.ID, at(time.Second))
		// A text message waits in the same queue, with its channel.
		m2.Channel, m2.To, m2.Subject, m2.HTML = auth.ChannelSMS, "+12025550162", "", ""
		m3 := messageSpec(p.ID, at(time.Second))
		m3.CreatedAt = at(2 * time.Second)
		late := messageSpec(p.ID, at(time.Hour))
		for _, m := range []*auth.Message{m3, late, m2, m1} {
			must(t, st.EnqueueMessage(t.Context(), m.ProjectID, m))
		}
		got, err := st.DueMessages(t.Context(), at(time.Minute), 10)
		must(t, err)
		diff(t, "DueMessages", got, []auth.Message{*m1, *m2, *m3})
		got, err = st.DueMessages(t.Context(), at(time.Minute), 2)
		must(t, err)
		diff(t, "DueMessages limited", got, []auth.Message{*m1, *m2})
		got, err = st.DueMessages(t.Context(), at(time.Second), 10) // due at now is due
		must(t, err)
		diff(t, "DueMessages at a due time", got, []auth.Message{*m1, *m2, *m3})
	}},
	{"NoChannelIsEmail", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := messageSpec(p.ID, t0)
		m.Channel = ""
		must(t, st.EnqueueMessage(t.Context(), p.ID, m))
		got, err := st.DueMessages(t.Context(), t0, 10)
		must(t, err)
		m.Channel = auth.ChannelEmail
		diff(t, "DueMessages", got, []auth.Message{*m})
	}},
	{"EnqueueConflict", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := messageSpec(p.ID, t0)
		must(t, st.EnqueueMessage(t.Context(), p.ID, m))
		wantErr(t, st.EnqueueMessage(t.Context(), p.ID, m), store.ErrConflict)
	}},
	{"ClaimLeases", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := messageSpec(p.ID, t0)
		must(t, st.EnqueueMessage(t.Context(), p.ID, m))
		now, lease := at(time.Second), at(time.Minute)

		_, err := st.ClaimMessage(t.Context(), p.ID, m.ID, at(-time.Second), lease)
		wantNotFound(t, "ClaimMessage before due", err)

		got, err := st.ClaimMessage(t.Context(), p.ID, m.ID, now, lease)
		must(t, err)
		want := *m
		want.Attempts, want.NextAttemptAt = 1, lease
		diff(t, "ClaimMessage", got, &want)

		_, err = st.ClaimMessage(t.Context(), p.ID, m.ID, now, lease)
		wantNotFound(t, "second ClaimMessage during the lease", err)
		due, err := st.DueMessages(t.Context(), now, 10)
		must(t, err)
		diff(t, "DueMessages during the lease", due, []auth.Message{})

		got, err = st.ClaimMessage(t.Context(), p.ID, m.ID, lease, at(2*time.Minute))
		must(t, err)
		if got.Attempts != 2 {
			t.Errorf("Attempts after the lease = %d, want 2", got.Attempts)
		}
	}},
	{"MarkSent", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := messageSpec(p.ID, t0)
		must(t, st.EnqueueMessage(t.Context(), p.ID, m))
		must(t, st.MarkMessageSent(t.Context(), p.ID, m.ID, at(time.Second)))
		due, err := st.DueMessages(t.Context(), at(time.Hour), 10)
		must(t, err)
		diff(t, "DueMessages after MarkMessageSent", due, []auth.Message{})
		_, err = st.ClaimMessage(t.Context(), p.ID, m.ID, at(time.Hour), at(2*time.Hour))
		wantNotFound(t, "ClaimMessage after MarkMessageSent", err)
		wantNotFound(t, "MarkMessageSent of a missing message", st.MarkMessageSent(t.Context(), p.ID, "message-test-missing", t0))
	}},
	{"MarkFailed", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		m := messageSpec(p.ID, t0)
		must(t, st.EnqueueMessage(t.Context(), p.ID, m))
		_, err := st.ClaimMessage(t.Context(), p.ID, m.ID, t0, at(time.Minute))
		must(t, err)
		retry := at(time.Hour)
		must(t, st.MarkMessageFailed(t.Context(), p.ID, m.ID, "550 mailbox unavailable", retry))
		due, err := st.DueMessages(t.Context(), at(time.Minute), 10)
		must(t, err)
		diff(t, "DueMessages before the retry", due, []auth.Message{})
		due, err = st.DueMessages(t.Context(), retry, 10)
		must(t, err)
		want := *m
		want.Attempts, want.NextAttemptAt, want.LastError = 1, retry, "550 mailbox unavailable"
		diff(t, "DueMessages at the retry", due, []auth.Message{want})
		wantNotFound(t, "MarkMessageFailed of a missing message", st.MarkMessageFailed(t.Context(), p.ID, "message-test-missing", "x", retry))
	}},
}

func devMessage(projectID, to string, created time.Time) *auth.DevMessage {
	return &auth.DevMessage{
		ID: auth.NewID(auth.KindMessage, auth.EnvTest), ProjectID: projectID, Channel: auth.ChannelEmail, To: to,
		Subject: "Subject", Text: "text", HTML: "<p>html</p>", CreatedAt: created,
	}
}

var devInboxTests = []subtest{
	{"AddList", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		m1 := devMessage(p.ID, "ada@example.com", t0)
		m2 := devMessage(q.ID, "ada@example.com", at(time.Second))
		m3 := devMessage(p.ID, "+12025550162", at(2*time.Second))
		m3.Channel, m3.Subject, m3.HTML = auth.ChannelWhatsApp, "", ""
		for _, m := range []*auth.DevMessage{m1, m2, m3} {
			must(t, st.AddDevMessage(t.Context(), m.ProjectID, m))
		}
		wantErr(t, st.AddDevMessage(t.Context(), p.ID, m1), store.ErrConflict)
		for _, tc := range []struct {
			name string
			f    store.DevMessageFilter
			want []auth.DevMessage
		}{
			{"all projects", store.DevMessageFilter{}, []auth.DevMessage{*m3, *m2, *m1}},
			{"project", store.DevMessageFilter{ProjectID: p.ID}, []auth.DevMessage{*m3, *m1}},
			{"to", store.DevMessageFilter{To: "ada@example.com"}, []auth.DevMessage{*m2, *m1}},
			{"project and to", store.DevMessageFilter{ProjectID: q.ID, To: "ada@example.com"}, []auth.DevMessage{*m2}},
			{"limit", store.DevMessageFilter{Limit: 1}, []auth.DevMessage{*m3}},
			{"phone", store.DevMessageFilter{To: "+12025550162"}, []auth.DevMessage{*m3}},
			{"no match", store.DevMessageFilter{To: "nobody@example.com"}, []auth.DevMessage{}},
		} {
			got, err := st.ListDevMessages(t.Context(), tc.f)
			must(t, err)
			diff(t, tc.name, got, tc.want)
		}
	}},
	{"DefaultLimitIs100", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		must(t, st.InTx(t.Context(), func(tx store.Store) error {
			for i := range 101 {
				if err := tx.AddDevMessage(t.Context(), p.ID, devMessage(p.ID, "ada@example.com", at(time.Duration(i)*time.Second))); err != nil {
					return err
				}
			}
			return nil
		}))
		got, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{ProjectID: p.ID})
		must(t, err)
		if len(got) != 100 {
			t.Errorf("got %d messages, want 100", len(got))
		}
	}},
}

var signingKeyTests = []subtest{
	{"AddListRetire", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		k1, k2 := signingKeySpec(p.ID, t0), signingKeySpec(p.ID, at(time.Hour))
		k2.ActiveAt = at(2 * time.Hour)
		for _, k := range []*auth.SigningKey{k2, k1} {
			must(t, st.AddSigningKey(t.Context(), p.ID, k))
		}
		got, err := st.ListSigningKeys(t.Context(), p.ID, at(time.Hour))
		must(t, err)
		diff(t, "ListSigningKeys", got, []auth.SigningKey{*k1, *k2})

		retired, expires := at(2*time.Hour), at(3*time.Hour)
		must(t, st.RetireSigningKey(t.Context(), p.ID, k1.KeyID, retired, expires))
		k1.RetiredAt, k1.ExpiresAt = &retired, &expires
		got, err = st.ListSigningKeys(t.Context(), p.ID, retired)
		must(t, err)
		diff(t, "ListSigningKeys after retiring", got, []auth.SigningKey{*k1, *k2})
		got, err = st.ListSigningKeys(t.Context(), p.ID, expires) // expiring at now is expired
		must(t, err)
		diff(t, "ListSigningKeys after expiry", got, []auth.SigningKey{*k2})
	}},
	{"ConflictAndNotFound", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		k := signingKeySpec(p.ID, t0)
		must(t, st.AddSigningKey(t.Context(), p.ID, k))
		wantErr(t, st.AddSigningKey(t.Context(), p.ID, k), store.ErrConflict)
		wantNotFound(t, "RetireSigningKey", st.RetireSigningKey(t.Context(), p.ID, "jwk-test-missing", t0, t0))
	}},
}

var errBoom = errors.New("boom")

var txTests = []subtest{
	{"Commit", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := userSpec("ada@example.com")
		must(t, st.InTx(t.Context(), func(tx store.Store) error {
			return tx.CreateUser(t.Context(), p.ID, u)
		}))
		_, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
	}},
	{"RollbackOnError", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := userSpec("ada@example.com")
		err := st.InTx(t.Context(), func(tx store.Store) error {
			must(t, tx.CreateUser(t.Context(), p.ID, u))
			must(t, tx.EnqueueMessage(t.Context(), p.ID, messageSpec(p.ID, t0)))
			return fmt.Errorf("wrapped: %w", errBoom)
		})
		wantErr(t, err, errBoom)
		_, err = st.GetUser(t.Context(), p.ID, u.ID)
		wantNotFound(t, "GetUser after rollback", err)
		due, err := st.DueMessages(t.Context(), at(time.Hour), 10)
		must(t, err)
		diff(t, "DueMessages after rollback", due, []auth.Message{})
	}},
	{"RollbackOnPanic", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := userSpec("ada@example.com")
		func() {
			defer func() {
				if r := recover(); r != errBoom {
					t.Errorf("recovered %v, want the panic to propagate", r)
				}
			}()
			_ = st.InTx(t.Context(), func(tx store.Store) error {
				must(t, tx.CreateUser(t.Context(), p.ID, u))
				panic(errBoom)
			})
		}()
		_, err := st.GetUser(t.Context(), p.ID, u.ID)
		wantNotFound(t, "GetUser after panic", err)
		// The transaction's connection was released: writes still work.
		newUser(t, st, p.ID, "ada@example.com")
	}},
	{"NestedReusesOuter", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a, b := userSpec("a@example.com"), userSpec("b@example.com")
		err := st.InTx(t.Context(), func(tx store.Store) error {
			must(t, tx.CreateUser(t.Context(), p.ID, a))
			must(t, tx.InTx(t.Context(), func(inner store.Store) error {
				// The inner transaction sees the outer's uncommitted write.
				if _, err := inner.GetUser(t.Context(), p.ID, a.ID); err != nil {
					return err
				}
				return inner.CreateUser(t.Context(), p.ID, b)
			}))
			return errBoom
		})
		wantErr(t, err, errBoom)
		for _, u := range []*auth.User{a, b} {
			_, err := st.GetUser(t.Context(), p.ID, u.ID)
			wantNotFound(t, "GetUser after the outer rollback", err)
		}
		err = st.InTx(t.Context(), func(tx store.Store) error {
			must(t, tx.CreateUser(t.Context(), p.ID, a))
			return tx.InTx(t.Context(), func(store.Store) error { return errBoom })
		})
		wantErr(t, err, errBoom)
		_, err = st.GetUser(t.Context(), p.ID, a.ID)
		wantNotFound(t, "GetUser after an inner error", err)
	}},
	{"ReadsOwnWrites", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		must(t, st.InTx(t.Context(), func(tx store.Store) error {
			q := &auth.Project{ID: "project-test-tx", Name: "Tx", Env: auth.EnvTest, SecretHash: []byte{1}, PublicToken: "public-token-test-tx", CreatedAt: t0, UpdatedAt: t0}
			must(t, tx.CreateProject(t.Context(), q))
			gotP, err := tx.GetProject(t.Context(), q.ID)
			must(t, err)
			diff(t, "GetProject in tx", gotP, q)

			u := userSpec("ada@example.com")
			u.ProjectID = p.ID
			must(t, tx.CreateUser(t.Context(), p.ID, u))
			gotU, err := tx.GetUser(t.Context(), p.ID, u.ID)
			must(t, err)
			diff(t, "GetUser in tx", gotU, u)
			gotU, err = tx.GetUserByEmail(t.Context(), p.ID, "ada@example.com")
			must(t, err)
			diff(t, "GetUserByEmail in tx", gotU, u)

			s := sessionSpec(p.ID, u.ID)
			must(t, tx.CreateSession(t.Context(), p.ID, s))
			gotS, gotSU, err := tx.GetSessionUserByTokenHash(t.Context(), p.ID, s.TokenHash)
			must(t, err)
			diff(t, "GetSessionUserByTokenHash in tx", gotS, s)
			diff(t, "GetSessionUserByTokenHash user in tx", gotSU, u)
			return nil
		}))
	}},
	{"ConflictKeepsTxUsable", func(t *testing.T, st store.Store) {
		// A refused write is an answer, not a failure: a service may
		// branch on ErrConflict (login-or-create) and go on in the same
		// transaction, on every dialect, and the refused call leaves
		// nothing behind.
		p := newProject(t, st)
		newUser(t, st, p.ID, "ada@example.com")
		refused, u := userSpec("new@example.com", "ada@example.com"), userSpec("bob@example.com")
		must(t, st.InTx(t.Context(), func(tx store.Store) error {
			wantErr(t, tx.CreateUser(t.Context(), p.ID, refused), store.ErrConflict)
			return tx.CreateUser(t.Context(), p.ID, u)
		}))
		_, err := st.GetUser(t.Context(), p.ID, u.ID)
		must(t, err)
		_, err = st.GetUser(t.Context(), p.ID, refused.ID)
		wantNotFound(t, "GetUser of the refused user", err)
	}},
	{"NestedErrorUndoesOnlyInner", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		a, b := userSpec("a@example.com"), userSpec("b@example.com")
		must(t, st.InTx(t.Context(), func(tx store.Store) error {
			must(t, tx.CreateUser(t.Context(), p.ID, a))
			err := tx.InTx(t.Context(), func(inner store.Store) error {
				must(t, inner.CreateUser(t.Context(), p.ID, b))
				return errBoom
			})
			wantErr(t, err, errBoom)
			return nil
		}))
		_, err := st.GetUser(t.Context(), p.ID, a.ID)
		must(t, err)
		_, err = st.GetUser(t.Context(), p.ID, b.ID)
		wantNotFound(t, "GetUser of the inner call's user", err)
	}},
}

// tenant is one project's worth of rows, for the isolation tests.
type tenant struct {
	p        *auth.Project
	u        *auth.User
	s        *auth.Session
	tok      *auth.OneTimeToken
	m        *auth.Message
	dev      *auth.DevMessage
	key      *auth.SigningKey
	url      auth.RedirectURL
	intruder *auth.Project // a second project, with rows of its own
}

func newTenant(t *testing.T, st store.Store) tenant {
	t.Helper()
	var tn tenant
	tn.p = newProject(t, st)
	tn.u = newUser(t, st, tn.p.ID, "ada@example.com")
	tn.u.ExternalID = "ext-1"
	must(t, st.UpdateUser(t.Context(), tn.p.ID, tn.u))
	tn.s = newSession(t, st, tn.p.ID, tn.u.ID)
	tn.tok = newToken(t, st, tn.p.ID, tn.u, auth.TokenMagicLink)
	tn.m = messageSpec(tn.p.ID, t0)
	must(t, st.EnqueueMessage(t.Context(), tn.p.ID, tn.m))
	tn.dev = devMessage(tn.p.ID, "ada@example.com", t0)
	must(t, st.AddDevMessage(t.Context(), tn.p.ID, tn.dev))
	tn.key = signingKeySpec(tn.p.ID, t0)
	must(t, st.AddSigningKey(t.Context(), tn.p.ID, tn.key))
	tn.url = auth.RedirectURL{ProjectID: tn.p.ID, URL: "https://a.example/", Type: auth.RedirectLogin, IsDefault: true, CreatedAt: t0}
	must(t, st.AddRedirectURL(t.Context(), tn.p.ID, tn.url))
	tn.intruder = newProject(t, st)
	newUser(t, st, tn.intruder.ID, "someone@example.com")
	return tn
}

var isolationTests = []subtest{
	{"Users", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.GetUser(ctx, b, tn.u.ID)
		wantNotFound(t, "GetUser", err)
		_, err = st.GetUserByEmail(ctx, b, "ada@example.com")
		wantNotFound(t, "GetUserByEmail", err)
		_, err = st.GetEmail(ctx, b, tn.u.Emails[0].ID)
		wantNotFound(t, "GetEmail", err)
		wantNotFound(t, "VerifyEmail", st.VerifyEmail(ctx, b, tn.u.Emails[0].ID))
		wantNotFound(t, "DeleteEmail", st.DeleteEmail(ctx, b, tn.u.Emails[0].ID))
		wantNotFound(t, "UpdateUser", st.UpdateUser(ctx, b, tn.u))
		wantNotFound(t, "DeleteUser", st.DeleteUser(ctx, b, tn.u.ID))
		e := auth.Email{ID: auth.NewID(auth.KindEmail, auth.EnvTest), UserID: tn.u.ID, Address: "new@example.com", CreatedAt: t0}
		wantNotFound(t, "AddEmail to another project's user", st.AddEmail(ctx, b, e))
		got, total, err := st.SearchUsers(ctx, b, store.UserFilter{Or: true, UserIDs: []string{tn.u.ID}, EmailAddresses: []string{"ada@example.com"}, Limit: 10})
		must(t, err)
		if len(got) != 0 || total != 0 {
			t.Errorf("SearchUsers = %d users, total %d; want none", len(got), total)
		}

		// The same address and external ID are free in another project.
		v := userSpec("ada@example.com")
		v.ExternalID = "ext-1"
		must(t, st.CreateUser(ctx, b, v))

		// And the first project's user is intact.
		gotU, err := st.GetUser(ctx, tn.p.ID, tn.u.ID)
		must(t, err)
		diff(t, "GetUser in its own project", gotU, tn.u)
	}},
	{"Sessions", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.GetSession(ctx, b, tn.s.ID)
		wantNotFound(t, "GetSession", err)
		_, _, err = st.GetSessionUserByTokenHash(ctx, b, tn.s.TokenHash)
		wantNotFound(t, "GetSessionUserByTokenHash", err)
		_, _, err = st.GetSessionUser(ctx, b, tn.s.ID)
		wantNotFound(t, "GetSessionUser", err)
		ss, err := st.ListUserSessions(ctx, b, tn.u.ID, t0)
		must(t, err)
		diff(t, "ListUserSessions", ss, []auth.Session{})
		wantNotFound(t, "UpdateSession", st.UpdateSession(ctx, b, tn.s))
		wantNotFound(t, "DeleteSession", st.DeleteSession(ctx, b, tn.s.ID))
		wantNotFound(t, "CreateSession for another project's user", st.CreateSession(ctx, b, sessionSpec(b, tn.u.ID)))
		got, err := st.GetSession(ctx, tn.p.ID, tn.s.ID)
		must(t, err)
		diff(t, "GetSession in its own project", got, tn.s)
	}},
	{"Tokens", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.ConsumeToken(ctx, b, tn.tok.TokenHash, magicLink, t0)
		wantNotFound(t, "ConsumeToken", err)
		n, err := st.RevokeTokens(ctx, b, auth.TokenMagicLink, tn.tok.EmailAddress, t0)
		must(t, err)
		if n != 0 {
			t.Errorf("RevokeTokens = %d, want 0", n)
		}
		n, err = st.CountTokens(ctx, b, tn.tok.EmailAddress, magicLink, t0)
		must(t, err)
		if n != 0 {
			t.Errorf("CountTokens = %d, want 0", n)
		}
		_, err = st.ConsumeToken(ctx, tn.p.ID, tn.tok.TokenHash, magicLink, t0)
		must(t, err)
	}},
	{"Outbox", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		_, err := st.ClaimMessage(ctx, b, tn.m.ID, t0, at(time.Minute))
		wantNotFound(t, "ClaimMessage", err)
		wantNotFound(t, "MarkMessageSent", st.MarkMessageSent(ctx, b, tn.m.ID, t0))
		wantNotFound(t, "MarkMessageFailed", st.MarkMessageFailed(ctx, b, tn.m.ID, "x", t0))
		got, err := st.ClaimMessage(ctx, tn.p.ID, tn.m.ID, t0, at(time.Minute))
		must(t, err)
		if got.Attempts != 1 || got.LastError != "" || got.SentAt != nil {
			t.Errorf("ClaimMessage in its own project = %+v, want an untouched message", got)
		}
	}},
	{"DevInbox", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		got, err := st.ListDevMessages(t.Context(), store.DevMessageFilter{ProjectID: tn.intruder.ID})
		must(t, err)
		diff(t, "ListDevMessages", got, []auth.DevMessage{})
	}},
	{"SigningKeys", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		ks, err := st.ListSigningKeys(ctx, b, t0)
		must(t, err)
		diff(t, "ListSigningKeys", ks, []auth.SigningKey{})
		wantNotFound(t, "RetireSigningKey", st.RetireSigningKey(ctx, b, tn.key.KeyID, t0, t0))
		ks, err = st.ListSigningKeys(ctx, tn.p.ID, t0)
		must(t, err)
		diff(t, "ListSigningKeys in its own project", ks, []auth.SigningKey{*tn.key})
	}},
	{"RedirectURLs", func(t *testing.T, st store.Store) {
		tn := newTenant(t, st)
		b, ctx := tn.intruder.ID, t.Context()
		us, err := st.ListRedirectURLs(ctx, b)
		must(t, err)
		diff(t, "ListRedirectURLs", us, []auth.RedirectURL{})
		wantNotFound(t, "DeleteRedirectURL", st.DeleteRedirectURL(ctx, b, tn.url.URL))
		// The same URL, as another project's default, leaves the first's alone.
		must(t, st.AddRedirectURL(ctx, b, auth.RedirectURL{URL: tn.url.URL, Type: tn.url.Type, IsDefault: true, CreatedAt: t0}))
		us, err = st.ListRedirectURLs(ctx, tn.p.ID)
		must(t, err)
		diff(t, "ListRedirectURLs in its own project", us, []auth.RedirectURL{tn.url})
	}},
}
