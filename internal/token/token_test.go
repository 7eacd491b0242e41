package token

import (
	"encoding/hex"
	"testing"
)

func TestShapes(t *testing.T) {
	t.Parallel()
	if got := len(New()); got != 44 {
		t.Errorf("len(New()) = %d, want 44", got)
	}
	if tok := New(); tok[43] != '=' {
		t.Errorf("New() = %q, want base64url with padding", tok)
	}
	if got := len(NewSession()); got != 44 {
		t.Errorf("len(NewSession()) = %d, want 44", got)
	}
	if New() == New() {
		t.Error("New returned the same token twice")
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	if got, want := hex.EncodeToString(Hash("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Hash(abc) = %s, want %s", got, want)
	}
	if !Equal(Hash("x"), "x") || Equal(Hash("x"), "y") {
		t.Error("Equal does not match Hash")
	}
}
