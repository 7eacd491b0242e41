// Package password holds the pure primitives of Stytch's password
// products (consumer /v1/passwords… and B2B /v1/b2b/passwords…) that are
// not hashing, which lives in internal/passhash:
//
//   - [Check] rates a password under a project's [Policy], zxcvbn (the
//     default; valid from score 3, the email's local part counting as a
//     guessable word) or LUDS (length and character types), and returns a
//     [Strength] with exactly the fields of Stytch's strength_check
//     response, zxcvbn's feedback messages included.
//   - [BreachChecker] looks a password up among breached ones, and
//     [HIBPClient] implements it with Have I Been Pwned's k-anonymity range
//     API. [Evaluate] combines the two as Stytch's endpoints do, and fails
//     open when the lookup fails (see its documentation for why).
//
// The package has no store, no API types and no routes: the services that
// implement the endpoints call it. Tests reach no outside service; they
// use internal/hibptest, a local stand-in for the range API.
package password
