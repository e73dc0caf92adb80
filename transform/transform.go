package transform

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/data"
)

//go:embed sql/*.sql
var stepFS embed.FS

// SourceInput is one source's raw data for a transform: the Parquet files of one collect run.
type SourceInput struct {
	Source string
	RunID  string
	Files  []string
}

// Inputs are what one transform run reads.
type Inputs struct {
	RunID   string
	Sources []SourceInput
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
}

// Step is one SQL file.
type Step struct {
	Name     string
	Requires []string
	SQL      string
}

// Steps returns the embedded steps in run order.
func Steps() ([]Step, error) {
	names, err := fs.Glob(stepFS, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	steps := make([]Step, 0, len(names))
	for _, n := range names {
		b, err := stepFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		steps = append(steps, Step{Name: path.Base(n), Requires: requires(string(b)), SQL: string(b)})
	}
	return steps, nil
}

// requires reads "-- requires: a, b" lines from a step's header comment.
func requires(sqlText string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(sqlText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			break
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "--")), "requires:"); ok {
			for _, s := range strings.Split(rest, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
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
CREATE OR REPLACE TABLE ref_cities (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, name_en VARCHAR, province VARCHAR, kind VARCHAR);
CREATE OR REPLACE TABLE ref_city_prefixes (prefix VARCHAR NOT NULL, code VARCHAR NOT NULL, short_name VARCHAR NOT NULL);
`

// Run executes every step in one transaction on db.
func Run(ctx context.Context, db *sql.DB, in Inputs) (*Result, error) {
	steps, err := Steps()
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
	if err := loadReference(ctx, tx); err != nil {
		return nil, err
	}
	res := &Result{Tables: map[string]int64{}}
	for _, s := range in.Sources {
		table := "raw_" + s.Source
		q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT * FROM read_parquet(?, union_by_name = true)`, table)
		if _, err := tx.ExecContext(ctx, q, s.Files); err != nil {
			return nil, fmt.Errorf("staging %s from run %s: %w", s.Source, s.RunID, err)
		}
	}
	for _, st := range steps {
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
			return nil, fmt.Errorf("running step %s: %w", st.Name, err)
		}
		res.Steps = append(res.Steps, st.Name)
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

// loadReference fills ref_cities with the sample cities and ref_city_prefixes with every way an
// address may start when it names a prefecture-level city: with the province in full (浙江省杭州),
// abbreviated (浙江杭州) or left out (杭州). Municipalities are their own province (北京市朝阳区).
func loadReference(ctx context.Context, tx *sql.Tx) error {
	cities, err := data.Cities()
	if err != nil {
		return err
	}
	for _, c := range cities {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ref_cities VALUES (?, ?, ?, ?, ?)`, c.Code, c.Name, c.NameEN, c.Province, c.Kind); err != nil {
			return fmt.Errorf("loading city %s: %w", c.Name, err)
		}
	}
	provinces, err := data.ReadCSV("divisions/provinces.csv")
	if err != nil {
		return err
	}
	provName := map[string]string{}
	for _, p := range provinces {
		provName[p["code"]] = p["name"]
	}
	prefectures, err := data.ReadCSV("divisions/cities.csv")
	if err != nil {
		return err
	}
	var args []any
	var values []string
	add := func(prefix, code, short string) {
		values = append(values, "(?, ?, ?)")
		args = append(args, prefix, code, short)
	}
	for _, p := range prefectures {
		province := provName[p["provinceCode"]]
		if province == "" {
			return fmt.Errorf("loading divisions: city %s names unknown province %s", p["code"], p["provinceCode"])
		}
		name := p["name"]
		if name == "市辖区" || name == "县" { // a municipality's own rows: the province is the city
			name = province
		}
		short := shortCityName(name)
		add(short, p["code"], short)
		if name != province {
			add(province+short, p["code"], short)
			add(shortProvinceName(province)+short, p["code"], short)
		}
	}
	const chunk = 500 // rows per INSERT: few round trips, bounded statement size
	for i := 0; i < len(values); i += chunk {
		j := min(i+chunk, len(values))
		q := `INSERT INTO ref_city_prefixes VALUES ` + strings.Join(values[i:j], ",")
		if _, err := tx.ExecContext(ctx, q, args[i*3:j*3]...); err != nil {
			return fmt.Errorf("loading city prefixes: %w", err)
		}
	}
	return nil
}

var (
	provinceSuffix = regexp.MustCompile(`(省|市|壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区)$`)
	citySuffix     = regexp.MustCompile(`(市|地区|盟)$`)
)

func shortProvinceName(s string) string { return provinceSuffix.ReplaceAllString(s, "") }

// shortCityName drops the 市 of a prefecture name; autonomous prefectures keep their full name
// because their short forms (e.g. 延边) are not reliably used in addresses.
func shortCityName(s string) string {
	if strings.HasSuffix(s, "自治州") {
		return s
	}
	return citySuffix.ReplaceAllString(s, "")
}

// ErrNoInputs is returned when no source has data to transform.
var ErrNoInputs = errors.New("transform: no source has a successful collect run")
