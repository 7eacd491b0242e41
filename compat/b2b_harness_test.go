package compat

import (
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stytchauth/stytch-go/v16/stytch/b2b/b2bstytchapi"
	b2bdiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/discovery"
	b2bmagiclinks "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks"
	mldiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/discovery"
	mlemail "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email"
	emaildiscovery "github.com/stytchauth/stytch-go/v16/stytch/b2b/magiclinks/email/discovery"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations"
	"github.com/stytchauth/stytch-go/v16/stytch/b2b/organizations/members"
	b2bsessions "github.com/stytchauth/stytch-go/v16/stytch/b2b/sessions"
	consumersessions "github.com/stytchauth/stytch-go/v16/stytch/consumer/sessions"
	"github.com/stytchauth/stytch-go/v16/stytch/stytcherror"

	"github.com/latchauth/latch/internal/latchtest"
	"github.com/latchauth/latch/internal/token"
)

// The B2B half of the suite: the official b2bstytchapi client against a
// real latch process, on SQLite and PostgreSQL, exactly as a multi-tenant
// app uses it.

// Stytch's B2B vocabulary, as the SDK sends and receives it.
const (
	allAllowed = "ALL_ALLOWED"
	restricted = "RESTRICTED"
	notAllowed = "NOT_ALLOWED"

	roleMember = "stytch_member"
	roleAdmin  = "stytch_admin"

	tokenTypeDiscovery   = "discovery"
	tokenTypeMultiTenant = "multi_tenant_magic_links"

	activeMember   = "active_member"
	invitedMember  = "invited_member"
	pendingMember  = "pending_member"
	eligibleByMail = "eligible_to_join_by_email_domain"

	// Never issued: shaped like real IDs of a test project.
	unknownOrganizationID = "organization-test-00000000-0000-4000-8000-000000000000"
	unknownMemberID       = "member-test-00000000-0000-4000-8000-000000000000"
)

// b2bEnv is a B2B scenario's server and a B2B SDK client built the way an
// application builds it, with what a test needs to reach its database.
type b2bEnv struct {
	srv *latchtest.Server
	c   *b2bstytchapi.API
	// driver and dsn open the server's database from the test (see
	// expire); the SQLite file is the test's own.
	driver, dsn string
}

// eachB2BDatabase runs fn in a parallel subtest per database, each with
// its own latch process, database and test project.
func eachB2BDatabase(t *testing.T, fn func(t *testing.T, e *b2bEnv)) {
	t.Helper()
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			e := &b2bEnv{driver: "pgx", dsn: db.url(t)}
			latchURL := e.dsn
			if e.dsn == "" {
				// SQLite in a file the test names, so that expire can reach it.
				path := filepath.Join(t.TempDir(), "latch.db")
				e.driver, e.dsn, latchURL = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)", "sqlite:"+path
			}
			e.srv = latchtest.Start(t, latchtest.Options{DatabaseURL: latchURL})
			closeIdleFirst(t)
			e.c = newB2BClient(t, e.srv.ProjectID, e.srv.Secret, e.srv.URL)
			fn(t, e)
		})
	}
}

// newB2BClient builds a b2bstytchapi client as an app does: construction
// fetches the project's B2B JWKS.
func newB2BClient(tb testing.TB, projectID, secret, baseURL string) *b2bstytchapi.API {
	tb.Helper()
	c, err := b2bstytchapi.NewClient(projectID, secret, b2bstytchapi.WithBaseURI(baseURL))
	if err != nil {
		tb.Fatalf("b2bstytchapi.NewClient(%s, WithBaseURI(%s)): %v", projectID, baseURL, err)
	}
	return c
}

// otherProject creates a second project in the server's database and
// returns a B2B client with its credentials.
func (e *b2bEnv) otherProject(tb testing.TB) (projectID string, c *b2bstytchapi.API) {
	tb.Helper()
	var creds struct {
		ProjectID string `json:"project_id"`
		Secret    string `json:"secret"`
	}
	if err := json.Unmarshal(e.srv.Run(tb, "project", "create", "--name", "other "+tb.Name(), "--json"), &creds); err != nil {
		tb.Fatalf("latch project create: %v", err)
	}
	return creds.ProjectID, newB2BClient(tb, creds.ProjectID, creds.Secret, e.srv.URL)
}

