package api

import (
	"net/http"

	"github.com/latchauth/latch/internal/auth"
)

// routes registers every endpoint Latch serves. Paths are Stytch's,
// verbatim; h.api requires project credentials, h.open does not.
func (h *handler) routes(mux *http.ServeMux) {
	// Users
	mux.Handle("POST /v1/users", h.api(h.usersCreate))
	mux.Handle("GET /v1/users/{user_id}", h.api(h.usersGet))
	mux.Handle("PUT /v1/users/{user_id}", h.api(h.usersUpdate))
	mux.Handle("DELETE /v1/users/{user_id}", h.api(h.usersDelete))
	mux.Handle("POST /v1/users/search", h.api(h.usersSearch))
	mux.Handle("DELETE /v1/users/emails/{email_id}", h.api(h.usersDeleteEmail))
	mux.Handle("DELETE /v1/users/phone_numbers/{phone_id}", h.api(h.usersDeletePhoneNumber))
	mux.Handle("DELETE /v1/users/totps/{totp_id}", h.api(h.usersDeleteTOTP))
	mux.Handle("DELETE /v1/users/passwords/{password_id}", h.api(h.usersDeletePassword))
	mux.Handle("DELETE /v1/users/oauth/{oauth_user_registration_id}", h.api(h.usersDeleteOAuthRegistration))

	// Email magic links
	mux.Handle("POST /v1/magic_links/email/login_or_create", h.api(h.magicLinksEmailLoginOrCreate))
	mux.Handle("POST /v1/magic_links/email/send", h.api(h.magicLinksEmailSend))
	mux.Handle("POST /v1/magic_links/email/invite", h.api(h.magicLinksEmailInvite))
	mux.Handle("POST /v1/magic_links/email/revoke_invite", h.api(h.magicLinksEmailRevokeInvite))
	mux.Handle("POST /v1/magic_links/authenticate", h.api(h.magicLinksAuthenticate))

	// One-time passcodes
	mux.Handle("POST /v1/otps/email/send", h.api(h.otpsEmailSend))
	mux.Handle("POST /v1/otps/email/login_or_create", h.api(h.otpsEmailLoginOrCreate))
	mux.Handle("POST /v1/otps/sms/send", h.api(h.otpsPhoneSend(auth.ChannelSMS)))
	mux.Handle("POST /v1/otps/sms/login_or_create", h.api(h.otpsPhoneLoginOrCreate(auth.ChannelSMS)))
	mux.Handle("POST /v1/otps/whatsapp/send", h.api(h.otpsPhoneSend(auth.ChannelWhatsApp)))
	mux.Handle("POST /v1/otps/whatsapp/login_or_create", h.api(h.otpsPhoneLoginOrCreate(auth.ChannelWhatsApp)))
	mux.Handle("POST /v1/otps/authenticate", h.api(h.otpsAuthenticate))

	// Passwords
	mux.Handle("POST /v1/passwords", h.api(h.passwordsCreate))
	mux.Handle("POST /v1/passwords/authenticate", h.api(h.passwordsAuthenticate))
	mux.Handle("POST /v1/passwords/strength_check", h.api(h.passwordsStrengthCheck))
	mux.Handle("POST /v1/passwords/migrate", h.api(h.passwordsMigrate))
	mux.Handle("POST /v1/passwords/email/reset/start", h.api(h.passwordsEmailResetStart))
	mux.Handle("POST /v1/passwords/email/reset", h.api(h.passwordsEmailReset))
	mux.Handle("POST /v1/passwords/existing_password/reset", h.api(h.passwordsExistingPasswordReset))
	mux.Handle("POST /v1/passwords/session/reset", h.api(h.passwordsSessionReset))

	// OAuth (the start URL and the provider's callback are browser
	// endpoints: no project credentials)
	mux.Handle("GET /v1/public/oauth/{provider}/start", h.open(h.oauthStart))
	mux.Handle("GET /v1/oauth/callback/{project_id}/{provider}", h.open(h.oauthCallback))
	mux.Handle("POST /v1/oauth/callback/{project_id}/{provider}", h.open(h.oauthCallback))
	mux.Handle("POST /v1/oauth/authenticate", h.api(h.oauthAuthenticate))
	mux.Handle("POST /v1/oauth/attach", h.api(h.oauthAttach))

	// TOTPs
	mux.Handle("POST /v1/totps", h.api(h.totpsCreate))
	mux.Handle("POST /v1/totps/authenticate", h.api(h.totpsAuthenticate))
	mux.Handle("POST /v1/totps/recovery_codes", h.api(h.totpsRecoveryCodes))
	mux.Handle("POST /v1/totps/recover", h.api(h.totpsRecover))

	// Sessions
	mux.Handle("POST /v1/sessions/authenticate", h.api(h.sessionsAuthenticate))
	mux.Handle("POST /v1/sessions/revoke", h.api(h.sessionsRevoke))
	mux.Handle("GET /v1/sessions", h.api(h.sessionsGet))
	mux.Handle("GET /v1/sessions/jwks/{project_id}", h.open(h.sessionsJWKS))
	mux.Handle("GET /v1/b2b/sessions/jwks/{project_id}", h.open(h.sessionsJWKS))

	// B2B organizations and their members
	mux.Handle("POST /v1/b2b/organizations", h.api(h.organizationsCreate))
	mux.Handle("GET /v1/b2b/organizations/{organization_id}", h.api(h.organizationsGet))
	mux.Handle("PUT /v1/b2b/organizations/{organization_id}", h.api(h.organizationsUpdate))
	mux.Handle("DELETE /v1/b2b/organizations/{organization_id}", h.api(h.organizationsDelete))
	mux.Handle("POST /v1/b2b/organizations/search", h.api(h.organizationsSearch))
	mux.Handle("POST /v1/b2b/organizations/{organization_id}/members", h.api(h.membersCreate))
	mux.Handle("GET /v1/b2b/organizations/{organization_id}/member", h.api(h.membersGet))
	mux.Handle("PUT /v1/b2b/organizations/{organization_id}/members/{member_id}", h.api(h.membersUpdate))
	mux.Handle("DELETE /v1/b2b/organizations/{organization_id}/members/{member_id}", h.api(h.membersDelete))
	mux.Handle("PUT /v1/b2b/organizations/{organization_id}/members/{member_id}/reactivate", h.api(h.membersReactivate))
	// …/members/{member_id}/totp, …/members/mfa_phone_numbers/{member_id}
	// and …/members/passwords/{member_password_id} overlap as patterns;
	// membersDeleteFactor tells them apart.
	mux.Handle("DELETE /v1/b2b/organizations/{organization_id}/members/{first}/{second}", h.api(h.membersDeleteFactor))
	// The provider tokens of a member's linked accounts. These GET
	// patterns are one segment longer than …/members/{first}/{second}
	// (DELETE only), so no request matches both. Slack and HubSpot are not
	// built in: their paths fall through to not found.
	mux.Handle("GET /v1/b2b/organizations/{organization_id}/members/{member_id}/oauth_providers/google", h.api(h.membersOAuthProviders(auth.OAuthGoogle)))
	mux.Handle("GET /v1/b2b/organizations/{organization_id}/members/{member_id}/oauth_providers/microsoft", h.api(h.membersOAuthProviders(auth.OAuthMicrosoft)))
	mux.Handle("GET /v1/b2b/organizations/{organization_id}/members/{member_id}/oauth_providers/github", h.api(h.membersOAuthProvidersGithub))
	mux.Handle("POST /v1/b2b/organizations/members/search", h.api(h.membersSearch))
	mux.Handle("GET /v1/b2b/organizations/members/dangerously_get/{member_id}", h.api(h.membersDangerouslyGet))

	// B2B email magic links
	mux.Handle("POST /v1/b2b/magic_links/email/login_or_signup", h.api(h.b2bMagicLinksEmailLoginOrSignup))
	mux.Handle("POST /v1/b2b/magic_links/email/invite", h.api(h.b2bMagicLinksEmailInvite))
	mux.Handle("POST /v1/b2b/magic_links/email/discovery/send", h.api(h.b2bMagicLinksEmailDiscoverySend))
	mux.Handle("POST /v1/b2b/magic_links/authenticate", h.api(h.b2bMagicLinksAuthenticate))
	mux.Handle("POST /v1/b2b/magic_links/discovery/authenticate", h.api(h.b2bMagicLinksDiscoveryAuthenticate))

	// B2B one-time passcodes
	mux.Handle("POST /v1/b2b/otps/email/login_or_signup", h.api(h.b2bOTPsEmailLoginOrSignup))
	mux.Handle("POST /v1/b2b/otps/email/authenticate", h.api(h.b2bOTPsEmailAuthenticate))
	mux.Handle("POST /v1/b2b/otps/email/discovery/send", h.api(h.b2bOTPsEmailDiscoverySend))
	mux.Handle("POST /v1/b2b/otps/email/discovery/authenticate", h.api(h.b2bOTPsEmailDiscoveryAuthenticate))
	mux.Handle("POST /v1/b2b/otps/sms/send", h.api(h.b2bOTPsSMSSend))
	mux.Handle("POST /v1/b2b/otps/sms/authenticate", h.api(h.b2bOTPsSMSAuthenticate))

	// B2B OAuth (the start URLs are browser endpoints; the provider calls
	// back to the consumer callback above, which serves every login)
	mux.Handle("GET /v1/b2b/public/oauth/{provider}/start", h.open(h.b2bOAuthStart))
	mux.Handle("GET /v1/b2b/public/oauth/{provider}/discovery/start", h.open(h.b2bOAuthDiscoveryStart))
	mux.Handle("POST /v1/b2b/oauth/authenticate", h.api(h.b2bOAuthAuthenticate))
	mux.Handle("POST /v1/b2b/oauth/discovery/authenticate", h.api(h.b2bOAuthDiscoveryAuthenticate))

	// B2B discovery
	mux.Handle("POST /v1/b2b/discovery/organizations", h.api(h.b2bDiscoveryOrganizations))
	mux.Handle("POST /v1/b2b/discovery/organizations/create", h.api(h.b2bDiscoveryOrganizationsCreate))
	mux.Handle("POST /v1/b2b/discovery/intermediate_sessions/exchange", h.api(h.b2bDiscoveryIntermediateSessionsExchange))

	// B2B sessions (the JWKS is served with the consumer one, above)
	mux.Handle("POST /v1/b2b/sessions/authenticate", h.api(h.b2bSessionsAuthenticate))
	mux.Handle("POST /v1/b2b/sessions/revoke", h.api(h.b2bSessionsRevoke))
	mux.Handle("GET /v1/b2b/sessions", h.api(h.b2bSessionsGet))
	mux.Handle("POST /v1/b2b/sessions/exchange", h.api(h.b2bSessionsExchange))

	// B2B passwords
	mux.Handle("POST /v1/b2b/passwords/authenticate", h.api(h.b2bPasswordsAuthenticate))
	mux.Handle("POST /v1/b2b/passwords/strength_check", h.api(h.b2bPasswordsStrengthCheck))
	mux.Handle("POST /v1/b2b/passwords/migrate", h.api(h.b2bPasswordsMigrate))
	mux.Handle("POST /v1/b2b/passwords/email/reset/start", h.api(h.b2bPasswordsEmailResetStart))
	mux.Handle("POST /v1/b2b/passwords/email/reset", h.api(h.b2bPasswordsEmailReset))
	mux.Handle("POST /v1/b2b/passwords/existing_password/reset", h.api(h.b2bPasswordsExistingPasswordReset))
	mux.Handle("POST /v1/b2b/passwords/session/reset", h.api(h.b2bPasswordsSessionReset))

	// B2B TOTP and recovery codes
	mux.Handle("POST /v1/b2b/totp", h.api(h.b2bTOTPCreate))
	mux.Handle("POST /v1/b2b/totp/authenticate", h.api(h.b2bTOTPAuthenticate))
	mux.Handle("GET /v1/b2b/recovery_codes/{organization_id}/{member_id}", h.api(h.b2bRecoveryCodesGet))
	mux.Handle("POST /v1/b2b/recovery_codes/rotate", h.api(h.b2bRecoveryCodesRotate))
	mux.Handle("POST /v1/b2b/recovery_codes/recover", h.api(h.b2bRecoveryCodesRecover))

	// Operations
	mux.Handle("GET /healthz", h.open(h.healthz))
	if h.DevInbox != nil {
		mux.Handle("GET /dev/inbox", h.open(h.devInboxPage))
		mux.Handle("GET /dev/inbox/messages", h.open(h.devInboxMessages))
	}
	mux.Handle("/", h.open(h.notFound))
}
