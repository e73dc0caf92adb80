package transform

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors"
	_ "github.com/fhi-index/fhi/collectors/all" // every registered source and its fields
	"github.com/fhi-index/fhi/data"
)

// registeredSources are the sources the binary registers, with their fields.
func registeredSources() map[string][]string {
	out := map[string][]string{}
	for _, s := range collectors.Default.Sources() {
		out[s.Name] = s.Fields
	}
	return out
}

// TestLintEmbedded runs every embedded step on empty inputs of every registered source: all run,
// and the framework and the steps agree.
func TestLintEmbedded(t *testing.T) {
	rep, err := Lint(t.Context(), LintOptions{Sources: registeredSources()})
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Steps()
	if rep.Steps != len(steps) || len(rep.Skipped) != 0 {
		t.Errorf("ran %d of %d steps (skipped %v)", rep.Steps, len(steps), rep.Skipped)
	}
	inds, _ := data.Indicators()
	if len(inds) != 39 {
		t.Errorf("the framework defines %d indicators, want 39", len(inds))
	}
	for _, ind := range inds {
		if ind.Unit == "" || ind.Definition == "" || len(ind.Sources) == 0 {
			t.Errorf("indicator %s lacks a unit, definition or sources", ind.ID)
		}
	}
}

// TestDataDictionary checks that every table and column the transform creates says what it holds
// (DuckDB COMMENT ON, read with fhi sql from duckdb_tables() and duckdb_columns()) and that types
// are consistent: no HUGEINT (counts are BIGINT), dates as DATE.
func TestDataDictionary(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, conn, err := dryRun(t.Context(), db, LintOptions{Sources: registeredSources()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(t.Context(), `
		SELECT t.table_name, coalesce(t.comment, '') FROM duckdb_tables() t WHERE NOT t.temporary ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables := 0
	for rows.Next() {
		var name, comment string
		if err := rows.Scan(&name, &comment); err != nil {
			t.Fatal(err)
		}
		tables++
		if comment == "" && !strings.HasPrefix(name, "raw_") {
			t.Errorf("table %s has no comment", name)
		}
	}
	rows.Close()
	rows, err = conn.QueryContext(t.Context(), `
		SELECT c.table_name, c.column_name, c.data_type, coalesce(c.comment, '')
		FROM duckdb_columns() c JOIN duckdb_tables() t USING (table_name)
		WHERE NOT t.temporary AND c.table_name NOT LIKE 'raw\_%' ESCAPE '\' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns := 0
	for rows.Next() {
		var table, column, typ, comment string
		if err := rows.Scan(&table, &column, &typ, &comment); err != nil {
			t.Fatal(err)
		}
		columns++
		if comment == "" {
			t.Errorf("column %s.%s has no comment", table, column)
		}
		if typ == "HUGEINT" {
			t.Errorf("column %s.%s is HUGEINT: counts are BIGINT", table, column)
		}
		if (column == "week" || strings.HasSuffix(column, "_date") || column == "founded" || column == "posted") && typ != "DATE" {
			t.Errorf("column %s.%s is %s, want DATE", table, column, typ)
		}
	}
	if tables < 25 || columns < 300 {
		t.Errorf("checked %d tables and %d columns: the dry run did not build them all", tables, columns)
	}
	t.Logf("%d tables, %d columns documented", tables, columns)
}

// TestLintSQLDir lints an analyst's SQL directory: each kind of mistake is reported with its file,
// all at once; a correct directory with its framework entry passes.
func TestLintSQLDir(t *testing.T) {
	write := func(dir, name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sources := registeredSources()
	sources["yearbook"] = []string{"城市", "金融从业人员"}

	bad := t.TempDir()
	write(bad, "100_yearbook.sql", "-- requires: yearbook\nINSERT INTO metrics SELECT 'ecosystem.business.finance_jobs', c.code, c.name, TRY_CAST(y.金融从业人员 AS DOUBLE), 1\nFROM raw_yearbook y JOIN ref_cities c ON c.name = y.城市;\n")
	write(bad, "101_typo.sql", "-- requires: p2p\nSELECT no_such_column FROM raw_p2p;\n")
	write(bad, "102_syntax.sql", "SELEC 1;\n")
	write(bad, "statuses.csv", "domain,value,status,operating,note\nfirm,营业正常,operating,maybe,\n")
	_, err := Lint(t.Context(), LintOptions{SQLDir: bad, Sources: sources})
	for _, want := range []string{"101_typo.sql", "no_such_column", "102_syntax.sql", "statuses.csv line 2", `"maybe" is not true or false`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("lint error %v, want it to say %q", err, want)
		}
	}
	badName := t.TempDir()
	write(badName, "yearbook.sql", "SELECT 1;\n")
	if _, err := Lint(t.Context(), LintOptions{SQLDir: badName, Sources: sources}); err == nil || !strings.Contains(err.Error(), "NNN_name.sql") {
		t.Errorf("lint error %v, want one about the file name", err)
	}

	good := t.TempDir()
	write(good, "100_yearbook.sql", "-- requires: yearbook\nINSERT INTO metrics SELECT 'ecosystem.business.finance_jobs', c.code, c.name, TRY_CAST(y.金融从业人员 AS DOUBLE), 1\nFROM raw_yearbook y JOIN ref_cities c ON c.name = y.城市;\n")
	write(good, "statuses.csv", "domain,value,status,operating,note\nfirm,正常,operating,true,\nfirm,营业正常,operating,true,a new spelling\n")
	// Without a framework entry the new indicator is computed but not scored: a warning…
	rep, err := Lint(t.Context(), LintOptions{SQLDir: good, Sources: sources})
	if err != nil || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "ecosystem.business.finance_jobs, which the framework does not define") {
		t.Errorf("lint: %v, warnings %q; want one warning naming the undefined indicator", err, rep.Warnings)
	}
	// …with one it passes clean; an entry naming a missing step or a source its step does not read fails.
	fw := strings.Replace(string(data.FrameworkYAML), "            - id: ecosystem.business.gdp_per_capita\n",
		"            - id: ecosystem.business.finance_jobs\n              name: 金融从业人员\n              unit: persons\n              sources: [yearbook]\n              step: 100_yearbook\n              definition: \"finance employees, yearbook\"\n            - id: ecosystem.business.gdp_per_capita\n", 1)
	if fw == string(data.FrameworkYAML) {
		t.Fatal("framework edit did not apply")
	}
	if rep, err := Lint(t.Context(), LintOptions{SQLDir: good, Sources: sources, Framework: []byte(fw)}); err != nil || len(rep.Warnings) != 0 {
		t.Errorf("lint of a correct directory: %v, warnings %q", err, rep.Warnings)
	}
	broken := strings.Replace(fw, "step: 100_yearbook", "step: 100_yearbok", 1)
	broken = strings.Replace(broken, "sources: [yearbook]", "sources: [yearbook]", 1)
	if _, err := Lint(t.Context(), LintOptions{SQLDir: good, Sources: sources, Framework: []byte(broken)}); err == nil || !strings.Contains(err.Error(), "step 100_yearbok does not exist") {
		t.Errorf("lint error %v, want the missing step named", err)
	}
	wrongSource := strings.Replace(fw, "sources: [yearbook]", "sources: [yearbook, survey]", 1)
	if _, err := Lint(t.Context(), LintOptions{SQLDir: good, Sources: sources, Framework: []byte(wrongSource)}); err == nil || !strings.Contains(err.Error(), "lists source survey, which step 100_yearbook.sql does not read") {
		t.Errorf("lint error %v, want the unread source named", err)
	}
}
