package passhash

import (
	"encoding/hex"
	"strings"
)

// The hash types of Stytch's passwords/migrate (the SDK's
// MigrateRequestHashType), consumer and B2B alike.
const (
	HashTypeBcrypt   = "bcrypt"
	HashTypeMD5      = "md_5"
	HashTypeArgon2i  = "argon_2i"
	HashTypeArgon2id = "argon_2id"
	HashTypeSHA1     = "sha_1"
	HashTypeSHA512   = "sha_512"
	HashTypeScrypt   = "scrypt"
	HashTypePHPass   = "phpass"
	HashTypePBKDF2   = "pbkdf_2"
)

// MigrateInput is the hash part of a passwords/migrate request, field for
// field (hash_type, hash and the *_config objects). Only the config that
// belongs to HashType is read; the others are ignored.
type MigrateInput struct {
	// HashType is one of the HashType constants.
	HashType string
	// Hash is the hash in the form the type expects (see [Import]).
	// Surrounding white space is ignored.
	Hash string
	// MD5Config is md_5_config, optional.
	MD5Config *SaltConfig
	// SHA1Config is sha_1_config, optional.
	SHA1Config *SaltConfig
	// SHA512Config is sha_512_config, optional.
	SHA512Config *SaltConfig
	// Argon2Config is argon_2_config, required when Hash is the hex form.
	Argon2Config *Argon2Config
	// ScryptConfig is scrypt_config, required unless Hash is a $scrypt$
	// string.
	ScryptConfig *ScryptConfig
	// PBKDF2Config is pbkdf_2_config, required.
	PBKDF2Config *PBKDF2Config
}

// SaltConfig is md_5_config, sha_1_config or sha_512_config: the digest
// was computed over PrependSalt ‖ password ‖ AppendSalt, salts taken as
// their raw bytes.
type SaltConfig struct {
	PrependSalt string
	AppendSalt  string
}

// Argon2Config is argon_2_config, for an argon2 hash given as the hex of
// its raw key (the "Hash:" line of the argon2 reference CLI) instead of a
// PHC string. Salt is used as its raw bytes, as that CLI takes it.
type Argon2Config struct {
	Salt            string
	IterationAmount int // t
	Memory          int // m, in KiB
	Threads         int // p
	KeyLength       int // bytes; 0 means the hex hash's length
}

// ScryptConfig is scrypt_config, for an scrypt hash given as base64.
type ScryptConfig struct {
	Salt       string // base64
	NParameter int    // N, a power of two
	RParameter int
	PParameter int
	KeyLength  int // bytes; 0 means the decoded hash's length
}

// PBKDF2Config is pbkdf_2_config.
type PBKDF2Config struct {
	Salt            string // base64
	IterationAmount int
	KeyLength       int    // bytes; 0 means the decoded hash's length
	Algorithm       string // "sha256" (the default when empty), "sha512" or "sha1"
}

