package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/discovery"
	"github.com/latchauth/latch/internal/jwt"
	"github.com/latchauth/latch/internal/magiclink"
	"github.com/latchauth/latch/internal/member"
	"github.com/latchauth/latch/internal/oauth"
	"github.com/latchauth/latch/internal/organization"
	"github.com/latchauth/latch/internal/otp"
	"github.com/latchauth/latch/internal/passwords"
	"github.com/latchauth/latch/internal/project"
	"github.com/latchauth/latch/internal/session"
	"github.com/latchauth/latch/internal/store"
	"github.com/latchauth/latch/internal/totp"
	"github.com/latchauth/latch/internal/user"
)

// DevInbox lists the messages the built-in dev inbox kept.
type DevInbox interface {
	List(ctx context.Context, f store.DevMessageFilter) ([]auth.DevMessage, error)
}

// Deps are the services the API calls.
type Deps struct {
	Logger     *slog.Logger
	Projects   *project.Service
	Users      *user.Service
	Sessions   *session.Service
	MagicLinks *magiclink.Service
	// OTPs sends and authenticates one-time passcodes.
	OTPs *otp.Service
	// B2BOTPs serves B2B email passcodes (organization and discovery).
	B2BOTPs *otp.B2B
	// Passwords serves the consumer and B2B password endpoints.
	Passwords *passwords.Service
	// OAuth runs social and OpenID Connect logins.
	OAuth *oauth.Service
	// SecureCookies marks the cookies Latch sets Secure: set when browsers
	// reach Latch over HTTPS (behind a proxy that terminates TLS too).
	SecureCookies bool
	// Discovery lists and enters organizations for B2B discovery logins.
	Discovery *discovery.Service
	Keys      *jwt.Manager
	// Organizations and Members serve the B2B organizations and members
	// endpoints.
	Organizations *organization.Service
	Members       *member.Service
	// TOTPs serves authenticator-app MFA and recovery codes, consumer and
	// B2B.
	TOTPs *totp.Service
	// MemberSessions authenticates the member session headers of B2B
	// calls that act with a member's authority (session.Service).
	MemberSessions MemberSessionAuthenticator
	// DevInbox is nil when the dev inbox is disabled.
	DevInbox DevInbox
	// ErrorDocsURL is the base of error_url, e.g. https://stytch.com/docs/api/errors.
	ErrorDocsURL string
}

type handler struct {
	Deps
}

// NewHandler returns the HTTP handler serving the whole API.
func NewHandler(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d}
	mux := http.NewServeMux()
	h.routes(mux)
	return h.withRequestID(h.recoverer(h.accessLog(mux)))
}
