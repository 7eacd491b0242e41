package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/token"
)

// Member sessions are B2B sessions: one member, in one organization. They
// share the consumer sessions' tokens, JWT keys, extension and claims
// rules; they differ in whom a JWT is about (the member, with its roles
// and the organization claim) and in their default length.

// DefaultMemberSessionMinutes is the length of a member session when the
// request names none: B2B logins always start a session, as Stytch's do.
const DefaultMemberSessionMinutes = 60

// MemberResult is an authenticated member session with its member and
// organization. Token is empty when only the JWT is known (see Result).
//
// A login that stopped for MFA has no Session: IntermediateSessionToken
// and MFARequired say how to complete it.
type MemberResult struct {
	Session      *auth.Session
	Token        string
	JWT          string
	Member       *auth.Member
	Organization *auth.Organization
	// GrantingRoles answers an authorization check (nil without one).
	GrantingRoles []string
	// IntermediateSessionToken completes the login with a second factor;
	// set only with MFARequired.
	IntermediateSessionToken string
	// MFARequired is non-nil when the login needs a second factor first.
	MFARequired *MFARequired
	// deliver sends, after commit, the passcode texted as the login
	// stopped for MFA (FinishMember runs it).
	deliver func(context.Context)
}

// Authenticated reports whether the login is complete: the member has, or
// would have, a session rather than an intermediate session.
func (r *MemberResult) Authenticated() bool { return r.MFARequired == nil }

func memberSubject(m *auth.Member, o *auth.Organization) subject {
	return subject{id: m.ID, roles: organization.MemberRoles(m), org: &jwt.OrgClaim{ID: o.ID, Slug: o.Slug}}
}

// AttachMemberInput says how a successful B2B login becomes a member
// session.
type AttachMemberInput struct {
	Member          *auth.Member
	Organization    *auth.Organization
	Factors         []auth.AuthenticationFactor
	DurationMinutes int // 0 means DefaultMemberSessionMinutes
	CustomClaims    map[string]any
	// SessionToken or SessionJWT name an existing session of the same
	// member to add the factors to instead of starting a new one.
	SessionToken string
	SessionJWT   string
}

// AttachMember records a B2B login's factors within tx, on the existing
// session the input names or on a new member session. Call FinishMember
// after the transaction commits to mint the JWT.
//
// When the organization requires MFA of the member and neither the
// factors nor the existing session include a second factor it accepts,
// no session starts or grows: the result carries an intermediate session
// token bound to the member and organization, holding the factors, and
// MFARequired. A second factor it does not allow is refused.
func (s *Service) AttachMember(ctx context.Context, tx store.Store, p *auth.Project, in AttachMemberInput) (*MemberResult, error) {
	if err := ValidateDuration(in.DurationMinutes); err != nil {
		return nil, err
	}
	if _, err := validateClaims(nil, in.CustomClaims); err != nil {
		return nil, err
	}
	if in.SessionToken != "" && in.SessionJWT != "" {
		return nil, auth.ErrTooManySessionArguments
	}
	if err := checkMFAMethods(in.Organization, in.Factors); err != nil {
		return nil, err
	}
	minutes := in.DurationMinutes
	if minutes == 0 {
		minutes = DefaultMemberSessionMinutes
	}
	now := s.now().UTC()
	res := &MemberResult{Member: in.Member, Organization: in.Organization}
	if in.SessionToken != "" || in.SessionJWT != "" {
		sess, _, _, err := s.findMember(ctx, tx, p, in.SessionToken, in.SessionJWT, now)
		if err != nil {
			return nil, err
		}
		if sess.MemberID != in.Member.ID {
			return nil, auth.ErrSessionNotFound.WithMessage("The session belongs to a different member.")
		}
		if mfa := MFARequirement(in.Organization, in.Member, append(slices.Clone(sess.AuthenticationFactors), in.Factors...)); mfa != nil {
			return s.stopForMFA(ctx, tx, p, res, in.Factors, mfa)
		}
		for _, f := range in.Factors {
			sess.AuthenticationFactors = addFactor(sess.AuthenticationFactors, f)
		}
		sess.LastAccessedAt = now
		if in.DurationMinutes > 0 {
			sess.ExpiresAt = now.Add(time.Duration(in.DurationMinutes) * time.Minute)
		}
		if sess.CustomClaims, err = validateClaims(sess.CustomClaims, in.CustomClaims); err != nil {
			return nil, err
		}
		if err := s.updateMember(ctx, tx, p.ID, sess); err != nil {
			return nil, err
		}
		res.Session, res.Token = sess, in.SessionToken
		return res, nil
	}
	if mfa := MFARequirement(in.Organization, in.Member, in.Factors); mfa != nil {
		return s.stopForMFA(ctx, tx, p, res, in.Factors, mfa)
	}
	tok := token.NewSession()
	sess := &auth.Session{
		ID:                    auth.NewID(auth.KindMemberSession, p.Env),
		ProjectID:             p.ID,
		MemberID:              in.Member.ID,
		OrganizationID:        in.Organization.ID,
		TokenHash:             token.Hash(tok),
		StartedAt:             now,
		LastAccessedAt:        now,
		ExpiresAt:             now.Add(time.Duration(minutes) * time.Minute),
		AuthenticationFactors: slices.Clone(in.Factors),
		CustomClaims:          auth.MergeMetadata(nil, in.CustomClaims),
	}
	if err := tx.CreateMemberSession(ctx, p.ID, sess); err != nil {
		return nil, fmt.Errorf("session: create member session: %w", err)
	}
	res.Session, res.Token = sess, tok
	return res, nil
}

