package pipelines

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
	"github.com/xuri/excelize/v2"
)

func TestPublishedFiles(t *testing.T) {
	lake := openTestLake(t)
	if _, err := lake.RunAll(t.Context(), RunOptions{Collect: startSampleWeb(t, 0.2), AllowPartial: true}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(lake.Root, "published")
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	csvBytes := read(scoresCSVFile)
	if !bytes.HasPrefix(csvBytes, UTF8BOM) {
		t.Fatal("published scores.csv does not start with the UTF-8 BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBytes, UTF8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	if header[0] != "rank" || header[1] != "city" || header[2] != "total" || header[len(header)-1] != ParamSimulated {
		t.Errorf("CSV header %v: want rank,city,total,… ending with simulated", header)
	}
	for _, r := range recs[1:] {
		if r[len(r)-1] != "true" {
			t.Fatalf("CSV row %v does not say simulated=true", r)
		}
	}

	t.Run("scores.xlsx holds the numbers of scores.csv", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(read(scoresXLSXFile)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		byCity := map[string]map[string]string{} // city → column id → CSV value
		for _, r := range recs[1:] {
			byCity[r[1]] = map[string]string{}
			for i, v := range r {
				byCity[r[1]][header[i]] = v
			}
		}
		compared := 0
		for _, sheet := range []string{sheetLevel1, sheetLevel2} {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			ids := rows[xlsxFirstRow-2] // the id header row
			if rows[0][3] != "金融科技中心指数" || !strings.HasPrefix(rows[1][3], "Fintech Hub Index") {
				t.Errorf("%s: headers %q / %q, want the total's Chinese and English names", sheet, rows[0][3], rows[1][3])
			}
			for _, row := range rows[xlsxFirstRow-1:] {
				want := byCity[row[1]]
				if want == nil {
					t.Fatalf("%s: city %q is not in scores.csv", sheet, row[1])
				}
				for j := 3; j < len(row) && j < len(ids); j++ {
					csvV, ok := want[ids[j]]
					if !ok || strings.HasPrefix(ids[j], "rank_") {
						continue
					}
					a, errA := strconv.ParseFloat(row[j], 64)
					b, errB := strconv.ParseFloat(csvV, 64)
					if errA != nil || errB != nil || a != b {
						t.Errorf("%s %s %s: xlsx %q, csv %q", sheet, row[1], ids[j], row[j], csvV)
					}
					compared++
				}
			}
		}
		scoreCols := 0
		for _, h := range header[2:] {
			if h != "score_run" && h != ParamSimulated && !strings.HasPrefix(h, "rank_") {
				scoreCols++
			}
		}
		// Both sheets start with the total, then hold the level-1 or the level-2 columns.
		if want := (len(recs) - 1) * (scoreCols + 1); compared != want {
			t.Errorf("compared %d values, want %d: every score of every city", compared, want)
		}
		meta, err := f.GetRows(sheetMetadata)
		if err != nil {
			t.Fatal(err)
		}
		kv := map[string]string{}
		for _, r := range meta {
			if len(r) >= 2 {
				kv[r[0]] = r[1]
			}
		}
		if kv["simulated 模拟数据"] != "true" || !strings.HasPrefix(kv["score_run"], "score-") || kv["code_module"] == "" {
			t.Errorf("metadata sheet lacks the simulated flag, score run or code version: %v", kv)
		}
		if w, err := f.GetRows(sheetWeights); err != nil || len(w) < xlsxFirstRow-1+scoreCols {
			t.Errorf("weights sheet has %d rows (%v), want a row per node", len(w), err)
		}
		l3, err := f.GetRows(sheetLevel3)
		if err != nil || len(l3) < xlsxFirstRow || !strings.HasSuffix(l3[xlsxFirstRow-2][5], rawSuffix) {
			t.Errorf("level-3 sheet lacks measured values beside the scores: %v", err)
		}
	})

	t.Run("scores.json rows are objects with labels", func(t *testing.T) {
		var doc struct {
			Simulated bool             `json:"simulated"`
			Columns   []string         `json:"columns"`
			Labels    []ColumnLabel    `json:"labels"`
			Rows      []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(read(scoresJSONFile), &doc); err != nil {
			t.Fatal(err)
		}
		if !doc.Simulated || len(doc.Labels) != len(doc.Columns) || doc.Labels[0].Name != "金融科技中心指数" || doc.Labels[0].Unit != ScoreUnit {
			t.Errorf("scores.json: simulated %v, %d labels for %d columns, first %+v", doc.Simulated, len(doc.Labels), len(doc.Columns), doc.Labels[0])
		}
		first := doc.Rows[0]
		if first["rank"] != float64(1) || first["city"] == nil || first["total"] == nil || first["industry"] == nil || first["city_en"] == nil {
			t.Errorf("first row %v: want rank, city, city_en, total, industry keys", first)
		}
		want := fmt.Sprint(first["total"])
		if recs[1][2] != strconv.FormatFloat(first["total"].(float64), 'f', 2, 64) {
			t.Errorf("JSON total %s, CSV total %s", want, recs[1][2])
		}
	})

	t.Run("a failed publish leaves the previous publication whole", func(t *testing.T) {
		before, err := lake.Publication()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := lake.Score(t.Context(), ScoreOptions{AllowPartial: true}); err != nil {
			t.Fatal(err)
		}
		defer func(w func(string, []byte) error) { writePublishedFile = w }(writePublishedFile)
		writePublishedFile = func(path string, b []byte) error {
			if filepath.Base(path) == scoresXLSXFile { // the disk fills after scores.csv
				return fmt.Errorf("writing %s: %w", path, syscall.ENOSPC)
			}
			return WriteFileAtomic(path, b)
		}
		if _, err := lake.Publish(t.Context(), ""); err == nil {
			t.Fatal("publish with a full disk succeeded")
		}
		after, err := lake.Publication()
		if err != nil || after.PublishRun != before.PublishRun {
			t.Fatalf("published now shows %+v (%v), want still %s", after, err, before.PublishRun)
		}
		if !bytes.Equal(read(scoresCSVFile), csvBytes) {
			t.Error("scores.csv changed although the publication failed")
		}
		table, err := lake.PublishedScores(t.Context(), "")
		if err != nil || table.RunID != before.ScoreRun {
			t.Errorf("PublishedScores reads %v (%v), want the still-published %s", table, err, before.ScoreRun)
		}
		entries, _ := os.ReadDir(lake.publicationsDir())
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".tmp-") {
				t.Errorf("a half-written publication %s was left behind", e.Name())
			}
		}
		writePublishedFile = WriteFileAtomic
		m, err := lake.Publish(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		now, err := lake.Publication()
		if err != nil || now.PublishRun != m.RunID || now.PreviousScoreRun != before.ScoreRun {
			t.Errorf("after a good publish: %+v (%v), want run %s comparing with %s", now, err, m.RunID, before.ScoreRun)
		}
	})
}

// TestReportShowsMethod publishes a score run over every source with uncertainty and Sobol'
// analyses and checks the report shows that run's own method: its treatment log, imputations (if any),
// audit, Sobol' indices and placeholder judgements, and each city's Baidu heat.
func TestReportShowsMethod(t *testing.T) {
	lake := openTestLake(t)
	_, opts := serveSampleWeb(t, sampleweb.Options{Seed: 1, Scale: 0.1})
	if _, err := lake.RunAll(t.Context(), RunOptions{Collect: opts}); err != nil && !errors.Is(err, ErrSucceededWithLosses) {
		t.Fatal(err)
	}
	// The embedded framework, with every indicator tested for outliers (winsorised if skewed).
	fw := bytes.Replace(data.FrameworkYAML, []byte("  transform: none\n"), []byte("  transform: winsorise\n"), 1)
	if bytes.Equal(fw, data.FrameworkYAML) {
		t.Fatal("the framework's defaults no longer say transform: none")
	}
	_, res, err := lake.Score(t.Context(), ScoreOptions{Framework: FrameworkSource{Name: "winsorised framework", YAML: fw, Judgements: data.JudgementsYAML},
		Scoring: scoring.Options{MonteCarloDraws: 50, SobolSamples: 8, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lake.Publish(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(lake.Root, "published", reportFile))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		`id="treatment"`, `id="audit"`, `id="sobol"`, `id="chart-sobol"`, `id="uncertainty"`,
		"Placeholder weights", // the embedded judgements are placeholders
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	if len(res.Treatments) == 0 {
		t.Error("the score run logged no treatment: the check below sees nothing")
	}
	for _, tr := range res.Treatments {
		if !strings.Contains(html, tr.Indicator) {
			t.Errorf("treated indicator %s is not in the report", tr.Indicator)
		}
	}
	for _, im := range res.Imputed {
		if !strings.Contains(html, im.Rule) {
			t.Errorf("imputation %+v is not in the report", im)
		}
	}
	profiles := strings.Count(html, `<article class="profile"`)
	if n := strings.Count(html, `class="chart heat"`); profiles == 0 || n != profiles {
		t.Errorf("%d Baidu heat charts for %d city profiles, want one per city", n, profiles)
	}
}
