package passhash_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/latchauth/latch/internal/passhash"
)

// cheap are argon2id parameters that keep round-trip tests fast.
var cheap = passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashFormat(t *testing.T) {
	t.Parallel()
	got, err := passhash.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(got) {
		t.Fatalf("Hash = %q, want a PHC argon2id string with the default parameters", got)
	}
	again, err := passhash.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if again == got {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", "a", "correct horse battery staple", "пароль🔑 with spaces", strings.Repeat("x", passhash.MaxPasswordLen), "nul\x00inside"} {
		enc, err := passhash.HashWith(pw, cheap)
		if err != nil {
			t.Fatal(err)
		}
		ok, rehash, err := passhash.VerifyWith(enc, pw, cheap)
		if err != nil || !ok || rehash {
			t.Errorf("VerifyWith(HashWith(%.20q)) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
		wrong := "!" + pw
		wrong = wrong[:min(len(wrong), passhash.MaxPasswordLen)]
		ok, _, err = passhash.VerifyWith(enc, wrong, cheap)
		if err != nil || ok {
			t.Errorf("VerifyWith(wrong password for %.20q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestPasswordTooLong(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", passhash.MaxPasswordLen+1)
	if _, err := passhash.HashWith(long, cheap); !errors.Is(err, passhash.ErrPasswordTooLong) {
		t.Errorf("HashWith(long) error = %v, want ErrPasswordTooLong", err)
	}
	// phpass at its maximum cost would hash a long password 2^20 times.
	ok, rehash, err := passhash.Verify("$P$IIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", long)
	if ok || rehash || !errors.Is(err, passhash.ErrPasswordTooLong) {
		t.Errorf("Verify(long) = %v, %v, %v; want false, false, ErrPasswordTooLong", ok, rehash, err)
	}
}

func TestHashWithInvalidParams(t *testing.T) {
	t.Parallel()
	for _, p := range []passhash.Params{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 7, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: 1 << 21, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 1 << 20, Time: 8, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := passhash.HashWith("pw", p); !errors.Is(err, passhash.ErrInvalidParams) {
			t.Errorf("HashWith(%+v) error = %v, want ErrInvalidParams", p, err)
		}
	}
	if err := passhash.DefaultParams().Validate(); err != nil {
		t.Errorf("DefaultParams().Validate() = %v", err)
	}
}

// TestKnownAnswers checks Verify against hashes computed by other
// implementations, each named with its source.
func TestKnownAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, encoded, password string
	}{
		// The argon2 reference implementation's test vectors (phc-winner-argon2
		// src/test.c, version 0x13), reproduced with its CLI:
		// echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1
		{"argon2id reference t=2 m=2^16 p=1", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password"},
		{"argon2i reference t=2 m=2^16 p=1", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA", "password"},
		// The CLI with RFC 9106's cost parameters (t=3, m=32 KiB, p=4); the
		// RFC's own vector also needs a secret and associated data, which
		// x/crypto/argon2 does not take and Latch never uses.
		{"argon2id reference t=3 m=32 p=4", "$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw", "password"},
		// OpenBSD / Openwall crypt_blowfish test vectors.
		{"bcrypt U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
		{"bcrypt U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
		{"bcrypt U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"},
		{"bcrypt empty", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", ""},
		{"bcrypt over 72 bytes", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"},
		// Python bcrypt 3.2: hashpw(pw, b"$2b$10$abcdefghijklmnopqrstuu"); $2y$ is
		// PHP's name for the same algorithm.
		{"bcrypt 2b", "$2b$10$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W", "correct horse battery staple"},
		{"bcrypt 2y", "$2y$10$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W", "correct horse battery staple"},
		// passlib 1.7.4 scrypt.using(rounds=10, salt=…).hash("password").
		{"scrypt passlib-compatible PHC", "$scrypt$ln=10,r=8,p=1$++ud0/r4f6+19h6D8B62fw$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k", "password"},
		// The test vector shipped with phpass (Openwall), and passlib 1.7.4.
		{"phpass openwall", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345"},
		{"phpass passlib $P$", "$P$6abcdefghBdnOAcTo80p/1Y9Dg8kIb.", "password"},
		{"phpass passlib $H$", "$H$BsaltsaltvXPmtOflYdEAPfwWXxMXw1", "Correct Horse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := passhash.Verify(tt.encoded, tt.password)
			if err != nil || !ok {
				t.Fatalf("Verify = %v, %v; want true, nil", ok, err)
			}
			// Only argon2id hashes at least as strong as the defaults keep;
			// the reference vectors' 8-byte salt is shorter than 16.
			wantRehash := true
			if rehash != wantRehash {
				t.Errorf("needsRehash = %v, want %v", rehash, wantRehash)
			}
			// Change the first byte: bcrypt ignores bytes after the 72nd.
			if ok, _, err := passhash.Verify(tt.encoded, "x"+tt.password); ok || err != nil {
				t.Errorf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	cur := passhash.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	tests := []struct {
		name string
		made passhash.Params
		want bool
	}{
		{"same", cur, false},
		{"stronger memory", passhash.Params{Memory: 256, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"more lanes", passhash.Params{Memory: 128, Time: 2, Threads: 4, SaltLen: 16, KeyLen: 32}, false},
		{"less memory", passhash.Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"fewer passes", passhash.Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"shorter key", passhash.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, true},
	}
	for _, tt := range tests {
		enc, err := passhash.HashWith("pw", tt.made)
		if err != nil {
			t.Fatal(err)
		}
		ok, rehash, err := passhash.VerifyWith(enc, "pw", cur)
		if err != nil || !ok || rehash != tt.want {
			t.Errorf("%s: VerifyWith = %v, %v, %v; want true, %v, nil", tt.name, ok, rehash, err, tt.want)
		}
		// A wrong password never asks for a rehash.
		if _, rehash, _ := passhash.VerifyWith(enc, "other", cur); rehash {
			t.Errorf("%s: needsRehash is true for a wrong password", tt.name)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		encoded string
		want    error
	}{
		{"", passhash.ErrUnknownFormat},
		{"plaintext", passhash.ErrUnknownFormat},
		{"$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrUnknownFormat},
		{"$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidHash},
		{"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidHash},
		{"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidHash},
		{"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidArgon2IterationAmount},
		{"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidArgon2Threads},
		{"$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidArgon2Memory},
		{"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidArgon2Salt},
		{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFh", passhash.ErrInvalidArgon2KeyLength},
		{"$argon2id$v=19$m=64,t=1,p=1$c29t\nZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrInvalidArgon2Salt},
		{"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe", passhash.ErrInvalidBcryptHash},
		{"$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", passhash.ErrInvalidBcryptCost},
		{"$2a$xx$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", passhash.ErrInvalidBcryptHash},
		{"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!", passhash.ErrInvalidBcryptHash},
		{"$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", passhash.ErrUnknownFormat},
		{"$scrypt$ln=19,r=8,p=1$c2FsdA$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k", passhash.ErrInvalidScryptNParameter},
		{"$scrypt$ln=10,r=0,p=1$c2FsdA$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k", passhash.ErrInvalidScryptParameters},
		{"$scrypt$ln=10,r=8,p=1$$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k", passhash.ErrInvalidScryptSaltLength},
		{"$scrypt$ln=10,r=8,p=1$c2FsdA$q58t*", passhash.ErrInvalidBase64ScryptHash},
		{"$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", passhash.ErrInvalidPHPassHashFormat},
		{"$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", passhash.ErrInvalidPHPassHashFormat},
		{"$latch-pbkdf2-md5$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y", passhash.ErrInvalidPBKDF2Algorithm},
		{"$latch-pbkdf2-sha1$i=0$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y", passhash.ErrInvalidPBKDF2IterationAmount},
		{"$latch-pbkdf2-sha1$i=1$$DGDID5YfDnHzqbUkr2ASBi/gN6Y", passhash.ErrInvalidPBKDF2Salt},
		{"$latch-pbkdf2-sha1$i=1$c2FsdA$DGDI", passhash.ErrInvalidPBKDF2Hash},
		{"$latch-md5$p=,a=$X03MO1qnZdYdgyfeuILPmQ", nil},
		{"$latch-md5$p=,a=$X03MO1qnZdYdgyfeuILP", passhash.ErrInvalidMD5Hash},
		{"$latch-sha1$p=,a=$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrInvalidSHA1Hash},
		{"$latch-sha512$p=,a=$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrInvalidHash},
		{"$latch-md5$a=,p=$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrInvalidHash},
		{"$latch-md5$p=*,a=$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrInvalidPrependSalt},
		{"$latch-md5$p=,a=*$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrInvalidAppendSalt},
		{"$latch-rot13$p=,a=$X03MO1qnZdYdgyfeuILPmQ", passhash.ErrUnknownFormat},
	}
	for _, tt := range tests {
		ok, rehash, err := passhash.Verify(tt.encoded, "password")
		if tt.want == nil {
			if err != nil || !ok {
				t.Errorf("Verify(%q) = %v, %v; want true, nil", tt.encoded, ok, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want false, false, %v", tt.encoded, ok, rehash, err, tt.want)
		}
	}
}

// BenchmarkHash times one argon2id hash under DefaultParams (m=19 MiB,
// t=2, p=1), the cost every signup, reset and rehash pays.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := passhash.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	enc, err := passhash.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := passhash.Verify(enc, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
