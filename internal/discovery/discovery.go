// Package discovery is B2B login before an organization is chosen: an
// intermediate session proves control of an email address; discovery
// lists the organizations that address may enter, and exchanges the
// intermediate session for a member session in one of them (joining it
// just in time when its policy allows), or creates a new organization with
// the address as its first admin. It also moves a member's session from
// one organization to another.
package discovery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// Service runs discovery.
type Service struct {
	store    store.Store
	sessions *session.Service
	orgs     *organization.Service
	now      func() time.Time
}

// NewService returns a Service.
func NewService(st store.Store, sessions *session.Service, orgs *organization.Service, now func() time.Time) *Service {
	return &Service{store: st, sessions: sessions, orgs: orgs, now: now}
}

// Start issues an intermediate session for an address whose control the
// factors prove, within tx, and returns its token.
func (s *Service) Start(ctx context.Context, tx store.Store, p *auth.Project, address string, factors []auth.AuthenticationFactor) (string, error) {
	return s.sessions.StartIntermediate(ctx, tx, p, session.IntermediateInput{EmailAddress: address, Factors: factors})
}

// Discovered is one organization an address may enter, and how.
type Discovered struct {
	Organization *auth.Organization
	Membership   organization.MembershipType
	// Member is the address's member record in the organization; nil when
	// it would join by email domain.
	Member *auth.Member
	// PrimaryRequired lists the organization's allowed auth methods when
	// the factors that proved the address are not among them: the app must
	// authenticate the member with one of those before entering.
	PrimaryRequired []string
	// MFARequired is non-nil when entering the organization with these
	// factors would stop for a second factor (session.AttachMember decides
	// the same way).
	MFARequired *session.MFARequired
}

// Authenticated reports whether exchanging into the organization would
// complete the login: no other primary factor and no second factor is
// needed.
func (d *Discovered) Authenticated() bool { return d.PrimaryRequired == nil && d.MFARequired == nil }

// Discovered lists the organizations an address may enter, given the
// factors that proved it: those where it is an active, pending or invited
// member, then those whose email domain policy would let it join, then,
// when an OAuth factor proved a tenant, those whose allowed OAuth tenants
// list it. Deleted memberships are left out.
func (s *Service) Discovered(ctx context.Context, st store.Store, p *auth.Project, address string, factors []auth.AuthenticationFactor) ([]Discovered, error) {
	tenant := OAuthTenant(factors)
	members, err := st.ListMembersByEmail(ctx, p.ID, address)
	if err != nil {
		return nil, fmt.Errorf("discovery: list memberships: %w", err)
	}
	out := []Discovered{}
	seen := map[string]bool{}
	for i := range members {
		m := &members[i]
		seen[m.OrganizationID] = true
		o, err := st.GetOrganization(ctx, p.ID, m.OrganizationID)
		if err != nil {
			return nil, fmt.Errorf("discovery: get organization: %w", err)
		}
		typ, err := organization.Membership(o, m, address, tenant)
		if err != nil {
			continue // deleted: not offered
		}
		out = append(out, Discovered{
			Organization: o, Membership: typ, Member: m,
			PrimaryRequired: primaryRequired(o, factors), MFARequired: session.MFARequirement(o, m, factors),
		})
	}
	eligible, err := st.ListOrganizationsByAllowedDomain(ctx, p.ID, organization.EmailDomain(address))
	if err != nil {
		return nil, fmt.Errorf("discovery: list organizations by domain: %w", err)
	}
	for i := range eligible {
		o := &eligible[i]
		if seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		if typ, err := organization.Membership(o, nil, address, tenant); err == nil {
			out = append(out, Discovered{
				Organization: o, Membership: typ,
				PrimaryRequired: primaryRequired(o, factors), MFARequired: session.MFARequirement(o, nil, factors),
			})
		}
	}
	if tenant.TenantID == "" {
		return out, nil
	}
	byTenant, err := st.ListOrganizationsWithOAuthTenantJIT(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("discovery: list organizations by oauth tenant: %w", err)
	}
	for i := range byTenant {
		o := &byTenant[i]
		if seen[o.ID] || !organization.TenantAllowed(o, tenant) {
			continue
		}
		out = append(out, Discovered{
			Organization: o, Membership: organization.EligibleToJoinByOAuthTenant,
			PrimaryRequired: primaryRequired(o, factors), MFARequired: session.MFARequirement(o, nil, factors),
		})
	}
	return out, nil
}

