package passwords_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/authtest"
	"github.com/latchauth/latch/internal/hibptest"
	"github.com/latchauth/latch/internal/passhash"
	"github.com/latchauth/latch/internal/password"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
)

// memberReset sends a reset link to addr in o and returns its token,
// checking the link is a B2B password link.
func (e *env) memberReset(t *testing.T, o *auth.Organization, addr string) string {
	t.Helper()
	if _, err := e.pw.ResetStartMember(context.Background(), e.p, passwords.MemberResetStartInput{OrganizationID: o.ID, Email: addr}); err != nil {
		t.Fatal(err)
	}
	link, tok := e.LastLink(t)
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("stytch_token_type") != "multi_tenant_passwords" || u.Query().Get("stytch_redirect_type") != "reset_password" {
		t.Fatalf("member reset link %q", link)
	}
	return tok
}

// wantMemberSession checks whether a member session token still works.
func (e *env) wantMemberSession(t *testing.T, name, tok string, live bool) {
	t.Helper()
	_, _, _, err := e.Sessions.AuthenticateMember(context.Background(), e.p, tok, "")
	if live && err != nil || !live && !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("%s member session: err = %v, want live=%v", name, err, live)
	}
}

func (e *env) memberLogin(t *testing.T, o *auth.Organization, addr, pw string, want error) *session.MemberResult {
	t.Helper()
	res, err := e.pw.AuthenticateMember(context.Background(), e.p, passwords.MemberAuthenticateInput{OrganizationID: o.ID, Email: addr, Password: pw})
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("AuthenticateMember(%s, %q) err = %v, want %v", addr, pw, err, want)
	}
	return res
}

func TestMemberResetByEmailAndAuthenticate(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		acme := e.NewOrganization(t, e.p, "Acme", nil)
		globex := e.NewOrganization(t, e.p, "Globex", nil)
		m := e.NewMember(t, acme, "ada@acme.example", auth.MemberInvited)
		e.NewMember(t, globex, "ada@acme.example", auth.MemberActive)

		// No password yet: the login fails as a wrong one would.
		e.memberLogin(t, acme, "ada@acme.example", strong, auth.ErrUnauthorizedCredentials)

		tok := e.memberReset(t, acme, "ada@acme.example")
		if _, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: tok, Password: "password"}); !errors.Is(err, auth.ErrWeakPassword) {
			t.Errorf("weak: err = %v", err)
		}
		res, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: tok, Password: strong})
		if err != nil {
			t.Fatal(err)
		}
		if res.Member.ID != m.ID || res.Member.PasswordID == "" || !res.Member.EmailVerified || res.Member.Status != auth.MemberActive ||
			res.Session == nil || res.JWT == "" || !res.Authenticated() {
			t.Fatalf("ResetMemberByEmail = %+v", res)
		}
		if _, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: tok, Password: strong}); !errors.Is(err, auth.ErrUnableToAuthPasswordResetToken) {
			t.Errorf("reused link: err = %v", err)
		}

		login := e.memberLogin(t, acme, "ADA@acme.example", strong, nil)
		if login.Session == nil || login.Member.ID != m.ID || login.Session.AuthenticationFactors[0].Type != auth.FactorPassword {
			t.Errorf("AuthenticateMember = %+v", login)
		}
		e.memberLogin(t, acme, "ada@acme.example", strong+"x", auth.ErrUnauthorizedCredentials)
		e.memberLogin(t, acme, "nobody@acme.example", strong, auth.ErrUnauthorizedCredentials)
		// The same address in another organization is another account.
		e.memberLogin(t, globex, "ada@acme.example", strong, auth.ErrUnauthorizedCredentials)

		// A second reset revokes both sessions.
		tok = e.memberReset(t, acme, "ada@acme.example")
		again, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: tok, Password: newStrong, Session: passwords.MemberSessionInput{DurationMinutes: 30}})
		if err != nil {
			t.Fatal(err)
		}
		e.wantMemberSession(t, "first reset", res.Token, false)
		e.wantMemberSession(t, "login", login.Token, false)
		e.wantMemberSession(t, "second reset", again.Token, true)
		e.memberLogin(t, acme, "ada@acme.example", strong, auth.ErrUnauthorizedCredentials)
		e.memberLogin(t, acme, "ada@acme.example", newStrong, nil)
	})
}

