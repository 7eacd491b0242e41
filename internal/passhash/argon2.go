package passhash

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Hash is an argon2id or argon2i hash, version 1.3 (v=19), the only
// version golang.org/x/crypto/argon2 computes.
type argon2Hash struct {
	id      bool // argon2id; argon2i otherwise
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parseArgon2(encoded string) (*argon2Hash, error) {
	// $argon2id$v=19$m=65536,t=2,p=1$<salt>$<key>
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return nil, invalid(ErrInvalidHash, "argon2: want $type$v=19$m=…,t=…,p=…$salt$key")
	}
	h := &argon2Hash{}
	switch parts[1] {
	case "argon2id":
		h.id = true
	case "argon2i":
	default:
		return nil, invalid(ErrInvalidHash, "argon2: unsupported variant %q", parts[1])
	}
	if parts[2] != "v=19" {
		return nil, invalid(ErrInvalidHash, "argon2: unsupported version %q, want v=19", parts[2])
	}
	mtp, ok := params(parts[3], "m", "t", "p")
	if !ok {
		return nil, invalid(ErrInvalidHash, "argon2: want parameters m=…,t=…,p=…")
	}
	if mtp[2] < 1 || mtp[2] > 255 {
		return nil, invalid(ErrInvalidArgon2Threads, "p=%d is outside 1..255", mtp[2])
	}
	h.memory, h.time, h.threads = mtp[0], mtp[1], uint8(mtp[2])
	var err error
	if h.salt, err = decodeB64(parts[4]); err != nil {
		return nil, invalid(ErrInvalidArgon2Salt, "salt is not base64")
	}
	if h.key, err = decodeB64(parts[5]); err != nil {
		return nil, invalid(ErrInvalidHash, "argon2: key is not base64")
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// check applies the bounds shared by Import and Verify.
func (h *argon2Hash) check() error {
	switch {
	case len(h.salt) < 8 || len(h.salt) > maxSaltLen:
		return invalid(ErrInvalidArgon2Salt, "salt of %d bytes is outside 8..%d", len(h.salt), maxSaltLen)
	case h.time < 1 || h.time > maxArgon2Time:
		return invalid(ErrInvalidArgon2IterationAmount, "t=%d is outside 1..%d", h.time, maxArgon2Time)
	case h.threads < 1:
		return invalid(ErrInvalidArgon2Threads, "p must be at least 1")
	case h.memory < 8*uint32(h.threads) || h.memory > maxArgon2Memory:
		return invalid(ErrInvalidArgon2Memory, "m=%d KiB is outside 8×p..%d", h.memory, maxArgon2Memory)
	case uint64(h.memory)*uint64(h.time) > maxArgon2Work:
		return invalid(ErrInvalidArgon2Memory, "m×t=%d exceeds %d", uint64(h.memory)*uint64(h.time), maxArgon2Work)
	case len(h.key) < minKeyLen || len(h.key) > maxKeyLen:
		return invalid(ErrInvalidArgon2KeyLength, "key of %d bytes is outside %d..%d", len(h.key), minKeyLen, maxKeyLen)
	}
	return nil
}

func (h *argon2Hash) derive(password string, keyLen uint32) []byte {
	if h.id {
		return argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, keyLen)
	}
	return argon2.Key([]byte(password), h.salt, h.time, h.memory, h.threads, keyLen)
}

func (h *argon2Hash) verify(password string) bool {
	return equal(h.key, h.derive(password, uint32(len(h.key))))
}

// weakerThan: argon2i always upgrades to argon2id. An argon2id hash upgrades
// if any cost is below p's; the lane count is not compared, since fewer
// lanes over the same memory cost an attacker no less.
func (h *argon2Hash) weakerThan(p Params) bool {
	return !h.id || h.memory < p.Memory || h.time < p.Time ||
		uint32(len(h.salt)) < p.SaltLen || uint32(len(h.key)) < p.KeyLen
}

func (h *argon2Hash) encode() string {
	variant := "argon2i"
	if h.id {
		variant = "argon2id"
	}
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", variant, argon2.Version,
		h.memory, h.time, h.threads, b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// work: about one microsecond per KiB pass.
func (h *argon2Hash) work() uint64 { return uint64(h.memory) * uint64(h.time) }