// Import turns the hash of a passwords/migrate request into the one string
// Latch stores, which [Verify] reads without any other column. It accepts:
//
//   - bcrypt: a $2a$, $2b$ or $2y$ string, cost 4..16; stored as given.
//   - argon_2i, argon_2id: a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$key,
//     base64 with or without padding; the config is then ignored), or the
//     hex of the raw key with [Argon2Config]; stored as a PHC string.
//   - scrypt: a PHC string $scrypt$ln=…,r=…,p=…$salt$key (passlib's '.' for
//     '+' accepted), or the base64 key with [ScryptConfig]; stored as a PHC
//     string.
//   - pbkdf_2: the base64 key with [PBKDF2Config]; stored as
//     $latch-pbkdf2-<alg>$i=…$salt$key.
//   - md_5, sha_1, sha_512: the digest in hex or base64, with an optional
//     [SaltConfig]; stored as $latch-<alg>$p=<prepend>,a=<append>$digest.
//   - phpass: a $P$ or $H$ portable hash; stored as given.
//
// Every stored string uses the PHC base64 (standard alphabet, no padding)
// for its binary fields. Parameters are bounded so that no imported hash
// can take more than a few seconds or 1 GiB to verify; the bounds are in
// each error's documentation. Errors wrap one of the Err… variables of
// this package, which name the Stytch error_type they correspond to.
func Import(in MigrateInput) (string, error) {
	hash := strings.TrimSpace(in.Hash)
	var (
		h   stored
		err error
	)
	switch in.HashType {
	case HashTypeBcrypt:
		h, err = parseBcrypt(hash)
	case HashTypeArgon2i, HashTypeArgon2id:
		h, err = importArgon2(in.HashType == HashTypeArgon2id, hash, in.Argon2Config)
	case HashTypeScrypt:
		h, err = importScrypt(hash, in.ScryptConfig)
	case HashTypePBKDF2:
		h, err = importPBKDF2(hash, in.PBKDF2Config)
	case HashTypeMD5:
		h, err = importDigest("md5", hash, in.MD5Config)
	case HashTypeSHA1:
		h, err = importDigest("sha1", hash, in.SHA1Config)
	case HashTypeSHA512:
		h, err = importDigest("sha512", hash, in.SHA512Config)
	case HashTypePHPass:
		h, err = parsePHPass(hash)
	default:
		return "", invalid(ErrInvalidHashType, "%q is not one of bcrypt, md_5, argon_2i, argon_2id, sha_1, sha_512, scrypt, phpass, pbkdf_2", in.HashType)
	}
	if err != nil {
		return "", err
	}
	return h.encode(), nil
}

