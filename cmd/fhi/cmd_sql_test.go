package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportTransformSQL is the analyst's loop on the command line: import a bought GBK directory
// as the p2p source, transform, read the cleaned rows and the data dictionary with fhi sql in
// every format; fhi sql refuses anything that writes.
func TestImportTransformSQL(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	code, out, errOut := fhi(t, "import", "--lake", lake, "--as", "p2p", "--key", "平台编号",
		"--map-file", "../../examples/p2p_directory/columns.yaml", "../../examples/p2p_directory/directory-gbk.csv")
	if code != exitOK || !strings.Contains(out, "p2p\tsucceeded\t8 records (gb18030 (detected))") {
		t.Fatalf("fhi import: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := fhi(t, "transform", "--lake", lake); code != exitOK {
		t.Fatalf("fhi transform: exit %d\n%s%s", code, out, errOut)
	}
	query := "SELECT platform_id, city_name, status FROM clean_p2p_platforms WHERE platform_id IN ('WD0001', 'WD0007') ORDER BY 1"
	code, out, errOut = fhi(t, "sql", "--lake", lake, query)
	if code != exitOK || !strings.Contains(out, "WD0001       杭州       operating") || !strings.Contains(out, "WD0007       济南") || !strings.Contains(out, "(2 rows)") {
		t.Errorf("fhi sql (table): exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = fhi(t, "sql", "--lake", lake, "--format", "csv", query)
	if code != exitOK || out != "platform_id,city_name,status\nWD0001,杭州,operating\nWD0007,济南,operating\n" {
		t.Errorf("fhi sql (csv): exit %d\n%q", code, out)
	}
	code, out, _ = fhi(t, "sql", "--lake", lake, "--format", "json",
		"SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'clean_p2p_platforms' AND column_name = 'registered_capital_yuan'")
	var rows []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || !strings.Contains(rows[0]["comment"].(string), "yuan") {
		t.Errorf("fhi sql (json, data dictionary): exit %d\n%s", code, out)
	}
	for _, q := range []string{"DELETE FROM metrics", "COPY metrics TO 'x.csv'", "SELECT 1; DROP TABLE metrics", "ATTACH 'other.db'", "SET threads = 1"} {
		if code, _, errOut := fhi(t, "sql", "--lake", lake, q); code != exitError || !strings.Contains(errOut, "one SELECT") {
			t.Errorf("fhi sql %q: exit %d, %s; want it refused", q, code, errOut)
		}
	}
	if code, _, errOut := fhi(t, "sql", "--lake", lake, "SELEC 1"); code != exitError || !strings.Contains(errOut, "syntax error") {
		t.Errorf("fhi sql with a typo: exit %d, %s", code, errOut)
	}
	code, out, _ = fhi(t, "sql", "--lake", lake, "SELECT count(*) AS n FROM metrics")
	if code != exitOK || !strings.Contains(out, "(1 rows)") {
		t.Errorf("the refused statements changed something: %s", out)
	}
}

// TestImportSetAsideRowsExit3 says on the command line how many rows an import set aside, and
// exits 3 (succeeded with losses).
func TestImportSetAsideRowsExit3(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "yearbook.csv")
	if err := os.WriteFile(file, []byte("城市,人口\n杭州,919\n杭州,920\n上海\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := fhi(t, "import", "--lake", filepath.Join(dir, "lake"), "--key", "城市", "yearbook", file)
	if code != exitLosses || !strings.Contains(out, "1 records") || !strings.Contains(errOut, "2 rows set aside") || !strings.Contains(errOut, "failures.json") {
		t.Errorf("fhi import: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := fhi(t, "import", "--lake", filepath.Join(dir, "lake"), "--as", "p2p", "vc", file); code != exitUsage {
		t.Errorf("--as p2p with source vc: exit %d (%s), want a usage error", code, errOut)
	}
}

// TestLintSQLDirCommand lints the example SQL directory: valid, with a warning that its indicator
// is not in the embedded framework.
func TestLintSQLDirCommand(t *testing.T) {
	code, out, errOut := fhi(t, "lint", "--lake", filepath.Join(t.TempDir(), "lake"), "--sql-dir", "../../examples/gdp_growth")
	if code != exitOK || !strings.Contains(out, "warning: a step computes indicator ecosystem.business.gdp_growth") || !strings.Contains(out, "ok:") {
		t.Errorf("fhi lint --sql-dir: exit %d\n%s%s", code, out, errOut)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "100_x.sql"), []byte("SELECT nope FROM raw_p2p;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := fhi(t, "lint", "--sql-dir", bad); code != exitError || !strings.Contains(errOut, "100_x.sql") || !strings.Contains(errOut, "nope") {
		t.Errorf("fhi lint of a broken step: exit %d\n%s", code, errOut)
	}
}
