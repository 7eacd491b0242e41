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
// Services map them to Stytch's invalid_phone_number error
// (auth.ErrInvalidPhoneNumber, 400). This package does not import
// internal/auth: what a bad number means to a client is the service's
// business, and the mapping is one line:
//
//	e164, err := phone.Normalize(in.PhoneNumber)
//	if err != nil {
//		return auth.ErrInvalidPhoneNumber.Wrap(err)
//	}
//
// Normalize returns no other kind of error, so no further check is needed.
//
// Stytch's sandbox number, Sandbox ("+10000000000"), is not a valid number
// in any region, yet the OTP endpoints must accept it in test projects and
// answer without sending anything. Normalize therefore accepts exactly that
// string, and IsSandbox lets the flow recognise it.
package phone
