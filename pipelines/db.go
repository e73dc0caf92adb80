package pipelines

import (
	"database/sql"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// openDB opens the lake's DuckDB database. DuckDB allows one writing process per file; the lake
// lock already guarantees that.
func (l *Lake) openDB() (*sql.DB, error) {
	db, err := sql.Open("duckdb", l.DBPath())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", l.DBPath(), err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", l.DBPath(), err)
	}
	return db, nil
}
