package password

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/match"
)

// zxcvbn's feedback messages (dropbox/zxcvbn 4.4.2, src/feedback.coffee),
// which trustelem/zxcvbn does not port. Stytch returns them as full
// sentences, so each ends with a period here.
const (
	msgUseAFewWords               = "Use a few words, avoid common phrases."
	msgNoNeedForMixedChars        = "No need for symbols, digits, or uppercase letters."
	msgUncommonWordsAreBetter     = "Add another word or two. Uncommon words are better."
	msgStraightRowsOfKeysAreEasy  = "Straight rows of keys are easy to guess."
	msgShortKeyboardPatterns      = "Short keyboard patterns are easy to guess."
	msgUseLongerKeyboardPatterns  = "Use a longer keyboard pattern with more turns."
	msgRepeatedCharsAreEasy       = `Repeats like "aaa" are easy to guess.`
	msgRepeatedPatternsAreEasy    = `Repeats like "abcabcabc" are only slightly harder to guess than "abc".`
	msgAvoidRepeatedChars         = "Avoid repeated words and characters."
	msgSequencesAreEasy           = "Sequences like abc or 6543 are easy to guess."
	msgAvoidSequences             = "Avoid sequences."
	msgRecentYearsAreEasy         = "Recent years are easy to guess."
	msgAvoidRecentYears           = "Avoid recent years."
	msgAvoidAssociatedYears       = "Avoid years that are associated with you."
	msgDatesAreEasy               = "Dates are often easy to guess."
	msgAvoidAssociatedDates       = "Avoid dates and years that are associated with you."
	msgTop10CommonPassword        = "This is a top-10 common password."
	msgTop100CommonPassword       = "This is a top-100 common password."
	msgVeryCommonPassword         = "This is a very common password."
	msgSimilarToCommonPassword    = "This is similar to a commonly used password."
	msgAWordIsEasy                = "A word by itself is easy to guess."
	msgNamesAreEasy               = "Names and surnames by themselves are easy to guess."
	msgCommonNamesAreEasy         = "Common names and surnames are easy to guess."
	msgCapitalizationDoesntHelp   = "Capitalization doesn't help very much."
	msgAllUppercaseDoesntHelp     = "All-uppercase is almost as easy to guess as all-lowercase."
	msgReverseDoesntHelp          = "Reversed words aren't much harder to guess."
	msgSubstitutionDoesntHelp     = "Predictable substitutions like '@' instead of 'a' don't help very much."
	maxScoreWithFeedback          = 2
	maxGuessesLog10ForSimilarWarn = 4
)

// feedback is zxcvbn's get_feedback: advice tied to the longest match of
// the sequence that zxcvbn scored, for scores of 2 and below. Suggestions
// is never nil.
func feedback(score int, sequence []*match.Match) (warning string, suggestions []string) {
	if len(sequence) == 0 {
		return "", []string{msgUseAFewWords, msgNoNeedForMixedChars}
	}
	if score > maxScoreWithFeedback {
		return "", []string{}
	}
	longest := sequence[0]
	for _, m := range sequence[1:] {
		if utf8.RuneCountInString(m.Token) > utf8.RuneCountInString(longest.Token) {
			longest = m
		}
	}
	warning, more := matchFeedback(longest, len(sequence) == 1)
	return warning, append([]string{msgUncommonWordsAreBetter}, more...)
}

func matchFeedback(m *match.Match, sole bool) (string, []string) {
	switch m.Pattern {
	case "dictionary":
		return dictionaryFeedback(m, sole)
	case "spatial":
		if m.Turns == 1 {
			return msgStraightRowsOfKeysAreEasy, []string{msgUseLongerKeyboardPatterns}
		}
		return msgShortKeyboardPatterns, []string{msgUseLongerKeyboardPatterns}
	case "repeat":
		if utf8.RuneCountInString(m.BaseToken) == 1 {
			return msgRepeatedCharsAreEasy, []string{msgAvoidRepeatedChars}
		}
		return msgRepeatedPatternsAreEasy, []string{msgAvoidRepeatedChars}
	case "sequence":
		return msgSequencesAreEasy, []string{msgAvoidSequences}
	case "regex":
		if m.RegexName == "recent_year" {
			return msgRecentYearsAreEasy, []string{msgAvoidRecentYears, msgAvoidAssociatedYears}
		}
	case "date":
		return msgDatesAreEasy, []string{msgAvoidAssociatedDates}
	}
	return "", nil
}

func dictionaryFeedback(m *match.Match, sole bool) (string, []string) {
	var warning string
	switch m.DictionaryName {
	case "passwords":
		switch {
		case sole && !m.L33t && !m.Reversed && m.Rank <= 10:
			warning = msgTop10CommonPassword
		case sole && !m.L33t && !m.Reversed && m.Rank <= 100:
			warning = msgTop100CommonPassword
		case sole && !m.L33t && !m.Reversed:
			warning = msgVeryCommonPassword
		case m.Guesses > 0 && math.Log10(m.Guesses) <= maxGuessesLog10ForSimilarWarn:
			warning = msgSimilarToCommonPassword
		}
	case "english_wikipedia":
		if sole {
			warning = msgAWordIsEasy
		}
	case "surnames", "male_names", "female_names":
		if sole {
			warning = msgNamesAreEasy
		} else {
			warning = msgCommonNamesAreEasy
		}
	}
	var suggestions []string
	switch word := m.Token; {
	case startUpper(word):
		suggestions = append(suggestions, msgCapitalizationDoesntHelp)
	case allUpper(word):
		suggestions = append(suggestions, msgAllUppercaseDoesntHelp)
	}
	if m.Reversed && utf8.RuneCountInString(m.Token) >= 4 {
		suggestions = append(suggestions, msgReverseDoesntHelp)
	}
	if m.L33t {
		suggestions = append(suggestions, msgSubstitutionDoesntHelp)
	}
	return warning, suggestions
}

// startUpper is zxcvbn's START_UPPER, /^[A-Z][^A-Z]+$/.
func startUpper(s string) bool {
	if len(s) < 2 || !isASCIIUpper(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if isASCIIUpper(s[i]) {
			return false
		}
	}
	return true
}

// allUpper is zxcvbn's ALL_UPPER, /^[^a-z]+$/, for a word that lowercasing
// changes.
func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return false
		}
	}
	return s != "" && strings.ToLower(s) != s
}

func isASCIIUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
