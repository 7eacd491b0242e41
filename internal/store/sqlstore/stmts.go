package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// hot names a statement on the request hot path: project authentication,
// consumer and member session authentication, and user lookups. These are
// prepared once per pool at Open, so a request neither rebinds nor
// reparses them.
type hot int

const (
	hotGetProject hot = iota
	hotGetSessionUserByTokenHash
	hotGetSessionUser
	hotGetUser
	hotGetUserByEmail
	hotGetUserByPhone
	hotGetMemberSessionByTokenHash
	hotGetMemberSession
	numHot
)

// hotQueries are the hot statements' texts, indexed by hot.
var hotQueries = [numHot]string{
	hotGetProject:                  qGetProject,
	hotGetSessionUserByTokenHash:   qGetSessionUserByTokenHash,
	hotGetSessionUser:              qGetSessionUser,
	hotGetUser:                     qGetUser,
	hotGetUserByEmail:              qGetUserByEmail,
	hotGetUserByPhone:              qGetUserByPhone,
	hotGetMemberSessionByTokenHash: qGetMemberSessionByTokenHash,
	hotGetMemberSession:            qGetMemberSession,
}

// stmts are the hot statements prepared on one pool, indexed by hot.
type stmts [numHot]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB, d *dialect) (*stmts, error) {
	s := &stmts{}
	for i, q := range hotQueries {
		st, err := db.PrepareContext(ctx, d.rebind(q))
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sqlstore: prepare %q: %w", q, err)
		}
		s[i] = st
	}
	return s, nil
}

func (s *stmts) close() error {
	var errs []error
	for _, st := range s {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// stmt returns a prepared hot statement for this DB: the read pool's
// outside a transaction, or the write pool's bound to the transaction (a
// transaction can only use statements prepared on its own pool).
func (db *DB) stmt(ctx context.Context, h hot) *sql.Stmt {
	if db.tx != nil {
		return db.tx.StmtContext(ctx, db.wstmts[h])
	}
	return db.rstmts[h]
}
