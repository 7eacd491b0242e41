// Package passhash hashes passwords with argon2id and verifies them against
// argon2id hashes and against the legacy hashes that Stytch's
// passwords/migrate endpoint imports, so that a user migrated from another
// system logs in with the password they already have and is upgraded to
// argon2id on that first login.
//
// The API is three functions over one self-describing string, which is all
// a store keeps per password:
//
//   - [Hash] and [HashWith] make an argon2id hash.
//   - [Import] validates a passwords/migrate hash ([MigrateInput]: hash_type,
//     hash and the *_config objects) and returns the string to store.
//   - [Verify] and [VerifyWith] check a password against any stored string
//     and report whether it should be rehashed.
//
// # Stored formats
//
// Binary fields are in the PHC string format's base64 (standard alphabet,
// no padding), written B64 below. Standard formats are kept as other
// software writes them; the legacy digests, which have no standard string,
// use Latch's own "$latch-" prefix.
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<B64 salt>$<B64 key>
//	$argon2i$v=19$m=<KiB>,t=<passes>,p=<lanes>$<B64 salt>$<B64 key>
//	$2a$<cost>$<22+31 chars>, also $2b$ and $2y$   (bcrypt, as imported)
//	$scrypt$ln=<log2 N>,r=<r>,p=<p>$<B64 salt>$<B64 key>
//	$P$<cost char><8 salt chars><22 chars>, also $H$   (phpass, as imported)
//	$latch-pbkdf2-<sha1|sha256|sha512>$i=<iterations>$<B64 salt>$<B64 key>
//	$latch-<md5|sha1|sha512>$p=<B64 prepend salt>,a=<B64 append salt>$<B64 digest>
//
// The argon2 and scrypt forms are the ones the argon2 reference
// implementation and passlib write. The key length is always the decoded
// key's; a $latch- digest is H(prepend ‖ password ‖ append), either salt
// possibly empty.
//
// # Upgrades
//
// Verify's needsRehash is true for every format but argon2id, and for
// argon2id hashes with less memory, fewer passes, or a shorter salt or key
// than the current parameters. The caller stores [Hash] of the password
// after such a login.
//
// # Bounds
//
// Import and Verify refuse parameters that would make one verification
// take more than a few seconds or 1 GiB (argon2 m ≤ 1 GiB and m×t ≤ 4 GiB,
// bcrypt cost ≤ 16, scrypt 128·N·r ≤ 256 MiB, PBKDF2 ≤ 10,000,000
// iterations, phpass ≤ 2^20), so a stored hash cannot stall the server;
// passwords longer than [MaxPasswordLen] bytes are refused for the same
// reason.
// All comparisons of derived keys are constant-time.
//
// # Errors
//
// Import's errors wrap one of this package's Err… variables, each of which
// names the Stytch error_type it stands for (for example
// [ErrInvalidScryptNParameter] is "invalid_scrypt_n_parameter"). The
// catalog of HTTP errors stays in internal/auth; the API layer maps these
// variables onto it.
package passhash
