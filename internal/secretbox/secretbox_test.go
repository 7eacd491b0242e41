package secretbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func newBox(t *testing.T) *Box {
	t.Helper()
	b, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	pt, ad := []byte("JBSWY3DPEHPK3PXP"), []byte("project-test-1/totp-test-1")
	sealed := b.Seal(pt, ad)
	if bytes.Contains(sealed, pt) {
		t.Fatal("sealed value contains the plaintext")
	}
	if got, want := len(sealed), 1+12+len(pt)+16; got != want {
		t.Errorf("len(sealed) = %d, want %d", got, want)
	}
	got, err := b.Open(sealed, ad)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, pt) {
		t.Errorf("Open = %q, want %q", got, pt)
	}
	if bytes.Equal(b.Seal(pt, ad), sealed) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	ad := []byte("row-1")
	sealed := b.Seal([]byte("secret"), ad)
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	wrongVersion := bytes.Clone(sealed)
	wrongVersion[0] = 2
	for name, tc := range map[string]struct {
		box    *Box
		sealed []byte
		ad     []byte
	}{
		"other key":     {newBox(t), sealed, ad},
		"other row":     {b, sealed, []byte("row-2")},
		"altered":       {b, flipped, ad},
		"truncated":     {b, sealed[:len(sealed)-1], ad},
		"too short":     {b, sealed[:5], ad},
		"empty":         {b, nil, ad},
		"wrong version": {b, wrongVersion, ad},
	} {
		if _, err := tc.box.Open(tc.sealed, tc.ad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open err = %v, want ErrOpen", name, err)
		}
	}
}

func TestNewKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New with a %d-byte key: no error", n)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	k := NewKey()
	for _, s := range []string{
		FormatKey(k),
		strings.ToUpper(FormatKey(k)),
		"  " + FormatKey(k) + "\n",
		base64.StdEncoding.EncodeToString(k),
		base64.RawStdEncoding.EncodeToString(k),
		base64.URLEncoding.EncodeToString(k),
		base64.RawURLEncoding.EncodeToString(k),
	} {
		got, err := ParseKey(s)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", s, err)
			continue
		}
		if !bytes.Equal(got, k) {
			t.Errorf("ParseKey(%q) = %x, want %x", s, got, k)
		}
	}
	for _, s := range []string{"", "abc", FormatKey(k[:16]), base64.StdEncoding.EncodeToString(k[:31]), FormatKey(k) + "00", strings.Repeat("z", 64)} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q): no error", s)
		}
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "encryption.key")
	k1, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first call: created %v, err %v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created {
		t.Fatalf("second call: created %v, err %v", created, err)
	}
	if !bytes.Equal(k1, k2) {
		t.Error("the key changed between calls")
	}
}

// TestLoadOrCreateKeyFileRace starts many callers at once, as processes
// starting together would: exactly one creates the key, and every one
// gets it.
func TestLoadOrCreateKeyFileRace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "encryption.key")
	const n = 20
	keys := make([][]byte, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], created[i], errs[i] = LoadOrCreateKeyFile(path) })
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if created[i] {
			creators++
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Errorf("caller %d got another key", i)
		}
	}
	if creators != 1 {
		t.Errorf("%d callers created the key, want 1", creators)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the key file", len(entries))
	}
}

func TestLoadKeyFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.key")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(empty); err == nil {
		t.Error("empty file: no error")
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(bad); err == nil {
		t.Error("malformed file: no error")
	}
}
