package passhash

import (
	"golang.org/x/crypto/bcrypt"
)

// bcryptHash is a $2a$, $2b$ or $2y$ bcrypt string, stored as imported.
type bcryptHash struct {
	encoded string
	cost    int
}

// bcryptAlphabet is bcrypt's own base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func parseBcrypt(encoded string) (*bcryptHash, error) {
	// $2b$12$<22 salt chars><31 hash chars>: 60 bytes in all.
	if len(encoded) != 60 || encoded[0] != '$' || encoded[1] != '2' || encoded[3] != '$' || encoded[6] != '$' {
		return nil, invalid(ErrInvalidBcryptHash, "want $2a$, $2b$ or $2y$, a two-digit cost and 53 characters")
	}
	switch encoded[2] {
	case 'a', 'b', 'y':
	default:
		return nil, invalid(ErrInvalidBcryptHash, "unsupported version $2%c$", encoded[2])
	}
	d1, d2 := encoded[4], encoded[5]
	if d1 < '0' || d1 > '9' || d2 < '0' || d2 > '9' {
		return nil, invalid(ErrInvalidBcryptHash, "cost is not two digits")
	}
	for i := 7; i < len(encoded); i++ {
		if !inAlphabet(bcryptAlphabet, encoded[i]) {
			return nil, invalid(ErrInvalidBcryptHash, "character %d is outside bcrypt's alphabet", i)
		}
	}
	cost := int(d1-'0')*10 + int(d2-'0')
	if cost < minBcryptCost || cost > maxBcryptCost {
		return nil, invalid(ErrInvalidBcryptCost, "cost %d is outside %d..%d", cost, minBcryptCost, maxBcryptCost)
	}
	return &bcryptHash{encoded: encoded, cost: cost}, nil
}

// verify uses x/crypto's comparison, which is constant-time. Passwords
// longer than 72 bytes are compared on their first 72 bytes, as every C
// bcrypt (and so PHP, Node and Python) hashed them.
func (h *bcryptHash) verify(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(h.encoded), []byte(password)) == nil
}

func (h *bcryptHash) weakerThan(Params) bool { return true }
func (h *bcryptHash) encode() string         { return h.encoded }

// work: 2^cost rounds of two Blowfish key schedules, about 20 µs each.
func (h *bcryptHash) work() uint64 { return 20 << h.cost }

func inAlphabet(alphabet string, c byte) bool {
	for i := 0; i < len(alphabet); i++ {
		if alphabet[i] == c {
			return true
		}
	}
	return false
}
