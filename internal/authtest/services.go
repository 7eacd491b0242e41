package authtest

import (
	"context"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/user"
)

// Services is Latch's service layer wired over one store with a test clock
// and captured mail, as cmd/latch wires it over the real ones.
type Services struct {
	Store      store.Store
	Clock      *Clock
	Mail       *Mail
	Keys       *jwt.Manager
	Projects   *project.Service
	Users      *user.Service
	Sessions   *session.Service
	MagicLinks *magiclink.Service
}

// NewServices wires the services over st.
func NewServices(tb testing.TB, st store.Store) *Services {
	tb.Helper()
	s := &Services{Store: st, Clock: NewClock(), Mail: &Mail{RefuseLive: true}}
	s.Keys = jwt.NewManager(st, s.Clock.Now)
	s.Projects = project.NewService(st, s.Keys, s.Clock.Now)
	s.Users = user.NewService(st, s.Clock.Now)
	s.Sessions = session.NewService(st, s.Keys, s.Clock.Now)
	s.MagicLinks = magiclink.NewService(st, s.Projects, s.Users, s.Sessions, s.Mail, s.Clock.Now)
	return s
}

// NewProject creates a project through the project service, with its
// default redirect URLs and signing key, and returns it with its secret.
func (s *Services) NewProject(tb testing.TB, env auth.Env) (*auth.Project, string) {
	tb.Helper()
	c, err := s.Projects.Create(context.Background(), "Test", env)
	if err != nil {
		tb.Fatalf("create project: %v", err)
	}
	return c.Project, c.Secret
}
