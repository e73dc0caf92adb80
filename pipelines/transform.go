package pipelines

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/transform"
)

// TransformOptions configure a transform stage.
type TransformOptions struct {
	// FromRuns names collect runs to read; a source not named uses its latest successful run.
	FromRuns []string
	// SQLDir is an analyst's directory of SQL steps and reference CSVs laid over the embedded ones
	// (transform.sql_dir in fhi.yaml, --sql-dir); its files are recorded as the run's inputs.
	SQLDir string
	// Step, if set, is told each SQL step as it starts (transform.Inputs.Step).
	Step func(i, n int, name string)
}

// Transform cleans the raw records and computes the metrics in DuckDB.
func (l *Lake) Transform(ctx context.Context, opts TransformOptions) (m *Manifest, err error) {
	inputs, err := l.transformInputs(opts)
	if err != nil {
		return nil, err
	}
	upstream := make([]string, 0, len(inputs))
	for _, in := range inputs {
		upstream = append(upstream, in.RunID)
	}
	m, err = l.beginRun(StageTransform, "", upstream)
	if err != nil {
		return nil, err
	}
	defer func() {
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	for _, in := range inputs {
		for _, f := range in.Files {
			ref, err := l.fileRef(f)
			if err != nil {
				return m, err
			}
			m.Inputs = append(m.Inputs, ref)
		}
	}
	db, err := l.openDB()
	if err != nil {
		return m, err
	}
	defer db.Close()
	res, err := transform.Run(ctx, db, transform.Inputs{RunID: m.RunID, Sources: inputs, SQLDir: opts.SQLDir, Step: opts.Step})
	if err != nil {
		return m, fmt.Errorf("transform run %s: %w", m.RunID, err)
	}
	for _, f := range res.Files { // the analyst's steps and tables: part of what the metrics depend on
		ref, err := l.fileRef(f)
		if err != nil {
			return m, err
		}
		m.Inputs = append(m.Inputs, ref)
	}
	m.Tables = res.Tables
	m.Rows = res.Tables["metrics"]
	if m.Details, err = json.Marshal(res); err != nil {
		return m, err
	}
	saved, err := l.saveRunTables(ctx, db, m.RunID)
	if err != nil {
		return m, err
	}
	for _, p := range append([]string{l.DBPath()}, saved...) {
		ref, err := l.fileRef(p)
		if err != nil {
			return m, err
		}
		m.Outputs = append(m.Outputs, ref)
	}
	return m, nil
}

// The current-state tables a transform run replaces, kept per run as zstd Parquet under
// lineage/transform=<run>/ so that what a published score rests on stays answerable after later
// transforms: the records behind each metric (lineage), the rows set aside (the report's data
// quality), the firm records left unlinked, and the weekly Baidu heat the city profiles chart.
const (
	metricRecordsFile = "metric_records.parquet"
	quarantineFile    = "quarantine.parquet"
	unlinkedFile      = "unlinked.parquet"
	baiduHeatFile     = "baidu_heat_weeks.parquet"
)

// runTable is one per-run copy: the file it goes to, the query that fills it, and the table the
// query needs (a run whose steps skipped that table saves no file).
type runTable struct {
	file, query, needs string
}

var runTables = []runTable{
	{metricRecordsFile, `SELECT * FROM metric_records ORDER BY indicator, city_code, source, record_id`, "metric_records"},
	{quarantineFile, `SELECT * FROM quarantine ORDER BY source, reason, record_id`, "quarantine"},
	{unlinkedFile, `SELECT * FROM (` + unlinkedQuery + `) ORDER BY source, record_id`, "entity_links"},
	// The weekly heat as the metric counts it (clean_baidu_heat.heat), one row per sample city and
	// week; duplicate records of a week are averaged.
	{baiduHeatFile, `SELECT city_code, week, avg(heat) AS heat, count(*) AS n_records, min(record_id) AS record_id
		FROM clean_baidu_heat WHERE in_sample AND week IS NOT NULL
		GROUP BY city_code, week ORDER BY city_code, week`, "clean_baidu_heat"},
}

// runTablePath is where a transform run keeps one of its runTables.
func (l *Lake) runTablePath(runID, file string) string {
	return filepath.Join(l.Root, "lineage", "transform="+runID, file)
}

// metricRecordsPath is where a transform run's metric_records are kept, so the lineage of any
// published score stays answerable after later transforms replace the table.
func (l *Lake) metricRecordsPath(runID string) string {
	return l.runTablePath(runID, metricRecordsFile)
}

// saveRunTables writes the run's copies of runTables, each atomically, and returns their paths.
func (l *Lake) saveRunTables(ctx context.Context, db *sql.DB, runID string) ([]string, error) {
	var out []string
	for _, t := range runTables {
		if !tableExists(ctx, db, t.needs) {
			continue
		}
		path := l.runTablePath(runID, t.file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return out, err
		}
		tmp := path + ".tmp"
		// COPY takes no parameters for its target; the path is the lake's own, quotes doubled.
		q := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, COMPRESSION zstd)`, t.query, strings.ReplaceAll(tmp, "'", "''"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return out, fmt.Errorf("saving %s of transform run %s: %w", t.file, runID, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return out, fmt.Errorf("saving %s of transform run %s: %w", t.file, runID, err)
		}
		out = append(out, path)
	}
	return out, nil
}

func pinned(ids []string, m *Manifest) bool {
	for _, id := range ids {
		if id == m.RunID {
			return true
		}
	}
	return false
}

func (l *Lake) transformInputs(opts TransformOptions) ([]transform.SourceInput, error) {
	chosen := map[string]*Manifest{}
	for _, id := range opts.FromRuns {
		m, err := l.successfulRun(id, StageCollect)
		if err != nil {
			return nil, fmt.Errorf("--from-run: %w", err)
		}
		chosen[m.Source] = m
	}
	// Every source with data in the lake: registered crawls and file imports alike.
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	for _, m := range runs { // oldest first, so the latest run of a source wins
		if m.Stage != StageCollect || m.Status != StatusSucceeded || m.PrunedAt != nil {
			continue
		}
		if c := chosen[m.Source]; c != nil && pinned(opts.FromRuns, c) {
			continue
		}
		chosen[m.Source] = m
	}
	if len(chosen) == 0 {
		return nil, fmt.Errorf("%w: run `fhi collect` first", transform.ErrNoInputs)
	}
	var inputs []transform.SourceInput
	for _, m := range chosen {
		files, err := l.rawFiles(m)
		if err != nil {
			return nil, err
		}
		in := transform.SourceInput{Source: m.Source, RunID: m.RunID, Files: files}
		if src, err := collectors.Default.Lookup(m.Source); err == nil {
			in.Fields = src.Fields // a run from an older spec, or an import, may lack some
		}
		inputs = append(inputs, in)
	}
	sort.Slice(inputs, func(i, j int) bool { return inputs[i].Source < inputs[j].Source })
	return inputs, nil
}
