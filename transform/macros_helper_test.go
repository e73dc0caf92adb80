package transform

import (
	"database/sql"
	"strings"
	"testing"
)

// macroTx opens a fresh database and returns a transaction in which the reference tables are
// loaded and every always-run step (no "-- requires:") has run: the cleaning macros exist.
func macroTx(t testing.TB) *sql.Tx {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := t.Context()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := registerFunctions(conn); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	if _, err := loadReference(ctx, tx, ""); err != nil {
		t.Fatal(err)
	}
	steps, err := Steps()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if len(s.Requires) == 0 && strings.HasPrefix(s.Name, "00") {
			if _, err := tx.ExecContext(ctx, s.SQL); err != nil {
				t.Fatalf("step %s: %v", s.Name, err)
			}
		}
	}
	return tx
}
