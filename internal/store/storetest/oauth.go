package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

func oauthProviderSpec(projectID, name string, typ auth.OAuthProviderType) *auth.OAuthProvider {
	return &auth.OAuthProvider{
		ProjectID: projectID, Name: name, Type: typ, ClientID: "client-" + name,
		SealedClientSecret: []byte("sealed secret"), Scopes: []string{"email", "profile"},
		IssuerURL: "https://issuer.example.com", AuthURL: "", TokenURL: "https://token.example.com",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

var oauthProviderTests = []subtest{
	{"PutGetListDelete", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		ctx := t.Context()
		google := oauthProviderSpec(p.ID, "google", auth.OAuthGoogle)
		acme := oauthProviderSpec(p.ID, "acme", auth.OAuthOIDC)
		acme.Scopes = []string{}
		for _, pr := range []*auth.OAuthProvider{google, acme} {
			must(t, st.PutOAuthProvider(ctx, p.ID, pr))
		}
		got, err := st.GetOAuthProvider(ctx, p.ID, "google")
		must(t, err)
		diff(t, "GetOAuthProvider", got, google)
		list, err := st.ListOAuthProviders(ctx, p.ID)
		must(t, err)
		diff(t, "ListOAuthProviders", list, []auth.OAuthProvider{*acme, *google})

		// Replacing keeps the creation time and changes everything else.
		repl := oauthProviderSpec(p.ID, "google", auth.OAuthGoogle)
		repl.ClientID, repl.SealedClientSecret, repl.Scopes = "client-2", []byte("other"), []string{"openid"}
		repl.CreatedAt, repl.UpdatedAt = at(time.Hour), at(time.Hour)
		must(t, st.PutOAuthProvider(ctx, p.ID, repl))
		if !repl.CreatedAt.Equal(t0) {
			t.Errorf("replaced provider's CreatedAt = %v, want the original %v", repl.CreatedAt, t0)
		}
		got, err = st.GetOAuthProvider(ctx, p.ID, "google")
		must(t, err)
		diff(t, "GetOAuthProvider after replace", got, repl)

		// Another project sees none of them.
		_, err = st.GetOAuthProvider(ctx, q.ID, "google")
		wantNotFound(t, "GetOAuthProvider of another project", err)
		list, err = st.ListOAuthProviders(ctx, q.ID)
		must(t, err)
		diff(t, "ListOAuthProviders of another project", list, []auth.OAuthProvider{})
		wantNotFound(t, "DeleteOAuthProvider of another project", st.DeleteOAuthProvider(ctx, q.ID, "google"))

		must(t, st.DeleteOAuthProvider(ctx, p.ID, "google"))
		_, err = st.GetOAuthProvider(ctx, p.ID, "google")
		wantNotFound(t, "GetOAuthProvider after delete", err)
		wantNotFound(t, "DeleteOAuthProvider twice", st.DeleteOAuthProvider(ctx, p.ID, "google"))
	}},
}

func oauthStateSpec(projectID string) *auth.OAuthState {
	return &auth.OAuthState{
		ID: auth.NewID(auth.KindOAuthState, auth.EnvTest), ProjectID: projectID,
		StateHash: token.Hash(token.NewSession()), BindingHash: token.Hash(token.NewSession()),
		Provider: "google", Nonce: "nonce-1", SealedVerifier: []byte("sealed verifier"),
		LoginRedirectURL: "http://localhost:3000/login", SignupRedirectURL: "http://localhost:3000/signup",
		CodeChallenge: "challenge", Scopes: []string{"calendar"}, AttachUserID: "user-test-attach",
		Kind: auth.OAuthLoginB2B, OrganizationID: "organization-test-1",
		CreatedAt: t0, ExpiresAt: at(10 * time.Minute),
	}
}

var oauthStateTests = []subtest{
	{"CreateConsume", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		ctx := t.Context()
		s := oauthStateSpec(p.ID)
		must(t, st.CreateOAuthState(ctx, p.ID, s))
		wantErr(t, st.CreateOAuthState(ctx, p.ID, s), store.ErrConflict)

		_, err := st.ConsumeOAuthState(ctx, q.ID, s.StateHash, at(time.Minute))
		wantNotFound(t, "ConsumeOAuthState in another project", err)
		_, err = st.ConsumeOAuthState(ctx, p.ID, []byte("no such state"), at(time.Minute))
		wantNotFound(t, "ConsumeOAuthState of an unknown state", err)

		got, err := st.ConsumeOAuthState(ctx, p.ID, s.StateHash, at(time.Minute))
		must(t, err)
		consumed := at(time.Minute)
		s.ConsumedAt = &consumed
		diff(t, "ConsumeOAuthState", got, s)
		_, err = st.ConsumeOAuthState(ctx, p.ID, s.StateHash, at(2*time.Minute))
		wantErr(t, err, store.ErrConsumed)

		late := oauthStateSpec(p.ID)
		must(t, st.CreateOAuthState(ctx, p.ID, late))
		_, err = st.ConsumeOAuthState(ctx, p.ID, late.StateHash, late.ExpiresAt)
		wantErr(t, err, store.ErrConsumed)
	}},
	{"ConsumeConcurrently", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		s := oauthStateSpec(p.ID)
		must(t, st.CreateOAuthState(t.Context(), p.ID, s))
		const callers = 30
		ok, consumed := countOutcomes(t, callers, func() error {
			_, err := st.ConsumeOAuthState(t.Context(), p.ID, s.StateHash, at(time.Minute))
			return err
		})
		if ok != 1 || consumed != callers-1 {
			t.Errorf("%d succeeded and %d got ErrConsumed, want 1 and %d", ok, consumed, callers-1)
		}
	}},
}

