package auth

import "time"

// UserStatus is a consumer user's lifecycle state.
type UserStatus string

// User statuses. A pending user becomes active on first authentication.
const (
	UserPending UserStatus = "pending"
	UserActive  UserStatus = "active"
)

// Name is a user's name; every part may be empty.
type Name struct {
	First  string
	Middle string
	Last   string
}

// User is a consumer end user of a project.
type User struct {
	ID                string
	ProjectID         string
	Status            UserStatus
	Name              Name
	ExternalID        string
	TrustedMetadata   map[string]any
	UntrustedMetadata map[string]any
	Emails            []Email // ordered by creation
	Phones            []Phone // ordered by creation
	// Providers are the identity provider accounts OAuth logins linked to
	// the user, ordered by creation.
	Providers []ProviderLink
	// TOTPID is the user's verified TOTP registration, "" when it has
	// none. The store keeps it as registrations are verified and deleted;
	// UpdateUser does not write it.
	TOTPID string
	// PasswordID is the user's password, "" when it has none. Like TOTPID
	// the store keeps it as passwords are set and deleted; UpdateUser does
	// not write it.
	PasswordID string
	// PasswordRequiresReset mirrors the password's RequiresReset, kept by
	// the store with PasswordID.
	PasswordRequiresReset bool
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// DefaultUserRoles are the roles every consumer user holds.
var DefaultUserRoles = []string{"stytch_user"}

// Email is an email address attached to a user. Address is stored
// lowercased; it is unique within a project.
type Email struct {
	ID        string
	UserID    string
	Address   string
	Verified  bool
	CreatedAt time.Time
}

// EmailByID returns the user's email with the given ID, if any.
func (u *User) EmailByID(id string) (Email, bool) {
	for _, e := range u.Emails {
		if e.ID == id {
			return e, true
		}
	}
	return Email{}, false
}

// EmailByAddress returns the user's email with the (lowercased) address,
// if any.
func (u *User) EmailByAddress(address string) (Email, bool) {
	for _, e := range u.Emails {
		if e.Address == address {
			return e, true
		}
	}
	return Email{}, false
}

// Phone is a phone number attached to a user, in E.164 form as
// internal/phone normalises it ("+12025550162"); it is unique within a
// project.
type Phone struct {
	ID        string
	UserID    string
	Number    string
	Verified  bool
	CreatedAt time.Time
}

// ProviderLink is an identity provider account linked to a user or a
// member: an OAuth registration without its sealed tokens, as the user's
// providers and the member's oauth_registrations list it.
type ProviderLink struct {
	RegistrationID string
	// Provider is the provider's configured name (the {provider} of the
	// start URL); OAuthProviderTypeOf gives its type.
	Provider          string
	Subject           string
	ProfilePictureURL string
	Locale            string
	CreatedAt         time.Time
}

// PhoneByID returns the user's phone number with the given ID, if any.
func (u *User) PhoneByID(id string) (Phone, bool) {
	for _, p := range u.Phones {
		if p.ID == id {
			return p, true
		}
	}
	return Phone{}, false
}

// PhoneByNumber returns the user's phone with the (E.164) number, if any.
func (u *User) PhoneByNumber(number string) (Phone, bool) {
	for _, p := range u.Phones {
		if p.Number == number {
			return p, true
		}
	}
	return Phone{}, false
}
