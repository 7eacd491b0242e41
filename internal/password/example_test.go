package password_test

import (
	"context"
	"fmt"

	"github.com/latchauth/latch/internal/password"
)

func ExampleCheck() {
	s := password.Check("p@ssword1", "jane@example.com", password.Policy{Kind: password.PolicyZXCVBN})
	fmt.Println(s.ValidPassword, s.Score, s.StrengthPolicy)
	fmt.Println(s.Feedback.Warning)
	for _, suggestion := range s.Feedback.Suggestions {
		fmt.Println("-", suggestion)
	}

	s = password.Check("p@ssword1", "jane@example.com", password.Policy{Kind: password.PolicyLUDS, LUDSMinLength: 10, LUDSMinCharTypes: 4})
	fmt.Printf("%v %+v\n", s.ValidPassword, *s.Feedback.LUDSRequirements)
	// Output:
	// false 1 zxcvbn
	// This is similar to a commonly used password.
	// - Add another word or two. Uncommon words are better.
	// - Predictable substitutions like '@' instead of 'a' don't help very much.
	// false {HasLowerCase:true HasUpperCase:false HasDigit:true HasSymbol:true MissingComplexity:1 MissingCharacters:1}
}

// breachList is a BreachChecker over a fixed list. In production the
// checker is a *password.HIBPClient; in tests, one pointed at
// internal/hibptest.
type breachList map[string]bool

func (l breachList) Breached(_ context.Context, pw string) (bool, error) { return l[pw], nil }

func ExampleEvaluate() {
	breached := breachList{"correct horse battery staple": true}

	s, err := password.Evaluate(context.Background(), "correct horse battery staple", "jane@example.com", password.Policy{}, breached)
	if err != nil {
		// The lookup failed: s still holds the policy's verdict (fail open).
		fmt.Println("breach check unavailable:", err)
	}
	fmt.Println(s.Score, s.BreachedPassword, s.ValidPassword)
	// Output:
	// 4 true false
}
