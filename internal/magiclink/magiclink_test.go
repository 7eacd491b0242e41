package magiclink_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/store"
)

// tokenOf extracts the token from the link in a delivered message.
func tokenOf(t *testing.T, m auth.Message) (link, tok string) {
	t.Helper()
	for _, f := range strings.Fields(m.Text) {
		if strings.HasPrefix(f, "http") {
			u, err := url.Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			return f, u.Query().Get("token")
		}
	}
	t.Fatalf("no link in %q", m.Text)
	return "", ""
}

func TestLoginOrCreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		res, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "Ada@Example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || !auth.HasKind(res.UserID, auth.KindUser) || !auth.HasKind(res.EmailID, auth.KindEmail) {
			t.Fatalf("LoginOrCreate = %+v", res)
		}
		m, _ := s.Mail.Last()
		if m.To != "ada@example.com" || !strings.Contains(m.Subject, "signing up") {
			t.Errorf("signup email to %q subject %q", m.To, m.Subject)
		}
		link, tok := tokenOf(t, m)
		if want := auth.DefaultRedirectURL + "?stytch_token_type=magic_links&token="; !strings.HasPrefix(link, want) {
			t.Errorf("link = %q, want prefix %q", link, want)
		}
		if !strings.Contains(m.HTML, "href=\""+strings.ReplaceAll(link, "&", "&amp;")+"\"") {
			t.Errorf("HTML does not link %q", link)
		}

		got, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, DurationMinutes: 60})
		if err != nil {
			t.Fatal(err)
		}
		if got.MethodID != res.EmailID || got.User.ID != res.UserID || got.User.Status != auth.UserActive || !got.User.Emails[0].Verified {
			t.Errorf("Authenticate = %+v, user %+v", got, got.User)
		}
		if got.Session == nil || got.Token == "" || got.JWT == "" {
			t.Fatalf("no session: %+v", got.Result)
		}
		if f := got.Session.AuthenticationFactors; len(f) != 1 || f[0].Type != auth.FactorMagicLink || f[0].EmailFactor.EmailID != res.EmailID {
			t.Errorf("factors = %+v", f)
		}
		if want := s.Clock.Now().Add(time.Hour); !got.Session.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt = %v, want %v", got.Session.ExpiresAt, want)
		}

		// The same address again logs in: no new user, a login email.
		again, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "ada@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.UserID != res.UserID {
			t.Errorf("second LoginOrCreate = %+v", again)
		}
		if m, _ := s.Mail.Last(); !strings.Contains(m.Subject, "login link") {
			t.Errorf("login subject = %q", m.Subject)
		}
	})
}

func TestAuthenticateRefusals(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		other, _ := s.NewProject(t, auth.EnvTest)
		send := func(email string) string {
			t.Helper()
			if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: email}); err != nil {
				t.Fatal(err)
			}
			_, tok := s.LastLink(t)
			return tok
		}

		used := send("used@example.com")
		if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: used}); err != nil {
			t.Fatal(err)
		}
		crossTenant := send("tenant@example.com")
		// A new user's first link is a signup link, valid a week; the
		// second (a login link) is valid an hour.
		if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: send("expiring@example.com")}); err != nil {
			t.Fatal(err)
		}
		expired := send("expiring@example.com")
		s.Clock.Advance(61 * time.Minute)

		for _, tc := range []struct {
			name    string
			project *auth.Project
			token   string
			want    *auth.Error
		}{
			{"reused", p, used, auth.ErrUnableToAuthMagicLink},
			{"expired", p, expired, auth.ErrUnableToAuthMagicLink},
			{"unknown", p, "Bm9wZS1ub3QtYS1yZWFsLXRva2VuLWF0LWFsbC0xMjM=", auth.ErrMagicLinkNotFound},
			{"other project", other, crossTenant, auth.ErrMagicLinkNotFound},
			{"empty", p, "", auth.ErrInvalidArgument},
			{"bad duration", p, crossTenant, auth.ErrInvalidSessionDuration},
		} {
			in := magiclink.AuthenticateInput{Token: tc.token}
			if tc.name == "bad duration" {
				in.DurationMinutes = 2
			}
			_, err := s.MagicLinks.Authenticate(ctx, tc.project, in)
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
			}
		}
		// Refused attempts in another project or with bad input did not
		// consume the token.
		if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: crossTenant}); err != nil {
			t.Errorf("token unusable after refusals elsewhere: %v", err)
		}
	})
}

func TestRedirectURLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	const app = "https://app.example.com/auth?x=1"

	_, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "r@example.com", SignupURL: app})
	if !errors.Is(err, auth.ErrNoMatchForMagicLinkURL) {
		t.Fatalf("unlisted URL: err = %v", err)
	}
	if n := len(s.Mail.Sent()); n != 0 {
		t.Fatalf("%d messages sent for a refused request", n)
	}
	if u, err := s.Users.GetByEmail(ctx, st(s), p.ID, "r@example.com"); err == nil {
		t.Fatalf("refused request created user %s", u.ID)
	}
	if err := s.Projects.AddRedirectURL(ctx, p.ID, app, []auth.RedirectType{auth.RedirectSignup}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "r@example.com", SignupURL: app}); err != nil {
		t.Fatal(err)
	}
	link, _ := s.LastLink(t)
	if !strings.HasPrefix(link, app+"&stytch_token_type=magic_links&token=") {
		t.Errorf("link = %q", link)
	}
	for _, bad := range []string{"javascript:alert(1)", "not a url", "/relative"} {
		if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "r@example.com", LoginURL: bad}); !errors.Is(err, auth.ErrInvalidMagicLinkURL) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

func st(s *authtest.Services) store.Store { return s.Store }

func TestInputValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	for _, tc := range []struct {
		name string
		in   magiclink.SendInput
		want *auth.Error
	}{
		{"no at", magiclink.SendInput{Email: "nope"}, auth.ErrInvalidEmail},
		{"display name", magiclink.SendInput{Email: "Ada <ada@example.com>"}, auth.ErrInvalidEmail},
		{"no dot", magiclink.SendInput{Email: "ada@localhost"}, auth.ErrInvalidEmail},
		{"short expiry", magiclink.SendInput{Email: "a@example.com", LoginMinutes: 1}, auth.ErrInvalidExpiration},
		{"long expiry", magiclink.SendInput{Email: "a@example.com", SignupMinutes: 10081}, auth.ErrInvalidExpiration},
		{"locale", magiclink.SendInput{Email: "a@example.com", Locale: "de"}, auth.ErrInvalidLocale},
	} {
		if _, err := s.MagicLinks.LoginOrCreate(ctx, p, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want.Type)
		}
	}
	if _, err := s.MagicLinks.Send(ctx, p, magiclink.SendInput{Email: "ghost@example.com"}); !errors.Is(err, auth.ErrEmailNotFound) {
		t.Errorf("Send to unknown: err = %v", err)
	}
}

func TestLiveProjectWithoutMailIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvLive)
	_, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "live@example.com"})
	if !errors.Is(err, auth.ErrEmailSettingsNotFound) {
		t.Fatalf("err = %v", err)
	}
	if _, err := s.Users.GetByEmail(ctx, s.Store, p.ID, "live@example.com"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("a refused send created a user: %v", err)
	}
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	if challenge != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge = %s, want the RFC 7636 value", challenge)
	}
	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "pkce@example.com", CodeChallenge: challenge}); err != nil {
		t.Fatal(err)
	}
	_, tok := s.LastLink(t)
	for _, tc := range []struct {
		verifier string
		want     *auth.Error
	}{
		{"", auth.ErrPKCEExpectedVerifier},
		{"wrong-verifier-wrong-verifier-wrong-verifier", auth.ErrPKCEMismatch},
	} {
		if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, CodeVerifier: tc.verifier}); !errors.Is(err, tc.want) {
			t.Errorf("verifier %q: err = %v, want %s", tc.verifier, err, tc.want.Type)
		}
	}
	if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, CodeVerifier: verifier}); err != nil {
		t.Errorf("right verifier after wrong ones: %v", err)
	}

	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "plain@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, plain := s.LastLink(t)
	if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: plain, CodeVerifier: verifier}); !errors.Is(err, auth.ErrPKCEDidNotExpectVerifier) {
		t.Errorf("unexpected verifier: err = %v", err)
	}
}

