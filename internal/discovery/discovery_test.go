package discovery_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// world is a project with four organizations around ada@acme.com: an
// active membership, an invitation, one she may join by domain, and one
// closed to her.
type world struct {
	s                           *authtest.Services
	p                           *auth.Project
	active, invited, byDomain   *auth.Organization
	closed                      *auth.Organization
	activeMember, invitedMember *auth.Member
}

const ada = "ada@acme.com"

func newWorld(t *testing.T, st store.Store) *world {
	t.Helper()
	s := authtest.NewServices(t, st)
	p, _ := s.NewProject(t, auth.EnvTest)
	w := &world{s: s, p: p}
	w.active = s.NewOrganization(t, p, "Active Org", nil)
	w.invited = s.NewOrganization(t, p, "Invited Org", nil)
	restrict := func(o *auth.Organization) {
		o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"acme.com"}
	}
	w.byDomain = s.NewOrganization(t, p, "Domain Org", restrict)
	w.closed = s.NewOrganization(t, p, "Closed Org", func(o *auth.Organization) { o.EmailAllowedDomains = []string{"acme.com"} })
	w.activeMember = s.NewMember(t, w.active, ada, auth.MemberActive)
	w.invitedMember = s.NewMember(t, w.invited, ada, auth.MemberInvited)
	// Another project with an organization open to acme.com must never show.
	other, _ := s.NewProject(t, auth.EnvTest)
	s.NewOrganization(t, other, "Elsewhere", restrict)
	return w
}

// discover sends a discovery link to ada and authenticates it.
func (w *world) discover(t *testing.T) *magiclink.DiscoveryAuthenticateResult {
	t.Helper()
	ctx := context.Background()
	if err := w.s.MagicLinks.DiscoverySend(ctx, w.p, magiclink.DiscoverySendInput{Email: ada}); err != nil {
		t.Fatal(err)
	}
	link, tok := w.s.LastLink(t)
	if want := auth.DefaultRedirectURL + "?stytch_redirect_type=login&stytch_token_type=discovery&token="; !strings.HasPrefix(link, want) {
		t.Errorf("discovery link = %q, want prefix %q", link, want)
	}
	res, err := w.s.MagicLinks.AuthenticateDiscovery(ctx, w.p, tok, "")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func memberships(ds []discovery.Discovered) map[string]organization.MembershipType {
	out := map[string]organization.MembershipType{}
	for _, d := range ds {
		out[d.Organization.Name] = d.Membership
	}
	return out
}

func TestDiscoveryFlow(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		w := newWorld(t, st)
		res := w.discover(t)
		if res.EmailAddress != ada || len(res.IntermediateSessionToken) != 44 {
			t.Fatalf("AuthenticateDiscovery = %+v", res)
		}
		want := map[string]organization.MembershipType{
			"Active Org":  organization.ActiveMember,
			"Invited Org": organization.InvitedMember,
			"Domain Org":  organization.EligibleToJoinByEmailDomain,
		}
		if got := memberships(res.Discovered); len(got) != len(want) || got["Active Org"] != want["Active Org"] ||
			got["Invited Org"] != want["Invited Org"] || got["Domain Org"] != want["Domain Org"] {
			t.Errorf("discovered %v, want %v", got, want)
		}

		// Listing does not consume the intermediate session.
		email, ds, err := w.s.Discovery.ListOrganizations(ctx, w.p, discovery.ListInput{IntermediateSessionToken: res.IntermediateSessionToken})
		if err != nil || email != ada || len(ds) != 3 {
			t.Fatalf("ListOrganizations = %q, %d, %v", email, len(ds), err)
		}

		// Refused: an organization closed to her. The refusal leaves the
		// intermediate session usable.
		_, err = w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.closed.ID})
		if !errors.Is(err, auth.ErrEmailJITProvisioningNotAllowed) {
			t.Errorf("exchange into a closed organization: err = %v", err)
		}

		// She picks the second organization, where she was invited.
		got, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.invited.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Member.ID != w.invitedMember.ID || got.Member.Status != auth.MemberActive || !got.Member.EmailVerified ||
			got.Organization.ID != w.invited.ID || got.Session.OrganizationID != w.invited.ID || got.Token == "" || got.JWT == "" {
			t.Errorf("exchange = member %+v, session %+v", got.Member, got.Session)
		}
		if want := w.s.Clock.Now().Add(time.Hour); !got.Session.ExpiresAt.Equal(want) {
			t.Errorf("default member session ends %v, want %v", got.Session.ExpiresAt, want)
		}
		if f := got.Session.AuthenticationFactors; len(f) != 1 || f[0].Type != auth.FactorMagicLink || f[0].EmailFactor.EmailAddress != ada {
			t.Errorf("factors = %+v", f)
		}

		// The intermediate session is single use.
		_, err = w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.active.ID})
		if !errors.Is(err, auth.ErrIntermediateSessionNotFound) {
			t.Errorf("reused intermediate session: err = %v", err)
		}

		// The session authenticates, and knows its organization.
		auth2, err := w.s.Sessions.AuthenticateMemberSession(ctx, w.p, session.MemberAuthenticateInput{AuthenticateInput: session.AuthenticateInput{JWT: got.JWT}})
		if err != nil || auth2.Organization.ID != w.invited.ID || auth2.Member.ID != w.invitedMember.ID {
			t.Errorf("AuthenticateMemberSession = %+v, %v", auth2, err)
		}
		kr, _ := w.s.Keys.Keyring(ctx, w.p.ID)
		claims, err := kr.VerifySession(got.JWT, w.s.Clock.Now())
		if err != nil || claims.Subject != w.invitedMember.ID || claims.Organization == nil || claims.Organization.ID != w.invited.ID ||
			claims.Organization.Slug != w.invited.Slug {
			t.Errorf("JWT claims = %+v, %v", claims, err)
		}

		// Joining by domain creates the member just in time.
		res2 := w.discover(t)
		joined, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res2.IntermediateSessionToken, OrganizationID: w.byDomain.ID, DurationMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		if joined.Member.Status != auth.MemberActive || joined.Member.OrganizationID != w.byDomain.ID {
			t.Errorf("JIT member = %+v", joined.Member)
		}
	})
}

func TestIntermediateSessionExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, authtest.NewStore(t))
	res := w.discover(t)
	w.s.Clock.Advance(auth.IntermediateSessionLifetime + time.Second)
	if _, _, err := w.s.Discovery.ListOrganizations(ctx, w.p, discovery.ListInput{IntermediateSessionToken: res.IntermediateSessionToken}); !errors.Is(err, auth.ErrIntermediateSessionNotFound) {
		t.Errorf("list with an expired intermediate session: err = %v", err)
	}
	if _, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.active.ID}); !errors.Is(err, auth.ErrIntermediateSessionNotFound) {
		t.Errorf("exchange of an expired intermediate session: err = %v", err)
	}
}

func TestConcurrentExchangeSucceedsOnce(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		w := newWorld(t, st)
		res := w.discover(t)
		const n = 50
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok, gone int
			other    []error
		)
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				_, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.active.ID})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, auth.ErrIntermediateSessionNotFound):
					gone++
				default:
					other = append(other, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok != 1 || gone != n-1 || len(other) > 0 {
			t.Errorf("successes %d, not found %d, other %v", ok, gone, other)
		}
	})
}

func TestExchangeSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		w := newWorld(t, st)
		res := w.discover(t)
		first, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: w.active.ID})
		if err != nil {
			t.Fatal(err)
		}
		// From the active organization to the one she was invited to.
		moved, err := w.s.Discovery.ExchangeSession(ctx, w.p, discovery.SessionExchangeInput{SessionToken: first.Token, OrganizationID: w.invited.ID})
		if err != nil {
			t.Fatal(err)
		}
		if moved.Organization.ID != w.invited.ID || moved.Session.ID == first.Session.ID || moved.Member.Status != auth.MemberActive {
			t.Errorf("exchanged session = %+v", moved.Session)
		}
		// Not into an organization she could only join by domain: session
		// exchange never provisions.
		if _, err := w.s.Discovery.ExchangeSession(ctx, w.p, discovery.SessionExchangeInput{SessionJWT: first.JWT, OrganizationID: w.byDomain.ID}); !errors.Is(err, auth.ErrMemberNotFound) {
			t.Errorf("exchange into a non-member organization: err = %v", err)
		}
		// A session of one organization never authenticates as another's:
		// listing with it shows her memberships, and its token is not a
		// consumer session.
		if _, err := w.s.Sessions.Authenticate(ctx, w.p, session.AuthenticateInput{Token: first.Token}); !errors.Is(err, auth.ErrSessionNotFound) {
			t.Errorf("member session token as a consumer session: err = %v", err)
		}
		if _, err := w.s.Sessions.Authenticate(ctx, w.p, session.AuthenticateInput{JWT: first.JWT}); !errors.Is(err, auth.ErrSessionNotFound) {
			t.Errorf("member session JWT as a consumer session: err = %v", err)
		}
		// Revocation is immediate.
		if err := w.s.Sessions.RevokeMember(ctx, w.p, session.RevokeMemberInput{Token: moved.Token}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Sessions.AuthenticateMemberSession(ctx, w.p, session.MemberAuthenticateInput{AuthenticateInput: session.AuthenticateInput{JWT: moved.JWT}}); !errors.Is(err, auth.ErrSessionNotFound) {
			t.Errorf("revoked member session: err = %v", err)
		}
	})
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		w := newWorld(t, st)
		res := w.discover(t)
		created, err := w.s.Discovery.CreateOrganization(ctx, w.p, discovery.CreateInput{
			IntermediateSessionToken: res.IntermediateSessionToken,
			Organization:             organization.CreateInput{Name: "Ada's Startup"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.Organization.Name != "Ada's Startup" || created.Organization.Slug == "" {
			t.Errorf("organization = %+v", created.Organization)
		}
		if m := created.Member; m.EmailAddress != ada || m.Status != auth.MemberActive || !m.HasRole(auth.RoleAdmin) {
			t.Errorf("first member = %+v", m)
		}
		if created.Session == nil || created.Token == "" {
			t.Error("no session for the creator")
		}
		// The intermediate session is spent, and a taken slug is refused
		// without spending a fresh one.
		if _, err := w.s.Discovery.CreateOrganization(ctx, w.p, discovery.CreateInput{
			IntermediateSessionToken: res.IntermediateSessionToken, Organization: organization.CreateInput{Name: "Again"},
		}); !errors.Is(err, auth.ErrIntermediateSessionNotFound) {
			t.Errorf("reused intermediate session: err = %v", err)
		}
		fresh := w.discover(t)
		if _, err := w.s.Discovery.CreateOrganization(ctx, w.p, discovery.CreateInput{
			IntermediateSessionToken: fresh.IntermediateSessionToken,
			Organization:             organization.CreateInput{Name: "Dup", Slug: created.Organization.Slug},
		}); !errors.Is(err, auth.ErrOrganizationSlugAlreadyUsed) {
			t.Errorf("taken slug: err = %v", err)
		}
		if _, _, err := w.s.Discovery.ListOrganizations(ctx, w.p, discovery.ListInput{IntermediateSessionToken: fresh.IntermediateSessionToken}); err != nil {
			t.Errorf("a refused create spent the intermediate session: %v", err)
		}
		// The new organization is among her discovered ones.
		_, ds, err := w.s.Discovery.ListOrganizations(ctx, w.p, discovery.ListInput{SessionToken: created.Token})
		if err != nil || memberships(ds)["Ada's Startup"] != organization.ActiveMember {
			t.Errorf("discovered after create = %v, %v", memberships(ds), err)
		}
	})
}

