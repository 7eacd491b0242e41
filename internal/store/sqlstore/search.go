package sqlstore

import (
	"strconv"
	"strings"

	"github.com/latchauth/latch/internal/store"
)

// params collects a query's arguments and hands out their $N placeholders,
// for queries built from a filter.
type params struct{ args []any }

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// list appends vs and returns their placeholders, comma-separated.
func (p *params) list(vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = p.add(v)
	}
	return strings.Join(ps, ", ")
}

// joinConds joins a filter's conditions with AND, or with OR when or is
// set, into one parenthesized condition; no condition is "".
func joinConds(conds []string, or bool) string {
	if len(conds) == 0 {
		return ""
	}
	op := " AND "
	if or {
		op = " OR "
	}
	return "(" + strings.Join(conds, op) + ")"
}

// after returns the keyset condition starting a page after c, for a
// (created_at, id) order of the given columns.
func (db *DB) after(p *params, createdAt, id string, c *store.Cursor) string {
	return `(` + createdAt + `, ` + id + `) > (` + p.add(db.ts(c.CreatedAt)) + `, ` + p.add(c.ID) + `)`
}

// lowerAll returns vs lowercased, for matching lowercased columns.
func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(v)
	}
	return out
}
