package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/fhi-index/fhi/collectors"
	"slices"
	"strings"
)

// ErrMissingColumn marks a source whose spec does not extract a column the transform reads.
var ErrMissingColumn = errors.New("transform: a step reads a column the source does not extract")

// lineageColumns are the columns every raw Parquet file starts with (collectors.RawSchema), with
// the types DuckDB reads them as.
var lineageColumns = []string{
	"record_id VARCHAR", "run_id VARCHAR", "source VARCHAR", "record_key VARCHAR", "url VARCHAR",
	"fetched_at TIMESTAMPTZ", "http_status INTEGER", "body_sha256 VARCHAR", "warc_file VARCHAR",
	"warc_offset BIGINT", "warc_record_id VARCHAR",
}

// CheckSources tells, before anything is crawled, whether the steps can read what sources
// extract: for each source in check, every step is run on empty raw tables — the source's fields
// from check, every other source's from baseline — in a fresh database from open (an in-memory
// DuckDB). A step that reads a column the source lacks fails to bind; the error names the source,
// the step and DuckDB's reason (which names the column). Every checked source is reported.
func CheckSources(ctx context.Context, open func() (*sql.DB, error), baseline, check map[string][]string) error {
	steps, err := Steps()
	if err != nil {
		return fmt.Errorf("reading steps: %w", err)
	}
	var errs []error
	for _, name := range sortedNames(check) {
		if err := collectors.ValidSourceName(name); err != nil {
			errs = append(errs, err)
			continue
		}
		reads := false
		for _, st := range steps {
			reads = reads || slices.Contains(st.Requires, name)
		}
		if !reads {
			continue // no step reads the source
		}
		tables := map[string][]string{}
		for k, v := range baseline {
			tables[k] = v
		}
		tables[name] = check[name]
		if err := checkOne(ctx, open, steps, tables, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkOne(ctx context.Context, open func() (*sql.DB, error), steps []Step, tables map[string][]string, source string) error {
	db, err := open()
	if err != nil {
		return fmt.Errorf("opening a database to check %s: %w", source, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, schema+currentTables); err != nil {
		return fmt.Errorf("creating schema: %w", err)
	}
	for _, name := range sortedNames(tables) {
		if collectors.ValidSourceName(name) != nil {
			continue
		}
		cols := append([]string(nil), lineageColumns...)
		for _, f := range tables[name] {
			if !slices.ContainsFunc(lineageColumns, func(c string) bool { return strings.HasPrefix(c, f+" ") }) {
				cols = append(cols, `"`+strings.ReplaceAll(f, `"`, `""`)+`" VARCHAR`)
			}
		}
		// Names come from registered sources and spec field names (lowercase identifiers).
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE raw_%s (%s)", name, strings.Join(cols, ", "))); err != nil {
			return fmt.Errorf("staging %s: %w", name, err)
		}
	}
	for _, st := range steps {
		missing := false
		for _, r := range st.Requires {
			_, ok := tables[r]
			missing = missing || !ok
		}
		if missing {
			continue
		}
		if _, err := conn.ExecContext(ctx, st.SQL); err != nil {
			if slices.Contains(st.Requires, source) {
				return fmt.Errorf("%w: source %s: step %s: %v", ErrMissingColumn, source, st.Name, err)
			}
			return fmt.Errorf("checking %s: step %s fails on the other sources' fields: %v", source, st.Name, err)
		}
	}
	return nil
}

func sortedNames(m map[string][]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