// OAuthTenant returns the OAuth tenant an OAuth factor among factors
// proved, or the zero value.
func OAuthTenant(factors []auth.AuthenticationFactor) organization.OAuthTenant {
	for _, f := range factors {
		if o := f.OAuthFactor; o != nil && o.TenantID != "" {
			return organization.OAuthTenant{ProviderType: o.ProviderType, TenantID: o.TenantID}
		}
	}
	return organization.OAuthTenant{}
}

// ListInput names whose organizations to list: an intermediate session
// token, or a member session by token or JWT.
type ListInput struct {
	IntermediateSessionToken string
	SessionToken             string
	SessionJWT               string
}

// ListOrganizations is discovery/organizations: the address behind the
// credential and the organizations it may enter. The intermediate session
// is not consumed.
func (s *Service) ListOrganizations(ctx context.Context, p *auth.Project, in ListInput) (string, []Discovered, error) {
	var (
		address string
		factors []auth.AuthenticationFactor
	)
	switch n := auth.CountSet(in.IntermediateSessionToken, in.SessionToken, in.SessionJWT); {
	case n == 0:
		return "", nil, auth.ErrNoSessionArguments.WithMessage("One of intermediate_session_token, session_token or session_jwt must be provided.")
	case n > 1:
		return "", nil, auth.ErrTooManySessionArguments.WithMessage("Only one of intermediate_session_token, session_token or session_jwt may be provided.")
	case in.IntermediateSessionToken != "":
		ist, err := s.intermediate(ctx, p, in.IntermediateSessionToken)
		if err != nil {
			return "", nil, err
		}
		address, factors = ist.EmailAddress, ist.Factors
	default:
		sess, m, _, err := s.sessions.AuthenticateMember(ctx, p, in.SessionToken, in.SessionJWT)
		if err != nil {
			return "", nil, err
		}
		address, factors = m.EmailAddress, sess.AuthenticationFactors
	}
	ds, err := s.Discovered(ctx, s.store, p, address, factors)
	return address, ds, err
}

// intermediate returns the live intermediate session of a token without
// consuming it.
func (s *Service) intermediate(ctx context.Context, p *auth.Project, tok string) (*auth.IntermediateSession, error) {
	ist, err := s.store.GetIntermediateSession(ctx, p.ID, token.Hash(tok), s.now().UTC())
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConsumed) {
		return nil, auth.ErrIntermediateSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("discovery: get intermediate session: %w", err)
	}
	return ist, nil
}

// consume consumes an intermediate session within tx; of concurrent
// exchanges of one token, one wins.
func (s *Service) consume(ctx context.Context, tx store.Store, p *auth.Project, tok string) (*auth.IntermediateSession, error) {
	ist, err := tx.ConsumeIntermediateSession(ctx, p.ID, token.Hash(tok), s.now().UTC())
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConsumed) {
		return nil, auth.ErrIntermediateSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("discovery: consume intermediate session: %w", err)
	}
	return ist, nil
}

// CheckIntermediate checks, without consuming it, that an intermediate
// session token is live and may complete a login of member m into o (see
// ConsumeForMember), and returns the session.
//
// Errors: ErrIntermediateSessionNotFound, ErrInvalidISTForOrganization.
func (s *Service) CheckIntermediate(ctx context.Context, p *auth.Project, tok string, o *auth.Organization, m *auth.Member) (*auth.IntermediateSession, error) {
	ist, err := s.intermediate(ctx, p, tok)
	if err != nil {
		return nil, err
	}
	return ist, forMember(ist, o, m)
}

// ConsumeForMember consumes an intermediate session within tx to complete
// a login of member m into o with a second factor (TOTP, a recovery
// code), or with primary, a primary factor o requires (primary_required):
// the session must name that member, or, when it names no organization
// yet (discovery), prove the member's address. As an exchange does, it
// checks that o lets the member in with the session's factors and
// primary's, and makes a pending or invited member active. It returns the
// session, whose factors the member session carries, and the member as
// updated.
//
// Errors: ErrIntermediateSessionNotFound, ErrInvalidISTForOrganization,
// and the organization policy errors of an exchange.
func (s *Service) ConsumeForMember(ctx context.Context, tx store.Store, p *auth.Project, tok string, o *auth.Organization, m *auth.Member, primary ...auth.AuthenticationFactor) (*auth.IntermediateSession, *auth.Member, error) {
	ist, err := s.consume(ctx, tx, p, tok)
	if err != nil {
		return nil, nil, err
	}
	if err := forMember(ist, o, m); err != nil {
		return nil, nil, err
	}
	m, err = s.Enter(ctx, tx, p, o, m, ist.EmailAddress, slices.Concat(ist.Factors, primary))
	if err != nil {
		return nil, nil, err
	}
	return ist, m, nil
}