// expire moves the expiry of a magic link token, or of an intermediate
// session token, into the past, directly in the server's database: the
// only way to age a token of a running server by an hour without waiting
// for it. The tables are Latch's own (migrations 0001 and 0002).
func (e *b2bEnv) expire(tb testing.TB, table, tok string) {
	tb.Helper()
	db, err := sql.Open(e.driver, e.dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", e.driver, err)
	}
	defer db.Close()
	past := time.Now().Add(-time.Hour).UTC()
	var at any = past
	q := "UPDATE " + table + " SET expires_at = $1 WHERE project_id = $2 AND token_hash = $3"
	if e.driver == "sqlite" {
		at, q = past.UnixMicro(), strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(q)
	}
	res, err := db.ExecContext(ctx, q, at, e.srv.ProjectID, token.Hash(tok))
	if err != nil {
		tb.Fatalf("expire %s token: %v", table, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		tb.Fatalf("expire %s token: %d rows, want 1", table, n)
	}
}

// randHex returns n random bytes in hex.
func randHex(tb testing.TB, n int) string {
	tb.Helper()
	return hex.EncodeToString(randomBytes(tb, n))
}

// newDomain returns an email domain no other test uses, so organizations
// that allow it (email_allowed_domains) are discovered by this test only.
func newDomain(tb testing.TB) string {
	tb.Helper()
	return "b2b-" + randHex(tb, 4) + ".example.com"
}

// newOrg creates an organization with the given settings; a unique name
// and slug are filled in when p leaves them empty.
func newOrg(tb testing.TB, e *b2bEnv, label string, p organizations.CreateParams) organizations.Organization {
	tb.Helper()
	suffix := randHex(tb, 4)
	if p.OrganizationName == "" {
		p.OrganizationName = label + " " + suffix
	}
	if p.OrganizationSlug == "" {
		p.OrganizationSlug = strings.ToLower(label) + "-" + suffix
	}
	res, err := e.c.Organizations.Create(ctx, &p)
	if err != nil {
		tb.Fatalf("organizations.create %s: %v", p.OrganizationName, err)
	}
	o := res.Organization
	if !strings.HasPrefix(o.OrganizationID, "organization-test-") || o.OrganizationName != p.OrganizationName || o.OrganizationSlug != p.OrganizationSlug {
		tb.Fatalf("organizations.create %s = id %q name %q slug %q", p.OrganizationName, o.OrganizationID, o.OrganizationName, o.OrganizationSlug)
	}
	return o
}

// newMember creates a member of an organization with the API.
func newMember(tb testing.TB, e *b2bEnv, orgID, addr string, p members.CreateParams) members.CreateResponse {
	tb.Helper()
	p.OrganizationID, p.EmailAddress = orgID, addr
	res, err := e.c.Organizations.Members.Create(ctx, &p)
	if err != nil {
		tb.Fatalf("members.create %s in %s: %v", addr, orgID, err)
	}
	if !strings.HasPrefix(res.MemberID, "member-test-") || res.Member.MemberID != res.MemberID ||
		res.Member.OrganizationID != orgID || res.Organization.OrganizationID != orgID || res.Member.EmailAddress != addr {
		tb.Fatalf("members.create %s = member_id %q, member %q of %q (%s), organization %q", addr, res.MemberID, res.Member.MemberID, res.Member.OrganizationID, res.Member.EmailAddress, res.Organization.OrganizationID)
	}
	return *res
}

// sendAndRead runs send, which must email addr, and returns the message it
// delivered.
func sendAndRead(tb testing.TB, srv *latchtest.Server, addr string, send func()) message {
	tb.Helper()
	n := len(srv.DevInbox(tb, addr))
	send()
	return waitMessage(tb, srv, addr, n+1)
}

// noMail checks that nothing was emailed to addr.
func noMail(tb testing.TB, srv *latchtest.Server, addr, what string) {
	tb.Helper()
	if ms := srv.DevInbox(tb, addr); len(ms) != 0 {
		tb.Errorf("%s emailed %d messages to %s, want none", what, len(ms), addr)
	}
}

// checkB2BLink checks that a B2B magic link is the allowlisted redirect URL
// with exactly stytch_redirect_type=login, stytch_token_type and a token
// (STYTCH_API.md §5), and returns the token.
func checkB2BLink(tb testing.TB, link, redirect, tokenType string) string {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil {
		tb.Fatalf("link %q: %v", link, err)
	}
	q := u.Query()
	u.RawQuery = ""
	if got := u.String(); got != redirect {
		tb.Errorf("link %q points at %q, want %q", link, got, redirect)
	}
	if len(q) != 3 || q.Get("stytch_redirect_type") != "login" || q.Get("stytch_token_type") != tokenType {
		tb.Errorf("link %q: query %v, want exactly stytch_redirect_type=login, stytch_token_type=%s and token", link, q, tokenType)
	}
	tok := q.Get("token")
	if b, err := base64.URLEncoding.DecodeString(tok); err != nil || len(b) != 32 {
		tb.Errorf("link %q: token %q is not 32 bytes of padded base64url", link, tok)
	}
	return tok
}

// discover sends a discovery magic link to addr, reads it from the dev
// inbox and authenticates it: the start of every discovery login.
func discover(tb testing.TB, e *b2bEnv, addr string) *mldiscovery.AuthenticateResponse {
	tb.Helper()
	m := sendAndRead(tb, e.srv, addr, func() {
		res, err := e.c.MagicLinks.Email.Discovery.Send(ctx, &emaildiscovery.SendParams{EmailAddress: addr})
		if err != nil {
			tb.Fatalf("magic_links.email.discovery.send %s: %v", addr, err)
		}
		if res.StatusCode != 200 || !strings.HasPrefix(res.RequestID, "request-id-test-") {
			tb.Errorf("discovery.send = %+v, want 200 with a request_id", *res)
		}
	})
	tok := checkB2BLink(tb, m.Link, appURL, tokenTypeDiscovery)
	res, err := e.c.MagicLinks.Discovery.Authenticate(ctx, &mldiscovery.AuthenticateParams{DiscoveryMagicLinksToken: tok})
	if err != nil {
		tb.Fatalf("magic_links.discovery.authenticate %s: %v", addr, err)
	}
	if res.StatusCode != 200 || res.IntermediateSessionToken == "" || res.EmailAddress != addr {
		tb.Fatalf("discovery.authenticate = status %d, intermediate_session_token %q, email_address %q; want 200, a token, %s", res.StatusCode, res.IntermediateSessionToken, res.EmailAddress, addr)
	}
	return res
}

// memberLogin logs addr in to an organization by email magic link:
// login_or_signup, the email, authenticate.
func memberLogin(tb testing.TB, e *b2bEnv, orgID, addr string) *b2bmagiclinks.AuthenticateResponse {
	tb.Helper()
	m := sendAndRead(tb, e.srv, addr, func() {
		if _, err := e.c.MagicLinks.Email.LoginOrSignup(ctx, &mlemail.LoginOrSignupParams{OrganizationID: orgID, EmailAddress: addr}); err != nil {
			tb.Fatalf("magic_links.email.login_or_signup %s in %s: %v", addr, orgID, err)
		}
	})
	tok := checkB2BLink(tb, m.Link, appURL, tokenTypeMultiTenant)
	res, err := e.c.MagicLinks.Authenticate(ctx, &b2bmagiclinks.AuthenticateParams{MagicLinksToken: tok})
	if err != nil {
		tb.Fatalf("b2b magic_links.authenticate %s in %s: %v", addr, orgID, err)
	}
	if res.OrganizationID != orgID || res.Member.EmailAddress != addr || res.SessionToken == "" || res.MemberSession == nil {
		tb.Fatalf("b2b magic_links.authenticate = organization %q, member %q, session_token %q, member_session %v; want %s, %s and a session",
			res.OrganizationID, res.Member.EmailAddress, res.SessionToken, res.MemberSession, orgID, addr)
	}
	return res
}

// discoveredTypes maps each discovered organization's ID to its
// membership type, checking that each names both.
func discoveredTypes(tb testing.TB, what string, ds []b2bdiscovery.DiscoveredOrganization) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for i, d := range ds {
		if d.Organization == nil || d.Membership == nil {
			tb.Errorf("%s: discovered_organizations[%d] = organization %v, membership %v; want both", what, i, d.Organization, d.Membership)
			continue
		}
		out[d.Organization.OrganizationID] = d.Membership.Type
	}
	return out
}

