package sqlstore

import (
	"context"
	"testing"
)

func TestRebindNumbered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`WHERE a = $1 AND b = $2`, `WHERE a = ?1 AND b = ?2`},
		{`VALUES ($2, $1, $2, $10)`, `VALUES (?2, ?1, ?2, ?10)`},
		{`WHERE a = '$1' AND b = $1`, `WHERE a = '$1' AND b = ?1`},
		{`WHERE a = 'it''s $1' AND b = $1`, `WHERE a = 'it''s $1' AND b = ?1`},
		{`SELECT "$1" FROM t WHERE c = $1`, `SELECT "$1" FROM t WHERE c = ?1`},
		{`LIKE $3 ESCAPE '\'`, `LIKE ?3 ESCAPE '\'`},
		{`SELECT $`, `SELECT $`},
	} {
		if got := rebindNumbered(tc.in); got != tc.want {
			t.Errorf("rebindNumbered(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRebindDriver pins what rebinding relies on: the SQLite driver binds
// ?N by number, so reused and reordered parameters keep their values.
func TestRebindDriver(t *testing.T) {
	t.Parallel()
	db, err := Open(context.Background(), Config{Driver: "sqlite", DSN: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var a, b, c string
	err = db.queryRow(t.Context(), `SELECT $2, $1, $2 || $1`, "one", "two").Scan(&a, &b, &c)
	if err != nil {
		t.Fatal(err)
	}
	if a != "two" || b != "one" || c != "twoone" {
		t.Errorf("got %q, %q, %q; want two, one, twoone", a, b, c)
	}
}
