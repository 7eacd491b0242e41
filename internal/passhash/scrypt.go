package passhash

import (
	"fmt"
	"math/bits"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// scryptHash is an scrypt hash, stored in the PHC form passlib also writes:
// $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>.
type scryptHash struct {
	logN uint32
	r, p uint32
	salt []byte
	key  []byte
}

// parseScrypt reads the PHC form. Import also accepts passlib's variant,
// whose base64 writes '.' for '+', by normalizing before calling it.
func parseScrypt(encoded string) (*scryptHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != "scrypt" {
		return nil, invalid(ErrInvalidBase64ScryptHash, "want $scrypt$ln=…,r=…,p=…$salt$key")
	}
	v, ok := params(parts[2], "ln", "r", "p")
	if !ok {
		return nil, invalid(ErrInvalidScryptParameters, "want parameters ln=…,r=…,p=…")
	}
	h := &scryptHash{logN: v[0], r: v[1], p: v[2]}
	var err error
	if h.salt, err = decodeB64(parts[3]); err != nil {
		return nil, invalid(ErrInvalidBase64ScryptSalt, "salt is not base64")
	}
	if h.key, err = decodeB64(parts[4]); err != nil {
		return nil, invalid(ErrInvalidBase64ScryptHash, "key is not base64")
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// check applies the bounds shared by Import and Verify.
func (h *scryptHash) check() error {
	switch {
	case h.logN < 1 || h.logN > maxScryptLogN:
		return invalid(ErrInvalidScryptNParameter, "N=2^%d is outside 2..2^%d", h.logN, maxScryptLogN)
	case h.r < 1 || h.r > maxScryptR:
		return invalid(ErrInvalidScryptParameters, "r=%d is outside 1..%d", h.r, maxScryptR)
	case h.p < 1 || h.p > maxScryptP:
		return invalid(ErrInvalidScryptParameters, "p=%d is outside 1..%d", h.p, maxScryptP)
	case 128*(uint64(1)<<h.logN)*uint64(h.r) > maxScryptMemory:
		return invalid(ErrInvalidScryptParameters, "128·N·r exceeds %d bytes", maxScryptMemory)
	case len(h.salt) < 1 || len(h.salt) > maxSaltLen:
		return invalid(ErrInvalidScryptSaltLength, "salt of %d bytes is outside 1..%d", len(h.salt), maxSaltLen)
	case len(h.key) < minKeyLen || len(h.key) > maxKeyLen:
		return invalid(ErrInvalidScryptParameters, "key of %d bytes is outside %d..%d", len(h.key), minKeyLen, maxKeyLen)
	}
	return nil
}

// logN returns log2(n) if n is a power of two greater than 1.
func log2(n int) (uint32, bool) {
	if n < 2 || n&(n-1) != 0 {
		return 0, false
	}
	return uint32(bits.TrailingZeros(uint(n))), true
}

func (h *scryptHash) verify(password string) bool {
	key, err := scrypt.Key([]byte(password), h.salt, 1<<h.logN, int(h.r), int(h.p), len(h.key))
	// err is impossible after check; refuse rather than compare if not.
	return err == nil && equal(h.key, key)
}

func (h *scryptHash) weakerThan(Params) bool { return true }

func (h *scryptHash) encode() string {
	return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", h.logN, h.r, h.p,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// work: 4·N·r·p Salsa20/8 cores, about 1 µs per 16.
func (h *scryptHash) work() uint64 { return (uint64(1) << h.logN) * uint64(h.r) * uint64(h.p) / 4 }
