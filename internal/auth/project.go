package auth

import "time"

// Env is a project's environment. It shapes every ID the project issues.
type Env string

// The two environments a project can have.
const (
	EnvTest Env = "test"
	EnvLive Env = "live"
)

// Valid reports whether e is a known environment.
func (e Env) Valid() bool { return e == EnvTest || e == EnvLive }

// Project is a tenant: every other record belongs to exactly one project.
type Project struct {
	ID          string
	Name        string
	Env         Env
	SecretHash  []byte // SHA-256 of the secret; the secret itself is shown once
	PublicToken string
	// PasswordPolicy is how the project rates new passwords; its zero
	// value means the server's default (zxcvbn).
	PasswordPolicy PasswordPolicy
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// PasswordPolicy is a project's password strength policy, as Stytch's
// dashboard sets it: zxcvbn (a score of at least 3), or LUDS (a minimum
// length and a number of character types among lowercase, uppercase,
// digits and symbols). internal/password validates and applies it.
type PasswordPolicy struct {
	// Kind is "zxcvbn", "luds", or "" for the server's default.
	Kind string
	// LUDSMinLength and LUDSMinCharTypes apply under LUDS; 0 means
	// Stytch's defaults.
	LUDSMinLength    int
	LUDSMinCharTypes int
}

// RedirectType is the purpose a redirect URL is allowlisted for.
type RedirectType string

// Redirect URL types, as in Stytch's dashboard.
const (
	RedirectLogin         RedirectType = "login"
	RedirectSignup        RedirectType = "signup"
	RedirectInvite        RedirectType = "invite"
	RedirectResetPassword RedirectType = "reset_password"
	RedirectDiscovery     RedirectType = "discovery"
)

// RedirectTypes lists every RedirectType.
var RedirectTypes = []RedirectType{RedirectLogin, RedirectSignup, RedirectInvite, RedirectResetPassword, RedirectDiscovery}

// Valid reports whether t is a known redirect type.
func (t RedirectType) Valid() bool {
	for _, v := range RedirectTypes {
		if v == t {
			return true
		}
	}
	return false
}

// RedirectURL allowlists URL for one Type within a project. At most one URL
// per type is the default, used when a request omits the URL.
type RedirectURL struct {
	ProjectID string
	URL       string
	Type      RedirectType
	IsDefault bool
	CreatedAt time.Time
}

// DefaultRedirectURL is allowlisted (as the default) for every type in each
// new test project, as Stytch does.
const DefaultRedirectURL = "http://localhost:3000/authenticate"
