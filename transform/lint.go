package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/fhi-index/fhi/collectors"
	"regexp"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/data"
)

// LintOptions say what to check.
type LintOptions struct {
	SQLDir string // an analyst's SQL directory, laid over the embedded steps and tables
	// Sources are the sources a transform may get, with their fields (the registered specs' and
	// the lake's imports): each becomes an empty raw table for the dry run.
	Sources map[string][]string
	// Framework is the framework document whose indicators the steps must compute (nil: the
	// embedded data/framework.yaml).
	Framework []byte
}

// LintReport is what a lint found besides problems.
type LintReport struct {
	Steps      int      // steps checked by running them
	Skipped    []string // steps not run: a source they read is not among LintOptions.Sources
	Indicators []string // indicators the dry run computed
	// Warnings are not failures: an indicator a step computes that the framework does not define
	// is computed but never scored.
	Warnings []string
	// Failed are the steps that failed to run, with the sources they read.
	Failed []StepFailure
}

// StepFailure is one step a dry run could not run.
type StepFailure struct {
	Step Step
	Err  error
}

// Lint checks an SQL directory and the embedded steps without touching a lake: file names, the
// reference CSVs (header and every cell against the table's types), and every step by running it
// in a throwaway in-memory database on empty raw tables with each source's fields — so a typo in a
// column or table name, a macro misused or a syntax error is reported with its step and file. It
// then checks the framework against the steps: every indicator names a step that exists and reads
// its sources, and every indicator a step computes is defined. Every problem is reported, joined.
func Lint(ctx context.Context, opts LintOptions) (*LintReport, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rep, _, err := dryRun(ctx, db, opts)
	return rep, err
}

// dryRun runs every step on empty inputs in db and checks the framework against them. It returns
// the connection it ran on (open; the caller's db closes it) for callers that inspect the tables.
func dryRun(ctx context.Context, db *sql.DB, opts LintOptions) (*LintReport, *sql.Conn, error) {
	var problems []error
	steps, err := StepsWith(opts.SQLDir)
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := registerFunctions(conn); err != nil {
		return nil, conn, err
	}
	for _, q := range []string{schema, currentTables} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, conn, err
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, conn, err
	}
	_, refProblems, err := loadReferenceTables(ctx, tx, opts.SQLDir, true)
	problems = append(problems, refProblems...)
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback() //nolint:errcheck // the load failed; nothing to keep
	}
	if err != nil {
		return nil, conn, err // the steps cannot run without their tables
	}
	for _, name := range sortedSources(opts.Sources) {
		if err := collectors.ValidSourceName(name); err != nil {
			problems = append(problems, err)
			continue
		}
		if err := emptyRawTable(ctx, conn, name, opts.Sources[name]); err != nil {
			problems = append(problems, err)
		}
	}
	rep := &LintReport{}
	for _, st := range steps {
		missing := false
		for _, r := range st.Requires {
			if _, ok := opts.Sources[r]; !ok {
				missing = true
			}
		}
		if missing {
			rep.Skipped = append(rep.Skipped, st.Name)
			continue
		}
		// Each step in autocommit: one that fails leaves the next to be checked too.
		if _, err := conn.ExecContext(ctx, st.SQL); err != nil {
			problems = append(problems, fmt.Errorf("step %s (%s): %w", st.Name, st.Origin, err))
			rep.Failed = append(rep.Failed, StepFailure{Step: st, Err: err})
			continue
		}
		rep.Steps++
	}
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT indicator FROM metrics ORDER BY indicator`)
	if err == nil {
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil {
				rep.Indicators = append(rep.Indicators, s)
			}
		}
		rows.Close()
	}
	fwProblems, warnings := checkFramework(opts, steps, rep.Indicators)
	problems = append(problems, fwProblems...)
	rep.Warnings = warnings
	return rep, conn, errors.Join(problems...)
}

// checkFramework compares the framework's indicator definitions with the steps.
func checkFramework(opts LintOptions, steps []Step, computed []string) (problems []error, warnings []string) {
	doc := opts.Framework
	if doc == nil {
		doc = data.FrameworkYAML
	}
	inds, err := data.ParseIndicators(doc)
	if err != nil {
		return []error{err}, nil
	}
	computed = append(computed, literalIndicators(steps, inds)...)
	byStem := map[string]Step{}
	for _, s := range steps {
		byStem[s.Stem()] = s
	}
	defined := map[string]bool{}
	for _, ind := range inds {
		defined[ind.ID] = true
		if ind.Step == "" {
			problems = append(problems, fmt.Errorf("framework: indicator %s names no step (step: NNN_name, the SQL file that computes it)", ind.ID))
			continue
		}
		st, ok := byStem[ind.Step]
		if !ok {
			problems = append(problems, fmt.Errorf("framework: indicator %s: step %s does not exist (steps: embedded and --sql-dir)", ind.ID, ind.Step))
			continue
		}
		reads := map[string]bool{}
		for _, r := range st.Requires {
			reads[r] = true
		}
		for _, src := range ind.Sources {
			if !reads[src] {
				problems = append(problems, fmt.Errorf("framework: indicator %s lists source %s, which step %s does not read (-- requires: %s)",
					ind.ID, src, st.Name, strings.Join(st.Requires, ", ")))
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range computed {
		if seen[c] {
			continue
		}
		seen[c] = true
		if !defined[c] {
			warnings = append(warnings, fmt.Sprintf("a step computes indicator %s, which the framework does not define: it is computed but not scored until a framework file (--framework) has it (id, name, unit, sources, step)", c))
		}
	}
	return problems, warnings
}

// literalIndicators returns the indicator ids the steps' SQL writes out as quoted literals: a
// framework's top-level group and at least two more dot-separated parts
// ('ecosystem.business.finance_jobs'). A dry run on empty tables inserts no rows for most steps,
// so lint reads the ids in the text too.
func literalIndicators(steps []Step, inds []data.Indicator) []string {
	tops := map[string]bool{}
	for _, ind := range inds {
		tops[regexp.QuoteMeta(strings.SplitN(ind.ID, ".", 2)[0])] = true
	}
	if len(tops) == 0 {
		return nil
	}
	names := make([]string, 0, len(tops))
	for t := range tops {
		names = append(names, t)
	}
	sort.Strings(names)
	re := regexp.MustCompile(`'((?:` + strings.Join(names, "|") + `)(?:\.[a-z0-9_]+){2,})'`)
	var out []string
	for _, s := range steps {
		for _, m := range re.FindAllStringSubmatch(s.SQL, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// emptyRawTable creates raw_<source> with the lineage columns and fields, all text as raw
// Parquet has them, and no rows.
func emptyRawTable(ctx context.Context, conn *sql.Conn, source string, fields []string) error {
	cols := []string{"record_id VARCHAR", "run_id VARCHAR", "source VARCHAR", "record_key VARCHAR", "url VARCHAR",
		"fetched_at TIMESTAMP", "http_status INTEGER", "body_sha256 VARCHAR", "warc_file VARCHAR", "warc_offset BIGINT",
		"warc_record_id VARCHAR"}
	seen := map[string]bool{}
	for _, c := range cols {
		seen[strings.Fields(c)[0]] = true
	}
	for _, f := range fields {
		if !seen[f] {
			seen[f] = true
			cols = append(cols, fmt.Sprintf(`"%s" VARCHAR`, strings.ReplaceAll(f, `"`, `""`)))
		}
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TABLE raw_%s (%s)`, source, strings.Join(cols, ", "))); err != nil {
		return fmt.Errorf("source %s: creating its empty raw table: %w", source, err)
	}
	return nil
}

func sortedSources(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
