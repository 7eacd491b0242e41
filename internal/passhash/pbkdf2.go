package passhash

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// pbkdf2Hash is a PBKDF2-HMAC hash, stored as
// $latch-pbkdf2-<alg>$i=<iterations>$<salt>$<key> with alg sha1, sha256 or
// sha512; the key length is the decoded key's.
type pbkdf2Hash struct {
	alg        string
	iterations uint32
	salt       []byte
	key        []byte
}

// pbkdf2Algorithms are the HMAC hashes PBKDF2 imports may use. Stytch
// documents sha256 (its default) and sha512; sha1 is Latch's addition,
// for the RFC 8018 default that many older systems kept.
var pbkdf2Algorithms = map[string]func() hash.Hash{
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

func parsePBKDF2(encoded string) (*pbkdf2Hash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "" || !strings.HasPrefix(parts[1], "latch-pbkdf2-") {
		return nil, invalid(ErrInvalidPBKDF2Hash, "want $latch-pbkdf2-<alg>$i=…$salt$key")
	}
	h := &pbkdf2Hash{alg: strings.TrimPrefix(parts[1], "latch-pbkdf2-")}
	if _, ok := pbkdf2Algorithms[h.alg]; !ok {
		return nil, invalid(ErrInvalidPBKDF2Algorithm, "unsupported algorithm %q", h.alg)
	}
	v, ok := params(parts[2], "i")
	if !ok {
		return nil, invalid(ErrInvalidPBKDF2IterationAmount, "want parameter i=…")
	}
	h.iterations = v[0]
	var err error
	if h.salt, err = decodeB64(parts[3]); err != nil {
		return nil, invalid(ErrInvalidPBKDF2Salt, "salt is not base64")
	}
	if h.key, err = decodeB64(parts[4]); err != nil {
		return nil, invalid(ErrInvalidPBKDF2Hash, "key is not base64")
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// check applies the bounds shared by Import and Verify.
func (h *pbkdf2Hash) check() error {
	switch {
	case h.iterations < 1 || h.iterations > maxPBKDF2Iterations:
		return invalid(ErrInvalidPBKDF2IterationAmount, "%d iterations is outside 1..%d", h.iterations, maxPBKDF2Iterations)
	case len(h.salt) < 1 || len(h.salt) > maxSaltLen:
		return invalid(ErrInvalidPBKDF2Salt, "salt of %d bytes is outside 1..%d", len(h.salt), maxSaltLen)
	case len(h.key) < minPBKDF2KeyLen || len(h.key) > maxKeyLen:
		return invalid(ErrInvalidPBKDF2Hash, "key of %d bytes is outside %d..%d", len(h.key), minPBKDF2KeyLen, maxKeyLen)
	}
	return nil
}

func (h *pbkdf2Hash) verify(password string) bool {
	key, err := pbkdf2.Key(pbkdf2Algorithms[h.alg], password, h.salt, int(h.iterations), len(h.key))
	// err comes only from FIPS 140-only mode refusing short salts or keys.
	return err == nil && equal(h.key, key)
}

func (h *pbkdf2Hash) weakerThan(Params) bool { return true }

func (h *pbkdf2Hash) encode() string {
	return fmt.Sprintf("$latch-pbkdf2-%s$i=%s$%s$%s", h.alg, strconv.FormatUint(uint64(h.iterations), 10),
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// work: two compressions per iteration and output block, about 1 µs per 4.
func (h *pbkdf2Hash) work() uint64 {
	blocks := uint64(len(h.key))/20 + 1
	return uint64(h.iterations) * blocks / 2
}