// forMember checks that an intermediate session may complete a login of
// member m into o.
func forMember(ist *auth.IntermediateSession, o *auth.Organization, m *auth.Member) error {
	if ist.OrganizationID != "" {
		if ist.OrganizationID != o.ID || ist.MemberID != m.ID {
			return auth.ErrInvalidISTForOrganization
		}
		return nil
	}
	if !strings.EqualFold(ist.EmailAddress, m.EmailAddress) {
		return auth.ErrInvalidISTForOrganization.WithMessage("The intermediate session token proves another email address than the member's.")
	}
	return nil
}

// ExchangeInput is discovery/intermediate_sessions/exchange.
type ExchangeInput struct {
	IntermediateSessionToken string
	OrganizationID           string
	DurationMinutes          int
	CustomClaims             map[string]any
}

// Exchange consumes an intermediate session and logs its address in to an
// organization it may enter, as a member (made active, or created when the
// organization's email domain policy allows it).
func (s *Service) Exchange(ctx context.Context, p *auth.Project, in ExchangeInput) (*session.MemberResult, error) {
	if in.IntermediateSessionToken == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("intermediate_session_token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	o, err := s.organization(ctx, p, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, p, in.DurationMinutes, in.CustomClaims, func(tx store.Store) (*auth.Member, *auth.Organization, []auth.AuthenticationFactor, error) {
		ist, err := s.consume(ctx, tx, p, in.IntermediateSessionToken)
		if err != nil {
			return nil, nil, nil, err
		}
		m, err := s.Join(ctx, tx, p, o, ist.EmailAddress, ist.Factors)
		return m, o, ist.Factors, err
	})
}

// SessionExchangeInput is B2B sessions/exchange.
type SessionExchangeInput struct {
	SessionToken    string
	SessionJWT      string
	OrganizationID  string
	DurationMinutes int
	CustomClaims    map[string]any
}

// ExchangeSession starts a session in another organization for the member
// of a live session, carrying its factors over. As in Stytch, it enters
// only organizations where the address already is a member (active,
// pending or invited): it never provisions by email domain.
func (s *Service) ExchangeSession(ctx context.Context, p *auth.Project, in SessionExchangeInput) (*session.MemberResult, error) {
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	cur, from, _, err := s.sessions.AuthenticateMember(ctx, p, in.SessionToken, in.SessionJWT)
	if err != nil {
		return nil, err
	}
	o, err := s.organization(ctx, p, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	return s.login(ctx, p, in.DurationMinutes, in.CustomClaims, func(tx store.Store) (*auth.Member, *auth.Organization, []auth.AuthenticationFactor, error) {
		m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, from.EmailAddress)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil, auth.ErrMemberNotFound.WithMessage("%s is not a member of %s; exchange an intermediate session to join it.", from.EmailAddress, o.Name)
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("discovery: exchange session: %w", err)
		}
		factors := transferable(cur.AuthenticationFactors)
		m, err = s.Enter(ctx, tx, p, o, m, from.EmailAddress, factors)
		return m, o, factors, err
	})
}

// transferable returns the factors of a session that a session exchange
// carries into another organization: all but an authenticator app's codes
// and recovery codes, which belong to the member of the first
// organization, prove nothing of the member in the next, and so must not
// satisfy that organization's MFA (Stytch does not transfer them either).
func transferable(fs []auth.AuthenticationFactor) []auth.AuthenticationFactor {
	return slices.DeleteFunc(slices.Clone(fs), func(f auth.AuthenticationFactor) bool {
		return f.Type == auth.FactorTOTP || f.Type == auth.FactorRecoveryCodes
	})
}

// CreateInput is discovery/organizations/create: the new organization,
// as organizations.create takes it, and the session its creator starts.
type CreateInput struct {
	IntermediateSessionToken string
	Organization             organization.CreateInput
	DurationMinutes          int
	CustomClaims             map[string]any
}

