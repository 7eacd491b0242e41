package auth

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a Stytch API error: the HTTP status and error_type pair that is
// the contract with SDKs, the message shown to clients, and an optional
// internal cause that is logged but never sent.
type Error struct {
	Status  int
	Type    string
	Message string
	Err     error
}

// Error implements the error interface. The cause is included for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Type, e.Message, e.Err)
	}
	return e.Type + ": " + e.Message
}

// Unwrap returns the internal cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Type, so that
// errors.Is(err, auth.ErrUserNotFound) holds for wrapped copies.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Type == e.Type
}

// Wrap returns a copy of e carrying cause as its internal error.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// WithMessage returns a copy of e with a more specific client message.
func (e *Error) WithMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// The catalog. Each entry pairs a Stytch error_type with its HTTP status, as
// transcribed from Stytch's error reference
// (stytch.com/docs/api-reference/{consumer,b2b}/api/errors/{400,401,403,404,429,500},
// read 2026-11-22) and the error_type enum of the official SDKs. No error
// type is defined anywhere else; add new ones here, sorted by name.
var (
	ErrActionAvailableOnlyForActiveMembers        = &Error{Status: http.StatusBadRequest, Type: "action_available_only_for_active_members", Message: "This action is available only to active members."}
	ErrActiveTOTPExists                           = &Error{Status: http.StatusBadRequest, Type: "active_totp_exists", Message: "Cannot create a new TOTP since one is already active. Only one active TOTP is allowed at a time; delete it first."}
	ErrAllowedAuthMethodsRequired                 = &Error{Status: http.StatusBadRequest, Type: "allowed_auth_methods_required_for_restricted", Message: "allowed_auth_methods must list at least one method when auth_methods is RESTRICTED."}
	ErrAllowedMFAMethodsRequired                  = &Error{Status: http.StatusBadRequest, Type: "allowed_mfa_methods_required_for_restricted", Message: "allowed_mfa_methods must list at least one method when mfa_methods is RESTRICTED."}
	ErrBadRequest                                 = &Error{Status: http.StatusBadRequest, Type: "bad_request", Message: "The request could not be parsed. Please check that the body is valid JSON and that every field has the documented type."}
	ErrBreachedPassword                           = &Error{Status: http.StatusBadRequest, Type: "breached_password", Message: "This password appears in a known data breach (Have I Been Pwned). Choose a different password."}
	ErrCannotDeleteLastPrimaryFactor              = &Error{Status: http.StatusBadRequest, Type: "cannot_delete_last_primary_factor", Message: "Cannot delete the last primary factor of an active user."}
	ErrCannotUpdateTrustedMetadata                = &Error{Status: http.StatusBadRequest, Type: "cannot_update_trusted_metadata", Message: "trusted_metadata cannot be updated when acting as a member (with a member session header); update it with project credentials alone."}
	ErrCustomClaimsTooLarge                       = &Error{Status: http.StatusBadRequest, Type: "custom_claims_too_large", Message: "session_custom_claims must be at most 4KB when serialized."}
	ErrDuplicateEmail                             = &Error{Status: http.StatusBadRequest, Type: "duplicate_email", Message: "A user with this email already exists for this project."}
	ErrDuplicateMemberEmail                       = &Error{Status: http.StatusBadRequest, Type: "duplicate_member_email", Message: "A member with this email already exists in this organization."}
	ErrDuplicateMemberExternalID                  = &Error{Status: http.StatusBadRequest, Type: "duplicate_member_external_id", Message: "A member with this external_id already exists in this organization."}
	ErrDuplicateMemberPhoneNumberForMember        = &Error{Status: http.StatusBadRequest, Type: "duplicate_member_phone_number_for_member", Message: "The member already has a different MFA phone number; change it with members.update before sending to another."}
	ErrDuplicatePhoneNumber                       = &Error{Status: http.StatusBadRequest, Type: "duplicate_phone_number", Message: "A user with this phone number already exists for this project."}
	ErrDuplicateRedirectURL                       = &Error{Status: http.StatusBadRequest, Type: "duplicate_redirect_url", Message: "This redirect URL is already configured for this project."}
	ErrDuplicateUserExternalID                    = &Error{Status: http.StatusBadRequest, Type: "duplicate_user_external_id", Message: "A user with this external_id already exists for this project."}
	ErrEmailJITProvisioningNotAllowed             = &Error{Status: http.StatusBadRequest, Type: "email_jit_provisioning_not_allowed", Message: "This organization does not allow new members to join by email (email_jit_provisioning is NOT_ALLOWED)."}
	ErrEmailNotFound                              = &Error{Status: http.StatusNotFound, Type: "email_not_found", Message: "Email could not be found."}
	ErrEmailSettingsNotFound                      = &Error{Status: http.StatusBadRequest, Type: "email_settings_not_found", Message: "Email delivery is not configured for this live project. Configure an SMTP server (LATCH_SMTP_HOST) to send emails from live projects."}
	ErrEmailTemplateNotFound                      = &Error{Status: http.StatusNotFound, Type: "email_template_not_found", Message: "The email template could not be found."}
	ErrExpiredTOTP                                = &Error{Status: http.StatusUnauthorized, Type: "expired_totp", Message: "The TOTP registration expired before its first code was authenticated. Create a new one."}
	ErrIntermediateSessionNotFound                = &Error{Status: http.StatusNotFound, Type: "intermediate_session_not_found", Message: "The intermediate session could not be found: it was already used, has expired, or never existed."}
	ErrInternal                                   = &Error{Status: http.StatusInternalServerError, Type: "internal_server_error", Message: "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong."}
	ErrInvalidAppendSalt                          = &Error{Status: http.StatusBadRequest, Type: "invalid_append_salt", Message: "append_salt is invalid."}
	ErrInvalidArgon2IterationAmount               = &Error{Status: http.StatusBadRequest, Type: "invalid_argon_2_iteration_amount", Message: "The argon2 iteration amount is invalid."}
	ErrInvalidArgon2KeyLength                     = &Error{Status: http.StatusBadRequest, Type: "invalid_argon_2_key_length", Message: "The argon2 key length is invalid."}
	ErrInvalidArgon2Memory                        = &Error{Status: http.StatusBadRequest, Type: "invalid_argon_2_memory", Message: "The argon2 memory is invalid."}
	ErrInvalidArgon2Salt                          = &Error{Status: http.StatusBadRequest, Type: "invalid_argon_2_salt", Message: "The argon2 salt is invalid."}
	ErrInvalidArgon2Threads                       = &Error{Status: http.StatusBadRequest, Type: "invalid_argon_2_threads", Message: "The argon2 threads value is invalid."}
	ErrInvalidArgument                            = &Error{Status: http.StatusBadRequest, Type: "invalid_argument", Message: "One of the arguments is invalid."}
	ErrInvalidBase64ScryptHash                    = &Error{Status: http.StatusBadRequest, Type: "invalid_base64_scrypt_hash", Message: "The scrypt hash is not valid base64."}
	ErrInvalidBase64ScryptSalt                    = &Error{Status: http.StatusBadRequest, Type: "invalid_base64_scrypt_salt", Message: "The scrypt salt is not valid base64."}
	ErrInvalidBcryptCost                          = &Error{Status: http.StatusBadRequest, Type: "invalid_bcrypt_cost", Message: "The bcrypt cost must be between 4 and 16."}
	ErrInvalidBcryptHash                          = &Error{Status: http.StatusBadRequest, Type: "invalid_bcrypt_hash", Message: "The bcrypt hash is invalid."}
	ErrInvalidDiscoveryRedirectURL                = &Error{Status: http.StatusBadRequest, Type: "invalid_discovery_redirect_url", Message: "discovery_redirect_url format is invalid. Please use a valid absolute URL with an http or https scheme."}
	ErrInvalidEmail                               = &Error{Status: http.StatusBadRequest, Type: "invalid_email", Message: "Email format is invalid."}
	ErrInvalidEmailForInvites                     = &Error{Status: http.StatusBadRequest, Type: "invalid_email_for_invites", Message: "This organization does not allow invites to this email address."}
	ErrInvalidEmailForJITProvisioning             = &Error{Status: http.StatusBadRequest, Type: "invalid_email_for_jit_provisioning", Message: "This email address's domain is not allowed to join this organization (email_allowed_domains)."}
	ErrInvalidEmailID                             = &Error{Status: http.StatusBadRequest, Type: "invalid_email_id", Message: "email_id format is invalid."}
	ErrInvalidExpiration                          = &Error{Status: http.StatusBadRequest, Type: "invalid_expiration", Message: "Expiration minutes must be between 5 and 10080 (one week)."}
	ErrInvalidExpirationOTP                       = &Error{Status: http.StatusBadRequest, Type: "invalid_expiration_otp", Message: "expiration_minutes must be between 1 and 10."}
	ErrInvalidHash                                = &Error{Status: http.StatusBadRequest, Type: "invalid_hash", Message: "The hash is invalid for its hash_type."}
	ErrInvalidHashType                            = &Error{Status: http.StatusBadRequest, Type: "invalid_hash_type", Message: "hash_type is not one of the supported hash types."}
	ErrInvalidISTForOrganization                  = &Error{Status: http.StatusBadRequest, Type: "invalid_intermediate_session_token_for_organization", Message: "The intermediate session token does not belong to this member of this organization."}
	ErrInvalidLocale                              = &Error{Status: http.StatusBadRequest, Type: "invalid_locale", Message: "locale must be one of en, es, pt-br or fr."}
	ErrInvalidMD5Hash                             = &Error{Status: http.StatusBadRequest, Type: "invalid_md_5_hash", Message: "The MD-5 hash is invalid."}
	ErrInvalidMFADefaultMethod                    = &Error{Status: http.StatusBadRequest, Type: "invalid_mfa_default_method", Message: "default_mfa_method must be sms_otp or totp."}
	ErrInvalidMagicLinkURL                        = &Error{Status: http.StatusBadRequest, Type: "invalid_magic_link_url", Message: "magic_link_url format is invalid. Please use a valid absolute URL with an http or https scheme."}
	ErrInvalidMemberGetFields                     = &Error{Status: http.StatusBadRequest, Type: "invalid_member_get_fields", Message: "One of member_id or email_address must be provided."}
	ErrInvalidOrganizationAllowedAuthMethods      = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_allowed_auth_methods", Message: "allowed_auth_methods contains an unknown method."}
	ErrInvalidOrganizationAllowedMFAMethods       = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_allowed_mfa_methods", Message: "allowed_mfa_methods contains an unknown method."}
	ErrInvalidOrganizationAuthMethodSettings      = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_auth_method_settings", Message: "auth_methods must be ALL_ALLOWED or RESTRICTED."}
	ErrInvalidOrganizationID                      = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_id", Message: "organization_id format is invalid."}
	ErrInvalidOrganizationMFAPolicy               = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_mfa_policy", Message: "mfa_policy must be OPTIONAL or REQUIRED_FOR_ALL."}
	ErrInvalidOrganizationName                    = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_name", Message: "organization_name is required and must be at most 128 characters."}
	ErrInvalidOrganizationSlug                    = &Error{Status: http.StatusBadRequest, Type: "invalid_organization_slug", Message: "organization_slug must be 2 to 128 characters of letters, digits, '-', '.', '_' or '~'."}
	ErrInvalidPBKDF2Algorithm                     = &Error{Status: http.StatusBadRequest, Type: "invalid_pbkdf_2_algorithm", Message: "The PBKDF2 algorithm must be sha1, sha256 or sha512."}
	ErrInvalidPBKDF2Hash                          = &Error{Status: http.StatusBadRequest, Type: "invalid_pbkdf_2_hash", Message: "The PBKDF2 hash is invalid."}
	ErrInvalidPBKDF2IterationAmount               = &Error{Status: http.StatusBadRequest, Type: "invalid_pbkdf_2_iteration_amount", Message: "The PBKDF2 iteration amount is invalid."}
	ErrInvalidPBKDF2Salt                          = &Error{Status: http.StatusBadRequest, Type: "invalid_pbkdf_2_salt", Message: "The PBKDF2 salt is invalid."}
	ErrInvalidPHPassHashFormat                    = &Error{Status: http.StatusBadRequest, Type: "invalid_phpass_hash_format", Message: "The phpass hash format is invalid."}
	ErrInvalidPHPassHashPrefix                    = &Error{Status: http.StatusBadRequest, Type: "invalid_phpass_hash_prefix", Message: "The phpass hash must start with $P$ or $H$."}
	ErrInvalidPasswordID                          = &Error{Status: http.StatusBadRequest, Type: "invalid_password_id", Message: "password_id format is invalid."}
	ErrInvalidPhoneNumber                         = &Error{Status: http.StatusBadRequest, Type: "invalid_phone_number", Message: "Phone number format is invalid. Use the E.164 format, such as +12025550162."}
	ErrInvalidPrependSalt                         = &Error{Status: http.StatusBadRequest, Type: "invalid_prepend_salt", Message: "prepend_salt is invalid."}
	ErrInvalidRBACRoleID                          = &Error{Status: http.StatusBadRequest, Type: "invalid_rbac_role_id", Message: "The role does not exist."}
	ErrInvalidRecoveryCode                        = &Error{Status: http.StatusBadRequest, Type: "invalid_recovery_code", Message: "recovery_code format is invalid: it must look like xxxx-xxxx-xxxx."}
	ErrInvalidRedirectURLType                     = &Error{Status: http.StatusBadRequest, Type: "invalid_redirect_url_type", Message: "Redirect URL type must be one of login, signup, invite, reset_password or discovery."}
	ErrInvalidRestrictedEmailSetting              = &Error{Status: http.StatusBadRequest, Type: "invalid_restricted_email_setting", Message: "email_allowed_domains must list at least one domain when email_jit_provisioning or email_invites is RESTRICTED."}
	ErrInvalidSHA1Hash                            = &Error{Status: http.StatusBadRequest, Type: "invalid_sha_1_hash", Message: "The SHA-1 hash is invalid."}
	ErrInvalidScryptNParameter                    = &Error{Status: http.StatusBadRequest, Type: "invalid_scrypt_n_parameter", Message: "The scrypt N parameter must be a power of two."}
	ErrInvalidScryptParameters                    = &Error{Status: http.StatusBadRequest, Type: "invalid_scrypt_parameters", Message: "The scrypt parameters are invalid."}
	ErrInvalidScryptSaltLength                    = &Error{Status: http.StatusBadRequest, Type: "invalid_scrypt_salt_length", Message: "The scrypt salt length is invalid."}
	ErrInvalidSessionDuration                     = &Error{Status: http.StatusBadRequest, Type: "invalid_session_duration", Message: "session_duration_minutes must be between 5 and 527040 (one year)."}
	ErrInvalidSessionID                           = &Error{Status: http.StatusBadRequest, Type: "invalid_session_id", Message: "session_id format is invalid."}
	ErrInvalidSettingValue                        = &Error{Status: http.StatusBadRequest, Type: "invalid_request_value", Message: "A setting has a value Stytch does not define."}
	ErrInvalidTOTPCode                            = &Error{Status: http.StatusBadRequest, Type: "invalid_totp_code", Message: "The TOTP code must consist of 6 digits."}
	ErrInvalidTOTPID                              = &Error{Status: http.StatusBadRequest, Type: "invalid_totp_id", Message: "totp_id format is invalid."}
	ErrInvalidToken                               = &Error{Status: http.StatusBadRequest, Type: "invalid_token", Message: "Token format is invalid."}
	ErrInvalidUserID                              = &Error{Status: http.StatusBadRequest, Type: "invalid_user_id", Message: "user_id format is invalid."}
	ErrMagicLinkNotFound                          = &Error{Status: http.StatusNotFound, Type: "magic_link_not_found", Message: "The magic link could not be authenticated, try sending another magic link to the user."}
	ErrMemberNotFound                             = &Error{Status: http.StatusNotFound, Type: "member_not_found", Message: "Member could not be found."}
	ErrMemberPhoneNumberNotFound                  = &Error{Status: http.StatusNotFound, Type: "member_phone_number_not_found", Message: "The member has no MFA phone number; pass mfa_phone_number."}
	ErrMemberResetPassword                        = &Error{Status: http.StatusBadRequest, Type: "member_reset_password", Message: "The member must reset their password before logging in with it: reset it by email."}
	ErrMemberSearchEmailFuzzyTooShort             = &Error{Status: http.StatusBadRequest, Type: "member_search_member_email_fuzzy_too_short", Message: "member_email_fuzzy must be at least 3 characters."}
	ErrMemberSearchExpectedArray                  = &Error{Status: http.StatusBadRequest, Type: "member_search_expected_array_of_strings", Message: "The search filter value must be a non-empty array of strings."}
	ErrMemberSearchExpectedBoolean                = &Error{Status: http.StatusBadRequest, Type: "member_search_expected_boolean", Message: "The search filter value must be a boolean."}
	ErrMemberSearchExpectedString                 = &Error{Status: http.StatusBadRequest, Type: "member_search_expected_string", Message: "The search filter value must be a string."}
	ErrMemberSearchFilterNotRecognized            = &Error{Status: http.StatusBadRequest, Type: "member_search_filter_name_not_recognized", Message: "The member search filter name is not recognized."}
	ErrMemberSearchOrganizationIDsEmpty           = &Error{Status: http.StatusBadRequest, Type: "member_search_organization_ids_empty", Message: "organization_ids must list at least one organization."}
	ErrMetadataTooLarge                           = &Error{Status: http.StatusBadRequest, Type: "metadata_too_large", Message: "Metadata must be at most 4KB when serialized."}
	ErrMethodNotAllowed                           = &Error{Status: http.StatusMethodNotAllowed, Type: "method_not_allowed", Message: "This HTTP method is not allowed on this route."}
	ErrNoDefaultDiscoveryRedirectURL              = &Error{Status: http.StatusBadRequest, Type: "no_default_discovery_redirect_url_set", Message: "No discovery_redirect_url was provided and the project has no default discovery redirect URL."}
	ErrNoDefaultInviteRedirectURL                 = &Error{Status: http.StatusBadRequest, Type: "no_default_invite_redirect_url_set", Message: "No invite_magic_link_url was provided and the project has no default invite redirect URL."}
	ErrNoDefaultLoginRedirectURL                  = &Error{Status: http.StatusBadRequest, Type: "no_default_login_redirect_url_set", Message: "No login_magic_link_url was provided and the project has no default login redirect URL."}
	ErrNoDefaultResetPasswordRedirectURL          = &Error{Status: http.StatusBadRequest, Type: "no_password_reset_redirect_url", Message: "No reset_password_redirect_url was provided and the project has no default reset_password redirect URL."}
	ErrNoDefaultSignupRedirectURL                 = &Error{Status: http.StatusBadRequest, Type: "no_default_signup_redirect_url_set", Message: "No signup_magic_link_url was provided and the project has no default signup redirect URL."}
	ErrNoDeletedMemberForReactivation             = &Error{Status: http.StatusBadRequest, Type: "no_deleted_member_found_for_reactivation", Message: "The member is not deleted, so it cannot be reactivated."}
	ErrNoMatchForOAuthURL                         = &Error{Status: http.StatusBadRequest, Type: "no_match_for_provided_oauth_url", Message: "The OAuth redirect URL provided does not match any redirect URL configured for this project. Add it with `latch redirect-urls add`."}
	ErrNoMatchForMagicLinkURL                     = &Error{Status: http.StatusBadRequest, Type: "no_match_for_provided_magic_link_url", Message: "The magic link URL provided does not match any redirect URL configured for this project. Add it with `latch redirect-urls add`."}
	ErrNoSessionArguments                         = &Error{Status: http.StatusBadRequest, Type: "no_session_arguments", Message: "One of session_token or session_jwt must be provided."}
	ErrNoSessionRevokeArguments                   = &Error{Status: http.StatusBadRequest, Type: "no_session_revoke_arguments", Message: "One of session_id, session_token or session_jwt must be provided."}
	ErrOAuthCallbackFailed                        = &Error{Status: http.StatusBadRequest, Type: "oauth_callback_failed", Message: "The identity provider did not complete the login."}
	ErrOAuthConfigNotFound                        = &Error{Status: http.StatusNotFound, Type: "oauth_config_not_found", Message: "This OAuth provider is not configured for the project. Configure it with `latch oauth-providers set`."}
	ErrOAuthInvalidState                          = &Error{Status: http.StatusBadRequest, Type: "oauth_invalid_state", Message: "The OAuth login could not be matched to one started in this browser: it was already finished, has expired, or was started elsewhere. Start the login again."}
	ErrOAuthTokenNotFound                         = &Error{Status: http.StatusNotFound, Type: "oauth_token_not_found", Message: "The OAuth token could not be found: it was already used, has expired, or never existed."}
	ErrOAuthUserRegistrationNotFound              = &Error{Status: http.StatusNotFound, Type: "oauth_user_registration_not_found", Message: "OAuth user registration could not be found."}
	ErrOTPCodeNotFound                            = &Error{Status: http.StatusNotFound, Type: "otp_code_not_found", Message: "The passcode could not be found: none was sent to this method, or it was used, replaced by a newer one, expired, or guessed wrong too many times."}
	ErrOperationRestrictedByAuthMethods           = &Error{Status: http.StatusBadRequest, Type: "operation_restricted_by_organization_auth_methods", Message: "This organization does not allow this authentication method (allowed_auth_methods)."}
	ErrOperationRestrictedByMFAMethods            = &Error{Status: http.StatusBadRequest, Type: "operation_restricted_by_organization_mfa_methods", Message: "This organization does not allow this MFA method (allowed_mfa_methods)."}
	ErrOrganizationNotFound                       = &Error{Status: http.StatusNotFound, Type: "organization_not_found", Message: "Organization could not be found."}
	ErrOrganizationSearchExpectedArray            = &Error{Status: http.StatusBadRequest, Type: "organization_search_expected_array_of_strings", Message: "The search filter value must be a non-empty array of strings."}
	ErrOrganizationSearchExpectedString           = &Error{Status: http.StatusBadRequest, Type: "organization_search_expected_string", Message: "The search filter value must be a string."}
	ErrOrganizationSearchFilterNotRecognized      = &Error{Status: http.StatusBadRequest, Type: "organization_search_filter_name_not_recognized", Message: "The organization search filter name is not recognized."}
	ErrOrganizationSearchMemberEmailFuzzyTooShort = &Error{Status: http.StatusBadRequest, Type: "organization_search_member_email_fuzzy_too_short", Message: "member_email_fuzzy must be at least 3 characters."}
	ErrOrganizationSearchNameFuzzyTooShort        = &Error{Status: http.StatusBadRequest, Type: "organization_search_organization_name_fuzzy_too_short", Message: "organization_name_fuzzy must be at least 3 characters."}
	ErrOrganizationSearchSlugFuzzyTooShort        = &Error{Status: http.StatusBadRequest, Type: "organization_search_organization_slug_fuzzy_too_short", Message: "organization_slug_fuzzy must be at least 3 characters."}
	ErrOrganizationSettingsDuplicateDomain        = &Error{Status: http.StatusBadRequest, Type: "organization_settings_duplicate_domain", Message: "email_allowed_domains lists a domain more than once."}
	ErrOrganizationSettingsInvalidDomain          = &Error{Status: http.StatusBadRequest, Type: "organization_settings_invalid_domain", Message: "A domain in email_allowed_domains is not a valid domain name."}
	ErrOrganizationSlugAlreadyUsed                = &Error{Status: http.StatusBadRequest, Type: "organization_slug_already_used", Message: "This organization_slug is already used by another organization in this project."}
	ErrPhoneNumberNotFound                        = &Error{Status: http.StatusNotFound, Type: "phone_number_not_found", Message: "Phone number could not be found."}
	ErrPKCEDidNotExpectVerifier                   = &Error{Status: http.StatusBadRequest, Type: "pkce_did_not_expect_code_verifier", Message: "A code_verifier was passed, but the magic link was not sent with a code_challenge."}
	ErrPKCEExpectedVerifier                       = &Error{Status: http.StatusBadRequest, Type: "pkce_expected_code_verifier", Message: "The magic link was sent with a code_challenge, so a code_verifier is required."}
	ErrPKCEMismatch                               = &Error{Status: http.StatusBadRequest, Type: "pkce_mismatch", Message: "The code_verifier does not match the code_challenge the magic link was sent with."}
	ErrPasswordNotFound                           = &Error{Status: http.StatusNotFound, Type: "password_not_found", Message: "Password could not be found."}
	ErrProjectNotFound                            = &Error{Status: http.StatusNotFound, Type: "project_not_found", Message: "Project could not be found."}
	ErrPublicTokenNotFound                        = &Error{Status: http.StatusUnauthorized, Type: "invalid_public_token", Message: "The public token is missing or does not belong to any project."}
	ErrReservedClaims                             = &Error{Status: http.StatusBadRequest, Type: "reserved_claims_in_custom_claims", Message: "session_custom_claims may not contain reserved claims (iss, aud, sub, iat, nbf, exp, jti)."}
	ErrResetPassword                              = &Error{Status: http.StatusBadRequest, Type: "reset_password", Message: "The user must reset their password before logging in with it: reset it by email."}
	ErrRouteNotFound                              = &Error{Status: http.StatusNotFound, Type: "route_not_found", Message: "The requested route does not exist."}
	ErrSMSSettingsNotFound                        = &Error{Status: http.StatusBadRequest, Type: "sms_settings_not_found", Message: "SMS delivery is not configured for this live project. Configure Twilio (LATCH_TWILIO_ACCOUNT_SID, LATCH_TWILIO_AUTH_TOKEN and LATCH_TWILIO_FROM) to send passcodes by SMS from live projects."}
	ErrSearchInvalidCursor                        = &Error{Status: http.StatusBadRequest, Type: "search_invalid_cursor", Message: "The cursor is invalid."}
	ErrSearchInvalidLimit                         = &Error{Status: http.StatusBadRequest, Type: "search_invalid_limit", Message: "limit must be between 1 and 1000."}
	ErrSearchInvalidStatusFilter                  = &Error{Status: http.StatusBadRequest, Type: "search_invalid_status_filter", Message: "statuses may only contain active, pending, invited or deleted."}
	ErrSessionAuthorization                       = &Error{Status: http.StatusForbidden, Type: "session_authorization_error", Message: "The Member is not authorized to perform the requested action on that resource."}
	ErrSessionAuthorizationTenancy                = &Error{Status: http.StatusForbidden, Type: "session_authorization_tenancy_error", Message: "The member session belongs to a different organization than the one the request acts on."}
	ErrSessionNotFound                            = &Error{Status: http.StatusNotFound, Type: "session_not_found", Message: "Session could not be found."}
	ErrSessionTooOldToResetPassword               = &Error{Status: http.StatusBadRequest, Type: "session_too_old_to_reset_password", Message: "The session has no password, email magic link or email passcode factor authenticated within the last 5 minutes; authenticate again, then reset the password."}
	ErrStytchClaimsInCustomClaims                 = &Error{Status: http.StatusBadRequest, Type: "stytch_claims_in_custom_claims", Message: "session_custom_claims may not contain keys starting with https://stytch.com/."}
	ErrTOTPCodeAlreadyAuthenticated               = &Error{Status: http.StatusUnauthorized, Type: "totp_code_already_authenticated", Message: "This TOTP code has already been authenticated. Please attempt with the next generated code."}
	ErrTOTPNotFound                               = &Error{Status: http.StatusNotFound, Type: "totp_not_found", Message: "TOTP could not be found."}
	ErrTOTPsNotFoundForUser                       = &Error{Status: http.StatusNotFound, Type: "totps_not_found_for_user", Message: "The user has no TOTP registration."}
	ErrTooManyRequests                            = &Error{Status: http.StatusTooManyRequests, Type: "too_many_requests", Message: "Too many requests have been made."}
	ErrTooManySessionArguments                    = &Error{Status: http.StatusBadRequest, Type: "too_many_session_arguments", Message: "Only one of session_token or session_jwt may be provided."}
	ErrTooManySessionRevokeArguments              = &Error{Status: http.StatusBadRequest, Type: "too_many_session_revoke_arguments", Message: "Only one of session_id, session_token or session_jwt may be provided."}
	ErrTooRestrictiveOrganizationSettings         = &Error{Status: http.StatusBadRequest, Type: "too_restrictive_organization_settings", Message: "An organization needs a way for new members to join: sso_jit_provisioning, email_jit_provisioning and email_invites cannot all be NOT_ALLOWED."}
	ErrUnableToAuthMagicLink                      = &Error{Status: http.StatusUnauthorized, Type: "unable_to_auth_magic_link", Message: "The magic link could not be authenticated because it was either already used or expired. Send another magic link to this user."}
	ErrUnableToAuthOTPCode                        = &Error{Status: http.StatusUnauthorized, Type: "unable_to_auth_otp_code", Message: "The passcode is incorrect. Try again, or send a new one."}
	ErrUnableToAuthPasswordResetToken             = &Error{Status: http.StatusUnauthorized, Type: "unable_to_auth_password_reset_token", Message: "The password reset token could not be authenticated: it was already used, has expired, or never existed. Start another password reset."}
	ErrUnableToAuthRecoveryCode                   = &Error{Status: http.StatusUnauthorized, Type: "unable_to_authenticate_recovery_code", Message: "The recovery code could not be authenticated: it is wrong or was already used."}
	ErrUnableToAuthTOTP                           = &Error{Status: http.StatusUnauthorized, Type: "unable_to_authenticate_totp", Message: "The TOTP code could not be authenticated."}
	ErrUnableToParseSessionJWT                    = &Error{Status: http.StatusUnauthorized, Type: "unable_to_parse_session_jwt", Message: "The session JWT could not be parsed or its signature is invalid."}
	ErrUnauthorizedCredentials                    = &Error{Status: http.StatusUnauthorized, Type: "unauthorized_credentials", Message: "Unauthorized credentials."}
	ErrUseHTTPS                                   = &Error{Status: http.StatusForbidden, Type: "use_https", Message: "Please use https instead of http."}
	ErrUserNotFound                               = &Error{Status: http.StatusNotFound, Type: "user_not_found", Message: "User could not be found."}
	ErrUserSearchExpectedArray                    = &Error{Status: http.StatusBadRequest, Type: "user_search_expected_array_of_string", Message: "The search filter value must be an array of strings."}
	ErrUserSearchExpectedString                   = &Error{Status: http.StatusBadRequest, Type: "user_search_expected_string", Message: "The search filter value must be a string."}
	ErrUserSearchFilterNotRecognized              = &Error{Status: http.StatusBadRequest, Type: "user_search_filter_name_not_recognized", Message: "The search filter name is not recognized."}
	ErrUserSearchInvalidCursor                    = &Error{Status: http.StatusBadRequest, Type: "user_search_invalid_cursor", Message: "The cursor is invalid."}
	ErrUserSearchInvalidLimit                     = &Error{Status: http.StatusBadRequest, Type: "user_search_invalid_limit", Message: "limit must be between 1 and 1000."}
	ErrUserSearchInvalidOperator                  = &Error{Status: http.StatusBadRequest, Type: "user_search_invalid_operator", Message: "operator must be AND or OR."}
	ErrUserSearchInvalidStatus                    = &Error{Status: http.StatusBadRequest, Type: "user_search_invalid_status_filter", Message: "status filter must be active or pending."}
	ErrWeakPassword                               = &Error{Status: http.StatusBadRequest, Type: "weak_password", Message: "The password is too weak."}
)