func TestDefaultOrganizationName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ada@acme.com":         "acme.com",
		"ada@gmail.com":        "ada's organization",
		"grace@cs.mit.edu":     "grace's organization",
		"bob@eu.example.co.uk": "eu.example.co.uk",
	} {
		if got := discovery.DefaultOrganizationName(in); got != want {
			t.Errorf("DefaultOrganizationName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrimaryRequired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, authtest.NewStore(t))
	ssoOnly := w.s.NewOrganization(t, w.p, "SSO Only", func(o *auth.Organization) {
		o.AuthMethods, o.AllowedAuthMethods = auth.Restricted, []string{"sso"}
	})
	w.s.NewMember(t, ssoOnly, ada, auth.MemberActive)
	res := w.discover(t)
	for _, d := range res.Discovered {
		want := d.Organization.ID == ssoOnly.ID
		if got := d.PrimaryRequired != nil; got != want {
			t.Errorf("%s: primary required = %v, want %v", d.Organization.Name, d.PrimaryRequired, want)
		}
	}
	if _, err := w.s.Discovery.Exchange(ctx, w.p, discovery.ExchangeInput{IntermediateSessionToken: res.IntermediateSessionToken, OrganizationID: ssoOnly.ID}); !errors.Is(err, auth.ErrOperationRestrictedByAuthMethods) {
		t.Errorf("exchange into an SSO-only organization: err = %v", err)
	}
	created, err := w.s.Discovery.CreateOrganization(ctx, w.p, discovery.CreateInput{IntermediateSessionToken: res.IntermediateSessionToken})
	if err != nil || created.Organization.Name != "acme.com" {
		t.Errorf("create without a name = %+v, %v", created, err)
	}
}