// CreateOrganization consumes an intermediate session and creates an
// organization with its address as the first member, an active
// stytch_admin, logged in.
func (s *Service) CreateOrganization(ctx context.Context, p *auth.Project, in CreateInput) (*session.MemberResult, error) {
	if in.IntermediateSessionToken == "" {
		return nil, auth.ErrInvalidArgument.WithMessage("intermediate_session_token is required.")
	}
	if err := session.ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	return s.login(ctx, p, in.DurationMinutes, in.CustomClaims, func(tx store.Store) (*auth.Member, *auth.Organization, []auth.AuthenticationFactor, error) {
		ist, err := s.consume(ctx, tx, p, in.IntermediateSessionToken)
		if err != nil {
			return nil, nil, nil, err
		}
		if strings.TrimSpace(in.Organization.Name) == "" {
			in.Organization.Name = DefaultOrganizationName(ist.EmailAddress)
		}
		o, err := s.orgs.CreateTx(ctx, tx, p, in.Organization)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := allowsFactors(o, ist.Factors); err != nil {
			return nil, nil, nil, err
		}
		now := s.now().UTC()
		m := &auth.Member{
			ID: auth.NewID(auth.KindMember, p.Env), ProjectID: p.ID, OrganizationID: o.ID,
			EmailAddress: ist.EmailAddress, EmailVerified: true, Status: auth.MemberActive,
			TrustedMetadata: map[string]any{}, UntrustedMetadata: map[string]any{}, Roles: []string{auth.RoleAdmin},
			CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.CreateMember(ctx, p.ID, m); err != nil {
			return nil, nil, nil, fmt.Errorf("discovery: create first member: %w", err)
		}
		return m, o, ist.Factors, nil
	})
}

// login runs enter in a transaction to find or make the member and the
// organization a login enters, with the factors that proved it, starts
// their member session in the same transaction, and mints its JWT after
// commit.
func (s *Service) login(ctx context.Context, p *auth.Project, minutes int, claims map[string]any,
	enter func(tx store.Store) (*auth.Member, *auth.Organization, []auth.AuthenticationFactor, error)) (*session.MemberResult, error) {
	var res *session.MemberResult
	err := s.store.InTx(ctx, func(tx store.Store) error {
		m, o, factors, err := enter(tx)
		if err != nil {
			return err
		}
		if factors, err = s.LinkOAuth(ctx, tx, p, m, factors); err != nil {
			return err
		}
		res, err = s.sessions.AttachMember(ctx, tx, p, session.AttachMemberInput{
			Member: m, Organization: o, Factors: factors, DurationMinutes: minutes, CustomClaims: claims,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.sessions.FinishMember(ctx, p, res); err != nil {
		return nil, err
	}
	return res, nil
}

// Join makes the holder of address a member of o able to log in, within
// tx: its existing membership, activated, or a new member when o's policy
// lets the address join by email domain or, for an OAuth login, by the
// tenant its factors prove. Every B2B primary login that may provision a
// member just in time applies it.
func (s *Service) Join(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, address string, factors []auth.AuthenticationFactor) (*auth.Member, error) {
	m, err := tx.GetMemberByEmail(ctx, p.ID, o.ID, address)
	switch {
	case err == nil:
		return s.Enter(ctx, tx, p, o, m, address, factors)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("discovery: join: %w", err)
	}
	if _, err := organization.Membership(o, nil, address, OAuthTenant(factors)); err != nil {
		return nil, err
	}
	if err := allowsFactors(o, factors); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	m = &auth.Member{
		ID: auth.NewID(auth.KindMember, p.Env), ProjectID: p.ID, OrganizationID: o.ID,
		EmailAddress: address, EmailVerified: true, Status: auth.MemberActive,
		TrustedMetadata: map[string]any{}, UntrustedMetadata: map[string]any{}, Roles: []string{},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateMember(ctx, p.ID, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, auth.ErrDuplicateMemberEmail
		}
		return nil, fmt.Errorf("discovery: join: %w", err)
	}
	return m, nil
}

// Enter checks, within tx, that an existing member may log in to o with
// factors that proved address (its membership is not deleted, o allows the
// factors' auth methods), and makes a pending or invited member active
// with its email verified. Every B2B primary login into an organization
// applies it.
func (s *Service) Enter(ctx context.Context, tx store.Store, p *auth.Project, o *auth.Organization, m *auth.Member, address string, factors []auth.AuthenticationFactor) (*auth.Member, error) {
	if _, err := organization.Membership(o, m, address, organization.OAuthTenant{}); err != nil {
		return nil, err
	}
	if err := allowsFactors(o, factors); err != nil {
		return nil, err
	}
	// Only factors that proved the member's own address verify it (a
	// provider account linked to the member may assert another, or none).
	proved := strings.EqualFold(address, m.EmailAddress)
	if m.Status == auth.MemberActive && (m.EmailVerified || !proved) {
		return m, nil
	}
	m.Status, m.UpdatedAt = auth.MemberActive, s.now().UTC()
	m.EmailVerified = m.EmailVerified || proved
	if err := tx.UpdateMember(ctx, p.ID, m); err != nil {
		return nil, fmt.Errorf("discovery: activate member: %w", err)
	}
	return m, nil
}

// LinkOAuth links member m, within tx, to the provider account each OAuth
// factor among factors proved (a login that chose its organization after
// the provider: discovery), unless the account is linked already. It
// returns the factors with each one naming the member's link, as the
// member session records them.
func (s *Service) LinkOAuth(ctx context.Context, tx store.Store, p *auth.Project, m *auth.Member, factors []auth.AuthenticationFactor) ([]auth.AuthenticationFactor, error) {
	out := slices.Clone(factors)
	for i, f := range out {
		o := f.OAuthFactor
		if o == nil || o.ProviderName == "" || o.ProviderSubject == "" {
			continue
		}
		reg, err := tx.GetMemberOAuthRegistrationBySubject(ctx, p.ID, m.OrganizationID, o.ProviderName, o.ProviderSubject)
		switch {
		case err == nil && reg.MemberID != m.ID:
			// The account is linked to another member (its address at the
			// provider changed): the login proved this member's address,
			// and the other member keeps its link.
			continue
		case errors.Is(err, store.ErrNotFound):
			now := s.now().UTC()
			reg = &auth.MemberOAuthRegistration{
				ID: auth.NewID(auth.KindMemberOAuthRegistration, p.Env), OrganizationID: m.OrganizationID, MemberID: m.ID,
				Provider: o.ProviderName, Subject: o.ProviderSubject, Email: m.EmailAddress, TenantID: o.TenantID,
				CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.PutMemberOAuthRegistration(ctx, p.ID, reg); err != nil {
				return nil, fmt.Errorf("discovery: link %s account: %w", o.ProviderName, err)
			}
			m.SetOAuthRegistration(reg.ProviderLink())
		case err != nil:
			return nil, fmt.Errorf("discovery: find %s link: %w", o.ProviderName, err)
		}
		c := *o
		c.RegistrationID = reg.ID
		out[i].OAuthFactor = &c
	}
	return out, nil
}

// allowsFactors checks o's allowed auth methods against the primary
// factors that proved the address: one of them must be a method o allows
// (a login that began with another method, and completes the one o
// requires with the intermediate session, brings both).
func allowsFactors(o *auth.Organization, factors []auth.AuthenticationFactor) error {
	var refused error
	for _, f := range factors {
		if method := AuthMethod(f); method != "" {
			err := organization.AllowsAuthMethod(o, method)
			if err == nil {
				return nil
			}
			refused = cmp.Or(refused, err)
		}
	}
	return refused
}

// primaryRequired returns o's allowed auth methods when factors satisfy
// none of them, and nil when they do.
func primaryRequired(o *auth.Organization, factors []auth.AuthenticationFactor) []string {
	if allowsFactors(o, factors) == nil {
		return nil
	}
	return slices.Clone(o.AllowedAuthMethods)
}

// AuthMethod names the organization auth method (allowed_auth_methods) a
// factor is, or "" for a factor no setting restricts.
func AuthMethod(f auth.AuthenticationFactor) string {
	switch {
	case f.Type == auth.FactorMagicLink:
		return "magic_link"
	case f.Type == auth.FactorOTP && f.DeliveryMethod == auth.DeliveryEmail:
		return "email_otp"
	case f.Type == auth.FactorPassword:
		return "password"
	case f.Type == auth.FactorOAuth && f.OAuthFactor != nil:
		// A provider with no such method (apple, generic OIDC) is
		// restricted by none.
		return auth.OAuthAuthMethod(auth.OAuthProviderType(f.OAuthFactor.ProviderType))
	}
	return ""
}

// organization returns the organization an organization_id parameter
// names (an ID, slug or external ID).
func (s *Service) organization(ctx context.Context, p *auth.Project, ref string) (*auth.Organization, error) {
	return organization.Lookup(ctx, s.store, p.ID, ref)
}

// commonEmailDomains are mailbox providers whose domain says nothing about
// the organization a user belongs to.
var commonEmailDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
	"icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "mail.com", "yandex.com", "zoho.com",
}

// DefaultOrganizationName names an organization created through discovery
// without a name, as Stytch does: after the email domain, or after the
// address's local part when the domain is a common mailbox provider or a
// university's.
func DefaultOrganizationName(address string) string {
	domain := organization.EmailDomain(address)
	if slices.Contains(commonEmailDomains, domain) || strings.HasSuffix(domain, ".edu") {
		local, _, _ := strings.Cut(address, "@")
		return local + "'s organization"
	}
	return domain
}
