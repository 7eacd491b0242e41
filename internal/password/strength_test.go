package password_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchauth/latch/internal/password"
)

const uncommon = "Add another word or two. Uncommon words are better."

func TestCheckZXCVBN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		password    string
		score       int
		warning     string
		suggestions []string
	}{
		{"", 0, "", []string{"Use a few words, avoid common phrases.", "No need for symbols, digits, or uppercase letters."}},
		{"password", 0, "This is a top-10 common password.", []string{uncommon}},
		{"Password", 0, "This is a top-10 common password.", []string{uncommon, "Capitalization doesn't help very much."}},
		{"PASSWORD", 0, "This is a top-10 common password.", []string{uncommon, "All-uppercase is almost as easy to guess as all-lowercase."}},
		{"qwertyuiop", 0, "This is a top-100 common password.", []string{uncommon}},
		{"p@ssword1", 1, "This is similar to a commonly used password.", []string{uncommon, "Predictable substitutions like '@' instead of 'a' don't help very much."}},
		{"drowssap", 0, "This is similar to a commonly used password.", []string{uncommon, "Reversed words aren't much harder to guess."}},
		{"jennifer", 0, "Names and surnames by themselves are easy to guess.", []string{uncommon}},
		{"aaaaaaaa", 0, `Repeats like "aaa" are easy to guess.`, []string{uncommon, "Avoid repeated words and characters."}},
		{"abcabcabc", 0, `Repeats like "abcabcabc" are only slightly harder to guess than "abc".`, []string{uncommon, "Avoid repeated words and characters."}},
		{"abcdefgh", 0, "Sequences like abc or 6543 are easy to guess.", []string{uncommon, "Avoid sequences."}},
		{"1987", 0, "Recent years are easy to guess.", []string{uncommon, "Avoid recent years.", "Avoid years that are associated with you."}},
		{"11/12/1980", 1, "Dates are often easy to guess.", []string{uncommon, "Avoid dates and years that are associated with you."}},
		{"zxcvfrtgb", 2, "Short keyboard patterns are easy to guess.", []string{uncommon, "Use a longer keyboard pattern with more turns."}},
		{"kqp4t9x2", 2, "", []string{uncommon}},
		{"EntropyIsInformation", 3, "", []string{}},
		{"correct horse battery staple", 4, "", []string{}},
	}
	for _, tt := range tests {
		got := password.Check(tt.password, "", password.Policy{})
		want := password.Strength{
			ValidPassword:  tt.score >= 3,
			Score:          tt.score,
			StrengthPolicy: "zxcvbn",
			Feedback:       password.Feedback{Warning: tt.warning, Suggestions: tt.suggestions},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Check(%q) (-want +got):\n%s", tt.password, diff)
		}
	}
}

func TestCheckZXCVBNPenalizesEmail(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"jdoe1984!", "jdoe@example.com"} {
		alone := password.Check(pw, "", password.Policy{Kind: password.PolicyZXCVBN})
		with := password.Check(pw, "JDoe@Example.com", password.Policy{Kind: password.PolicyZXCVBN})
		if !alone.ValidPassword || with.ValidPassword || with.Score >= alone.Score {
			t.Errorf("%q: score %d alone, %d with the email; want valid alone, invalid with it", pw, alone.Score, with.Score)
		}
	}
}

func TestCheckZXCVBNLongPassword(t *testing.T) {
	t.Parallel()
	// zxcvbn would take minutes on this; only its first 72 characters are
	// rated.
	got := password.Check(strings.Repeat("ab", 5000), "", password.Policy{})
	if got.Score != 0 || got.ValidPassword {
		t.Errorf("a 10,000-character repetition: score %d, valid %v; want 0, false", got.Score, got.ValidPassword)
	}
	got = password.Check("correct horse battery staple "+strings.Repeat("é", 10000), "", password.Policy{})
	if got.Score != 4 {
		t.Errorf("a long password with a strong start: score %d, want 4", got.Score)
	}
}

func TestCheckLUDS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		policy   password.Policy
		want     password.LUDSRequirements
	}{
		{
			// Stytch's documented LUDS example response.
			name: "digits only", password: "12", policy: password.Policy{Kind: "luds", LUDSMinLength: 8, LUDSMinCharTypes: 2},
			want: password.LUDSRequirements{HasDigit: true, MissingComplexity: 1, MissingCharacters: 6},
		},
		{
			name: "defaults 8 and 3", password: "abc", policy: password.Policy{Kind: "luds"},
			want: password.LUDSRequirements{HasLowerCase: true, MissingComplexity: 2, MissingCharacters: 5},
		},
		{
			name: "valid under defaults", password: "Abcdefg1", policy: password.Policy{Kind: "luds"},
			want: password.LUDSRequirements{HasLowerCase: true, HasUpperCase: true, HasDigit: true},
		},
		{
			name: "four types required", password: "Abcdefg1", policy: password.Policy{Kind: "luds", LUDSMinLength: 8, LUDSMinCharTypes: 4},
			want: password.LUDSRequirements{HasLowerCase: true, HasUpperCase: true, HasDigit: true, MissingComplexity: 1},
		},
		{
			name: "characters, not bytes; Cyrillic case counts", password: "Пароль1!", policy: password.Policy{Kind: "luds", LUDSMinLength: 8, LUDSMinCharTypes: 4},
			want: password.LUDSRequirements{HasLowerCase: true, HasUpperCase: true, HasDigit: true, HasSymbol: true},
		},
		{
			name: "spaces, emoji and caseless letters are symbols", password: "a 😀日", policy: password.Policy{Kind: "luds", LUDSMinLength: 12, LUDSMinCharTypes: 1},
			want: password.LUDSRequirements{HasLowerCase: true, HasSymbol: true, MissingCharacters: 8},
		},
	}
	for _, tt := range tests {
		got := password.Check(tt.password, "someone@example.com", tt.policy)
		want := password.Strength{
			ValidPassword:  tt.want.MissingComplexity == 0 && tt.want.MissingCharacters == 0,
			StrengthPolicy: "luds",
			Feedback:       password.Feedback{LUDSRequirements: &tt.want},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: Check(%q) (-want +got):\n%s", tt.name, tt.password, diff)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	for _, p := range []password.Policy{
		{},
		{Kind: "zxcvbn"},
		{Kind: "luds"},
		{Kind: "luds", LUDSMinLength: 8, LUDSMinCharTypes: 1},
		{Kind: "luds", LUDSMinLength: 32, LUDSMinCharTypes: 4},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, p := range []password.Policy{
		{Kind: "LUDS"},
		{Kind: "nist"},
		{Kind: "luds", LUDSMinLength: 7},
		{Kind: "luds", LUDSMinLength: 33},
		{Kind: "luds", LUDSMinCharTypes: 5},
		{Kind: "luds", LUDSMinCharTypes: -1},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: Validate = nil, want an error", p)
		}
	}
}

func BenchmarkCheckZXCVBN(b *testing.B) {
	for b.Loop() {
		password.Check("EntropyIsInformation", "jane.doe@example.com", password.Policy{})
	}
}
