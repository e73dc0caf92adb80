package survey

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParse reads saved workbooks: survey.xlsx is the sample web's (seed 1, scale 0.05: 125
// responses); the others are edits of it (cmd: an excelize script) and a truncated copy.
func TestParse(t *testing.T) {
	tests := []struct {
		file         string
		wantRows     int
		wantProblems int
		wantLayout   bool
	}{
		{"survey.xlsx", 125, 0, false},
		{"survey_badrows.xlsx", 123, 2, false}, // row 3 without 编号, row 5 repeating row 4's
		{"survey_badheader.xlsx", 0, 0, true},  // 了解程度(分) renamed 分数
		{"survey_nosheet.xlsx", 0, 0, true},    // sheet renamed Sheet1
		{"survey_truncated.xlsx", 0, 0, true},  // not a zip archive
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := Parse(readFile(t, tt.file))
			if got := errors.Is(err, ErrLayout); got != tt.wantLayout || (err != nil && !got) {
				t.Fatalf("got error %v, want layout error: %v", err, tt.wantLayout)
			}
			if len(p.Rows) != tt.wantRows || len(p.Problems) != tt.wantProblems {
				t.Errorf("got %d rows and %d problems %v, want %d and %d", len(p.Rows), len(p.Problems), p.Problems, tt.wantRows, tt.wantProblems)
			}
			for _, e := range p.Problems {
				var re *RowError
				if !errors.As(e, &re) || re.Row < 2 {
					t.Errorf("problem %v is not a *RowError with a data row", e)
				}
			}
		})
	}
}

func TestParseFirstRow(t *testing.T) {
	p, err := Parse(readFile(t, "survey.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Rows[0]
	if got.ID != got.Fields["response_id"] || got.ID == "" {
		t.Errorf("row key %q, want its 编号 %q", got.ID, got.Fields["response_id"])
	}
	for _, f := range Fields {
		if got.Fields[f] == "" {
			t.Errorf("first row lacks %s: %v", f, got.Fields)
		}
	}
	labels := map[string]string{"1": "非常不了解", "2": "不太了解", "3": "一般", "4": "比较了解", "5": "非常了解"}
	for _, r := range p.Rows {
		if want := labels[r.Fields["familiarity"]]; want == "" || r.Fields["familiarity_label"] != want {
			t.Errorf("row %s: score %q with label %q, want a score 1–5 and its label", r.ID, r.Fields["familiarity"], r.Fields["familiarity_label"])
		}
	}
	if diff := cmp.Diff(len(Header), len(Fields)); diff != "" {
		t.Errorf("header and fields differ in length: %s", diff)
	}
}

// FuzzParse: no panic on any bytes; a workbook either fails with ErrLayout or yields rows with
// unique non-empty ids.
func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrLayout) {
				t.Fatalf("error %v is not ErrLayout", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range p.Rows {
			if r.ID == "" || seen[r.ID] {
				t.Fatalf("row id %q empty or repeated", r.ID)
			}
			seen[r.ID] = true
		}
	})
}