// stopForMFA ends a login that needs a second factor within tx: it issues
// an intermediate session bound to the member and organization, holding
// the login's factors, which the second factor's authenticate consumes.
func (s *Service) stopForMFA(ctx context.Context, tx store.Store, p *auth.Project, res *MemberResult, factors []auth.AuthenticationFactor, mfa *MFARequired) (*MemberResult, error) {
	tok, err := s.StartIntermediate(ctx, tx, p, IntermediateInput{
		EmailAddress: res.Member.EmailAddress, Factors: factors,
		OrganizationID: res.Organization.ID, MemberID: res.Member.ID,
	})
	if err != nil {
		return nil, err
	}
	res.IntermediateSessionToken, res.MFARequired = tok, mfa
	if s.sms != nil && textsFirst(res.Member, mfa) {
		sent, deliver, err := s.sms.ChallengeSMS(ctx, tx, p, res.Member, res.Organization)
		if err != nil {
			return nil, err
		}
		if sent {
			mfa.SecondaryAuthInitiated, res.deliver = "sms_otp", deliver
		}
	}
	return res, nil
}

// FinishMember mints the JWT of a MemberResult's session, or, for a login
// that stopped for MFA, delivers the passcode texted to the member.
func (s *Service) FinishMember(ctx context.Context, p *auth.Project, res *MemberResult) error {
	if res.deliver != nil {
		res.deliver(ctx)
		res.deliver = nil
	}
	if res.Session == nil {
		return nil
	}
	j, err := s.mintFor(ctx, p, res.Session, memberSubject(res.Member, res.Organization), s.now().UTC())
	if err != nil {
		return err
	}
	res.JWT = j
	return nil
}

// AuthenticateMember checks a member session by token or JWT without
// changing it, for requests that act with a member's authority (the
// X-Stytch-Member-Session headers).
func (s *Service) AuthenticateMember(ctx context.Context, p *auth.Project, tok, jwtStr string) (*auth.Session, *auth.Member, *auth.Organization, error) {
	if tok != "" && jwtStr != "" {
		return nil, nil, nil, auth.ErrTooManySessionArguments
	}
	if tok == "" && jwtStr == "" {
		return nil, nil, nil, auth.ErrNoSessionArguments
	}
	return s.findMember(ctx, s.store, p, tok, jwtStr, s.now().UTC())
}

// MemberAuthenticateInput is a B2B sessions.authenticate request.
type MemberAuthenticateInput struct {
	AuthenticateInput
	// Check, when set, also asks whether the member may take an action
	// on a resource; a refusal fails the call with a 403.
	Check *organization.Check
}

