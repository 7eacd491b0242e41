package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/organization"
)

// memberResponse is the response of members create, get, update,
// reactivate and dangerously_get: the member with its organization.
type memberResponse struct {
	envelope
	MemberID     string           `json:"member_id"`
	Member       memberJSON       `json:"member"`
	Organization organizationJSON `json:"organization"`
}

func newMemberResponse(m *auth.Member, o *auth.Organization) *memberResponse {
	return &memberResponse{MemberID: m.ID, Member: toMemberJSON(m), Organization: toOrganizationJSON(o)}
}

type membersCreateRequest struct {
	EmailAddress          string         `json:"email_address"`
	Name                  string         `json:"name"`
	TrustedMetadata       map[string]any `json:"trusted_metadata"`
	UntrustedMetadata     map[string]any `json:"untrusted_metadata"`
	CreateMemberAsPending bool           `json:"create_member_as_pending"`
	IsBreakglass          bool           `json:"is_breakglass"`
	MFAPhoneNumber        string         `json:"mfa_phone_number"`
	MFAEnrolled           bool           `json:"mfa_enrolled"`
	Roles                 []string       `json:"roles"`
	ExternalID            string         `json:"external_id"`
}

func (h *handler) membersCreate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[membersCreateRequest](w, r)
	if err != nil {
		return err
	}
	orgID := r.PathValue("organization_id")
	a, err := h.authorizeOrganization(r, orgID, memberPermission(organization.ActionCreate))
	if err != nil {
		return err
	}
	if a != nil && req.TrustedMetadata != nil {
		return auth.ErrCannotUpdateTrustedMetadata
	}
	if req.EmailAddress == "" {
		return auth.ErrInvalidArgument.WithMessage("email_address is required.")
	}
	in := member.CreateInput{
		Email: req.EmailAddress, Name: req.Name, ExternalID: req.ExternalID,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
		IsBreakglass: req.IsBreakglass, MFAPhoneNumber: req.MFAPhoneNumber, MFAEnrolled: req.MFAEnrolled,
		Roles: req.Roles,
	}
	if req.CreateMemberAsPending {
		in.Status = auth.MemberPending
	}
	m, o, err := h.Members.Create(r.Context(), projectOf(r), orgID, in)
	if err != nil {
		return err
	}
	// Stytch answers member creation with 200, unlike user creation.
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

