package passhash

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha512"
	"fmt"
	"hash"
	"strings"
)

// digestHash is a single unsalted-or-salted digest, H(prepend ‖ password ‖
// append), stored as $latch-<alg>$p=<prepend>,a=<append>$<digest> with alg
// md5, sha1 or sha512 and both salts in base64 (possibly empty).
type digestHash struct {
	alg     string
	prepend []byte
	append  []byte
	digest  []byte
}

// digestAlgorithms maps a stored alg to its hash and digest size.
var digestAlgorithms = map[string]struct {
	new  func() hash.Hash
	size int
}{
	"md5":    {md5.New, md5.Size},
	"sha1":   {sha1.New, sha1.Size},
	"sha512": {sha512.New, sha512.Size},
}

func parseDigest(encoded string) (*digestHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != "" || !strings.HasPrefix(parts[1], "latch-") {
		return nil, invalid(ErrInvalidHash, "digest: want $latch-<alg>$p=…,a=…$digest")
	}
	h := &digestHash{alg: strings.TrimPrefix(parts[1], "latch-")}
	alg, ok := digestAlgorithms[h.alg]
	if !ok {
		return nil, invalid(ErrInvalidHash, "digest: unsupported algorithm %q", h.alg)
	}
	pre, app, ok := saltParams(parts[2])
	if !ok {
		return nil, invalid(ErrInvalidHash, "digest: want parameters p=<base64>,a=<base64>")
	}
	var err error
	if h.prepend, err = decodeB64(pre); err != nil || len(h.prepend) > maxSaltLen {
		return nil, invalid(ErrInvalidPrependSalt, "not base64 of at most %d bytes", maxSaltLen)
	}
	if h.append, err = decodeB64(app); err != nil || len(h.append) > maxSaltLen {
		return nil, invalid(ErrInvalidAppendSalt, "not base64 of at most %d bytes", maxSaltLen)
	}
	if h.digest, err = decodeB64(parts[3]); err != nil || len(h.digest) != alg.size {
		return nil, invalid(digestError(h.alg), "want %d bytes in base64", alg.size)
	}
	return h, nil
}

// saltParams splits "p=<x>,a=<y>"; unlike params, its values are base64
// and may be empty.
func saltParams(s string) (pre, app string, ok bool) {
	p, a, ok := strings.Cut(s, ",")
	if !ok {
		return "", "", false
	}
	pre, ok1 := strings.CutPrefix(p, "p=")
	app, ok2 := strings.CutPrefix(a, "a=")
	return pre, app, ok1 && ok2
}

// digestError is the error for a malformed digest of alg.
func digestError(alg string) error {
	switch alg {
	case "md5":
		return ErrInvalidMD5Hash
	case "sha1":
		return ErrInvalidSHA1Hash
	}
	return ErrInvalidHash
}

func (h *digestHash) verify(password string) bool {
	d := digestAlgorithms[h.alg].new()
	d.Write(h.prepend)
	d.Write([]byte(password))
	d.Write(h.append)
	return equal(h.digest, d.Sum(nil))
}

func (h *digestHash) weakerThan(Params) bool { return true }

func (h *digestHash) encode() string {
	return fmt.Sprintf("$latch-%s$p=%s,a=%s$%s", h.alg,
		b64.EncodeToString(h.prepend), b64.EncodeToString(h.append), b64.EncodeToString(h.digest))
}

func (h *digestHash) work() uint64 { return 1 }
