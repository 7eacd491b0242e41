package authtest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/secretbox"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
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
	Discovery  *discovery.Service
	// Organizations and Members are the B2B organization and member
	// services.
	Organizations *organization.Service
	Members       *member.Service
	// TOTPs seals secrets with a random key of its own.
	TOTPs *totp.Service
	// Passwords has breach detection off.
	Passwords *passwords.Service
	// OTPs keys its code hashes with a fixed test key; B2BOTPs are its
	// B2B passcodes.
	OTPs    *otp.Service
	B2BOTPs *otp.B2B
}

// NewServices wires the services over st.
func NewServices(tb testing.TB, st store.Store) *Services {
	tb.Helper()
	s := &Services{Store: st, Clock: NewClock(), Mail: &Mail{RefuseLive: true}}
	s.Keys = jwt.NewManager(st, s.Clock.Now)
	s.Projects = project.NewService(st, s.Keys, s.Clock.Now)
	s.Users = user.NewService(st, s.Clock.Now)
	s.Sessions = session.NewService(st, s.Keys, s.Clock.Now)
	s.Organizations = organization.NewService(st, s.Clock.Now)
	s.Discovery = discovery.NewService(st, s.Sessions, s.Organizations, s.Clock.Now)
	s.Members = member.NewService(st, s.Organizations, s.Clock.Now)
	s.MagicLinks = magiclink.NewService(st, s.Projects, s.Users, s.Sessions, s.Discovery, s.Mail, s.Clock.Now)
	box, err := secretbox.New(secretbox.NewKey())
	if err != nil {
		tb.Fatal(err)
	}
	s.TOTPs = totp.NewService(st, s.Sessions, s.Discovery, box, s.Clock.Now)
	s.Passwords = passwords.NewService(st, s.Users, s.Members, s.Sessions, s.MagicLinks, s.Clock.Now, passwords.Options{})
	s.OTPs = otp.NewService(st, s.Users, s.Sessions, s.Mail, []byte("latch test otp key, 32 bytes...."), s.Clock.Now)
	s.B2BOTPs = otp.NewB2B(s.OTPs, s.Members, s.Discovery)
	s.Sessions.SetSMSChallenger(s.B2BOTPs)
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

// LastLink returns the link in the newest email sent and its token.
func (s *Services) LastLink(tb testing.TB) (link, token string) {
	tb.Helper()
	m, ok := s.Mail.Last()
	if !ok {
		tb.Fatal("no email was sent")
	}
	for _, f := range strings.Fields(m.Text) {
		if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
			u, err := url.Parse(f)
			if err != nil {
				tb.Fatalf("bad link %q: %v", f, err)
			}
			return f, u.Query().Get("token")
		}
	}
	tb.Fatalf("no link in email:\n%s", m.Text)
	return "", ""
}

// Login signs a user in with an email magic link, as an app would: it
// sends the link, reads it from the captured email and authenticates it,
// with a session of the given minutes (0 for none).
func (s *Services) Login(tb testing.TB, p *auth.Project, email string, minutes int) *magiclink.AuthenticateResult {
	tb.Helper()
	ctx := context.Background()
	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: email}); err != nil {
		tb.Fatalf("login_or_create %s: %v", email, err)
	}
	_, tok := s.LastLink(tb)
	res, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, DurationMinutes: minutes})
	if err != nil {
		tb.Fatalf("authenticate %s: %v", email, err)
	}
	return res
}