func (h *handler) membersGet(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("organization_id")
	// Any member may read the members of its own organization.
	if _, err := h.authorizeOrganization(r, orgID); err != nil {
		return err
	}
	// The SDKs send both parameters, the one not used empty.
	q := r.URL.Query()
	var (
		m   *auth.Member
		o   *auth.Organization
		err error
	)
	switch id, addr := q.Get("member_id"), q.Get("email_address"); {
	case id != "":
		m, o, err = h.Members.Get(r.Context(), projectOf(r).ID, orgID, id)
	case addr != "":
		m, o, err = h.Members.GetByEmail(r.Context(), projectOf(r).ID, orgID, addr)
	default:
		return auth.ErrInvalidMemberGetFields
	}
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

func (h *handler) membersDangerouslyGet(w http.ResponseWriter, r *http.Request) error {
	a, err := h.memberActor(r)
	if err != nil {
		return err
	}
	includeDeleted := r.URL.Query().Get("include_deleted") == "true"
	m, o, err := h.Members.DangerouslyGet(r.Context(), projectOf(r).ID, r.PathValue("member_id"), includeDeleted)
	if err != nil {
		return err
	}
	if a != nil {
		if err := a.tenancy(o.ID); err != nil {
			return err
		}
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

type membersUpdateRequest struct {
	Name              *string        `json:"name"`
	TrustedMetadata   map[string]any `json:"trusted_metadata"`
	UntrustedMetadata map[string]any `json:"untrusted_metadata"`
	IsBreakglass      *bool          `json:"is_breakglass"`
	MFAPhoneNumber    *string        `json:"mfa_phone_number"`
	MFAEnrolled       *bool          `json:"mfa_enrolled"`
	Roles             *[]string      `json:"roles"`
	DefaultMFAMethod  *string        `json:"default_mfa_method"`
	EmailAddress      *string        `json:"email_address"`
	ExternalID        *string        `json:"external_id"`
	// Accepted and ignored: Latch has no SSO-granted roles whose sessions
	// a role change could revoke, nor retired addresses to unlink.
	PreserveExistingSessions bool `json:"preserve_existing_sessions"`
	UnlinkEmail              bool `json:"unlink_email"`
}

// actions lists the member actions the update requires of a member
// session, as the Stytch SDK documents each field.
func (req *membersUpdateRequest) actions() []string {
	var actions []string
	for _, f := range []struct {
		given  bool
		action string
	}{
		{req.Name != nil, organization.ActionMemberUpdateName},
		{req.UntrustedMetadata != nil, organization.ActionMemberUpdateUntrustedMetadata},
		{req.IsBreakglass != nil, organization.ActionMemberUpdateIsBreakglass},
		{req.MFAPhoneNumber != nil, organization.ActionMemberUpdateMFAPhone},
		{req.MFAEnrolled != nil, organization.ActionMemberUpdateMFAEnrolled},
		{req.Roles != nil, organization.ActionMemberUpdateRoles},
		{req.DefaultMFAMethod != nil, organization.ActionMemberUpdateDefaultMFAMethod},
		{req.EmailAddress != nil, organization.ActionMemberUpdateEmail},
		{req.ExternalID != nil, organization.ActionMemberUpdateExternalID},
	} {
		if f.given {
			actions = append(actions, f.action)
		}
	}
	return actions
}

func (h *handler) membersUpdate(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[membersUpdateRequest](w, r)
	if err != nil {
		return err
	}
	orgID, memberID := r.PathValue("organization_id"), r.PathValue("member_id")
	a, err := h.authorizeMember(r, orgID, memberID, req.actions()...)
	if err != nil {
		return err
	}
	if a != nil {
		if req.TrustedMetadata != nil {
			return auth.ErrCannotUpdateTrustedMetadata
		}
		if req.EmailAddress != nil && a.Member.ID == memberID {
			return auth.ErrSessionAuthorization.WithMessage("Members cannot update their own email address.")
		}
	}
	m, o, err := h.Members.Update(r.Context(), projectOf(r), orgID, memberID, member.UpdateInput{
		Name: req.Name, EmailAddress: req.EmailAddress, ExternalID: req.ExternalID,
		TrustedMetadata: req.TrustedMetadata, UntrustedMetadata: req.UntrustedMetadata,
		IsBreakglass: req.IsBreakglass, Roles: req.Roles,
		MFAPhoneNumber: req.MFAPhoneNumber, MFAEnrolled: req.MFAEnrolled, DefaultMFAMethod: req.DefaultMFAMethod,
	})
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

type membersDeleteResponse struct {
	envelope
	MemberID string `json:"member_id"`
}

func (h *handler) membersDelete(w http.ResponseWriter, r *http.Request) error {
	orgID, memberID := r.PathValue("organization_id"), r.PathValue("member_id")
	if _, err := h.authorizeMember(r, orgID, memberID, organization.ActionDelete); err != nil {
		return err
	}
	id, err := h.Members.Delete(r.Context(), projectOf(r).ID, orgID, memberID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, &membersDeleteResponse{MemberID: id})
}

func (h *handler) membersReactivate(w http.ResponseWriter, r *http.Request) error {
	orgID, memberID := r.PathValue("organization_id"), r.PathValue("member_id")
	if _, err := h.authorizeOrganization(r, orgID, memberPermission(organization.ActionMemberReactivate)); err != nil {
		return err
	}
	m, o, err := h.Members.Reactivate(r.Context(), projectOf(r).ID, orgID, memberID)
	if err != nil {
		return err
	}
	return encode(w, r, http.StatusOK, newMemberResponse(m, o))
}

type membersSearchRequest struct {
	OrganizationIDs []string         `json:"organization_ids"`
	Cursor          string           `json:"cursor"`
	Limit           *int64           `json:"limit"`
	Query           *searchQueryJSON `json:"query"`
}

type membersSearchResponse struct {
	envelope
	Members         []memberJSON                `json:"members"`
	ResultsMetadata resultsMetadataJSON         `json:"results_metadata"`
	Organizations   map[string]organizationJSON `json:"organizations"`
}

func (h *handler) membersSearch(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[membersSearchRequest](w, r)
	if err != nil {
		return err
	}
	limit, err := intValue(req.Limit, "limit")
	if err != nil {
		return err
	}
	a, err := h.memberActor(r)
	if err != nil {
		return err
	}
	if a != nil {
		// A member may search its own organization only.
		for _, id := range req.OrganizationIDs {
			if err := a.tenancy(id); err != nil {
				return err
			}
		}
		if err := organization.Authorize(a.Member, memberPermission(organization.ActionSearch)); err != nil {
			return err
		}
	}
	op, operands := req.Query.operands()
	res, err := h.Members.Search(r.Context(), projectOf(r).ID, member.SearchInput{
		OrganizationIDs: req.OrganizationIDs, Cursor: req.Cursor, Limit: limit, Operator: op, Operands: operands,
	})
	if err != nil {
		return err
	}
	out := &membersSearchResponse{
		Members:         make([]memberJSON, 0, len(res.Members)),
		ResultsMetadata: resultsMetadataJSON{Total: res.Total, NextCursor: res.NextCursor},
		Organizations:   map[string]organizationJSON{},
	}
	for i := range res.Members {
		out.Members = append(out.Members, toMemberJSON(&res.Members[i]))
	}
	// As Stytch's, the map holds only the organizations of the members
	// returned.
	for _, m := range res.Members {
		if _, ok := out.Organizations[m.OrganizationID]; !ok {
			if o := res.Organizations[m.OrganizationID]; o != nil {
				out.Organizations[m.OrganizationID] = toOrganizationJSON(o)
			}
		}
	}
	return encode(w, r, http.StatusOK, out)
}
