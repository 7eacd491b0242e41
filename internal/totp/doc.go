// Package totp is authenticator-app MFA (RFC 6238 time-based one-time
// passcodes) and its recovery codes, for consumer users (/v1/totps…) and
// B2B members (/v1/b2b/totp…, /v1/b2b/recovery_codes…).
//
// Codes are HMAC-SHA1, 6 digits, 30-second steps, accepted one step
// either side of now. A code is never accepted twice: each registration
// records the step of its last accepted code, and a code is accepted only
// for a later step, by one conditional UPDATE (store.TOTPs.AcceptTOTPStep),
// so concurrent replays cannot both pass. The first accepted code
// verifies a registration.
//
// Secrets are kept encrypted with the server key (internal/secretbox).
// Recovery codes (ten, shaped like ckss-2skx-ebow) are single use and
// authenticated by their SHA-256 hash; an encrypted copy lets the
// recovery_codes endpoints show the unused ones again, as Stytch's do.
package totp
