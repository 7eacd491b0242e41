package phone_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/latchauth/latch/internal/auth"
	"github.com/latchauth/latch/internal/phone"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"US compact", "+12025550162", "+12025550162"},
		{"US punctuated", "+1 (202) 555-0162", "+12025550162"},
		{"US dashes", "+1-202-555-0162", "+12025550162"},
		{"US dots", "+1.202.555.0162", "+12025550162"},
		{"US surrounding space", "  +1 202 555 0162\t\n", "+12025550162"},
		{"UK London", "+44 20 7946 0958", "+442079460958"},
		{"UK trunk zero in parentheses", "+44 (0)20 7946 0958", "+442079460958"},
		{"UK mobile", "+447400123456", "+447400123456"},
		{"FR mobile in pairs", "+33 6 12 34 56 78", "+33612345678"},
		{"FR with trunk zero", "+33 06 12 34 56 78", "+33612345678"},
		{"IN mobile", "+91 81234 56789", "+918123456789"},
		{"IN compact", "+918123456789", "+918123456789"},
		{"IT keeps its leading zero", "+39 06 1234 5678", "+390612345678"},
		{"sandbox", "+10000000000", "+10000000000"},
		{"sandbox with surrounding space", " +10000000000 ", "+10000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phone.Normalize(tt.raw)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestNormalizeRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want phone.Reason
	}{
		{"empty", "", phone.ReasonEmpty},
		{"blank", "  \t", phone.ReasonEmpty},
		{"US without plus", "12025550162", phone.ReasonMissingPlus},
		{"US national", "(202) 555-0162", phone.ReasonMissingPlus},
		{"FR national", "06 12 34 56 78", phone.ReasonMissingPlus},
		{"international prefix instead of plus", "0044 20 7946 0958", phone.ReasonMissingPlus},
		{"sandbox without plus", "10000000000", phone.ReasonMissingPlus},
		{"letters", "+1 800 FLOWERS", phone.ReasonCharacters},
		{"letter among digits", "+1202555O162", phone.ReasonCharacters},
		{"extension", "+44 20 7946 0958 ext. 12", phone.ReasonCharacters},
		{"extension x", "+12025550162x12", phone.ReasonCharacters},
		{"second plus", "+1+2025550162", phone.ReasonCharacters},
		{"full-width digits", "+１２０２５５５０１６２", phone.ReasonCharacters},
		{"tel URI", "tel:+12025550162", phone.ReasonMissingPlus},
		{"plus alone", "+", phone.ReasonTooShort},
		{"country code alone", "+1", phone.ReasonTooShort},
		{"two digits", "+12", phone.ReasonTooShort},
		{"US one digit short", "+1 202 555 016", phone.ReasonTooShort},
		{"US one digit long", "+1 202 555 01620", phone.ReasonTooLong},
		{"UK far too long", "+44 20 7946 0958 1234", phone.ReasonTooLong},
		{"sixteen digits", "+1234567890123456", phone.ReasonTooLong},
		{"unassigned country code", "+999 1234567", phone.ReasonCountryCode},
		{"US area code 000", "+1 000 555 0100", phone.ReasonNotValid},
		{"sandbox spaced", "+1 000 000 0000", phone.ReasonNotValid},
		{"sandbox punctuated", "+1 (000) 000-0000", phone.ReasonNotValid},
		{"sandbox with an extra digit", "+100000000000", phone.ReasonTooLong},
		{"US area code 123", "+1 123 555 0162", phone.ReasonNotValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phone.Normalize(tt.raw)
			if err == nil {
				t.Fatalf("Normalize(%q) = %q, want an error", tt.raw, got)
			}
			if got != "" {
				t.Errorf("Normalize(%q) returned %q with its error, want \"\"", tt.raw, got)
			}
			if !errors.Is(err, phone.ErrInvalid) {
				t.Errorf("Normalize(%q) error %v does not match ErrInvalid", tt.raw, err)
			}
			var ie *phone.InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Normalize(%q) error %T is not an *InvalidError", tt.raw, err)
			}
			if ie.Reason != tt.want {
				t.Errorf("Normalize(%q) reason = %q, want %q", tt.raw, ie.Reason, tt.want)
			}
			// The error may end up in logs; the number is personal data.
			if digits := strings.Trim(tt.raw, " +\t"); len(digits) > 3 && strings.Contains(err.Error(), digits) {
				t.Errorf("error %q contains the input", err)
			}
		})
	}
}

// TestNormalizeIdempotent checks that a normalized number normalizes to
// itself, since services normalize both what they store and what they are
// asked to look up.
func TestNormalizeIdempotent(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"+1 (202) 555-0162", "+44 (0)20 7946 0958", "+33 6 12 34 56 78", "+91 81234 56789", phone.Sandbox} {
		once, err := phone.Normalize(raw)
		if err != nil {
			t.Fatalf("Normalize(%q): %v", raw, err)
		}
		twice, err := phone.Normalize(once)
		if err != nil || twice != once {
			t.Errorf("Normalize(%q) = %q, %v; want %q", once, twice, err, once)
		}
	}
}

func TestIsSandbox(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		e164 string
		want bool
	}{
		{"+10000000000", true},
		{"+12025550162", false},
		{"10000000000", false},
		{"+1 000 000 0000", false},
		{"", false},
	} {
		if got := phone.IsSandbox(tt.e164); got != tt.want {
			t.Errorf("IsSandbox(%q) = %v, want %v", tt.e164, got, tt.want)
		}
	}
}

// ExampleNormalize shows the service-side use: normalize what the client
// sent, and answer invalid_phone_number when that fails.
func ExampleNormalize() {
	for _, raw := range []string{"+1 (202) 555-0162", "202-555-0162"} {
		e164, err := phone.Normalize(raw)
		if err != nil {
			// A service returns auth.ErrInvalidPhoneNumber.Wrap(err) here.
			fmt.Println(err)
			continue
		}
		fmt.Println(e164)
	}
	// Output:
	// +12025550162
	// phone: invalid phone number: missing leading '+' and country code
}

func TestForEnv(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env     auth.Env
		raw     string
		want    string
		wantErr bool
	}{
		{auth.EnvTest, "+1 (202) 555-0162", "+12025550162", false},
		{auth.EnvLive, "+1 (202) 555-0162", "+12025550162", false},
		{auth.EnvTest, "+10000000000", "+10000000000", false},
		{auth.EnvLive, "+10000000000", "", true},
		{auth.EnvTest, "555-0162", "", true},
	} {
		got, err := phone.ForEnv(tt.env, tt.raw, "mfa_phone_number")
		if got != tt.want || (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, auth.ErrInvalidPhoneNumber)) {
			t.Errorf("ForEnv(%s, %q) = %q, %v; want %q, error %v", tt.env, tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := phone.ForEnv(auth.EnvTest, "555-0162", "mfa_phone_number"); err == nil || !strings.Contains(err.Error(), "mfa_phone_number is not a valid phone number") {
		t.Errorf("the error names its subject: %v", err)
	}
}
