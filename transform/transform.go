package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/collectors"
)

// SourceInput is one source's raw data for a transform: the Parquet files of one collect run.
type SourceInput struct {
	Source string
	RunID  string
	Files  []string
	// Fields are the columns the source's records may carry (its spec's fields). A column the
	// files lack — a run from before a spec gained the field, an import that maps only some — is
	// added as NULL, so steps can read every field of a source whatever run they get.
	Fields []string
}

// Inputs are what one transform run reads.
type Inputs struct {
	RunID   string
	Sources []SourceInput
	// SQLDir, if set, is an analyst's directory of SQL steps and reference CSV files laid over the
	// embedded ones (see StepsWith and data/README.md): no rebuild to add an indicator or a spelling.
	SQLDir string
	// Step, if set, is called as each step starts (i of n, counting from 1) and once more with i > n
	// when the last has run: a long transform shows where it is.
	Step func(i, n int, name string)
}

// Skipped is a step that did not run because a source it reads has no data.
type Skipped struct {
	Step    string   `json:"step"`
	Missing []string `json:"missing_sources"`
}

// Result reports what a transform run wrote.
type Result struct {
	Steps       []string         `json:"steps"`
	Skipped     []Skipped        `json:"skipped,omitempty"`
	Tables      map[string]int64 `json:"tables"`
	Indicators  []string         `json:"indicators"`
	Quarantined int64            `json:"quarantined"`
	// Files are the SQL steps and reference files the run read that are not embedded in the binary.
	Files []string `json:"files,omitempty"`
}

// schema is created once per database; the runner replaces current-state tables itself.
const schema = `
CREATE TABLE IF NOT EXISTS metric_history (
    transform_run_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    city_code VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    value DOUBLE,
    n_records BIGINT,
    PRIMARY KEY (transform_run_id, indicator, city_code)
);
CREATE TABLE IF NOT EXISTS transform_runs (
    run_id VARCHAR PRIMARY KEY,
    inputs VARCHAR NOT NULL
);
COMMENT ON TABLE metric_history IS 'every transform run''s metrics, kept under its run id for scoring and audits';
COMMENT ON COLUMN metric_history.transform_run_id IS 'the transform run';
COMMENT ON COLUMN metric_history.indicator IS 'indicator id (data/framework.yaml)';
COMMENT ON COLUMN metric_history.city_code IS 'sample city, 4-digit NBS code';
COMMENT ON COLUMN metric_history.city IS 'sample city, short name';
COMMENT ON COLUMN metric_history.value IS 'the metric in the indicator''s unit (data/framework.yaml); NULL = no data';
COMMENT ON COLUMN metric_history.n_records IS 'records behind the value';
COMMENT ON TABLE transform_runs IS 'transform runs and the collect runs they read';
COMMENT ON COLUMN transform_runs.run_id IS 'the transform run';
COMMENT ON COLUMN transform_runs.inputs IS 'source=collect_run pairs it read, comma-separated';
`

// currentTables are rebuilt from scratch by every run, before the steps.
const currentTables = `
CREATE OR REPLACE TABLE metrics (
    indicator VARCHAR NOT NULL,
    city_code VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    value DOUBLE,
    n_records BIGINT,
    PRIMARY KEY (indicator, city_code)
);
CREATE OR REPLACE TABLE metric_records (
    indicator VARCHAR NOT NULL,
    city_code VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    collect_run_id VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE quarantine (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    value VARCHAR
);
COMMENT ON TABLE metrics IS 'the current transform''s per-city indicator values';
COMMENT ON COLUMN metrics.indicator IS 'indicator id (data/framework.yaml)';
COMMENT ON COLUMN metrics.city_code IS 'sample city, 4-digit NBS code';
COMMENT ON COLUMN metrics.city IS 'sample city, short name';
COMMENT ON COLUMN metrics.value IS 'the metric in the indicator''s unit (data/framework.yaml); NULL = no data';
COMMENT ON COLUMN metrics.n_records IS 'records behind the value';
COMMENT ON TABLE metric_records IS 'the records behind each metric value (lineage)';
COMMENT ON COLUMN metric_records.indicator IS 'indicator id';
COMMENT ON COLUMN metric_records.city_code IS 'sample city, 4-digit NBS code';
COMMENT ON COLUMN metric_records.record_id IS 'raw record id';
COMMENT ON COLUMN metric_records.source IS 'the record''s source';
COMMENT ON COLUMN metric_records.collect_run_id IS 'the collect (or import) run of the record';
COMMENT ON TABLE quarantine IS 'rows the transform set aside or could not fully clean, with the reason (fhi quality lists them)';
COMMENT ON COLUMN quarantine.source IS 'the row''s source';
COMMENT ON COLUMN quarantine.record_id IS 'raw record id';
COMMENT ON COLUMN quarantine.reason IS 'what was wrong, e.g. place: ambiguous: 朝阳区 is in 北京, 长春';
COMMENT ON COLUMN quarantine.value IS 'the value as printed';
`

