// Package phone checks and normalizes the phone numbers that Latch's SMS and
// WhatsApp flows receive, using the numbering-plan metadata of
// github.com/nyaruka/phonenumbers (a port of Google's libphonenumber).
//
// Stytch takes phone numbers in E.164 form, with the leading "+" and the
// country code, and so does Latch: Normalize accepts such a number written
// with common separators ("+1 (202) 555-0162") and returns its canonical
// form ("+12025550162"), which is what services store, compare and hand to
// delivery. It never guesses a country: a number without "+" is refused
// rather than read as American or as local to the server.
//
// Errors from Normalize are *InvalidError values, which match ErrInvalid.
// Services take numbers through ForEnv, which maps them to Stytch's
// invalid_phone_number error (auth.ErrInvalidPhoneNumber, 400) with the
// reason, and refuses the sandbox number outside test projects; users'
// phone numbers and members' MFA phone numbers both go through it.
//
// Stytch's sandbox number, Sandbox ("+10000000000"), is not a valid number
// in any region, yet the OTP endpoints must accept it in test projects and
// answer without sending anything. Normalize therefore accepts exactly that
// string, and IsSandbox lets the flow recognise it.
package phone