// roleIDs returns a member's role IDs, checking that each names its
// sources.
func roleIDs(tb testing.TB, m organizations.Member) []string {
	tb.Helper()
	var out []string
	for _, r := range m.Roles {
		if len(r.Sources) == 0 {
			tb.Errorf("member %s: role %s has no sources", m.MemberID, r.RoleID)
		}
		out = append(out, r.RoleID)
	}
	return out
}

// wantMember is what checkMember compares.
type wantMember struct {
	id, orgID, addr, status string
	verified, admin         bool
}

// checkMember checks a member's identity, status and roles.
func checkMember(tb testing.TB, what string, m organizations.Member, w wantMember) {
	tb.Helper()
	if (w.id != "" && m.MemberID != w.id) || m.OrganizationID != w.orgID || m.EmailAddress != w.addr || m.Status != w.status {
		tb.Errorf("%s: member %q of %q, %s, status %q; want %q of %q, %s, %s", what, m.MemberID, m.OrganizationID, m.EmailAddress, m.Status, w.id, w.orgID, w.addr, w.status)
	}
	if m.EmailAddressVerified != w.verified || m.IsAdmin != w.admin {
		tb.Errorf("%s: email_address_verified %v, is_admin %v; want %v, %v", what, m.EmailAddressVerified, m.IsAdmin, w.verified, w.admin)
	}
	roles := roleIDs(tb, m)
	if !slices.Contains(roles, roleMember) || slices.Contains(roles, roleAdmin) != w.admin {
		tb.Errorf("%s: roles %v; want %s, and %s only if admin (%v)", what, roles, roleMember, roleAdmin, w.admin)
	}
	if m.CreatedAt == nil || m.UpdatedAt == nil {
		tb.Errorf("%s: created_at %v, updated_at %v", what, m.CreatedAt, m.UpdatedAt)
	}
}

