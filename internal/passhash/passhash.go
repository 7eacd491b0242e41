package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"strings"
)

// Params are the argon2id cost parameters of new hashes. Every hash records
// the parameters it was made with, so changing them never invalidates
// stored hashes; [VerifyWith] reports which hashes are weaker than them.
type Params struct {
	// Memory is the memory cost m in KiB.
	Memory uint32
	// Time is the number of passes t over the memory.
	Time uint32
	// Threads is the degree of parallelism p (lanes).
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key (the tag) in bytes.
	KeyLen uint32
}

// DefaultParams returns the parameters [Hash] uses: OWASP's first argon2id
// recommendation, m=19 MiB, t=2, p=1, with a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Validate returns an error wrapping [ErrInvalidParams] unless p describes
// an argon2id hash this package would also accept on import, with a salt
// and a key of at least 16 bytes.
func (p Params) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxArgon2Time:
		return invalid(ErrInvalidParams, "time %d is outside 1..%d", p.Time, maxArgon2Time)
	case p.Threads < 1:
		return invalid(ErrInvalidParams, "threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgon2Memory:
		return invalid(ErrInvalidParams, "memory %d KiB is outside %d..%d", p.Memory, 8*uint32(p.Threads), maxArgon2Memory)
	case uint64(p.Memory)*uint64(p.Time) > maxArgon2Work:
		return invalid(ErrInvalidParams, "memory×time %d exceeds %d", uint64(p.Memory)*uint64(p.Time), maxArgon2Work)
	case p.SaltLen < 16 || p.SaltLen > maxSaltLen:
		return invalid(ErrInvalidParams, "salt length %d is outside 16..%d", p.SaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return invalid(ErrInvalidParams, "key length %d is outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// MaxPasswordLen is the longest password, in bytes, that Hash hashes and
// Verify checks. Some legacy schemes cost time in proportion to the
// password's length times their iteration count (phpass hashes it 2^cost
// times), so an unbounded password would let a client stall the server.
const MaxPasswordLen = 1024

// Hash returns the argon2id hash of password under [DefaultParams], as a PHC
// string: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>. The password's bytes
// are hashed as given, without Unicode normalization. A password longer
// than [MaxPasswordLen] is refused with [ErrPasswordTooLong].
func Hash(password string) (string, error) {
	return HashWith(password, DefaultParams())
}

// HashWith is [Hash] under the parameters p. It returns an error wrapping
// [ErrInvalidParams] if p does not pass [Params.Validate].
func HashWith(password string, p Params) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	if len(password) > MaxPasswordLen {
		return "", invalid(ErrPasswordTooLong, "%d bytes", len(password))
	}
	h := argon2Hash{
		id:      true,
		memory:  p.Memory,
		time:    p.Time,
		threads: p.Threads,
		salt:    make([]byte, p.SaltLen),
	}
	// crypto/rand.Read never fails: it crashes the program instead.
	_, _ = rand.Read(h.salt)
	h.key = h.derive(password, p.KeyLen)
	return h.encode(), nil
}

// Verify reports whether password matches the stored hash encoded, in any
// format this package reads (see the package documentation), comparing in
// constant time. needsRehash is true when ok is and encoded is anything but
// an argon2id hash at least as strong as [DefaultParams]: the caller should
// then store [Hash](password) in its place, so that a successful login
// upgrades an imported or outdated hash.
//
// A wrong password is ok=false with a nil error. A password longer than
// [MaxPasswordLen] is refused with [ErrPasswordTooLong], the client's
// error. Any other error means encoded is not a hash this package can
// check (it wraps [ErrUnknownFormat] or the error of the scheme it
// resembles): a server fault, since Verify only sees strings that [Hash]
// or [Import] wrote.
func Verify(encoded, password string) (ok, needsRehash bool, err error) {
	return VerifyWith(encoded, password, DefaultParams())
}

// VerifyWith is [Verify] judging needsRehash against p instead of
// [DefaultParams], for deployments that configure stronger parameters.
func VerifyWith(encoded, password string, p Params) (ok, needsRehash bool, err error) {
	h, err := parse(encoded)
	if err != nil {
		return false, false, err
	}
	if len(password) > MaxPasswordLen {
		return false, false, invalid(ErrPasswordTooLong, "%d bytes", len(password))
	}
	if !h.verify(password) {
		return false, false, nil
	}
	return true, h.weakerThan(p), nil
}

// stored is a parsed stored hash of any scheme.
type stored interface {
	// verify reports whether password matches, in constant time.
	verify(password string) bool
	// weakerThan reports whether the hash should be replaced by one made
	// with p.
	weakerThan(p Params) bool
	// encode returns the canonical stored string.
	encode() string
	// work estimates the cost of one verify, in units of about one
	// microsecond, so tests can skip expensive inputs.
	work() uint64
}

// parse recognizes a stored string by its prefix and validates it with the
// same bounds Import applies.
func parse(encoded string) (stored, error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"), strings.HasPrefix(encoded, "$argon2i$"):
		return parseArgon2(encoded)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return parseBcrypt(encoded)
	case strings.HasPrefix(encoded, "$scrypt$"):
		return parseScrypt(encoded)
	case strings.HasPrefix(encoded, "$P$"), strings.HasPrefix(encoded, "$H$"):
		return parsePHPass(encoded)
	case strings.HasPrefix(encoded, "$latch-pbkdf2-"):
		return parsePBKDF2(encoded)
	case strings.HasPrefix(encoded, "$latch-md5$"), strings.HasPrefix(encoded, "$latch-sha1$"), strings.HasPrefix(encoded, "$latch-sha512$"):
		return parseDigest(encoded)
	}
	return nil, fmt.Errorf("%w (%d bytes)", ErrUnknownFormat, len(encoded))
}

// equal reports whether a and b are equal, in time that depends only on
// their lengths.
func equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// Limits shared by Import, Verify and Params.Validate. They bound the time
// and memory one verification can take, so that a hash cannot be used to
// stall the server.
const (
	maxSaltLen = 1024 // bytes, for every salt
	minKeyLen  = 16   // bytes, argon2 and scrypt keys
	maxKeyLen  = 1024 // bytes, every derived key

	maxArgon2Time   = 64
	maxArgon2Memory = 1 << 20 // KiB: 1 GiB, libsodium's "sensitive" level
	maxArgon2Work   = 1 << 22 // m×t in KiB: 4 GiB of memory passes

	minBcryptCost = 4
	maxBcryptCost = 16

	maxScryptLogN   = 18 // N = 262,144, Stytch's documented maximum
	maxScryptR      = 32
	maxScryptP      = 16
	maxScryptMemory = 256 << 20 // bytes of 128·N·r

	maxPBKDF2Iterations = 10_000_000
	minPBKDF2KeyLen     = 8

	minPHPassLog2 = 7
	maxPHPassLog2 = 20
)