func importArgon2(id bool, hash string, cfg *Argon2Config) (*argon2Hash, error) {
	if strings.HasPrefix(hash, "$") {
		h, err := parseArgon2(hash)
		if err != nil {
			return nil, err
		}
		if h.id != id {
			return nil, invalid(ErrInvalidHash, "argon2: the hash's variant differs from hash_type")
		}
		return h, nil
	}
	key, err := hex.DecodeString(hash)
	if err != nil {
		return nil, invalid(ErrInvalidHash, "argon2: want a $argon2 string or the hex of the key")
	}
	if cfg == nil {
		return nil, invalid(ErrInvalidArgon2Salt, "the hex form needs argon_2_config")
	}
	switch {
	case cfg.IterationAmount < 1 || cfg.IterationAmount > maxArgon2Time:
		return nil, invalid(ErrInvalidArgon2IterationAmount, "iteration_amount %d is outside 1..%d", cfg.IterationAmount, maxArgon2Time)
	case cfg.Threads < 1 || cfg.Threads > 255:
		return nil, invalid(ErrInvalidArgon2Threads, "threads %d is outside 1..255", cfg.Threads)
	case cfg.Memory < 1 || cfg.Memory > maxArgon2Memory:
		return nil, invalid(ErrInvalidArgon2Memory, "memory %d KiB is outside 8×threads..%d", cfg.Memory, maxArgon2Memory)
	case cfg.KeyLength != 0 && cfg.KeyLength != len(key):
		return nil, invalid(ErrInvalidArgon2KeyLength, "key_length %d differs from the hash's %d bytes", cfg.KeyLength, len(key))
	}
	h := &argon2Hash{
		id:      id,
		memory:  uint32(cfg.Memory),
		time:    uint32(cfg.IterationAmount),
		threads: uint8(cfg.Threads),
		salt:    []byte(cfg.Salt),
		key:     key,
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

func importScrypt(hash string, cfg *ScryptConfig) (*scryptHash, error) {
	if strings.HasPrefix(hash, "$") {
		// passlib writes its base64 with '.' in place of '+'.
		return parseScrypt(strings.ReplaceAll(hash, ".", "+"))
	}
	key, err := decodeB64(hash)
	if err != nil {
		return nil, invalid(ErrInvalidBase64ScryptHash, "want a $scrypt$ string or the base64 of the key")
	}
	if cfg == nil {
		return nil, invalid(ErrInvalidScryptParameters, "a base64 hash needs scrypt_config")
	}
	salt, err := decodeB64(cfg.Salt)
	if err != nil {
		return nil, invalid(ErrInvalidBase64ScryptSalt, "salt is not base64")
	}
	logN, ok := log2(cfg.NParameter)
	switch {
	case !ok:
		return nil, invalid(ErrInvalidScryptNParameter, "n_parameter %d is not a power of two greater than 1", cfg.NParameter)
	case cfg.RParameter < 1 || cfg.RParameter > maxScryptR:
		return nil, invalid(ErrInvalidScryptParameters, "r_parameter %d is outside 1..%d", cfg.RParameter, maxScryptR)
	case cfg.PParameter < 1 || cfg.PParameter > maxScryptP:
		return nil, invalid(ErrInvalidScryptParameters, "p_parameter %d is outside 1..%d", cfg.PParameter, maxScryptP)
	case cfg.KeyLength != 0 && cfg.KeyLength != len(key):
		return nil, invalid(ErrInvalidScryptParameters, "key_length %d differs from the hash's %d bytes", cfg.KeyLength, len(key))
	}
	h := &scryptHash{logN: logN, r: uint32(cfg.RParameter), p: uint32(cfg.PParameter), salt: salt, key: key}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

func importPBKDF2(hash string, cfg *PBKDF2Config) (*pbkdf2Hash, error) {
	key, err := decodeB64(hash)
	if err != nil {
		return nil, invalid(ErrInvalidPBKDF2Hash, "hash is not base64")
	}
	if cfg == nil {
		return nil, invalid(ErrInvalidPBKDF2Salt, "pbkdf_2_config is required")
	}
	alg := strings.ToLower(cfg.Algorithm)
	if alg == "" {
		alg = "sha256"
	}
	if _, ok := pbkdf2Algorithms[alg]; !ok {
		return nil, invalid(ErrInvalidPBKDF2Algorithm, "%q is not sha256, sha512 or sha1", cfg.Algorithm)
	}
	salt, err := decodeB64(cfg.Salt)
	if err != nil {
		return nil, invalid(ErrInvalidPBKDF2Salt, "salt is not base64")
	}
	if cfg.IterationAmount < 1 || cfg.IterationAmount > maxPBKDF2Iterations {
		return nil, invalid(ErrInvalidPBKDF2IterationAmount, "iteration_amount %d is outside 1..%d", cfg.IterationAmount, maxPBKDF2Iterations)
	}
	if cfg.KeyLength != 0 && cfg.KeyLength != len(key) {
		return nil, invalid(ErrInvalidPBKDF2Hash, "key_length %d differs from the hash's %d bytes", cfg.KeyLength, len(key))
	}
	h := &pbkdf2Hash{alg: alg, iterations: uint32(cfg.IterationAmount), salt: salt, key: key}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

func importDigest(alg, hash string, cfg *SaltConfig) (*digestHash, error) {
	digest, ok := decodeDigest(hash, digestAlgorithms[alg].size)
	if !ok {
		return nil, invalid(digestError(alg), "want %d bytes in hex or base64", digestAlgorithms[alg].size)
	}
	h := &digestHash{alg: alg, prepend: []byte{}, append: []byte{}, digest: digest}
	if cfg != nil {
		h.prepend, h.append = []byte(cfg.PrependSalt), []byte(cfg.AppendSalt)
	}
	if len(h.prepend) > maxSaltLen {
		return nil, invalid(ErrInvalidPrependSalt, "%d bytes exceeds %d", len(h.prepend), maxSaltLen)
	}
	if len(h.append) > maxSaltLen {
		return nil, invalid(ErrInvalidAppendSalt, "%d bytes exceeds %d", len(h.append), maxSaltLen)
	}
	return h, nil
}