// Catalog lists every entry above; tests use it to check that types are unique.
var Catalog = []*Error{
	ErrMemberResetPassword, ErrNoDefaultResetPasswordRedirectURL, ErrResetPassword, ErrSessionTooOldToResetPassword, ErrUnableToAuthPasswordResetToken,
	ErrBreachedPassword, ErrInvalidAppendSalt, ErrInvalidArgon2IterationAmount, ErrInvalidArgon2KeyLength, ErrInvalidArgon2Memory, ErrInvalidArgon2Salt, ErrInvalidArgon2Threads, ErrInvalidBase64ScryptHash, ErrInvalidBase64ScryptSalt, ErrInvalidBcryptCost, ErrInvalidBcryptHash, ErrInvalidHash, ErrInvalidHashType, ErrInvalidMD5Hash, ErrInvalidPBKDF2Algorithm, ErrInvalidPBKDF2Hash, ErrInvalidPBKDF2IterationAmount, ErrInvalidPBKDF2Salt, ErrInvalidPHPassHashFormat, ErrInvalidPHPassHashPrefix, ErrInvalidPasswordID, ErrInvalidPrependSalt, ErrInvalidSHA1Hash, ErrInvalidScryptNParameter, ErrInvalidScryptParameters, ErrInvalidScryptSaltLength, ErrPasswordNotFound, ErrWeakPassword,
	ErrDuplicatePhoneNumber, ErrInvalidExpirationOTP, ErrOTPCodeNotFound, ErrPhoneNumberNotFound, ErrSMSSettingsNotFound, ErrUnableToAuthOTPCode,
	ErrOperationRestrictedByMFAMethods, ErrDuplicateMemberPhoneNumberForMember, ErrMemberPhoneNumberNotFound,
	ErrNoMatchForOAuthURL, ErrOAuthCallbackFailed, ErrOAuthConfigNotFound, ErrOAuthInvalidState, ErrOAuthTokenNotFound, ErrOAuthUserRegistrationNotFound, ErrPublicTokenNotFound, ErrUseHTTPS,
	ErrActiveTOTPExists, ErrExpiredTOTP, ErrInvalidISTForOrganization, ErrInvalidRecoveryCode, ErrInvalidTOTPCode, ErrInvalidTOTPID, ErrTOTPCodeAlreadyAuthenticated, ErrTOTPNotFound, ErrTOTPsNotFoundForUser, ErrUnableToAuthRecoveryCode, ErrUnableToAuthTOTP,
	ErrCannotUpdateTrustedMetadata, ErrInvalidMFADefaultMethod, ErrInvalidMemberGetFields, ErrInvalidPhoneNumber, ErrMemberSearchEmailFuzzyTooShort, ErrMemberSearchExpectedArray, ErrMemberSearchExpectedBoolean, ErrMemberSearchExpectedString, ErrOrganizationSearchExpectedArray, ErrOrganizationSearchExpectedString, ErrOrganizationSearchMemberEmailFuzzyTooShort, ErrOrganizationSearchNameFuzzyTooShort, ErrOrganizationSearchSlugFuzzyTooShort, ErrOrganizationSettingsDuplicateDomain, ErrSearchInvalidStatusFilter, ErrTooRestrictiveOrganizationSettings,
	ErrActionAvailableOnlyForActiveMembers, ErrAllowedAuthMethodsRequired, ErrAllowedMFAMethodsRequired, ErrDuplicateMemberEmail, ErrDuplicateMemberExternalID, ErrEmailJITProvisioningNotAllowed, ErrIntermediateSessionNotFound, ErrInvalidDiscoveryRedirectURL, ErrInvalidEmailForInvites, ErrInvalidEmailForJITProvisioning, ErrInvalidOrganizationAllowedAuthMethods, ErrInvalidOrganizationAllowedMFAMethods, ErrInvalidOrganizationAuthMethodSettings, ErrInvalidOrganizationID, ErrInvalidOrganizationMFAPolicy, ErrInvalidOrganizationName, ErrInvalidOrganizationSlug, ErrInvalidRBACRoleID, ErrInvalidRestrictedEmailSetting, ErrInvalidSettingValue, ErrMemberNotFound, ErrMemberSearchFilterNotRecognized, ErrMemberSearchOrganizationIDsEmpty, ErrNoDefaultDiscoveryRedirectURL, ErrNoDeletedMemberForReactivation, ErrOperationRestrictedByAuthMethods, ErrOrganizationNotFound, ErrOrganizationSearchFilterNotRecognized, ErrOrganizationSettingsInvalidDomain, ErrOrganizationSlugAlreadyUsed, ErrSearchInvalidCursor, ErrSearchInvalidLimit, ErrSessionAuthorization, ErrSessionAuthorizationTenancy,
	ErrBadRequest, ErrCannotDeleteLastPrimaryFactor, ErrCustomClaimsTooLarge, ErrDuplicateEmail, ErrDuplicateRedirectURL,
	ErrDuplicateUserExternalID, ErrEmailSettingsNotFound, ErrEmailNotFound, ErrEmailTemplateNotFound,
	ErrInternal, ErrInvalidArgument, ErrInvalidEmail, ErrInvalidEmailID, ErrInvalidExpiration,
	ErrInvalidLocale, ErrInvalidMagicLinkURL, ErrInvalidRedirectURLType, ErrInvalidSessionDuration,
	ErrInvalidSessionID, ErrInvalidToken, ErrInvalidUserID, ErrMagicLinkNotFound, ErrMetadataTooLarge,
	ErrMethodNotAllowed, ErrNoDefaultInviteRedirectURL, ErrNoDefaultLoginRedirectURL,
	ErrNoDefaultSignupRedirectURL, ErrNoMatchForMagicLinkURL, ErrNoSessionArguments,
	ErrNoSessionRevokeArguments, ErrPKCEDidNotExpectVerifier, ErrPKCEExpectedVerifier,
	ErrPKCEMismatch, ErrProjectNotFound, ErrReservedClaims,
	ErrRouteNotFound, ErrSessionNotFound, ErrStytchClaimsInCustomClaims, ErrTooManyRequests,
	ErrTooManySessionArguments, ErrTooManySessionRevokeArguments, ErrUnableToAuthMagicLink,
	ErrUnableToParseSessionJWT, ErrUnauthorizedCredentials, ErrUserNotFound, ErrUserSearchInvalidCursor,
	ErrUserSearchInvalidLimit, ErrUserSearchInvalidOperator, ErrUserSearchFilterNotRecognized,
	ErrUserSearchInvalidStatus, ErrUserSearchExpectedArray, ErrUserSearchExpectedString,
}
