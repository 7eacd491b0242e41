// Package hibptest runs a local stand-in for the Have I Been Pwned
// Pwned Passwords range API, for tests of breach detection: the real
// service cannot be reached from tests, and must not be sent real traffic.
//
// The stand-in answers GET /range/{prefix} as HIBP does: prefix must be
// exactly five uppercase hexadecimal characters (anything else is a 400),
// and the response is text/plain, one "SUFFIX:COUNT" line per SHA-1 hash
// that starts with the prefix, CRLF-terminated, the 35-character suffix in
// uppercase. Lines for the breached passwords given to [Start] are mixed
// with decoy lines of other hashes with the same prefix. When the request
// carries "Add-Padding: true", the response is padded with lines whose
// count is 0 to between 800 and 1,000 lines, as HIBP pads, so that clients
// are tested against padding they must ignore.
package hibptest