func oauthRegistrationSpec(projectID, userID, subject string, created time.Time) *auth.OAuthRegistration {
	return &auth.OAuthRegistration{
		ID: auth.NewID(auth.KindOAuthRegistration, auth.EnvTest), ProjectID: projectID, UserID: userID,
		Provider: "google", Subject: subject, Email: "ada@example.com", ProfilePictureURL: "https://example.com/ada.png",
		Locale: "en", SealedTokens: []byte("sealed tokens"), CreatedAt: created, UpdatedAt: created,
	}
}

var oauthRegistrationTests = []subtest{
	{"PutGetListDelete", func(t *testing.T, st store.Store) {
		p, q := newProject(t, st), newProject(t, st)
		ctx := t.Context()
		u := newUser(t, st, p.ID, "ada@example.com")
		r := oauthRegistrationSpec(p.ID, u.ID, "sub-1", t0)
		must(t, st.PutOAuthRegistration(ctx, p.ID, r))
		got, err := st.GetOAuthRegistration(ctx, p.ID, r.ID)
		must(t, err)
		diff(t, "GetOAuthRegistration", got, r)
		got, err = st.GetOAuthRegistrationBySubject(ctx, p.ID, "google", "sub-1")
		must(t, err)
		diff(t, "GetOAuthRegistrationBySubject", got, r)

		// The same account again updates the link, keeping its ID, user
		// and creation time whatever the new row said.
		other := newUser(t, st, p.ID, "other@example.com")
		again := oauthRegistrationSpec(p.ID, other.ID, "sub-1", at(time.Hour))
		again.Email, again.SealedTokens = "ada@new.example.com", []byte("new tokens")
		must(t, st.PutOAuthRegistration(ctx, p.ID, again))
		if again.ID != r.ID || again.UserID != u.ID || !again.CreatedAt.Equal(t0) {
			t.Errorf("second put = %s for %s created %v, want the first link's %s for %s created %v", again.ID, again.UserID, again.CreatedAt, r.ID, u.ID, t0)
		}
		got, err = st.GetOAuthRegistration(ctx, p.ID, r.ID)
		must(t, err)
		diff(t, "GetOAuthRegistration after update", got, again)

		second := oauthRegistrationSpec(p.ID, u.ID, "sub-2", at(time.Minute))
		second.Provider = "github"
		must(t, st.PutOAuthRegistration(ctx, p.ID, second))
		list, err := st.ListUserOAuthRegistrations(ctx, p.ID, u.ID)
		must(t, err)
		diff(t, "ListUserOAuthRegistrations", list, []auth.OAuthRegistration{*again, *second})

		_, err = st.GetOAuthRegistration(ctx, q.ID, r.ID)
		wantNotFound(t, "GetOAuthRegistration in another project", err)
		_, err = st.GetOAuthRegistrationBySubject(ctx, q.ID, "google", "sub-1")
		wantNotFound(t, "GetOAuthRegistrationBySubject in another project", err)
		wantNotFound(t, "PutOAuthRegistration for a missing user", st.PutOAuthRegistration(ctx, p.ID, oauthRegistrationSpec(p.ID, "user-test-missing", "sub-3", t0)))

		must(t, st.DeleteOAuthRegistration(ctx, p.ID, second.ID))
		wantNotFound(t, "DeleteOAuthRegistration twice", st.DeleteOAuthRegistration(ctx, p.ID, second.ID))
		// A user's links go with it.
		must(t, st.DeleteUser(ctx, p.ID, u.ID))
		_, err = st.GetOAuthRegistration(ctx, p.ID, r.ID)
		wantNotFound(t, "GetOAuthRegistration after DeleteUser", err)
	}},
	{"TokenCarriesRegistration", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		u := newUser(t, st, p.ID, "ada@example.com")
		tok := tokenSpec(p.ID, u, auth.TokenOAuth)
		tok.OAuthRegistrationID = auth.NewID(auth.KindOAuthRegistration, auth.EnvTest)
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		got, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenOAuth}, at(time.Second))
		must(t, err)
		if got.OAuthRegistrationID != tok.OAuthRegistrationID {
			t.Errorf("consumed token's registration = %q, want %q", got.OAuthRegistrationID, tok.OAuthRegistrationID)
		}
		attach := tokenSpec(p.ID, u, auth.TokenOAuthAttach)
		attach.Provider = "acme"
		must(t, st.CreateToken(t.Context(), p.ID, attach))
		got, err = st.ConsumeToken(t.Context(), p.ID, attach.TokenHash, []auth.TokenKind{auth.TokenOAuthAttach}, at(time.Second))
		must(t, err)
		if got.Provider != "acme" {
			t.Errorf("consumed attach token's provider = %q, want acme", got.Provider)
		}
	}}, {"B2BTokenCarriesIdentity", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		tok := tokenSpec(p.ID, nil, auth.TokenB2BOAuth)
		tok.OrganizationID, tok.Provider, tok.SealedOAuthIdentity = "organization-test-1", "google", []byte("sealed identity")
		must(t, st.CreateToken(t.Context(), p.ID, tok))
		_, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenOAuth}, at(time.Second))
		wantNotFound(t, "ConsumeToken of a B2B OAuth token as a consumer one", err)
		got, err := st.ConsumeToken(t.Context(), p.ID, tok.TokenHash, []auth.TokenKind{auth.TokenB2BOAuth}, at(time.Second))
		must(t, err)
		if string(got.SealedOAuthIdentity) != "sealed identity" || got.OrganizationID != tok.OrganizationID {
			t.Errorf("consumed token carries %q into %q, want the sealed identity into %q", got.SealedOAuthIdentity, got.OrganizationID, tok.OrganizationID)
		}
	}},
}