// Run executes every step in one transaction on db.
func Run(ctx context.Context, db *sql.DB, in Inputs) (*Result, error) {
	steps, err := StepsWith(in.SQLDir)
	if err != nil {
		return nil, fmt.Errorf("reading steps: %w", err)
	}
	have := map[string]bool{}
	for _, s := range in.Sources {
		// The one place a name becomes part of SQL text (a table name): source names are registered
		// in code, never scraped, but the check keeps it that way.
		if err := collectors.ValidSourceName(s.Source); err != nil {
			return nil, err
		}
		if len(s.Files) == 0 {
			return nil, fmt.Errorf("transform: source %s run %s has no Parquet files", s.Source, s.RunID)
		}
		have[s.Source] = true
	}

	// One connection for the whole run: temporary macros belong to a connection.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	defer conn.Close()
	if err := registerFunctions(conn); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("creating schema: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	if _, err := tx.ExecContext(ctx, currentTables); err != nil {
		return nil, fmt.Errorf("creating current tables: %w", err)
	}
	refs, err := loadReference(ctx, tx, in.SQLDir)
	if err != nil {
		return nil, err
	}
	res := &Result{Tables: map[string]int64{}}
	for _, r := range refs {
		if !strings.HasPrefix(r.Path, "data/") {
			res.Files = append(res.Files, r.Path)
		}
	}
	for _, s := range in.Sources {
		table := "raw_" + s.Source
		q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT * FROM read_parquet(?, union_by_name = true)`, table)
		if _, err := tx.ExecContext(ctx, q, s.Files); err != nil {
			return nil, fmt.Errorf("staging %s from run %s: %w", s.Source, s.RunID, err)
		}
		comment := fmt.Sprintf(`COMMENT ON TABLE %s IS 'raw records of source %s, collect run %s: lineage columns, then each field as printed (text)'`,
			table, s.Source, sqlQuote(s.RunID))
		if _, err := tx.ExecContext(ctx, comment); err != nil {
			return nil, fmt.Errorf("staging %s: %w", s.Source, err)
		}
		for _, f := range s.Fields {
			add := fmt.Sprintf(`ALTER TABLE %s ADD COLUMN IF NOT EXISTS "%s" VARCHAR`, table, strings.ReplaceAll(f, `"`, `""`))
			if _, err := tx.ExecContext(ctx, add); err != nil {
				return nil, fmt.Errorf("staging %s: adding field %s: %w", s.Source, f, err)
			}
		}
	}
	for i, st := range steps {
		if in.Step != nil {
			in.Step(i+1, len(steps), st.Name)
		}
		var missing []string
		for _, r := range st.Requires {
			if !have[r] {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			res.Skipped = append(res.Skipped, Skipped{Step: st.Name, Missing: missing})
			continue
		}
		if _, err := tx.ExecContext(ctx, st.SQL); err != nil {
			return nil, fmt.Errorf("running step %s (%s): %w", st.Name, st.Origin, err)
		}
		res.Steps = append(res.Steps, st.Name)
		if !strings.HasPrefix(st.Origin, "sql/") {
			res.Files = append(res.Files, st.Origin)
		}
	}

	if in.Step != nil {
		in.Step(len(steps)+1, len(steps), "")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM metric_history WHERE transform_run_id = ?`, in.RunID); err != nil {
		return nil, fmt.Errorf("clearing history of run %s: %w", in.RunID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO metric_history SELECT ?, indicator, city_code, city, value, n_records FROM metrics`, in.RunID); err != nil {
		return nil, fmt.Errorf("recording metric history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO transform_runs VALUES (?, ?)`, in.RunID, describeInputs(in)); err != nil {
		return nil, fmt.Errorf("recording transform run: %w", err)
	}
	if err := countTables(ctx, tx, res); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("committing transform: %w", err)
	}
	return res, nil
}

func describeInputs(in Inputs) string {
	parts := make([]string, 0, len(in.Sources))
	for _, s := range in.Sources {
		parts = append(parts, s.Source+"="+s.RunID)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func countTables(ctx context.Context, tx *sql.Tx, res *Result) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("listing tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		var n int64
		// Table names come from duckdb_tables(), i.e. from our own DDL.
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM "%s"`, strings.ReplaceAll(t, `"`, `""`))).Scan(&n); err != nil {
			return fmt.Errorf("counting %s: %w", t, err)
		}
		res.Tables[t] = n
	}
	res.Quarantined = res.Tables["quarantine"]
	ind, err := tx.QueryContext(ctx, `SELECT DISTINCT indicator FROM metrics ORDER BY indicator`)
	if err != nil {
		return fmt.Errorf("listing indicators: %w", err)
	}
	defer ind.Close()
	for ind.Next() {
		var s string
		if err := ind.Scan(&s); err != nil {
			return err
		}
		res.Indicators = append(res.Indicators, s)
	}
	return ind.Err()
}

// ErrNoInputs is returned when no source has data to transform.
var ErrNoInputs = errors.New("transform: no source has a successful collect run")
