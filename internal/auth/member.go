package auth

import "time"

// MemberStatus is a B2B member's lifecycle state.
type MemberStatus string

// Member statuses. Pending and invited members become active when they
// first authenticate; a deleted member can be reactivated.
const (
	MemberPending MemberStatus = "pending"
	MemberInvited MemberStatus = "invited"
	MemberActive  MemberStatus = "active"
	MemberDeleted MemberStatus = "deleted"
)

// Valid reports whether s is a known member status.
func (s MemberStatus) Valid() bool {
	switch s {
	case MemberPending, MemberInvited, MemberActive, MemberDeleted:
		return true
	}
	return false
}

// Stytch's default roles. Every member holds RoleMember; RoleAdmin may do
// everything within the organization.
const (
	RoleMember = "stytch_member"
	RoleAdmin  = "stytch_admin"
)

// Member is a person's account within one organization. The same email
// address may be a member of many organizations, once in each.
type Member struct {
	ID             string
	ProjectID      string
	OrganizationID string
	EmailAddress   string // lowercased
	EmailVerified  bool
	Name           string
	Status         MemberStatus
	IsBreakglass   bool
	ExternalID     string

	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any

	// Roles are the roles assigned to the member directly; RoleMember is
	// implicit and not listed.
	Roles []string

	MFAEnrolled      bool
	MFAPhoneNumber   string
	MFAPhoneVerified bool
	DefaultMFAMethod string
	// TOTPRegistrationID is the member's verified TOTP registration, ""
	// when it has none. The store keeps it as registrations are verified
	// and deleted; UpdateMember does not write it.
	TOTPRegistrationID string
	// PasswordID is the member's password (member_password_id), "" when
	// it has none; kept by the store like TOTPRegistrationID.
	PasswordID string
	// OAuthRegistrations are the provider accounts linked to the member
	// (its oauth_registrations), oldest first; the store reads them with
	// the member.
	OAuthRegistrations []ProviderLink

	CreatedAt time.Time
	UpdatedAt time.Time
}

// SetOAuthRegistration records p in the member's list as a store read
// after linking it would show it: replacing the entry with the same
// registration ID, or else appended as the newest.
func (m *Member) SetOAuthRegistration(p ProviderLink) {
	for i := range m.OAuthRegistrations {
		if m.OAuthRegistrations[i].RegistrationID == p.RegistrationID {
			m.OAuthRegistrations[i] = p
			return
		}
	}
	m.OAuthRegistrations = append(m.OAuthRegistrations, p)
}

// HasRole reports whether the member holds role, implicitly or directly.
func (m *Member) HasRole(role string) bool {
	if role == RoleMember {
		return true
	}
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}