// checkMemberSession checks a member session from an email magic link
// login of addr as member memberID of o, lasting minutes.
func checkMemberSession(tb testing.TB, what string, s b2bsessions.MemberSession, memberID string, o organizations.Organization, addr string, minutes int) {
	tb.Helper()
	if !strings.HasPrefix(s.MemberSessionID, "member-session-test-") || s.MemberID != memberID ||
		s.OrganizationID != o.OrganizationID || s.OrganizationSlug != o.OrganizationSlug {
		tb.Errorf("%s: member_session %q of member %q in %q (%q); want member-session-test-… of %s in %s (%s)",
			what, s.MemberSessionID, s.MemberID, s.OrganizationID, s.OrganizationSlug, memberID, o.OrganizationID, o.OrganizationSlug)
	}
	if !slices.Contains(s.Roles, roleMember) {
		tb.Errorf("%s: roles %v, want %s", what, s.Roles, roleMember)
	}
	if s.StartedAt == nil || s.LastAccessedAt == nil || s.ExpiresAt == nil {
		tb.Fatalf("%s: started_at %v, last_accessed_at %v, expires_at %v", what, s.StartedAt, s.LastAccessedAt, s.ExpiresAt)
	}
	if minutes > 0 && (!near(*s.StartedAt, time.Now(), 2*time.Minute) || !near(*s.ExpiresAt, s.StartedAt.Add(time.Duration(minutes)*time.Minute), 2*time.Second)) {
		tb.Errorf("%s: started %v, expires %v; want now and %d minutes later", what, s.StartedAt, s.ExpiresAt, minutes)
	}
	if len(s.AuthenticationFactors) == 0 {
		tb.Fatalf("%s: no authentication factors", what)
	}
	f := s.AuthenticationFactors[0]
	if f.Type != consumersessions.AuthenticationFactorTypeMagicLink || f.DeliveryMethod != consumersessions.AuthenticationFactorDeliveryMethodEmail {
		tb.Errorf("%s: factor %s/%s, want magic_link/email", what, f.Type, f.DeliveryMethod)
	}
	if f.EmailFactor == nil || f.EmailFactor.EmailAddress != addr {
		tb.Errorf("%s: email_factor %+v, want %s", what, f.EmailFactor, addr)
	}
	if f.LastAuthenticatedAt == nil || f.LastAuthenticatedAt.IsZero() {
		tb.Errorf("%s: factor has no last_authenticated_at", what)
	}
}

