package passhash

import (
	"errors"
	"strings"
	"testing"
)

// fuzzWork is the most work (about a microsecond a unit) a fuzz input may
// ask of one verification before the target skips computing it; parsing is
// always exercised.
const fuzzWork = 20_000

// seeds are stored strings of every format, valid and not.
var seeds = []string{
	"",
	"$",
	"$$$$$",
	"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	"$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw",
	"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA=",
	"$argon2id$v=19$m=4294967295,t=4294967295,p=255$c29tZXNhbHQ$CTFh",
	"$argon2id$v=19$m=64,t=1,p=1$$",
	"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
	"$2y$04$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W",
	"$2b$99$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W",
	"$2a$",
	"$scrypt$ln=4,r=8,p=1$++ud0/r4f6+19h6D8B62fw$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k",
	"$scrypt$ln=99,r=99999999,p=99999999$c2FsdA$q58t",
	"$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
	"$H$7saltsaltvXPmtOflYdEAPfwWXxMXw1",
	"$P$",
	"$latch-pbkdf2-sha1$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y",
	"$latch-pbkdf2-sha512$i=4294967295$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y",
	"$latch-pbkdf2-$i=$$",
	"$latch-md5$p=,a=$X03MO1qnZdYdgyfeuILPmQ",
	"$latch-sha1$p=czRsdA,a=$h6kCd8Wbgi9yVOK1Eiv29kMpafk",
	"$latch-sha512$p=,a=$",
	"$latch-md5$p=,a=",
}

// FuzzVerify checks that no stored string, however malformed, makes
// Verify panic; that an error never comes with ok or needsRehash; and that
// every string parse accepts re-encodes to one that parses to itself.
func FuzzVerify(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, "password")
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		h, err := parse(encoded)
		if err != nil {
			ok, rehash, verr := Verify(encoded, password)
			if verr == nil || ok || rehash {
				t.Fatalf("parse failed (%v) but Verify = %v, %v, %v", err, ok, rehash, verr)
			}
			return
		}
		canon := h.encode()
		h2, err := parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, encoded, err)
		}
		if again := h2.encode(); again != canon {
			t.Fatalf("encode is not idempotent: %q then %q", canon, again)
		}
		if h.work() > fuzzWork {
			return
		}
		ok, rehash, err := Verify(encoded, password)
		if len(password) > MaxPasswordLen {
			if !errors.Is(err, ErrPasswordTooLong) || ok || rehash {
				t.Fatalf("Verify(%d-byte password) = %v, %v, %v; want ErrPasswordTooLong", len(password), ok, rehash, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("parse accepted %q but Verify errs: %v", encoded, err)
		}
		if rehash && !ok {
			t.Fatal("needsRehash without ok")
		}
	})
}

// FuzzImport checks that Import never panics and that whatever it accepts,
// Verify reads.
func FuzzImport(f *testing.F) {
	for _, ht := range []string{HashTypeBcrypt, HashTypeMD5, HashTypeArgon2i, HashTypeArgon2id, HashTypeSHA1, HashTypeSHA512, HashTypeScrypt, HashTypePHPass, HashTypePBKDF2} {
		for _, s := range seeds {
			f.Add(ht, s)
		}
	}
	f.Add(HashTypeMD5, "5f4dcc3b5aa765d61d8327deb882cf99")
	f.Add(HashTypeArgon2id, "bb0cc80a3e671149526915418c6eefe761bb19d5d2d567a017703e0cea6ab05c")
	f.Fuzz(func(t *testing.T, hashType, hash string) {
		in := MigrateInput{
			HashType:     hashType,
			Hash:         hash,
			MD5Config:    &SaltConfig{PrependSalt: "p", AppendSalt: "a"},
			Argon2Config: &Argon2Config{Salt: "somesalt", IterationAmount: 1, Memory: 64, Threads: 1},
			ScryptConfig: &ScryptConfig{Salt: "c2FsdA", NParameter: 16, RParameter: 1, PParameter: 1},
			PBKDF2Config: &PBKDF2Config{Salt: "c2FsdA", IterationAmount: 1},
		}
		enc, err := Import(in)
		if err != nil {
			if enc != "" {
				t.Fatalf("Import returned %q with error %v", enc, err)
			}
			return
		}
		h, err := parse(enc)
		if err != nil {
			t.Fatalf("Import(%q, %q) = %q, which does not parse: %v", hashType, hash, enc, err)
		}
		if h.work() <= fuzzWork {
			if _, _, err := Verify(enc, "password"); err != nil {
				t.Fatalf("Verify(Import(…)) errs: %v", err)
			}
		}
	})
}

// TestWorkBounds checks that the parameter bounds keep the worst case of
// every scheme within a few seconds of work.
func TestWorkBounds(t *testing.T) {
	t.Parallel()
	worst := map[string]stored{
		"argon2": &argon2Hash{memory: maxArgon2Memory, time: maxArgon2Work / maxArgon2Memory},
		"bcrypt": &bcryptHash{cost: maxBcryptCost},
		"scrypt": &scryptHash{logN: maxScryptLogN, r: maxScryptMemory / 128 >> maxScryptLogN, p: maxScryptP},
		"pbkdf2": &pbkdf2Hash{iterations: maxPBKDF2Iterations, key: make([]byte, 32)},
		"phpass": &phpassHash{log2: maxPHPassLog2},
	}
	for name, h := range worst {
		// 20 s is generous: these are one-off costs, since a successful
		// login replaces the hash with an argon2id one.
		if w := h.work(); w > 20_000_000 {
			t.Errorf("%s: worst case is %d µs", name, w)
		}
	}
	if !strings.HasPrefix((&argon2Hash{id: true}).encode(), "$argon2id$v=19$") {
		t.Error("argon2id encodes without its version")
	}
}