// AuthenticateMemberSession is B2B sessions.authenticate: it checks a member
// session by token or JWT, optionally extends it and changes its custom
// claims, and returns it with a fresh JWT. With an authorization check,
// MemberResult.GrantingRoles lists the roles that allow the action.
func (s *Service) AuthenticateMemberSession(ctx context.Context, p *auth.Project, mi MemberAuthenticateInput) (*MemberResult, error) {
	in := mi.AuthenticateInput
	if err := in.check(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	sess, m, o, err := s.findMember(ctx, s.store, p, in.Token, in.JWT, now)
	if err != nil {
		return nil, err
	}
	var granting []string
	if mi.Check != nil {
		if granting, err = organization.AuthorizeCheck(o, m, *mi.Check); err != nil {
			return nil, err
		}
	}
	if err := s.refresh(ctx, p, sess, in, now, s.updateMember); err != nil {
		return nil, err
	}
	j, err := s.mintFor(ctx, p, sess, memberSubject(m, o), now)
	if err != nil {
		return nil, err
	}
	return &MemberResult{Session: sess, Token: in.Token, JWT: j, Member: m, Organization: o, GrantingRoles: granting}, nil
}

// RevokeMemberInput names what to revoke; exactly one field is set.
// MemberID revokes every session of that member.
type RevokeMemberInput struct {
	SessionID string
	Token     string
	JWT       string
	MemberID  string
}

// RevokeMember ends member sessions at once.
func (s *Service) RevokeMember(ctx context.Context, p *auth.Project, in RevokeMemberInput) error {
	n := 0
	for _, v := range []string{in.SessionID, in.Token, in.JWT, in.MemberID} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return auth.ErrNoSessionRevokeArguments
	case n > 1:
		return auth.ErrTooManySessionRevokeArguments
	}
	if in.MemberID != "" {
		if _, err := s.store.GetMemberByID(ctx, p.ID, in.MemberID); errors.Is(err, store.ErrNotFound) {
			return auth.ErrMemberNotFound
		} else if err != nil {
			return fmt.Errorf("session: revoke member sessions: %w", err)
		}
		if _, err := s.store.DeleteMemberSessions(ctx, p.ID, in.MemberID); err != nil {
			return fmt.Errorf("session: revoke member sessions: %w", err)
		}
		return nil
	}
	id := in.SessionID
	if id != "" && !auth.HasKind(id, auth.KindMemberSession) {
		return auth.ErrInvalidSessionID
	}
	if id == "" {
		sess, _, _, err := s.findMember(ctx, s.store, p, in.Token, in.JWT, s.now().UTC())
		if err != nil {
			return err
		}
		id = sess.ID
	}
	err := s.store.DeleteMemberSession(ctx, p.ID, id)
	s.jwts.drop(id)
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("session: revoke member session: %w", err)
	}
	return nil
}

// RevokeMemberSessions ends, within tx, every live session of a member
// except the one with ID keep (none when keep is empty): a password reset
// logs the member out everywhere else.
func (s *Service) RevokeMemberSessions(ctx context.Context, tx store.Store, p *auth.Project, memberID, keep string) error {
	err := s.revokeAllBut(keep, func(now time.Time) ([]auth.Session, error) {
		return tx.ListMemberSessions(ctx, p.ID, memberID, now)
	}, func(sessionID string) error {
		return tx.DeleteMemberSession(ctx, p.ID, sessionID)
	})
	if err != nil {
		return fmt.Errorf("session: revoke member sessions: %w", err)
	}
	return nil
}

// ListMember returns a member's active sessions in an organization, with
// the member and organization they belong to.
func (s *Service) ListMember(ctx context.Context, p *auth.Project, organizationID, memberID string) ([]auth.Session, *auth.Member, *auth.Organization, error) {
	o, err := organization.Lookup(ctx, s.store, p.ID, organizationID)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := organization.LookupMember(ctx, s.store, p.ID, o.ID, memberID)
	if err != nil {
		return nil, nil, nil, err
	}
	ss, err := s.store.ListMemberSessions(ctx, p.ID, m.ID, s.now().UTC())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("session: list member sessions: %w", err)
	}
	return ss, m, o, nil
}

// findMember resolves a token or JWT to a live member session of an
// active member, with the member and organization, in one read.
func (s *Service) findMember(ctx context.Context, st store.Store, p *auth.Project, tok, jwtStr string, now time.Time) (*auth.Session, *auth.Member, *auth.Organization, error) {
	var (
		sess *auth.Session
		m    *auth.Member
		o    *auth.Organization
		err  error
	)
	if tok != "" {
		sess, m, o, err = st.GetMemberSessionByTokenHash(ctx, p.ID, token.Hash(tok))
	} else {
		var claims *jwt.SessionClaims
		claims, err = s.verify(ctx, p, jwtStr, now)
		if err != nil {
			return nil, nil, nil, err
		}
		if claims.Organization == nil {
			// A consumer session's JWT.
			return nil, nil, nil, auth.ErrSessionNotFound
		}
		sess, m, o, err = st.GetMemberSession(ctx, p.ID, claims.SessionID)
		if err == nil && (sess.MemberID != claims.Subject || sess.OrganizationID != claims.Organization.ID) {
			err = store.ErrNotFound
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, auth.ErrSessionNotFound
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("session: find member session: %w", err)
	}
	if !sess.Active(now) || m.Status == auth.MemberDeleted {
		return nil, nil, nil, auth.ErrSessionNotFound
	}
	return sess, m, o, nil
}

func (s *Service) updateMember(ctx context.Context, st store.Store, projectID string, sess *auth.Session) error {
	err := st.UpdateMemberSession(ctx, projectID, sess)
	if errors.Is(err, store.ErrNotFound) {
		return auth.ErrSessionNotFound
	}
	if err != nil {
		return fmt.Errorf("session: update member session: %w", err)
	}
	return nil
}