func TestMemberPasswordsPolicy(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		links := e.NewOrganization(t, e.p, "Links only", func(o *auth.Organization) {
			o.AuthMethods, o.AllowedAuthMethods = auth.Restricted, []string{"magic_link"}
		})
		open := e.NewOrganization(t, e.p, "Open", func(o *auth.Organization) {
			o.EmailJITProvisioning, o.EmailAllowedDomains = auth.Restricted, []string{"open.example"}
		})
		e.NewMember(t, links, "ada@links.example", auth.MemberActive)

		if _, err := e.pw.AuthenticateMember(ctx, e.p, passwords.MemberAuthenticateInput{OrganizationID: links.ID, Email: "ada@links.example", Password: strong}); !errors.Is(err, auth.ErrOperationRestrictedByAuthMethods) {
			t.Errorf("authenticate in a links-only organization: err = %v", err)
		}
		if _, err := e.pw.ResetStartMember(ctx, e.p, passwords.MemberResetStartInput{OrganizationID: links.ID, Email: "ada@links.example"}); !errors.Is(err, auth.ErrOperationRestrictedByAuthMethods) {
			t.Errorf("reset start in a links-only organization: err = %v", err)
		}
		if _, err := e.pw.AuthenticateMember(ctx, e.p, passwords.MemberAuthenticateInput{OrganizationID: "organization-test-00000000-0000-4000-8000-000000000000", Email: "ada@links.example", Password: strong}); !errors.Is(err, auth.ErrOrganizationNotFound) {
			t.Errorf("unknown organization: err = %v", err)
		}

		// Reset start provisions an address the organization's email
		// policy lets join, and refuses one it does not.
		res, err := e.pw.ResetStartMember(ctx, e.p, passwords.MemberResetStartInput{OrganizationID: open.Slug, Email: "grace@open.example"})
		if err != nil || res.Member.Status != auth.MemberPending || res.Organization.ID != open.ID {
			t.Fatalf("reset start of a new address = %+v, %v", res, err)
		}
		if _, err := e.pw.ResetStartMember(ctx, e.p, passwords.MemberResetStartInput{OrganizationID: open.ID, Email: "mallory@elsewhere.example"}); !errors.Is(err, auth.ErrInvalidEmailForJITProvisioning) {
			t.Errorf("reset start of an address outside the allowed domains: err = %v", err)
		}
		_, tok := e.LastLink(t)
		got, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: tok, Password: strong})
		if err != nil || got.Member.Status != auth.MemberActive {
			t.Errorf("reset of the provisioned member = %+v, %v", got, err)
		}
	})
}

func TestMemberResetByExistingAndSession(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		hibp := hibptest.Start(t, "Breached-but-long-passphrase-1")
		e := newEnv(t, st, passwords.Options{Breach: &password.HIBPClient{BaseURL: hibp.URL}})
		acme := e.NewOrganization(t, e.p, "Acme", nil)
		globex := e.NewOrganization(t, e.p, "Globex", nil)
		e.NewMember(t, acme, "ada@acme.example", auth.MemberActive)
		if _, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: e.memberReset(t, acme, "ada@acme.example"), Password: strong}); err != nil {
			t.Fatal(err)
		}
		first := e.memberLogin(t, acme, "ada@acme.example", strong, nil)

		for name, tc := range map[string]struct {
			in   passwords.MemberResetByExistingInput
			want error
		}{
			"wrong existing": {passwords.MemberResetByExistingInput{OrganizationID: acme.ID, Email: "ada@acme.example", ExistingPassword: newStrong, NewPassword: newStrong}, auth.ErrUnauthorizedCredentials},
			"other org":      {passwords.MemberResetByExistingInput{OrganizationID: globex.ID, Email: "ada@acme.example", ExistingPassword: strong, NewPassword: newStrong}, auth.ErrUnauthorizedCredentials},
			"weak":           {passwords.MemberResetByExistingInput{OrganizationID: acme.ID, Email: "ada@acme.example", ExistingPassword: strong, NewPassword: "password"}, auth.ErrWeakPassword},
			"breached":       {passwords.MemberResetByExistingInput{OrganizationID: acme.ID, Email: "ada@acme.example", ExistingPassword: strong, NewPassword: "Breached-but-long-passphrase-1"}, auth.ErrBreachedPassword},
		} {
			if _, err := e.pw.ResetMemberByExisting(ctx, e.p, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: err = %v, want %v", name, err, tc.want)
			}
		}
		ex, err := e.pw.ResetMemberByExisting(ctx, e.p, passwords.MemberResetByExistingInput{OrganizationID: acme.ID, Email: "ada@acme.example", ExistingPassword: strong, NewPassword: newStrong})
		if err != nil {
			t.Fatal(err)
		}
		e.wantMemberSession(t, "earlier login", first.Token, false)
		e.wantMemberSession(t, "existing-password reset", ex.Token, true)
		if got := e.memberLogin(t, acme, "ada@acme.example", newStrong, nil); got.Member.ID != ex.Member.ID {
			t.Errorf("login with the new password = member %q, want %q", got.Member.ID, ex.Member.ID)
		}
		e.memberLogin(t, acme, "ada@acme.example", strong, auth.ErrUnauthorizedCredentials)

		// The session the reset started may reset again at once, not in a
		// quarter of an hour, nor acting on another organization.
		if _, err := e.pw.ResetMemberBySession(ctx, e.p, passwords.MemberResetBySessionInput{OrganizationID: globex.ID, Password: strong, SessionToken: ex.Token}); !errors.Is(err, auth.ErrSessionAuthorizationTenancy) {
			t.Errorf("another organization: err = %v", err)
		}
		sr, err := e.pw.ResetMemberBySession(ctx, e.p, passwords.MemberResetBySessionInput{OrganizationID: acme.ID, Password: strong, SessionToken: ex.Token})
		if err != nil {
			t.Fatal(err)
		}
		if sr.Session == nil || sr.Session.ID != ex.Session.ID || sr.Token != ex.Token {
			t.Errorf("ResetMemberBySession = %+v", sr)
		}
		e.Clock.Advance(15 * time.Minute)
		if _, err := e.pw.ResetMemberBySession(ctx, e.p, passwords.MemberResetBySessionInput{OrganizationID: acme.ID, Password: newStrong, SessionToken: ex.Token}); !errors.Is(err, auth.ErrSessionTooOldToResetPassword) {
			t.Errorf("stale session: err = %v", err)
		}
		if _, err := e.pw.ResetMemberBySession(ctx, e.p, passwords.MemberResetBySessionInput{OrganizationID: acme.ID, Password: newStrong, SessionToken: first.Token}); !errors.Is(err, auth.ErrSessionNotFound) {
			t.Errorf("revoked session: err = %v", err)
		}
		e.memberLogin(t, acme, "ada@acme.example", strong, nil)
	})
}

