package passhash_test

import (
	"fmt"
	"strings"

	"github.com/latchauth/latch/internal/passhash"
)

func ExampleHash() {
	stored, err := passhash.Hash("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$"))

	ok, needsRehash, err := passhash.Verify(stored, "correct horse battery staple")
	fmt.Println(ok, needsRehash, err)
	ok, _, err = passhash.Verify(stored, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	// Output:
	// true
	// true false <nil>
	// false <nil>
}

func ExampleImport() {
	// An unsalted MD5 from a legacy system, as passwords/migrate sends it.
	stored, err := passhash.Import(passhash.MigrateInput{
		HashType: passhash.HashTypeMD5,
		Hash:     "5f4dcc3b5aa765d61d8327deb882cf99",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(stored)

	ok, needsRehash, _ := passhash.Verify(stored, "password")
	if ok && needsRehash {
		// The first successful login replaces it with argon2id.
		stored, _ = passhash.Hash("password")
	}
	fmt.Println(strings.HasPrefix(stored, "$argon2id$"))
	// Output:
	// $latch-md5$p=,a=$X03MO1qnZdYdgyfeuILPmQ
	// true
}
