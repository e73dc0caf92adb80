package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/fhi-index/fhi/collectors"
	"slices"
)

// ErrMissingColumn marks a source whose spec does not extract a column the transform reads.
var ErrMissingColumn = errors.New("transform: a step reads a column the source does not extract")

// CheckSources tells, before anything is crawled, whether the steps can read what sources
// extract: for each source in check whose fields differ from baseline's, every step is run on
// empty raw tables — the source's fields from check, every other source's from baseline — in a
// fresh database from open (an in-memory DuckDB), with the reference tables and macros loaded. A
// step that reads a column the source lacks fails to bind; the error names the source, the step and
// DuckDB's reason (which names the column). A source whose fields equal baseline's is Lint's to
// check. Every checked source is reported.
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
		if b, ok := baseline[name]; ok && slices.Equal(b, check[name]) {
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
		if err := checkOne(ctx, open, tables, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func checkOne(ctx context.Context, open func() (*sql.DB, error), tables map[string][]string, source string) error {
	db, err := open()
	if err != nil {
		return fmt.Errorf("opening a database to check %s: %w", source, err)
	}
	defer db.Close()
	rep, conn, err := dryRun(ctx, db, LintOptions{Sources: tables})
	if conn != nil {
		defer conn.Close()
	}
	if rep == nil {
		return fmt.Errorf("checking %s: %w", source, err)
	}
	if len(rep.Failed) > 0 { // the first failing step says what is wrong; later ones follow from it
		f := rep.Failed[0]
		if slices.Contains(f.Step.Requires, source) {
			return fmt.Errorf("%w: source %s: step %s: %v", ErrMissingColumn, source, f.Step.Name, f.Err)
		}
		return fmt.Errorf("checking %s: step %s fails on the other sources' fields: %v", source, f.Step.Name, f.Err)
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