func TestMemberMigrateBreachedRequiresReset(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		const leaked = "leaked-Old-secret-9"
		hibp := hibptest.Start(t, leaked)
		e := newEnv(t, st, passwords.Options{Breach: &password.HIBPClient{BaseURL: hibp.URL}})
		acme := e.NewOrganization(t, e.p, "Acme", nil)
		h, err := bcrypt.GenerateFromPassword([]byte(leaked), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		name := "Ada"
		res, err := e.pw.MigrateMember(ctx, e.p, passwords.MemberMigrateInput{
			OrganizationID: acme.ID, Email: "ada@acme.example", Name: &name, Roles: []string{auth.RoleAdmin},
			Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || res.Member.PasswordID == "" || res.Member.Status != auth.MemberActive || res.Member.Name != "Ada" || !res.Member.HasRole(auth.RoleAdmin) {
			t.Fatalf("MigrateMember = %+v", res)
		}
		if _, err := e.pw.MigrateMember(ctx, e.p, passwords.MemberMigrateInput{OrganizationID: acme.ID, Email: "x@acme.example", Roles: []string{"owner"},
			Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: string(h)}}); !errors.Is(err, auth.ErrInvalidRBACRoleID) {
			t.Errorf("unknown role: err = %v", err)
		}
		if _, err := e.pw.MigrateMember(ctx, e.p, passwords.MemberMigrateInput{OrganizationID: acme.ID, Email: "x@acme.example",
			Hash: passhash.MigrateInput{HashType: passhash.HashTypeBcrypt, Hash: "nope"}}); !errors.Is(err, auth.ErrInvalidBcryptHash) {
			t.Errorf("bad hash: err = %v", err)
		}

		e.memberLogin(t, acme, "ada@acme.example", "wrong", auth.ErrUnauthorizedCredentials)
		e.memberLogin(t, acme, "ada@acme.example", leaked, auth.ErrMemberResetPassword)
		e.memberLogin(t, acme, "ada@acme.example", leaked, auth.ErrMemberResetPassword)
		if _, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: e.memberReset(t, acme, "ada@acme.example"), Password: strong}); err != nil {
			t.Fatal(err)
		}
		e.memberLogin(t, acme, "ada@acme.example", strong, nil)
	})
}

// TestMemberPasswordLoginStopsForMFA checks that password logins go
// through the member session rules: in an organization requiring MFA they
// end with an intermediate session, not a session, and a password reset
// still revokes the member's sessions.
func TestMemberPasswordLoginStopsForMFA(t *testing.T) {
	t.Parallel()
	authtest.ForEachStore(t, func(t *testing.T, st store.Store) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, st, passwords.Options{})
		o := e.NewOrganization(t, e.p, "Strict", func(o *auth.Organization) { o.MFAPolicy = auth.MFAPolicyRequiredForAll })
		e.NewMember(t, o, "ada@strict.example", auth.MemberActive)
		res, err := e.pw.ResetMemberByEmail(ctx, e.p, passwords.MemberResetByEmailInput{Token: e.memberReset(t, o, "ada@strict.example"), Password: strong})
		if err != nil {
			t.Fatal(err)
		}
		if res.Authenticated() || res.Session != nil || res.IntermediateSessionToken == "" || res.Member.PasswordID == "" {
			t.Fatalf("reset in an MFA organization = %+v", res)
		}
		login := e.memberLogin(t, o, "ada@strict.example", strong, nil)
		if login.Authenticated() || login.Session != nil || login.Token != "" || login.IntermediateSessionToken == "" || login.MFARequired == nil {
			t.Errorf("password login in an MFA organization = %+v", login)
		}
	})
}
