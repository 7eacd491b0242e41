package auth

import "time"

// OTP is a one-time passcode sent to a delivery method (an email address
// or a phone number, named by its email_id or phone_id). Only an HMAC of
// the code, keyed with a server key, is stored: six digits are too few for
// a plain hash to hide. A method has at most one live code; sending a new
// one voids the last. A code dies after OTPMaxAttempts wrong guesses.
type OTP struct {
	ID         string
	ProjectID  string
	MethodID   string // the email_id or phone_id the code was sent to
	UserID     string
	Delivery   DeliveryMethod
	Address    string // the email address or phone number
	CodeHash   []byte
	Attempts   int
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ConsumedAt *time.Time // set when used, or when voided by a newer code
}

// OTP limits, as Stytch's: codes last 2 minutes unless the request says
// 1 to 10, and allow 5 wrong guesses.
const (
	OTPDefaultMinutes = 2
	OTPMinMinutes     = 1
	OTPMaxMinutes     = 10
	OTPMaxAttempts    = 5
)
