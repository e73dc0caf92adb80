package pipelines

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors"
	"github.com/xuri/excelize/v2"
)

func TestImportCSV(t *testing.T) {
	lake := openTestLake(t)
	file := filepath.Join(t.TempDir(), "yearbook.csv")
	csvText := "\ufeffcity,gdp_yi,note\n杭州,12556,\n北京,28000,首都\n上海,30133,a,extra\n,,\n"
	if err := os.WriteFile(file, []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := lake.Import(t.Context(), ImportOptions{Source: "yearbook", File: file, Key: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 {
		t.Errorf("got %d rows, want 2 (one ragged row quarantined, one blank skipped)", m.Rows)
	}
	var failures []collectors.Failure
	b, _ := os.ReadFile(filepath.Join(lake.RawDir("yearbook", m.RunID), "failures.json"))
	if err := json.Unmarshal(b, &failures); err != nil || len(failures) != 1 || !strings.Contains(failures[0].Error, "row 4 has 4 cells") {
		t.Errorf("failures %+v (%v), want row 4 quarantined", failures, err)
	}
	files, _ := lake.rawFiles(m)
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	var url, sha, warc, gdp string
	var offset int64
	if err := db.QueryRow(`SELECT url, body_sha256, warc_file, warc_offset, gdp_yi FROM read_parquet(?) WHERE record_key = '北京'`, files).Scan(&url, &sha, &warc, &offset, &gdp); err != nil {
		t.Fatal(err)
	}
	archived, err := os.ReadFile(filepath.Join(lake.ArchiveDir("yearbook"), warc))
	if err != nil || string(archived) != csvText || offset != 3 || gdp != "28000" || !strings.HasPrefix(url, "file://") || len(sha) != 64 {
		t.Errorf("lineage url=%s sha=%s warc=%s offset=%d gdp=%s; archived copy equal: %v", url, sha, warc, offset, gdp, string(archived) == csvText)
	}
	// An imported source is an input of the next transform like any crawl.
	inputs, err := lake.transformInputs(TransformOptions{})
	if err != nil || len(inputs) != 1 || inputs[0].Source != "yearbook" {
		t.Errorf("transform inputs %+v (%v), want the import", inputs, err)
	}
}

func TestImportXLSX(t *testing.T) {
	lake := openTestLake(t)
	f := excelize.NewFile()
	_ = f.SetSheetName("Sheet1", "问卷")
	for i, row := range [][]any{{"编号", "城市", "了解程度(分)"}, {"q1", "杭州", 4}, {"q2", "上海", 5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow("问卷", cell, &row)
	}
	file := filepath.Join(t.TempDir(), "survey.xlsx")
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	m, err := lake.Import(t.Context(), ImportOptions{Source: "survey_export", File: file, Key: "编号"})
	if err != nil || m.Rows != 2 {
		t.Fatalf("import: %v, %d rows", err, m.Rows)
	}
}

func TestImportRejects(t *testing.T) {
	lake := openTestLake(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		opts ImportOptions
		want string
	}{
		{"bad source name", ImportOptions{Source: "../x", File: write("a.csv", "a\n1\n")}, "not a valid source name"},
		{"crawled source name", ImportOptions{Source: "p2p", File: write("b.csv", "a\n1\n")}, "crawled source"},
		{"missing file", ImportOptions{Source: "x", File: filepath.Join(dir, "none.csv")}, "no such file"},
		{"wrong type", ImportOptions{Source: "x", File: write("c.txt", "a\n1\n")}, "want a .csv or .xlsx"},
		{"header only", ImportOptions{Source: "x", File: write("d.csv", "a,b\n")}, "no data rows"},
		{"empty header cell", ImportOptions{Source: "x", File: write("e.csv", "a,,c\n1,2,3\n")}, "header column 2 is empty"},
		{"reserved column", ImportOptions{Source: "x", File: write("f.csv", "record_id\n1\n")}, "repeated or reserved"},
		{"unknown key", ImportOptions{Source: "x", File: write("g.csv", "a\n1\n"), Key: "id"}, `no column "id"`},
		{"broken xlsx", ImportOptions{Source: "x", File: write("h.xlsx", "not a zip")}, "reading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lake.Import(t.Context(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if parts, _ := filepath.Glob(filepath.Join(lake.Root, "raw", "*", "run=*")); len(parts) != 0 {
		t.Errorf("failed imports left partitions: %v", parts)
	}
}
