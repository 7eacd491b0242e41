package totp

import (
	"bufio"
	"encoding/base32"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRFC6238Vectors checks codes against RFC 6238's published values,
// and that each is accepted at its own time and not two steps away.
func TestRFC6238Vectors(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/rfc6238_sha1.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		sec, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		at, want := time.Unix(sec, 0).UTC(), fields[1]
		step, ok, err := matchStep(secret, want, at)
		if err != nil || !ok || step != Step(at) {
			t.Errorf("%v: code %s: step %d, ok %v, err %v; want step %d", at, want, step, ok, err, Step(at))
		}
		if _, ok, _ := matchStep(secret, want, at.Add(2*Period)); ok {
			t.Errorf("%v: code %s accepted two steps later", at, want)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("read %d vectors, want 6", n)
	}
}

func TestRecoveryCodeShape(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		c := newRecoveryCode()
		got, err := normalizeRecoveryCode(c)
		if err != nil || got != c {
			t.Fatalf("newRecoveryCode() = %q, normalizes to %q, %v", c, got, err)
		}
		if seen[c] {
			t.Fatalf("repeated code %q", c)
		}
		seen[c] = true
	}
}
