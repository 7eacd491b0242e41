package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// version is the first byte of every sealed value. It names the format
// (AES-256-GCM, 12-byte nonce) so that a later format or key rotation can
// tell old values apart.
const version byte = 1

const nonceSize = 12

// ErrOpen means a sealed value could not be opened: it was made with
// another key or other associated data, or it was altered or truncated.
var ErrOpen = errors.New("secretbox: cannot open sealed value (wrong key, wrong associated data, or corrupted)")

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext, authenticating ad along with it, and returns
// version || nonce || ciphertext || tag. The same ad must be given to Open.
func (b *Box) Seal(plaintext, ad []byte) []byte {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+b.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		// crypto/rand.Read does not fail on supported platforms.
		panic(err)
	}
	return b.aead.Seal(out, out[1:1+nonceSize], plaintext, ad)
}

// Open decrypts a value from Seal made with the same key and ad. Any
// mismatch is ErrOpen.
func (b *Box) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// NewKey returns a random key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// ParseKey reads a key written as 64 hex digits or as standard or URL-safe
// base64 (with or without padding) of 32 bytes. Surrounding space is
// ignored, so a key file may end with a newline.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("secretbox: the key must be %d bytes written as %d hex digits or in base64 (generate one with: openssl rand -hex %d)", KeySize, 2*KeySize, KeySize)
}

// FormatKey writes a key as ParseKey reads it: 64 hex digits.
func FormatKey(k []byte) string { return hex.EncodeToString(k) }

// LoadOrCreateKeyFile returns the key stored in the file at path, creating
// the file with a new random key (mode 0600, in a directory created 0700)
// when it does not exist. created reports whether it did. The file appears
// whole or not at all (written aside, then hard-linked into place), and
// linking fails if it exists, so processes starting at once all end up
// with the one key that won.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	if k, err := readKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("secretbox: create key directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".encryption-key-*")
	if err != nil {
		return nil, false, fmt.Errorf("secretbox: create key file: %w", err)
	}
	defer os.Remove(f.Name())
	k := NewKey()
	_, werr := f.WriteString(FormatKey(k) + "\n")
	// CreateTemp makes the file 0600 already; Chmod says so explicitly.
	if err := errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		return nil, false, fmt.Errorf("secretbox: write key file: %w", err)
	}
	if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
		k, err := readKeyFile(path)
		return k, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("secretbox: create key file: %w", err)
	}
	return k, true, nil
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("secretbox: read key file: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}
