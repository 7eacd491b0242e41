package password

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// The strength policies a project may choose, as Stytch names them in
// strength_policy.
const (
	PolicyZXCVBN = "zxcvbn"
	PolicyLUDS   = "luds"
)

// Defaults and bounds of the LUDS policy, those of Stytch's password
// strength configuration.
const (
	DefaultLUDSMinLength    = 8
	DefaultLUDSMinCharTypes = 3
	MinLUDSMinLength        = 8
	MaxLUDSMinLength        = 32
	MinLUDSMinCharTypes     = 1
	MaxLUDSMinCharTypes     = 4
)

// MinZXCVBNScore is the lowest zxcvbn score Stytch accepts.
const MinZXCVBNScore = 3

// maxZXCVBNRunes bounds the prefix of a password that zxcvbn rates: its
// matching grows much faster than linearly (1,000 characters take
// seconds), and 72 characters is where zxcvbn's own Python port stops.
const maxZXCVBNRunes = 72

// Policy is a project's password strength policy.
type Policy struct {
	// Kind is PolicyZXCVBN (also when empty) or PolicyLUDS.
	Kind string
	// LUDSMinLength is the minimum length in characters under LUDS;
	// 0 means DefaultLUDSMinLength.
	LUDSMinLength int
	// LUDSMinCharTypes is how many of lowercase, uppercase, digit and
	// symbol a password needs under LUDS; 0 means DefaultLUDSMinCharTypes.
	LUDSMinCharTypes int
}

// Validate returns an error unless p's kind is known and its LUDS settings
// are zero or within Stytch's ranges (length 8..32, character types 1..4).
func (p Policy) Validate() error {
	switch p.Kind {
	case "", PolicyZXCVBN, PolicyLUDS:
	default:
		return fmt.Errorf("password: unknown strength policy %q", p.Kind)
	}
	if p.LUDSMinLength != 0 && (p.LUDSMinLength < MinLUDSMinLength || p.LUDSMinLength > MaxLUDSMinLength) {
		return fmt.Errorf("password: LUDS minimum length %d is outside %d..%d", p.LUDSMinLength, MinLUDSMinLength, MaxLUDSMinLength)
	}
	if p.LUDSMinCharTypes != 0 && (p.LUDSMinCharTypes < MinLUDSMinCharTypes || p.LUDSMinCharTypes > MaxLUDSMinCharTypes) {
		return fmt.Errorf("password: LUDS character types %d is outside %d..%d", p.LUDSMinCharTypes, MinLUDSMinCharTypes, MaxLUDSMinCharTypes)
	}
	return nil
}

// Strength is a password's rating, with exactly the fields of the Stytch
// SDK's passwords.StrengthCheckResponse (less the envelope). The B2B
// response splits Feedback in two: Warning and Suggestions become its
// zxcvbn_feedback, LUDSRequirements its luds_feedback.
type Strength struct {
	// ValidPassword reports whether the password meets the policy and, if
	// breach detection ran, was not found in a breach.
	ValidPassword bool
	// Score is the zxcvbn score, 0..4; it is 0 under LUDS, where zxcvbn is
	// not run.
	Score int
	// BreachedPassword reports whether breach detection found the password.
	BreachedPassword bool
	// StrengthPolicy is PolicyZXCVBN or PolicyLUDS.
	StrengthPolicy string
	// BreachDetectionOnCreate reports whether breach detection is on; when
	// false, BreachedPassword is false too.
	BreachDetectionOnCreate bool
	// Feedback tells the user how to do better.
	Feedback Feedback
}

// Feedback is the advice part of a Strength.
type Feedback struct {
	// Warning is zxcvbn's warning, "" if none and under LUDS.
	Warning string
	// Suggestions are zxcvbn's suggestions: never nil under zxcvbn (empty
	// once the score is 3 or more), nil under LUDS, where Stytch sends
	// null.
	Suggestions []string
	// LUDSRequirements is set under LUDS only.
	LUDSRequirements *LUDSRequirements
}

// LUDSRequirements says which LUDS requirements a password meets.
type LUDSRequirements struct {
	HasLowerCase bool
	HasUpperCase bool
	HasDigit     bool
	// HasSymbol is true for any character that is not a lowercase or
	// uppercase letter or a digit: punctuation, spaces, emoji, and letters
	// of scripts without case.
	HasSymbol bool
	// MissingComplexity is how many more character types are needed.
	MissingComplexity int
	// MissingCharacters is how many more characters are needed.
	MissingCharacters int
}

// Check rates password under policy without breach detection (see
// [Evaluate]): under zxcvbn it is valid from score 3, and the email's
// local part counts as a guessable word; under LUDS it is valid when long
// and varied enough. Lengths count Unicode characters, not bytes. An
// unknown policy kind is treated as zxcvbn; [Policy.Validate] catches it
// at startup.
func Check(password, email string, policy Policy) Strength {
	if policy.Kind == PolicyLUDS {
		return checkLUDS(password, policy)
	}
	return checkZXCVBN(password, email)
}

func checkZXCVBN(password, email string) Strength {
	r := zxcvbn.PasswordStrength(prefix(password, maxZXCVBNRunes), userInputs(email))
	warning, suggestions := feedback(r.Score, r.Sequence)
	return Strength{
		ValidPassword:  r.Score >= MinZXCVBNScore,
		Score:          r.Score,
		StrengthPolicy: PolicyZXCVBN,
		Feedback:       Feedback{Warning: warning, Suggestions: suggestions},
	}
}

func checkLUDS(password string, policy Policy) Strength {
	minLen, minTypes := policy.LUDSMinLength, policy.LUDSMinCharTypes
	if minLen == 0 {
		minLen = DefaultLUDSMinLength
	}
	if minTypes == 0 {
		minTypes = DefaultLUDSMinCharTypes
	}
	var req LUDSRequirements
	for _, c := range password {
		switch {
		case unicode.IsLower(c):
			req.HasLowerCase = true
		case unicode.IsUpper(c):
			req.HasUpperCase = true
		case unicode.IsDigit(c):
			req.HasDigit = true
		default:
			req.HasSymbol = true
		}
	}
	types := 0
	for _, has := range []bool{req.HasLowerCase, req.HasUpperCase, req.HasDigit, req.HasSymbol} {
		if has {
			types++
		}
	}
	req.MissingComplexity = max(0, minTypes-types)
	req.MissingCharacters = max(0, minLen-utf8.RuneCountInString(password))
	return Strength{
		ValidPassword:  req.MissingComplexity == 0 && req.MissingCharacters == 0,
		StrengthPolicy: PolicyLUDS,
		Feedback:       Feedback{LUDSRequirements: &req},
	}
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// userInputs are the words of the email that zxcvbn should treat as
// guessable: the address, its local part, and the local part's pieces
// ("jane.doe+x" gives "jane", "doe" and "x").
func userInputs(email string) []string {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		if email == "" {
			return nil
		}
		return []string{email}
	}
	local := email[:at]
	inputs := []string{email, local}
	pieces := strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(pieces) > 1 {
		inputs = append(inputs, pieces...)
	}
	return inputs
}
