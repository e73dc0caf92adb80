package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// ErrReadOnlyQuery is returned for anything but one SELECT statement: fhi sql only reads.
var ErrReadOnlyQuery = errors.New("pipelines: fhi sql runs one SELECT (or FROM, WITH, DESCRIBE, SHOW, SUMMARIZE) statement")

// QueryResult is a read-only query's answer: column names and types, and the rows with DuckDB's
// values (times as RFC 3339 text, lists and structs as Go slices and maps).
type QueryResult struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
}

// Query runs one read-only statement on the lake's database: the database is opened read-only,
// and the statement must parse as a single SELECT (DuckDB's own parser decides, through
// json_serialize_sql), so it can neither change the lake nor write a file. The tables, and their
// data dictionary in duckdb_tables() and duckdb_columns(), are those of the latest transform and
// score runs. maxRows > 0 stops reading after that many rows.
func (l *Lake) Query(ctx context.Context, query string, maxRows int) (*QueryResult, error) {
	if _, err := os.Stat(l.DBPath()); err != nil {
		return nil, errors.New("the lake has no database yet: run `fhi transform` (or `fhi run`) first")
	}
	db, err := sql.Open("duckdb", l.DBPath()+"?access_mode=READ_ONLY")
	if err != nil {
		return nil, fmt.Errorf("opening %s read-only: %w", l.DBPath(), err)
	}
	defer db.Close()
	var failed bool
	var message sql.NullString
	var statements sql.NullInt64
	err = db.QueryRowContext(ctx, `SELECT coalesce(json_extract(j, '$.error')::BOOLEAN, false), json_extract_string(j, '$.error_message'),
		json_array_length(json_extract(j, '$.statements')) FROM (SELECT json_serialize_sql(?::VARCHAR) AS j)`, query).
		Scan(&failed, &message, &statements)
	if err != nil {
		return nil, fmt.Errorf("parsing the query: %w", err)
	}
	switch {
	case failed && strings.Contains(message.String, "Only SELECT"):
		return nil, ErrReadOnlyQuery
	case failed:
		return nil, fmt.Errorf("parsing the query: %s", message.String)
	case statements.Int64 != 1:
		return nil, fmt.Errorf("%w; got %d statements", ErrReadOnlyQuery, statements.Int64)
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("running the query: %w", err)
	}
	defer rows.Close()
	res := &QueryResult{Rows: [][]any{}}
	if res.Columns, err = rows.Columns(); err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		res.Types = append(res.Types, t.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(res.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("reading the answer: %w", err)
		}
		for i, v := range vals {
			if t, ok := v.(time.Time); ok {
				if res.Types[i] == "DATE" {
					vals[i] = t.Format(time.DateOnly)
				} else {
					vals[i] = t.UTC().Format(time.RFC3339Nano)
				}
			}
		}
		res.Rows = append(res.Rows, vals)
		if maxRows > 0 && len(res.Rows) >= maxRows {
			break
		}
	}
	return res, rows.Err()
}