func TestInviteAndRevoke(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)

		res, err := s.MagicLinks.Invite(ctx, p, magiclink.InviteInput{Email: "guest@example.com", Name: auth.Name{First: "Grace"}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.Users.Get(ctx, p.ID, res.UserID)
		if err != nil || u.Status != auth.UserPending || u.Name.First != "Grace" {
			t.Fatalf("invited user = %+v, %v", u, err)
		}
		m, _ := s.Mail.Last()
		if !strings.Contains(m.Subject, "invited") {
			t.Errorf("subject = %q", m.Subject)
		}
		_, revoked := tokenOf(t, m)
		if err := s.MagicLinks.RevokeInvite(ctx, p, "guest@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: revoked}); !errors.Is(err, auth.ErrUnableToAuthMagicLink) {
			t.Errorf("revoked invite: err = %v", err)
		}

		if _, err := s.MagicLinks.Invite(ctx, p, magiclink.InviteInput{Email: "guest@example.com"}); err != nil {
			t.Fatal(err)
		}
		_, tok := s.LastLink(t)
		got, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok})
		if err != nil {
			t.Fatal(err)
		}
		if got.User.Status != auth.UserActive {
			t.Errorf("status after invite accepted = %s", got.User.Status)
		}
		if _, err := s.MagicLinks.Invite(ctx, p, magiclink.InviteInput{Email: "guest@example.com"}); !errors.Is(err, auth.ErrDuplicateEmail) {
			t.Errorf("inviting an active user: err = %v", err)
		}
		if err := s.MagicLinks.RevokeInvite(ctx, p, "nobody@example.com"); !errors.Is(err, auth.ErrEmailNotFound) {
			t.Errorf("revoking unknown: err = %v", err)
		}
	})
}

func TestConcurrentAuthenticateSucceedsOnce(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "race@example.com"}); err != nil {
			t.Fatal(err)
		}
		_, tok := s.LastLink(t)

		const n = 50
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok, used int
			other    []error
		)
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				_, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, DurationMinutes: 30})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, auth.ErrUnableToAuthMagicLink):
					used++
				default:
					other = append(other, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok != 1 || used != n-1 || len(other) > 0 {
			t.Errorf("successes %d, used %d, other errors %v; want 1 and %d", ok, used, other, n-1)
		}
	})
}

func TestAuthenticateAddsFactorToExistingSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "two@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, tok := s.LastLink(t)
	first, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, DurationMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	s.Clock.Advance(10 * time.Minute)
	if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "two@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, tok = s.LastLink(t)
	second, err := s.MagicLinks.Authenticate(ctx, p, magiclink.AuthenticateInput{Token: tok, SessionToken: first.Token, DurationMinutes: 120})
	if err != nil {
		t.Fatal(err)
	}
	if second.Session.ID != first.Session.ID || second.Token != first.Token {
		t.Errorf("a new session was started: %s vs %s", second.Session.ID, first.Session.ID)
	}
	if n := len(second.Session.AuthenticationFactors); n != 1 {
		t.Errorf("%d factors, want the email factor refreshed in place", n)
	}
	if want := s.Clock.Now().Add(2 * time.Hour); !second.Session.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", second.Session.ExpiresAt, want)
	}
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	test, _ := s.NewProject(t, auth.EnvTest)
	live, _ := s.NewProject(t, auth.EnvLive)

	res, err := s.MagicLinks.LoginOrCreate(ctx, test, magiclink.SendInput{Email: auth.SandboxEmail})
	if err != nil || res.UserID != auth.SandboxUserID {
		t.Errorf("sandbox LoginOrCreate = %+v, %v", res, err)
	}
	if len(s.Mail.Sent()) != 0 {
		t.Error("sandbox email was sent")
	}
	got, err := s.MagicLinks.Authenticate(ctx, test, magiclink.AuthenticateInput{Token: auth.SandboxMagicLinkToken, DurationMinutes: 60})
	if err != nil || got.User.ID != auth.SandboxUserID || got.Token != auth.SandboxSessionToken || got.JWT == "" {
		t.Errorf("sandbox Authenticate = %+v, %v", got, err)
	}
	for tok, want := range map[string]*auth.Error{
		auth.SandboxMagicLinkUsed:     auth.ErrUnableToAuthMagicLink,
		auth.SandboxMagicLinkNotFound: auth.ErrMagicLinkNotFound,
	} {
		if _, err := s.MagicLinks.Authenticate(ctx, test, magiclink.AuthenticateInput{Token: tok}); !errors.Is(err, want) {
			t.Errorf("%s: err = %v", tok, err)
		}
	}
	// Live projects have no sandbox.
	if _, err := s.MagicLinks.Authenticate(ctx, live, magiclink.AuthenticateInput{Token: auth.SandboxMagicLinkToken}); !errors.Is(err, auth.ErrMagicLinkNotFound) {
		t.Errorf("live sandbox token: err = %v", err)
	}
}

