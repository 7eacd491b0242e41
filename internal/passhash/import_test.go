package passhash_test

import (
	"errors"
	"testing"

	"github.com/latchauth/latch/internal/passhash"
)

// TestImport imports hashes in every form passwords/migrate accepts, checks
// the stored string, and that it verifies the password (and no other).
func TestImport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       passhash.MigrateInput
		password string
		stored   string
	}{
		{
			name:     "bcrypt kept as given",
			in:       passhash.MigrateInput{HashType: "bcrypt", Hash: "$2y$10$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W"},
			password: "correct horse battery staple",
			stored:   "$2y$10$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W",
		},
		{
			name:     "argon2id PHC, padded base64 normalized",
			in:       passhash.MigrateInput{HashType: "argon_2id", Hash: "$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ=$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw="},
			password: "password",
			stored:   "$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw",
		},
		{
			name: "argon2id hex form with config (argon2 CLI Hash: line)",
			in: passhash.MigrateInput{HashType: "argon_2id", Hash: "bb0cc80a3e671149526915418c6eefe761bb19d5d2d567a017703e0cea6ab05c",
				Argon2Config: &passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 32, Threads: 4, KeyLength: 32}},
			password: "password",
			stored:   "$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw",
		},
		{
			name:     "argon2i PHC",
			in:       passhash.MigrateInput{HashType: "argon_2i", Hash: "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA"},
			password: "password",
			stored:   "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
		},
		{
			// RFC 7914 §12, second vector: scrypt("password", "NaCl", N=1024, r=8, p=16, 64).
			name: "scrypt base64 with config (RFC 7914)",
			in: passhash.MigrateInput{HashType: "scrypt", Hash: "/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA==",
				ScryptConfig: &passhash.ScryptConfig{Salt: "TmFDbA==", NParameter: 1024, RParameter: 8, PParameter: 16, KeyLength: 64}},
			password: "password",
			stored:   "$scrypt$ln=10,r=8,p=16$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG/xCSedmDDaxyevuUqD7m2DYMvfoswGQA",
		},
		{
			name:     "scrypt passlib PHC with '.' for '+'",
			in:       passhash.MigrateInput{HashType: "scrypt", Hash: "$scrypt$ln=10,r=8,p=1$..ud0/r4f6.19h6D8B62fw$q58tVXc1Ffu.jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k"},
			password: "password",
			stored:   "$scrypt$ln=10,r=8,p=1$++ud0/r4f6+19h6D8B62fw$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k",
		},
		{
			// RFC 6070 vectors 1 and 5 (PBKDF2-HMAC-SHA1).
			name: "pbkdf2 sha1 (RFC 6070 #1)",
			in: passhash.MigrateInput{HashType: "pbkdf_2", Hash: "DGDID5YfDnHzqbUkr2ASBi/gN6Y=",
				PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 1, KeyLength: 20, Algorithm: "sha1"}},
			password: "password",
			stored:   "$latch-pbkdf2-sha1$i=1$c2FsdA$DGDID5YfDnHzqbUkr2ASBi/gN6Y",
		},
		{
			name: "pbkdf2 sha1 with NULs (RFC 6070 #5)",
			in: passhash.MigrateInput{HashType: "pbkdf_2", Hash: "Vvpqp1VICZ3MN9fwNCXgww==",
				PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2EAbHQ=", IterationAmount: 4096, KeyLength: 16, Algorithm: "SHA1"}},
			password: "pass\x00word",
			stored:   "$latch-pbkdf2-sha1$i=4096$c2EAbHQ$Vvpqp1VICZ3MN9fwNCXgww",
		},
		{
			// Python hashlib.pbkdf2_hmac("sha256", b"password", b"saltysalt", 10000, 32).
			name: "pbkdf2 default sha256",
			in: passhash.MigrateInput{HashType: "pbkdf_2", Hash: "Zy7I3wMt/5Ks5modoERLpV0NYDmSWFuzNieTEfssHnw=",
				PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2FsdHlzYWx0", IterationAmount: 10000}},
			password: "password",
			stored:   "$latch-pbkdf2-sha256$i=10000$c2FsdHlzYWx0$Zy7I3wMt/5Ks5modoERLpV0NYDmSWFuzNieTEfssHnw",
		},
		{
			name: "pbkdf2 sha512",
			in: passhash.MigrateInput{HashType: "pbkdf_2", Hash: "JhiKQWU0sA2h3uwnKxld4YJb1Mv7l84GiHmWWWfWs4LNqMFkgcHblySp9gXXD5Qtt+7ZzVsWm+O1W0MLe9QXnA==",
				PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2FsdHlzYWx0", IterationAmount: 10000, KeyLength: 64, Algorithm: "sha512"}},
			password: "password",
			stored:   "$latch-pbkdf2-sha512$i=10000$c2FsdHlzYWx0$JhiKQWU0sA2h3uwnKxld4YJb1Mv7l84GiHmWWWfWs4LNqMFkgcHblySp9gXXD5Qtt+7ZzVsWm+O1W0MLe9QXnA",
		},
		{
			name:     "md5 unsalted hex",
			in:       passhash.MigrateInput{HashType: "md_5", Hash: "5F4DCC3B5AA765D61D8327DEB882CF99"},
			password: "password",
			stored:   "$latch-md5$p=,a=$X03MO1qnZdYdgyfeuILPmQ",
		},
		{
			name: "md5 with both salts",
			in: passhash.MigrateInput{HashType: "md_5", Hash: "9dba3d63c73c264fb050e331c2ea1fe1",
				MD5Config: &passhash.SaltConfig{PrependSalt: "pre", AppendSalt: "post"}},
			password: "password",
			stored:   "$latch-md5$p=cHJl,a=cG9zdA$nbo9Y8c8Jk+wUOMxwuof4Q",
		},
		{
			name:     "md5 base64",
			in:       passhash.MigrateInput{HashType: "md_5", Hash: "X03MO1qnZdYdgyfeuILPmQ=="},
			password: "password",
			stored:   "$latch-md5$p=,a=$X03MO1qnZdYdgyfeuILPmQ",
		},
		{
			name: "sha1 with prepended salt; other configs ignored",
			in: passhash.MigrateInput{HashType: "sha_1", Hash: " 87a90277c59b822f7254e2b5122bf6f6432969f9\n",
				SHA1Config: &passhash.SaltConfig{PrependSalt: "s4lt"}, MD5Config: &passhash.SaltConfig{AppendSalt: "ignored"}},
			password: "password",
			stored:   "$latch-sha1$p=czRsdA,a=$h6kCd8Wbgi9yVOK1Eiv29kMpafk",
		},
		{
			name:     "sha512",
			in:       passhash.MigrateInput{HashType: "sha_512", Hash: "b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb980b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86"},
			password: "password",
			stored:   "$latch-sha512$p=,a=$sQnzu7wkTrgkQZF+0G1hi5AI3Qmzvv0bXgc5THBqi7mAsdd4Xll27ASbRt9fEyavWi6m0QP9B8lThf+rDKy8hg",
		},
		{
			name:     "phpass kept as given",
			in:       passhash.MigrateInput{HashType: "phpass", Hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0"},
			password: "test12345",
			stored:   "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := passhash.Import(tt.in)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if got != tt.stored {
				t.Errorf("Import = %q\n            want %q", got, tt.stored)
			}
			ok, rehash, err := passhash.Verify(got, tt.password)
			if err != nil || !ok || !rehash {
				t.Errorf("Verify(imported) = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			if ok, _, err := passhash.Verify(got, tt.password+"x"); ok || err != nil {
				t.Errorf("Verify(imported, wrong password) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	argon := func(c passhash.Argon2Config) passhash.MigrateInput {
		return passhash.MigrateInput{HashType: "argon_2id", Hash: "bb0cc80a3e671149526915418c6eefe761bb19d5d2d567a017703e0cea6ab05c", Argon2Config: &c}
	}
	goodArgon := passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 32, Threads: 4, KeyLength: 32}
	scrypt := func(c passhash.ScryptConfig) passhash.MigrateInput {
		return passhash.MigrateInput{HashType: "scrypt", Hash: "q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k", ScryptConfig: &c}
	}
	pbkdf2 := func(c passhash.PBKDF2Config) passhash.MigrateInput {
		return passhash.MigrateInput{HashType: "pbkdf_2", Hash: "DGDID5YfDnHzqbUkr2ASBi/gN6Y=", PBKDF2Config: &c}
	}
	long := string(make([]byte, 1025))
	tests := []struct {
		name string
		in   passhash.MigrateInput
		want error
	}{
		{"unknown type", passhash.MigrateInput{HashType: "md5", Hash: "5f4dcc3b5aa765d61d8327deb882cf99"}, passhash.ErrInvalidHashType},
		{"empty type", passhash.MigrateInput{Hash: "5f4dcc3b5aa765d61d8327deb882cf99"}, passhash.ErrInvalidHashType},

		{"bcrypt truncated", passhash.MigrateInput{HashType: "bcrypt", Hash: "$2a$10$abcdefghijklmnopqrstuu"}, passhash.ErrInvalidBcryptHash},
		{"bcrypt not bcrypt", passhash.MigrateInput{HashType: "bcrypt", Hash: "5f4dcc3b5aa765d61d8327deb882cf99"}, passhash.ErrInvalidBcryptHash},
		{"bcrypt cost 3", passhash.MigrateInput{HashType: "bcrypt", Hash: "$2b$03$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W"}, passhash.ErrInvalidBcryptCost},
		{"bcrypt cost 17", passhash.MigrateInput{HashType: "bcrypt", Hash: "$2b$17$abcdefghijklmnopqrstuuGGgFFcYeueaAql8Z7U7CnCTRw4DR77W"}, passhash.ErrInvalidBcryptCost},

		{"md5 short", passhash.MigrateInput{HashType: "md_5", Hash: "5f4dcc3b5aa765d61d8327deb882cf9"}, passhash.ErrInvalidMD5Hash},
		{"md5 not hex", passhash.MigrateInput{HashType: "md_5", Hash: "zf4dcc3b5aa765d61d8327deb882cf99"}, passhash.ErrInvalidMD5Hash},
		{"md5 long prepend", passhash.MigrateInput{HashType: "md_5", Hash: "5f4dcc3b5aa765d61d8327deb882cf99", MD5Config: &passhash.SaltConfig{PrependSalt: long}}, passhash.ErrInvalidPrependSalt},
		{"md5 long append", passhash.MigrateInput{HashType: "md_5", Hash: "5f4dcc3b5aa765d61d8327deb882cf99", MD5Config: &passhash.SaltConfig{AppendSalt: long}}, passhash.ErrInvalidAppendSalt},
		{"sha1 given md5", passhash.MigrateInput{HashType: "sha_1", Hash: "5f4dcc3b5aa765d61d8327deb882cf99"}, passhash.ErrInvalidSHA1Hash},
		{"sha512 given sha1", passhash.MigrateInput{HashType: "sha_512", Hash: "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"}, passhash.ErrInvalidHash},

		{"argon2 variant mismatch", passhash.MigrateInput{HashType: "argon_2i", Hash: "$argon2id$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw"}, passhash.ErrInvalidHash},
		{"argon2d", passhash.MigrateInput{HashType: "argon_2id", Hash: "$argon2d$v=19$m=32,t=3,p=4$c29tZXNhbHQ$uwzICj5nEUlSaRVBjG7v52G7GdXS1WegF3A+DOpqsFw"}, passhash.ErrInvalidHash},
		{"argon2 garbage", passhash.MigrateInput{HashType: "argon_2id", Hash: "not a hash"}, passhash.ErrInvalidHash},
		{"argon2 hex without config", passhash.MigrateInput{HashType: "argon_2id", Hash: "bb0cc80a3e671149526915418c6eefe761bb19d5d2d567a017703e0cea6ab05c"}, passhash.ErrInvalidArgon2Salt},
		{"argon2 short salt", argon(passhash.Argon2Config{Salt: "salt", IterationAmount: 3, Memory: 32, Threads: 4}), passhash.ErrInvalidArgon2Salt},
		{"argon2 zero iterations", argon(passhash.Argon2Config{Salt: "somesalt", Memory: 32, Threads: 4}), passhash.ErrInvalidArgon2IterationAmount},
		{"argon2 many iterations", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 65, Memory: 32, Threads: 4}), passhash.ErrInvalidArgon2IterationAmount},
		{"argon2 negative memory", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: -1, Threads: 4}), passhash.ErrInvalidArgon2Memory},
		{"argon2 memory below 8p", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 31, Threads: 4}), passhash.ErrInvalidArgon2Memory},
		{"argon2 memory above 1 GiB", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 1, Memory: 1<<20 + 1, Threads: 4}), passhash.ErrInvalidArgon2Memory},
		{"argon2 zero threads", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 32}), passhash.ErrInvalidArgon2Threads},
		{"argon2 256 threads", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 4096, Threads: 256}), passhash.ErrInvalidArgon2Threads},
		{"argon2 key length mismatch", argon(passhash.Argon2Config{Salt: "somesalt", IterationAmount: 3, Memory: 32, Threads: 4, KeyLength: 16}), passhash.ErrInvalidArgon2KeyLength},
		{"argon2 short key", passhash.MigrateInput{HashType: "argon_2id", Hash: "bb0cc80a3e671149", Argon2Config: &goodArgon}, passhash.ErrInvalidArgon2KeyLength},

		{"scrypt not base64", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1024, RParameter: 8, PParameter: 1}), nil},
		{"scrypt hash not base64", passhash.MigrateInput{HashType: "scrypt", Hash: "q58t*", ScryptConfig: &passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1024, RParameter: 8, PParameter: 1}}, passhash.ErrInvalidBase64ScryptHash},
		{"scrypt salt not base64", scrypt(passhash.ScryptConfig{Salt: "salt!", NParameter: 1024, RParameter: 8, PParameter: 1}), passhash.ErrInvalidBase64ScryptSalt},
		{"scrypt without config", passhash.MigrateInput{HashType: "scrypt", Hash: "q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k"}, passhash.ErrInvalidScryptParameters},
		{"scrypt N not a power of two", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1000, RParameter: 8, PParameter: 1}), passhash.ErrInvalidScryptNParameter},
		{"scrypt N=1", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1, RParameter: 8, PParameter: 1}), passhash.ErrInvalidScryptNParameter},
		{"scrypt N above 262144", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 524288, RParameter: 1, PParameter: 1}), passhash.ErrInvalidScryptNParameter},
		{"scrypt r=0", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1024, PParameter: 1}), passhash.ErrInvalidScryptParameters},
		{"scrypt p=0", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1024, RParameter: 8}), passhash.ErrInvalidScryptParameters},
		{"scrypt memory above 256 MiB", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 262144, RParameter: 16, PParameter: 1}), passhash.ErrInvalidScryptParameters},
		{"scrypt key length mismatch", scrypt(passhash.ScryptConfig{Salt: "c2FsdA", NParameter: 1024, RParameter: 8, PParameter: 1, KeyLength: 64}), passhash.ErrInvalidScryptParameters},
		{"scrypt empty salt", scrypt(passhash.ScryptConfig{NParameter: 1024, RParameter: 8, PParameter: 1}), passhash.ErrInvalidScryptSaltLength},
		{"scrypt PHC bad N", passhash.MigrateInput{HashType: "scrypt", Hash: "$scrypt$ln=0,r=8,p=1$c2FsdA$q58tVXc1Ffu+jGzfAv/7Z9mTJZqZz6PoAqxea6pLY6k"}, passhash.ErrInvalidScryptNParameter},

		{"pbkdf2 without config", passhash.MigrateInput{HashType: "pbkdf_2", Hash: "DGDID5YfDnHzqbUkr2ASBi/gN6Y="}, passhash.ErrInvalidPBKDF2Salt},
		{"pbkdf2 hash not base64", passhash.MigrateInput{HashType: "pbkdf_2", Hash: "%%%", PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 1}}, passhash.ErrInvalidPBKDF2Hash},
		{"pbkdf2 md5", pbkdf2(passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 1, Algorithm: "md5"}), passhash.ErrInvalidPBKDF2Algorithm},
		{"pbkdf2 salt not base64", pbkdf2(passhash.PBKDF2Config{Salt: "salt!", IterationAmount: 1}), passhash.ErrInvalidPBKDF2Salt},
		{"pbkdf2 empty salt", pbkdf2(passhash.PBKDF2Config{IterationAmount: 1}), passhash.ErrInvalidPBKDF2Salt},
		{"pbkdf2 zero iterations", pbkdf2(passhash.PBKDF2Config{Salt: "c2FsdA=="}), passhash.ErrInvalidPBKDF2IterationAmount},
		{"pbkdf2 too many iterations", pbkdf2(passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 10_000_001}), passhash.ErrInvalidPBKDF2IterationAmount},
		{"pbkdf2 key length mismatch", pbkdf2(passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 1, KeyLength: 32}), passhash.ErrInvalidPBKDF2Hash},
		{"pbkdf2 short key", passhash.MigrateInput{HashType: "pbkdf_2", Hash: "DGDI", PBKDF2Config: &passhash.PBKDF2Config{Salt: "c2FsdA==", IterationAmount: 1}}, passhash.ErrInvalidPBKDF2Hash},

		{"phpass prefix", passhash.MigrateInput{HashType: "phpass", Hash: "$S$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0"}, passhash.ErrInvalidPHPassHashPrefix},
		{"phpass length", passhash.MigrateInput{HashType: "phpass", Hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L"}, passhash.ErrInvalidPHPassHashFormat},
		{"phpass alphabet", passhash.MigrateInput{HashType: "phpass", Hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r+L0"}, passhash.ErrInvalidPHPassHashFormat},
		{"phpass cost 2^31", passhash.MigrateInput{HashType: "phpass", Hash: "$P$TIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0"}, passhash.ErrInvalidPHPassHashFormat},
	}
	for _, tt := range tests {
		got, err := passhash.Import(tt.in)
		if tt.want == nil {
			// A well-formed hash for a password nobody knows still imports.
			if err != nil {
				t.Errorf("%s: Import error = %v, want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || got != "" {
			t.Errorf("%s: Import = %q, %v; want \"\", %v", tt.name, got, err, tt.want)
		}
	}
}
