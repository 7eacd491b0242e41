package passhash

import (
	"crypto/md5"
	"strings"
)

// phpassHash is a phpass "portable" hash ($P$ as WordPress writes it, $H$ as
// phpBB does), stored as imported. The fourth character encodes log2 of the
// MD5 iteration count, the next eight the salt, the last 22 the digest.
type phpassHash struct {
	encoded string
	log2    int
}

// phpassAlphabet is phpass's itoa64.
const phpassAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func parsePHPass(encoded string) (*phpassHash, error) {
	if !strings.HasPrefix(encoded, "$P$") && !strings.HasPrefix(encoded, "$H$") {
		return nil, invalid(ErrInvalidPHPassHashPrefix, "want $P$ or $H$")
	}
	if len(encoded) != 34 {
		return nil, invalid(ErrInvalidPHPassHashFormat, "want 34 characters, got %d", len(encoded))
	}
	for i := 3; i < len(encoded); i++ {
		if !inAlphabet(phpassAlphabet, encoded[i]) {
			return nil, invalid(ErrInvalidPHPassHashFormat, "character %d is outside phpass's alphabet", i)
		}
	}
	log2 := strings.IndexByte(phpassAlphabet, encoded[3])
	if log2 < minPHPassLog2 || log2 > maxPHPassLog2 {
		return nil, invalid(ErrInvalidPHPassHashFormat, "cost 2^%d is outside 2^%d..2^%d", log2, minPHPassLog2, maxPHPassLog2)
	}
	return &phpassHash{encoded: encoded, log2: log2}, nil
}

// verify recomputes the portable hash: x = MD5(salt ‖ password), then
// 2^log2 times x = MD5(x ‖ password).
func (h *phpassHash) verify(password string) bool {
	pw := []byte(password)
	buf := make([]byte, 0, md5.Size+len(pw))
	sum := md5.Sum(append(append(buf, h.encoded[4:12]...), pw...))
	for range 1 << h.log2 {
		sum = md5.Sum(append(append(buf[:0], sum[:]...), pw...))
	}
	want := h.encoded[:12] + phpassEncode(sum[:])
	return equal([]byte(want), []byte(h.encoded))
}

// phpassEncode is phpass's encode64: little-endian groups of three bytes as
// four characters, low six bits first.
func phpassEncode(src []byte) string {
	var b strings.Builder
	for i := 0; i < len(src); i += 3 {
		v := uint(src[i])
		n := 2
		if i+1 < len(src) {
			v |= uint(src[i+1]) << 8
			n = 3
		}
		if i+2 < len(src) {
			v |= uint(src[i+2]) << 16
			n = 4
		}
		for j := 0; j < n; j++ {
			b.WriteByte(phpassAlphabet[v&0x3f])
			v >>= 6
		}
	}
	return b.String()
}

func (h *phpassHash) weakerThan(Params) bool { return true }
func (h *phpassHash) encode() string         { return h.encoded }

// work: about 1 µs per four MD5 blocks.
func (h *phpassHash) work() uint64 { return 1<<h.log2/4 + 1 }