var memberOAuthRegistrationTests = []subtest{
	{"PutGet", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		ctx := t.Context()
		o, o2 := newOrg(t, st, p.ID, "acme"), newOrg(t, st, p.ID, "globex")
		m, other := newMember(t, st, p.ID, o.ID, "ada@acme.com"), newMember(t, st, p.ID, o.ID, "bob@acme.com")
		r := &auth.MemberOAuthRegistration{
			ID: auth.NewID(auth.KindMemberOAuthRegistration, auth.EnvTest), OrganizationID: o.ID, MemberID: m.ID,
			Provider: "google", Subject: "sub-1", Email: "ada@acme.com", TenantID: "acme.com", Locale: "en",
			SealedTokens: []byte("sealed tokens"), CreatedAt: t0, UpdatedAt: t0,
		}
		must(t, st.PutMemberOAuthRegistration(ctx, p.ID, r))
		got, err := st.GetMemberOAuthRegistrationBySubject(ctx, p.ID, o.ID, "google", "sub-1")
		must(t, err)
		diff(t, "GetMemberOAuthRegistrationBySubject", got, r)
		_, err = st.GetMemberOAuthRegistrationBySubject(ctx, p.ID, o2.ID, "google", "sub-1")
		wantNotFound(t, "GetMemberOAuthRegistrationBySubject in another organization", err)

		// The same account again keeps the link's member and ID, and,
		// written without tokens, its tokens.
		again := *r
		again.ID, again.MemberID, again.SealedTokens, again.TenantID, again.UpdatedAt = "member-oauth-registration-test-x", other.ID, nil, "", at(time.Hour)
		must(t, st.PutMemberOAuthRegistration(ctx, p.ID, &again))
		if again.ID != r.ID || again.MemberID != m.ID {
			t.Errorf("second put = %s for %s, want the first link's %s for %s", again.ID, again.MemberID, r.ID, m.ID)
		}
		got, err = st.GetMemberOAuthRegistrationBySubject(ctx, p.ID, o.ID, "google", "sub-1")
		must(t, err)
		if string(got.SealedTokens) != "sealed tokens" || got.TenantID != "" {
			t.Errorf("after a put without tokens: tokens %q tenant %q, want the first tokens and no tenant", got.SealedTokens, got.TenantID)
		}
		missing := *r
		missing.ID, missing.MemberID, missing.Subject = "member-oauth-registration-test-y", "member-test-missing", "sub-2"
		wantNotFound(t, "PutMemberOAuthRegistration for a missing member", st.PutMemberOAuthRegistration(ctx, p.ID, &missing))
	}},
	{"MemberReadsCarryRegistrations", func(t *testing.T, st store.Store) {
		// Two linked accounts: every read of the member, the session
		// reads' join included, must fold them back into exactly these,
		// oldest first, and leave the other members' lists empty.
		p := newProject(t, st)
		ctx := t.Context()
		o := newOrg(t, st, p.ID, "acme")
		m := memberSpec(p.ID, o.ID, "ada@acme.com")
		m.ExternalID = "ext-ada"
		must(t, st.CreateMember(ctx, p.ID, m))
		bare := memberSpec(p.ID, o.ID, "bob@acme.com")
		bare.CreatedAt = at(time.Second) // after m, in search order
		must(t, st.CreateMember(ctx, p.ID, bare))
		var regs []auth.MemberOAuthRegistration
		for i, provider := range []string{"microsoft", "google"} {
			r := &auth.MemberOAuthRegistration{
				ID: auth.NewID(auth.KindMemberOAuthRegistration, auth.EnvTest), OrganizationID: o.ID, MemberID: m.ID,
				Provider: provider, Subject: "sub-" + provider, Email: m.EmailAddress, ProfilePictureURL: "https://example.com/" + provider,
				Locale: "en-" + provider, SealedTokens: []byte("tokens of " + provider),
				CreatedAt: at(time.Duration(i) * time.Minute), UpdatedAt: at(time.Duration(i) * time.Minute),
			}
			must(t, st.PutMemberOAuthRegistration(ctx, p.ID, r))
			m.OAuthRegistrations = append(m.OAuthRegistrations, r.ProviderLink())
			regs = append(regs, *r)
		}
		sess := newMemberSession(t, st, p.ID, m)

		got, err := st.GetMember(ctx, p.ID, o.ID, m.ID)
		must(t, err)
		diff(t, "GetMember", got, m)
		got, err = st.GetMemberByID(ctx, p.ID, m.ID)
		must(t, err)
		diff(t, "GetMemberByID", got, m)
		got, err = st.GetMemberByEmail(ctx, p.ID, o.ID, "ada@acme.com")
		must(t, err)
		diff(t, "GetMemberByEmail", got, m)
		got, err = st.GetMemberByExternalID(ctx, p.ID, o.ID, "ext-ada")
		must(t, err)
		diff(t, "GetMemberByExternalID", got, m)
		wantMemberSession(t, st, p.ID, sess, m, o)
		ms, err := st.ListMembersByEmail(ctx, p.ID, "ada@acme.com")
		must(t, err)
		diff(t, "ListMembersByEmail", ms, []auth.Member{*m})
		ms, _, err = st.SearchMembers(ctx, p.ID, store.MemberFilter{OrganizationIDs: []string{o.ID}, Limit: 10})
		must(t, err)
		diff(t, "SearchMembers", ms, []auth.Member{*m, *bare})
		got, err = st.GetMember(ctx, p.ID, o.ID, bare.ID)
		must(t, err)
		diff(t, "GetMember without links", got, bare)

		list, err := st.ListMemberOAuthRegistrations(ctx, p.ID, m.ID)
		must(t, err)
		for i := range regs {
			regs[i].ProjectID = p.ID
		}
		diff(t, "ListMemberOAuthRegistrations", list, regs)
		list, err = st.ListMemberOAuthRegistrations(ctx, p.ID, bare.ID)
		must(t, err)
		diff(t, "ListMemberOAuthRegistrations without links", list, []auth.MemberOAuthRegistration{})
		q := newProject(t, st)
		list, err = st.ListMemberOAuthRegistrations(ctx, q.ID, m.ID)
		must(t, err)
		diff(t, "ListMemberOAuthRegistrations from another project", list, []auth.MemberOAuthRegistration{})
	}},
	{"OrganizationsWithOAuthTenantJIT", func(t *testing.T, st store.Store) {
		p := newProject(t, st)
		o := orgSpec(p.ID, "tenants")
		o.OAuthTenantJITProvisioning, o.AllowedOAuthTenants = auth.Restricted, map[string]any{"microsoft": []any{"tid-1"}}
		must(t, st.CreateOrganization(t.Context(), p.ID, o))
		newOrg(t, st, p.ID, "plain")
		got, err := st.ListOrganizationsWithOAuthTenantJIT(t.Context(), p.ID)
		must(t, err)
		diff(t, "ListOrganizationsWithOAuthTenantJIT", orgIDs(got), []string{o.ID})
	}},
}
