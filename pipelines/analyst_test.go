package pipelines

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/data"
)

// repoFile is a path from the repository root, as the README and examples/ name files.
func repoFile(path string) string { return filepath.Join("..", filepath.FromSlash(path)) }

// TestAnalystAddsAnIndicatorWithoutRebuild is the analyst's path of the README, on the example of
// examples/gdp_growth: import a table (data/city_gdp_2015-2017_36cities.csv) under a source name
// of one's own, add one SQL file (--sql-dir) and one framework entry (--framework), and the new
// indicator is computed, scored and traceable — no Go, no rebuild.
func TestAnalystAddsAnIndicatorWithoutRebuild(t *testing.T) {
	lake := openTestLake(t)
	if _, err := lake.Import(t.Context(), ImportOptions{Source: "gdp", File: repoFile("data/city_gdp_2015-2017_36cities.csv"), Key: "city"}); err != nil {
		t.Fatal(err)
	}
	sqlDir := repoFile("examples/gdp_growth")
	m, err := lake.Transform(t.Context(), TransformOptions{SQLDir: sqlDir})
	if err != nil {
		t.Fatal(err)
	}
	var recorded bool
	for _, in := range m.Inputs {
		recorded = recorded || strings.HasSuffix(in.Path, "100_gdp_growth.sql") && len(in.SHA256) == 64
	}
	if !recorded {
		t.Errorf("the transform's inputs %v do not record the analyst's SQL file", m.Inputs)
	}

	// The framework entry, pasted under ecosystem.business as examples/gdp_growth/indicator.yaml says.
	entry, err := os.ReadFile(filepath.Join(sqlDir, "indicator.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(entry)), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, "            "+l)
		}
	}
	anchor := "            - id: ecosystem.business.gdp_per_capita\n"
	fw := strings.Replace(string(data.FrameworkYAML), anchor, strings.Join(lines, "\n")+"\n"+anchor, 1)
	if fw == string(data.FrameworkYAML) {
		t.Fatal("could not place the framework entry")
	}
	// A copy of the framework keeps its judgements file (ahp_judgements.yaml) beside it.
	framework := FrameworkSource{Name: "framework with gdp_growth", YAML: []byte(fw), Judgements: data.JudgementsYAML}
	if _, _, err := lake.Score(t.Context(), ScoreOptions{Framework: framework, AllowPartial: true}); err != nil { // only city_stats and the import were collected
		t.Fatal(err)
	}

	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var value float64
	var n int
	if err := db.QueryRow(`SELECT value, n_records FROM metrics WHERE indicator = 'ecosystem.business.gdp_growth' AND city = '北京'`).Scan(&value, &n); err != nil {
		t.Fatal(err)
	}
	if want := 28014.94/25669.13 - 1; math.Abs(value-want) > 1e-12 || n != 1 {
		t.Errorf("北京 GDP growth %g from %d records, want %g from 1 (data/city_gdp_2015-2017_36cities.csv)", value, n, want)
	}
	var scored, traced int
	if err := db.QueryRow(`SELECT count(*) FROM score_values WHERE node = 'ecosystem.business.gdp_growth'`).Scan(&scored); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM metric_records WHERE indicator = 'ecosystem.business.gdp_growth' AND source = 'gdp'`).Scan(&traced); err != nil {
		t.Fatal(err)
	}
	if scored != 36 || traced != 36 {
		t.Errorf("the new indicator has %d scored cities and %d records behind it, want 36 and 36", scored, traced)
	}
}

// TestExampleDirectoryImport imports examples/p2p_directory as the README shows and checks what
// the transform makes of each of its shapes.
func TestExampleDirectoryImport(t *testing.T) {
	lake := openTestLake(t)
	m, err := lake.Import(t.Context(), ImportOptions{As: "p2p", Key: "平台编号", MapFile: repoFile("examples/p2p_directory/columns.yaml"),
		File: repoFile("examples/p2p_directory/directory-gbk.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if rep := ReadImportReport(m); rep.Encoding != "gb18030 (detected)" || m.Rows != 8 || rep.Failures != 0 {
		t.Fatalf("import: %d rows, report %+v", m.Rows, rep)
	}
	if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
		t.Fatal(err)
	}
	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT p.platform_id, concat_ws(' ', coalesce(p.city_name, p.place_problem), p.status, p.registered_capital_currency)
		FROM clean_p2p_platforms p ORDER BY p.platform_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+" "+s)
	}
	want := []string{
		"WD0001 杭州 operating CNY", "WD0002 深圳 operating USD", "WD0003 长春 closed CNY", "WD0004 上海 operating CNY",
		"WD0005 北京 problem CNY", "WD0006 广州 operating CNY", "WD0007 济南 operating CNY",
		"WD0008 outside mainland China: Hong Kong SAR operating HKD",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cleaned\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
