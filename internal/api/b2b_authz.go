package api

import (
	"context"
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/organization"
)

// B2B calls may act with a member's authority: the SDKs send the member's
// session token or JWT in these headers (stytch-go methodoptions
// Authorization). With neither, the project credentials alone authorize
// the call, as in Stytch.
const (
	headerMemberSession    = "X-Stytch-Member-Session"
	headerMemberSessionJWT = "X-Stytch-Member-SessionJWT"
)

// MemberSessionAuthenticator authenticates the member session a request
// acts with, by token or JWT, returning it with its member and
// organization. session.Service implements it; it is an interface so the
// API tests can fake it.
type MemberSessionAuthenticator interface {
	AuthenticateMember(ctx context.Context, p *auth.Project, token, jwt string) (*auth.Session, *auth.Member, *auth.Organization, error)
}

// actor is the member a request acts as.
type actor struct {
	Session      *auth.Session
	Member       *auth.Member
	Organization *auth.Organization
}

// memberActor authenticates the member session headers of r. It returns
// nil when there are none: the call is authorized by the project's
// credentials alone.
func (h *handler) memberActor(r *http.Request) (*actor, error) {
	tok, jwt := r.Header.Get(headerMemberSession), r.Header.Get(headerMemberSessionJWT)
	if tok == "" && jwt == "" {
		return nil, nil
	}
	if tok != "" {
		// The token is checked against the stored session, so it decides
		// alone; a JWT sent along with it adds nothing.
		jwt = ""
	}
	if h.MemberSessions == nil {
		return nil, auth.ErrInternal.WithMessage("Member sessions are not configured on this server.")
	}
	s, m, o, err := h.MemberSessions.AuthenticateMember(r.Context(), projectOf(r), tok, jwt)
	if err != nil {
		return nil, err
	}
	return &actor{Session: s, Member: m, Organization: o}, nil
}

// inOrganization reports whether the organization a request names (by ID
// or slug) is the actor's.
func (a *actor) inOrganization(idOrSlug string) bool {
	return idOrSlug == a.Organization.ID || idOrSlug == a.Organization.Slug
}

// tenancy returns ErrSessionAuthorizationTenancy unless idOrSlug names the
// actor's organization.
func (a *actor) tenancy(idOrSlug string) error {
	if a.inOrganization(idOrSlug) {
		return nil
	}
	return auth.ErrSessionAuthorizationTenancy.WithMessage(
		"The member session belongs to organization %s, not to %s, which the request acts on.", a.Organization.ID, idOrSlug)
}

// authorizeOrganization authorizes a call on the organization idOrSlug
// names. Without member session headers it returns nil, nil. With them,
// the session's organization must be that organization (else
// ErrSessionAuthorizationTenancy) and its member must hold every
// permission in need (else ErrSessionAuthorization); with no permission
// listed, membership is enough, as for reads. It returns the actor.
func (h *handler) authorizeOrganization(r *http.Request, idOrSlug string, need ...organization.Permission) (*actor, error) {
	a, err := h.memberActor(r)
	if err != nil || a == nil {
		return nil, err
	}
	if err := a.tenancy(idOrSlug); err != nil {
		return nil, err
	}
	if err := organization.Authorize(a.Member, need...); err != nil {
		return nil, err
	}
	return a, nil
}

// authorizeMember authorizes actions on the member targetID of the
// organization idOrSlug names: as authorizeOrganization, then each action
// either on stytch.member or, when the actor is the target and stytch.self
// defines it, on stytch.self.
func (h *handler) authorizeMember(r *http.Request, idOrSlug, targetID string, actions ...string) (*actor, error) {
	a, err := h.authorizeOrganization(r, idOrSlug)
	if err != nil || a == nil {
		return nil, err
	}
	for _, action := range actions {
		if err := organization.AuthorizeMemberAction(a.Member, targetID, action); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// orgPermissions are stytch.organization permissions, for
// authorizeOrganization.
func orgPermissions(actions ...string) []organization.Permission {
	ps := make([]organization.Permission, len(actions))
	for i, a := range actions {
		ps[i] = organization.Permission{Resource: organization.ResourceOrganization, Action: a}
	}
	return ps
}

// memberPermission is a stytch.member permission.
func memberPermission(action string) organization.Permission {
	return organization.Permission{Resource: organization.ResourceMember, Action: action}
}
