package project_test

import (
	"context"
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/store"
)

func TestCreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		for _, env := range []auth.Env{auth.EnvTest, auth.EnvLive} {
			c, err := s.Projects.Create(ctx, "", env)
			if err != nil {
				t.Fatal(err)
			}
			p := c.Project
			if !auth.HasKind(p.ID, auth.KindProject) || !auth.HasKind(p.PublicToken, auth.KindPublicToken) || p.Env != env || p.Name == "" {
				t.Errorf("created %+v", p)
			}
			if got, err := s.Projects.Authenticate(ctx, p.ID, c.Secret); err != nil || got.ID != p.ID {
				t.Errorf("%s: Authenticate = %v, %v", env, got, err)
			}
			stored, err := st.GetProject(ctx, p.ID)
			if err != nil || string(stored.SecretHash) == c.Secret {
				t.Errorf("secret stored in the clear or missing: %v", err)
			}
			kr, err := s.Keys.Keyring(ctx, p.ID)
			if err != nil || len(kr.JWKS()) != 1 {
				t.Errorf("%s: signing keys at creation: %v", env, err)
			}
			urls, _ := s.Projects.RedirectURLs(ctx, p.ID)
			if want := map[auth.Env]int{auth.EnvTest: len(auth.RedirectTypes), auth.EnvLive: 0}[env]; len(urls) != want {
				t.Errorf("%s project has %d default redirect URLs, want %d", env, len(urls), want)
			}
		}
		good, _ := s.Projects.Create(ctx, "a", auth.EnvTest)
		other, _ := s.Projects.Create(ctx, "b", auth.EnvTest)
		for _, tc := range []struct{ name, id, secret string }{
			{"wrong secret", good.Project.ID, "secret-test-nope"},
			{"another project's secret", good.Project.ID, other.Secret},
			{"unknown project", "project-test-00000000-0000-4000-8000-000000000000", good.Secret},
			{"empty", "", ""},
		} {
			if _, err := s.Projects.Authenticate(ctx, tc.id, tc.secret); !errors.Is(err, auth.ErrUnauthorizedCredentials) {
				t.Errorf("%s: err = %v", tc.name, err)
			}
		}
	})
}

func TestRedirectURLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	test, _ := s.NewProject(t, auth.EnvTest)
	live, _ := s.NewProject(t, auth.EnvLive)
	const app = "https://app.example.com/callback"

	if got, err := s.Projects.ResolveRedirect(ctx, test.ID, auth.RedirectLogin, "", auth.ErrNoDefaultLoginRedirectURL); err != nil || got != auth.DefaultRedirectURL {
		t.Errorf("test default = %q, %v", got, err)
	}
	if _, err := s.Projects.ResolveRedirect(ctx, live.ID, auth.RedirectLogin, "", auth.ErrNoDefaultLoginRedirectURL); !errors.Is(err, auth.ErrNoDefaultLoginRedirectURL) {
		t.Errorf("live project without URLs: err = %v", err)
	}
	if _, err := s.Projects.ResolveRedirect(ctx, live.ID, auth.RedirectLogin, app, nil); !errors.Is(err, auth.ErrNoMatchForMagicLinkURL) {
		t.Errorf("unlisted URL: err = %v", err)
	}
	if err := s.Projects.AddRedirectURL(ctx, live.ID, app, []auth.RedirectType{auth.RedirectLogin}, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Projects.ResolveRedirect(ctx, live.ID, auth.RedirectLogin, "", auth.ErrNoDefaultLoginRedirectURL); err != nil || got != app {
		t.Errorf("new default = %q, %v", got, err)
	}
	// Exact match only: a different path, query or type is refused.
	for _, tc := range []struct {
		typ auth.RedirectType
		url string
	}{
		{auth.RedirectLogin, app + "/x"},
		{auth.RedirectLogin, app + "?next=/"},
		{auth.RedirectSignup, app},
	} {
		if _, err := s.Projects.ResolveRedirect(ctx, live.ID, tc.typ, tc.url, auth.ErrNoDefaultSignupRedirectURL); err == nil {
			t.Errorf("%s %s accepted", tc.typ, tc.url)
		}
	}
	for _, tc := range []struct {
		name  string
		url   string
		types []auth.RedirectType
		want  *auth.Error
	}{
		{"duplicate", app, []auth.RedirectType{auth.RedirectLogin}, auth.ErrDuplicateRedirectURL},
		{"bad type", "https://x.example.com", []auth.RedirectType{"sideways"}, auth.ErrInvalidRedirectURLType},
		{"no type", "https://x.example.com", nil, auth.ErrInvalidRedirectURLType},
		{"bad url", "ftp://x.example.com", []auth.RedirectType{auth.RedirectLogin}, auth.ErrInvalidMagicLinkURL},
	} {
		if err := s.Projects.AddRedirectURL(ctx, live.ID, tc.url, tc.types, false); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
		}
	}
	if err := s.Projects.AddRedirectURL(ctx, "project-test-00000000-0000-4000-8000-000000000000", app, []auth.RedirectType{auth.RedirectLogin}, false); !errors.Is(err, auth.ErrProjectNotFound) {
		t.Errorf("unknown project: err = %v", err)
	}
}