func TestSendThrottle(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		s := authtest.NewServices(t, st)
		p, _ := s.NewProject(t, auth.EnvTest)
		const addr = "flood@example.com"

		// Login links and password reset links share one count.
		for i := range auth.MaxSends - 1 {
			if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: addr}); err != nil {
				t.Fatalf("send %d: %v", i+1, err)
			}
		}
		if _, err := s.Passwords.ResetStart(ctx, p, passwords.ResetStartInput{Email: addr}); err != nil {
			t.Fatalf("send %d (reset): %v", auth.MaxSends, err)
		}
		sent := len(s.Mail.Sent())
		for name, send := range map[string]func() error{
			"login_or_create": func() error {
				_, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: strings.ToUpper(addr)})
				return err
			},
			"send": func() error {
				_, err := s.MagicLinks.Send(ctx, p, magiclink.SendInput{Email: addr})
				return err
			},
			"reset_start": func() error {
				_, err := s.Passwords.ResetStart(ctx, p, passwords.ResetStartInput{Email: addr})
				return err
			},
		} {
			err := send()
			var ae *auth.Error
			if !errors.As(err, &ae) || ae.Type != "too_many_requests" || ae.Status != 429 || !strings.Contains(ae.Message, addr) {
				t.Errorf("%s over the limit: err = %v, want too_many_requests naming %s", name, err, addr)
			}
		}
		if n := len(s.Mail.Sent()); n != sent {
			t.Errorf("refused sends emailed %d messages", n-sent)
		}
		// Other addresses are not held back.
		if _, err := s.MagicLinks.LoginOrCreate(ctx, p, magiclink.SendInput{Email: "bystander@example.com"}); err != nil {
			t.Errorf("send to another address: %v", err)
		}

		// The window slides: a send is allowed again once the oldest
		// leaves it.
		s.Clock.Advance(auth.SendWindow - time.Second)
		if _, err := s.MagicLinks.Send(ctx, p, magiclink.SendInput{Email: addr}); !errors.Is(err, auth.ErrTooManyRequests) {
			t.Errorf("send just inside the window: err = %v, want too_many_requests", err)
		}
		s.Clock.Advance(time.Second + time.Millisecond)
		if _, err := s.MagicLinks.Send(ctx, p, magiclink.SendInput{Email: addr}); err != nil {
			t.Errorf("send after the window: %v", err)
		}
	})
}

func TestB2BSendThrottle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := authtest.NewServices(t, authtest.NewStore(t))
	p, _ := s.NewProject(t, auth.EnvTest)
	const addr = "flood@acme.example"
	for i := range auth.MaxSends {
		if err := s.MagicLinks.DiscoverySend(ctx, p, magiclink.DiscoverySendInput{Email: addr}); err != nil {
			t.Fatalf("discovery send %d: %v", i+1, err)
		}
	}
	if err := s.MagicLinks.DiscoverySend(ctx, p, magiclink.DiscoverySendInput{Email: addr}); !errors.Is(err, auth.ErrTooManyRequests) {
		t.Errorf("discovery send over the limit: err = %v, want too_many_requests", err)
	}
	s.Clock.Advance(auth.SendWindow + time.Second)
	if err := s.MagicLinks.DiscoverySend(ctx, p, magiclink.DiscoverySendInput{Email: addr}); err != nil {
		t.Errorf("discovery send after the window: %v", err)
	}
}