// jwtPayload decodes a JWT's payload without verifying it.
func jwtPayload(tb testing.TB, jwt string) map[string]any {
	tb.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		tb.Fatalf("%q is not a JWS compact serialization", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("JWT payload: %v", err)
	}
	return m
}

// checkMemberJWT checks what the SDKs need of a member session JWT
// (STYTCH_API.md §4): the consumer checks with sub = member_id, and the
// organization claim with the organization's ID and slug.
func checkMemberJWT(tb testing.TB, e *b2bEnv, jwt, memberID string, o organizations.Organization) {
	tb.Helper()
	checkJWT(tb, jwt, e.srv.ProjectID, memberID, b2bKids(tb, e))
	org, ok := jwtPayload(tb, jwt)["https://stytch.com/organization"].(map[string]any)
	if !ok || org["organization_id"] != o.OrganizationID || org["slug"] != o.OrganizationSlug {
		tb.Errorf("JWT organization claim %v, want organization_id %s and slug %s", org, o.OrganizationID, o.OrganizationSlug)
	}
}

// b2bKids returns the key IDs the project's B2B JWKS publishes.
func b2bKids(tb testing.TB, e *b2bEnv) []string {
	tb.Helper()
	res, err := e.c.Sessions.GetJWKS(ctx, &b2bsessions.GetJWKSParams{ProjectID: e.srv.ProjectID})
	if err != nil {
		tb.Fatalf("b2b sessions.get_jwks: %v", err)
	}
	var kids []string
	for _, k := range res.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// wantErrorType checks that err is the Stytch error of this type, with the
// full envelope and an error_url naming its status, whatever the 4xx
// status is, and returns it. For the organization policy errors, whose
// status Stytch's error reference does not pin down in any page Latch
// could read, the type is the contract apps branch on.
func wantErrorType(tb testing.TB, err error, typ string) stytcherror.Error {
	tb.Helper()
	var se stytcherror.Error
	if !errors.As(err, &se) {
		tb.Fatalf("got error %v (%T), want a stytcherror.Error %s", err, err, typ)
	}
	if string(se.ErrorType) != typ || se.StatusCode < 400 || se.StatusCode > 499 {
		tb.Fatalf("got %d %s (%q), want a 4xx %s", se.StatusCode, se.ErrorType, se.ErrorMessage, typ)
	}
	return wantError(tb, err, se.StatusCode, typ)
}

// idsOf returns the organization IDs of orgs, sorted.
func idsOf(orgs []organizations.Organization) []string {
	var out []string
	for _, o := range orgs {
		out = append(out, o.OrganizationID)
	}
	slices.Sort(out)
	return out
}

// memberIDsOf returns the member IDs of ms, sorted.
func memberIDsOf(ms []organizations.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.MemberID)
	}
	slices.Sort(out)
	return out
}

func sortedStrings(s ...string) []string { slices.Sort(s); return s }

// describe formats a value for failure messages.
func describe(v any) string { return fmt.Sprintf("%+v", v) }

// outcome describes a call's result for a failure message: its error, or
// the value it returned.
func outcome(v any, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return describe(v)
}
