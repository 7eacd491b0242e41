package storetest

import (
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/store"
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
