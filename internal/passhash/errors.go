package passhash

import (
	"errors"
	"fmt"
)

// The errors below say why [Import] refused a hash, or why [Verify] could not
// read a stored one. Returned errors wrap exactly one of them (test with
// errors.Is) and add a detail for logs. Each names the Stytch error_type it
// stands for; the mapping to HTTP errors belongs to internal/auth, not here.
var (
	// ErrInvalidHashType: hash_type is not one Stytch's passwords/migrate
	// accepts (Stytch "invalid_hash_type").
	ErrInvalidHashType = errors.New("passhash: invalid hash type")
	// ErrInvalidHash: the hash is malformed for a type with no more specific
	// error, such as argon_2i, argon_2id and sha_512 (Stytch "invalid_hash").
	ErrInvalidHash = errors.New("passhash: invalid hash")
	// ErrUnknownFormat: a stored string matches none of the formats Verify
	// reads. Import never produces one, so it means a corrupted row.
	ErrUnknownFormat = errors.New("passhash: unrecognized stored hash format")

	// ErrInvalidBcryptHash: not a $2a$/$2b$/$2y$ bcrypt string (Stytch
	// "invalid_bcrypt_hash").
	ErrInvalidBcryptHash = errors.New("passhash: invalid bcrypt hash")
	// ErrInvalidBcryptCost: the bcrypt cost is outside 4..16 (Stytch
	// "invalid_bcrypt_cost").
	ErrInvalidBcryptCost = errors.New("passhash: invalid bcrypt cost")

	// ErrInvalidMD5Hash: not 16 bytes in hex or base64 (Stytch
	// "invalid_md_5_hash").
	ErrInvalidMD5Hash = errors.New("passhash: invalid MD5 hash")
	// ErrInvalidSHA1Hash: not 20 bytes in hex or base64 (Stytch
	// "invalid_sha_1_hash").
	ErrInvalidSHA1Hash = errors.New("passhash: invalid SHA-1 hash")
	// ErrInvalidPrependSalt: a prepend_salt longer than 1024 bytes (Stytch
	// "invalid_prepend_salt").
	ErrInvalidPrependSalt = errors.New("passhash: invalid prepend salt")
	// ErrInvalidAppendSalt: an append_salt longer than 1024 bytes (Stytch
	// "invalid_append_salt").
	ErrInvalidAppendSalt = errors.New("passhash: invalid append salt")

	// ErrInvalidArgon2Salt: an argon2 salt shorter than 8 or longer than 1024
	// bytes (Stytch "invalid_argon_2_salt").
	ErrInvalidArgon2Salt = errors.New("passhash: invalid argon2 salt")
	// ErrInvalidArgon2IterationAmount: t outside 1..64 (Stytch
	// "invalid_argon_2_iteration_amount").
	ErrInvalidArgon2IterationAmount = errors.New("passhash: invalid argon2 iteration amount")
	// ErrInvalidArgon2Memory: m below 8×p KiB or above 1 GiB, or m×t above
	// 4 GiB (Stytch "invalid_argon_2_memory").
	ErrInvalidArgon2Memory = errors.New("passhash: invalid argon2 memory")
	// ErrInvalidArgon2Threads: p outside 1..255 (Stytch
	// "invalid_argon_2_threads").
	ErrInvalidArgon2Threads = errors.New("passhash: invalid argon2 threads")
	// ErrInvalidArgon2KeyLength: a key shorter than 16 or longer than 1024
	// bytes, or a key_length that differs from the hash's (Stytch
	// "invalid_argon_2_key_length").
	ErrInvalidArgon2KeyLength = errors.New("passhash: invalid argon2 key length")

	// ErrInvalidScryptNParameter: N is not a power of two in 2..262144
	// (Stytch "invalid_scrypt_n_parameter").
	ErrInvalidScryptNParameter = errors.New("passhash: invalid scrypt N parameter")
	// ErrInvalidScryptParameters: r, p or the key length is out of range, or
	// the scrypt config is missing (Stytch "invalid_scrypt_parameters").
	ErrInvalidScryptParameters = errors.New("passhash: invalid scrypt parameters")
	// ErrInvalidScryptSaltLength: a salt that is empty or longer than 1024
	// bytes (Stytch "invalid_scrypt_salt_length").
	ErrInvalidScryptSaltLength = errors.New("passhash: invalid scrypt salt length")
	// ErrInvalidBase64ScryptSalt: the salt is not base64 (Stytch
	// "invalid_base64_scrypt_salt").
	ErrInvalidBase64ScryptSalt = errors.New("passhash: invalid base64 scrypt salt")
	// ErrInvalidBase64ScryptHash: the hash is neither a $scrypt$ string nor
	// base64 (Stytch "invalid_base64_scrypt_hash").
	ErrInvalidBase64ScryptHash = errors.New("passhash: invalid base64 scrypt hash")

	// ErrInvalidPBKDF2Algorithm: an algorithm other than sha1, sha256 or
	// sha512 (Stytch "invalid_pbkdf_2_algorithm").
	ErrInvalidPBKDF2Algorithm = errors.New("passhash: invalid PBKDF2 algorithm")
	// ErrInvalidPBKDF2Hash: the hash is not base64, is shorter than 8 or
	// longer than 1024 bytes, or differs from key_length (Stytch
	// "invalid_pbkdf_2_hash").
	ErrInvalidPBKDF2Hash = errors.New("passhash: invalid PBKDF2 hash")
	// ErrInvalidPBKDF2IterationAmount: iterations outside 1..10,000,000
	// (Stytch "invalid_pbkdf_2_iteration_amount").
	ErrInvalidPBKDF2IterationAmount = errors.New("passhash: invalid PBKDF2 iteration amount")
	// ErrInvalidPBKDF2Salt: the salt is missing, not base64, or longer than
	// 1024 bytes (Stytch "invalid_pbkdf_2_salt").
	ErrInvalidPBKDF2Salt = errors.New("passhash: invalid PBKDF2 salt")

	// ErrInvalidPHPassHashPrefix: a phpass hash that starts with neither $P$
	// nor $H$ (Stytch "invalid_phpass_hash_prefix").
	ErrInvalidPHPassHashPrefix = errors.New("passhash: invalid phpass hash prefix")
	// ErrInvalidPHPassHashFormat: a phpass hash of the wrong length or
	// alphabet, or with a cost outside 2^7..2^20 (Stytch
	// "invalid_phpass_hash_format").
	ErrInvalidPHPassHashFormat = errors.New("passhash: invalid phpass hash format")

	// ErrPasswordTooLong: a password longer than [MaxPasswordLen] bytes, a
	// client error (Stytch's generic "invalid_argument" fits it).
	ErrPasswordTooLong = errors.New("passhash: password too long")

	// ErrInvalidParams: [Params] that [HashWith] refuses. A configuration
	// error, never a client's.
	ErrInvalidParams = errors.New("passhash: invalid argon2id parameters")
)

// invalid wraps kind with a detail.
func invalid(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}
