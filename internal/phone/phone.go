package phone

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/latchauth/latch/internal/auth"
)

// Sandbox is Stytch's sandbox phone number. Test projects answer the SMS
// and WhatsApp OTP endpoints for it with success and send nothing; see
// IsSandbox.
const Sandbox = auth.SandboxPhoneNumber

// maxDigits is the longest number E.164 allows, country code included.
// libphonenumber parses up to 17 national digits, more than any network
// can route, so Latch refuses longer strings before parsing them.
const maxDigits = 15

// ErrInvalid matches every error Normalize returns:
// errors.Is(err, phone.ErrInvalid). Use errors.As with *InvalidError to
// learn the reason.
var ErrInvalid = errors.New("phone: invalid phone number")

// Reason says why Normalize refused a number. Reasons are for logs and
// tests; clients see only Stytch's invalid_phone_number message.
type Reason string

// The reasons Normalize gives.
const (
	// ReasonEmpty: nothing but white space.
	ReasonEmpty Reason = "empty"
	// ReasonMissingPlus: no leading "+", so no country code. Stytch
	// requires E.164, and guessing a country would send codes to the
	// wrong phone.
	ReasonMissingPlus Reason = "missing leading '+' and country code"
	// ReasonCharacters: something other than digits and the separators
	// space, '-', '.', '(' and ')'. Letters are refused rather than read as
	// a keypad ("+1 800 FLOWERS") and so are extensions, which an SMS
	// cannot reach.
	ReasonCharacters Reason = "characters other than digits and separators"
	// ReasonCountryCode: the digits after "+" start with no country code.
	ReasonCountryCode Reason = "unknown country code"
	// ReasonTooShort and ReasonTooLong: too few or too many digits for any
	// number of the country.
	ReasonTooShort Reason = "too short"
	ReasonTooLong  Reason = "too long"
	// ReasonNotValid: a plausible length, but no number the country's
	// numbering plan assigns (for example "+1 000 555 0100": North
	// American area codes never start with 0).
	ReasonNotValid Reason = "not a valid number for its region"
)

// InvalidError is the error Normalize returns. It matches ErrInvalid. It
// never holds the number itself, so that logging it leaks no personal data.
type InvalidError struct {
	Reason Reason
}

// Error implements the error interface.
func (e *InvalidError) Error() string {
	return ErrInvalid.Error() + ": " + string(e.Reason)
}

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Normalize checks that raw is a phone number in international form, a
// "+", the country code and the national number, separated by spaces,
// '-', '.', '(' and ')' or not at all, and returns it in E.164 form
// ("+12025550162"). Surrounding white space is ignored. The number must be
// valid under its country's numbering plan, not merely of a plausible
// length.
//
// Normalize also returns Sandbox unchanged, though no country assigns it,
// when raw is exactly that string (around white space): the flows decide
// what it means, see IsSandbox. A spaced form such as "+1 000 000 0000"
// is not the sandbox number and is refused like any other invalid number.
//
// Every error is an *InvalidError, which matches ErrInvalid.
func Normalize(raw string) (e164 string, err error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", &InvalidError{ReasonEmpty}
	}
	if s == Sandbox {
		return Sandbox, nil
	}
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return "", &InvalidError{ReasonMissingPlus}
	}
	// libphonenumber is lenient in ways an API must not be: it reads
	// letters as keypad digits, strips extensions, skips leading junk and
	// accepts full-width and Arabic-Indic digits. Checking the characters
	// first keeps Latch as strict as Stytch, and keeps the number stored
	// the one the user typed.
	digits := 0
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", &InvalidError{ReasonCharacters}
		}
	}
	if digits > maxDigits {
		return "", &InvalidError{ReasonTooLong}
	}

	num, err := phonenumbers.Parse(s, "ZZ") // "ZZ": unknown region; the "+" names it.
	if err != nil {
		switch {
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return "", &InvalidError{ReasonCountryCode}
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return "", &InvalidError{ReasonTooLong}
		default:
			// ErrNotANumber and ErrTooShortNSN: "+1", "+12" and the like.
			return "", &InvalidError{ReasonTooShort}
		}
	}
	if !phonenumbers.IsValidNumber(num) {
		switch phonenumbers.IsPossibleNumberWithReason(num) {
		case phonenumbers.INVALID_COUNTRY_CODE:
			return "", &InvalidError{ReasonCountryCode}
		case phonenumbers.TOO_SHORT:
			return "", &InvalidError{ReasonTooShort}
		case phonenumbers.TOO_LONG:
			return "", &InvalidError{ReasonTooLong}
		default:
			return "", &InvalidError{ReasonNotValid}
		}
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// IsSandbox reports whether e164 is Stytch's sandbox number. A test
// project answers it as if a code had been sent, sends nothing, and
// accepts Stytch's sandbox code for it; a live project must refuse it as
// invalid_phone_number, since no phone can receive it.
func IsSandbox(e164 string) bool { return e164 == Sandbox }

// ForEnv is Normalize for a project in env, with Stytch's error: it
// returns raw in E.164 form, or auth.ErrInvalidPhoneNumber saying why not,
// naming the number as subject (the number itself, or the parameter that
// carried it). Stytch's sandbox number is a number only in test projects.
func ForEnv(env auth.Env, raw, subject string) (string, error) {
	number, err := Normalize(raw)
	var invalid *InvalidError
	switch {
	case errors.As(err, &invalid):
		return "", auth.ErrInvalidPhoneNumber.WithMessage("%s is not a valid phone number (%s). Use the E.164 format, such as +12025550162.", subject, invalid.Reason)
	case err != nil:
		return "", auth.ErrInvalidPhoneNumber
	case IsSandbox(number) && env != auth.EnvTest:
		return "", auth.ErrInvalidPhoneNumber.WithMessage("%s is Stytch's sandbox number, which only test projects accept.", number)
	}
	return number, nil
}
