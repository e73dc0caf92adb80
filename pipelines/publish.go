package pipelines

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fhi-index/fhi/data"
)

// ScoreTable is one score run in wide form: a row per city, a column per scored node (total,
// then level 1, then level 2, in framework order; or the indicators of level 3).
type ScoreTable struct {
	RunID          string
	TransformRunID string
	// Simulated says the collect runs behind the score run crawled the sample web.
	Simulated bool
	Columns   []string      // node ids
	Labels    []ColumnLabel // aligned with Columns
	Missing   []string      // framework indicators without data, left out of the scores
	Rows      []ScoreRow
	// WithRaw says the rows carry the measured value of each level-3 column (ScoreRow.Raw).
	WithRaw bool
	// Draws is the number of Monte Carlo draws behind the rank intervals; 0 when the run has none.
	Draws int
}

// ColumnLabel names a score column for readers: its Chinese and English name, level and unit.
type ColumnLabel struct {
	ID     string `json:"id"`
	Parent string `json:"parent,omitempty"`
	Level  int    `json:"level"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Unit   string `json:"unit"`
	// RawUnit is an indicator's unit of measurement (data/framework.yaml unit:), the unit of its
	// <id>_raw value; empty for sub-indices.
	RawUnit string `json:"raw_unit,omitempty"`
}

// ScoreRow is one city's scores, aligned with ScoreTable.Columns.
type ScoreRow struct {
	Rank   int
	City   string
	CityEN string
	Scores []float64
	// Raw holds, for level-3 columns of a table read with raw values, the value the transform
	// measured (before imputation and transforms); NaN where the city has none.
	Raw []float64
	// MedianRank, P05Rank and P95Rank summarise the rank over the Monte Carlo draws, when run.
	MedianRank float64
	P05Rank    int
	P95Rank    int
}

// ScoreQuery selects what Scores reads.
type ScoreQuery struct {
	Run   string // score run; empty means the published one
	Level int    // 0 levels 1 and 2; 1, 2 or 3 that level alone (3: the standardised indicators)
	Raw   bool   // level 3: also read each indicator's measured value
}

// ErrNotPublished is returned by readers of the published scores when nothing was published.
var ErrNotPublished = errors.New("pipelines: no published scores in this lake: run `fhi run` (or `fhi publish`) first")

// PublishedScores returns the published score run, or the score run named by runID, with the
// total and the level-1 and level-2 sub-indices as columns.
func (l *Lake) PublishedScores(ctx context.Context, runID string) (*ScoreTable, error) {
	return l.Scores(ctx, ScoreQuery{Run: runID})
}

// ScoresAtLevel is PublishedScores with the columns of one framework level after the total:
// 1 the level-1 sub-indices, 2 the level-2 ones, 3 the standardised indicators; 0 means levels 1 and 2.
func (l *Lake) ScoresAtLevel(ctx context.Context, runID string, level int) (*ScoreTable, error) {
	return l.Scores(ctx, ScoreQuery{Run: runID, Level: level})
}

// Scores reads a score run as a table. Without a run id it reads the published one, through the
// published pointer, so it always agrees with the published files.
func (l *Lake) Scores(ctx context.Context, q ScoreQuery) (*ScoreTable, error) {
	if q.Level < 0 || q.Level > 3 {
		return nil, fmt.Errorf("level %d: want 0 (levels 1 and 2), 1, 2 or 3", q.Level)
	}
	if q.Raw && q.Level != 3 {
		return nil, fmt.Errorf("raw values are those of the indicators: ask for level 3, not %d", q.Level)
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if q.Run == "" {
		if q.Run, err = l.publishedScoreRun(ctx, db); err != nil {
			return nil, err
		}
	} else if _, err := l.successfulRun(q.Run, StageScore); err != nil {
		return nil, err
	}
	return l.scoreTable(ctx, db, q)
}

// publishedScoreRun is the score run the published pointer shows; a lake published before the
// pointer existed falls back to the newest row of the published table.
func (l *Lake) publishedScoreRun(ctx context.Context, db *sql.DB) (string, error) {
	p, err := l.Publication()
	if err == nil {
		return p.ScoreRun, nil
	}
	if !errors.Is(err, ErrNotPublished) {
		return "", err
	}
	if !tableExists(ctx, db, "published") {
		return "", ErrNotPublished
	}
	var run string
	err = db.QueryRowContext(ctx, `SELECT run_id FROM published ORDER BY published_at DESC LIMIT 1`).Scan(&run)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotPublished
	}
	if err != nil {
		return "", fmt.Errorf("finding published run: %w", err)
	}
	return run, nil
}

func tableExists(ctx context.Context, db *sql.DB, name string) bool {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, name).Scan(&n)
	return err == nil && n > 0
}

func (l *Lake) scoreTable(ctx context.Context, db *sql.DB, q ScoreQuery) (*ScoreTable, error) {
	runID, level := q.Run, q.Level
	lo, hi := 1, 2
	if level > 0 {
		lo, hi = level, level
	}
	t := &ScoreTable{RunID: runID, WithRaw: q.Raw}
	if m, err := l.Run(runID); err == nil {
		t.Simulated = m.Params[ParamSimulated] == "true"
	}
	var missing string
	if err := db.QueryRowContext(ctx, `SELECT transform_run_id, missing_indicators FROM score_runs WHERE run_id = ?`, runID).Scan(&t.TransformRunID, &missing); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", runID, err)
	}
	if err := json.Unmarshal([]byte(missing), &t.Missing); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", runID, err)
	}
	cols, err := db.QueryContext(ctx, `SELECT node, coalesce(parent, ''), level, coalesce(name, ''), coalesce(name_en, ''), diagnostics
		FROM score_weights WHERE run_id = ? AND (level = 0 OR level BETWEEN ? AND ?) ORDER BY level, ord`, runID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("reading score columns: %w", err)
	}
	colIdx := map[string]int{}
	for cols.Next() {
		lb := ColumnLabel{Unit: ScoreUnit}
		var diag string
		if err := cols.Scan(&lb.ID, &lb.Parent, &lb.Level, &lb.Name, &lb.NameEN, &diag); err != nil {
			cols.Close()
			return nil, err
		}
		if lb.Level == 3 {
			// The indicator's unit, as the framework declared it when the run scored.
			var d struct {
				Unit string `json:"unit"`
			}
			if err := json.Unmarshal([]byte(diag), &d); err != nil {
				cols.Close()
				return nil, fmt.Errorf("decoding the weights of %s: %w", lb.ID, err)
			}
			lb.RawUnit = d.Unit
		}
		colIdx[lb.ID] = len(t.Columns)
		t.Columns = append(t.Columns, lb.ID)
		t.Labels = append(t.Labels, lb)
	}
	cols.Close()
	if err := cols.Err(); err != nil {
		return nil, err
	}
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("score run %s has no score columns", runID)
	}
	cityEN := map[string]string{}
	if cities, err := data.Cities(); err == nil {
		for _, c := range cities {
			cityEN[c.Name] = c.NameEN
		}
	}
	root := t.Columns[0]
	rows, err := db.QueryContext(ctx, `
		SELECT v.city, v.node, v.score, r.rank
		FROM score_values v
		JOIN score_values r ON r.run_id = v.run_id AND r.city = v.city AND r.node = ?
		WHERE v.run_id = ? AND (v.level = 0 OR v.level BETWEEN ? AND ?)
		ORDER BY r.rank, v.city`, root, runID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("reading scores: %w", err)
	}
	defer rows.Close()
	rowIdx := map[string]int{}
	for rows.Next() {
		var city, node string
		var score float64
		var rank int
		if err := rows.Scan(&city, &node, &score, &rank); err != nil {
			return nil, err
		}
		i, ok := rowIdx[city]
		if !ok {
			i = len(t.Rows)
			rowIdx[city] = i
			t.Rows = append(t.Rows, ScoreRow{Rank: rank, City: city, CityEN: cityEN[city], Scores: make([]float64, len(t.Columns))})
		}
		if c, ok := colIdx[node]; ok {
			t.Rows[i].Scores[c] = score
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if q.Raw {
		if err := addRaw(ctx, db, t, rowIdx, colIdx); err != nil {
			return nil, err
		}
	}
	return t, addUncertainty(ctx, db, t, rowIdx)
}

// addRaw fills each indicator's measured value from the transform run's metrics: the value in
// the source's unit, before the scoring imputed or transformed it.
func addRaw(ctx context.Context, db *sql.DB, t *ScoreTable, rowIdx, colIdx map[string]int) error {
	for i := range t.Rows {
		t.Rows[i].Raw = make([]float64, len(t.Columns))
		for j := range t.Rows[i].Raw {
			t.Rows[i].Raw[j] = math.NaN()
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT city, indicator, value FROM metric_history WHERE transform_run_id = ?`, t.TransformRunID)
	if err != nil {
		return fmt.Errorf("reading the metrics of transform run %s: %w", t.TransformRunID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var city, ind string
		var v sql.NullFloat64
		if err := rows.Scan(&city, &ind, &v); err != nil {
			return err
		}
		i, okr := rowIdx[city]
		j, okc := colIdx[ind]
		if okr && okc && v.Valid {
			t.Rows[i].Raw[j] = v.Float64
		}
	}
	return rows.Err()
}

// addUncertainty fills the rank intervals of a score run that has them.
func addUncertainty(ctx context.Context, db *sql.DB, t *ScoreTable, rowIdx map[string]int) error {
	if !tableExists(ctx, db, "score_uncertainty") {
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT city, median_rank, p05_rank, p95_rank, draws FROM score_uncertainty WHERE run_id = ?`, t.RunID)
	if err != nil {
		return fmt.Errorf("reading rank uncertainty: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var city string
		var med float64
		var p05, p95, draws int
		if err := rows.Scan(&city, &med, &p05, &p95, &draws); err != nil {
			return err
		}
		if i, ok := rowIdx[city]; ok {
			r := &t.Rows[i]
			r.MedianRank, r.P05Rank, r.P95Rank, t.Draws = med, p05, p95, draws
		}
	}
	return rows.Err()
}

// Published files. Each publication is a directory publications/<publish run>/ holding all of
// them; published is a symbolic link to the current one, replaced by a rename, so a reader
// sees one publication or the other — never scores.csv of one run beside report.html of another.
const (
	publicationFile = "publication.json"
	scoresCSVFile   = "scores.csv"
	scoresJSONFile  = "scores.json"
	scoresXLSXFile  = "scores.xlsx"
	reportFile      = "report.html"
	// keptPublications is how many publication directories publish keeps (the current one
	// included); older ones are removed — their scores stay in the database.
	keptPublications = 7
)

// writePublishedFile writes one published file; tests replace it to fill the disk.
var writePublishedFile = WriteFileAtomic

func (l *Lake) publicationsDir() string { return filepath.Join(l.Root, "publications") }

// Publication describes one set of published files: publication.json beside them.
type Publication struct {
	PublishRun  string    `json:"publish_run"`
	PublishedAt time.Time `json:"published_at"`
	Provenance
	// PreviousScoreRun is the score run published before this one, which rank changes compare to.
	PreviousScoreRun string    `json:"previous_score_run,omitempty"`
	Files            []FileRef `json:"files"`
}

// Provenance is where a score run came from: the runs behind it, whether its data were
// simulated, the code that computed it.
type Provenance struct {
	ScoreRun        string `json:"score_run"`
	TransformRun    string `json:"transform_run"`
	Simulated       bool   `json:"simulated"`
	FrameworkSHA256 string `json:"framework_sha256,omitempty"`
	// Judgements names the AHP judgements file the score run read ("" when not recorded).
	Judgements string      `json:"judgements,omitempty"`
	Sources    []SourceRun `json:"sources"`
	Code       CodeVersion `json:"code"`
}

// SourceRun is one collect (or import) run behind a score run.
type SourceRun struct {
	Source     string     `json:"source"`
	Run        string     `json:"run"`
	BaseURL    string     `json:"base_url,omitempty"`
	Records    int64      `json:"records"`
	Simulated  bool       `json:"simulated"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// ScoreProvenance follows a score run back to its collect runs.
func (l *Lake) ScoreProvenance(scoreRun string) (*Provenance, error) {
	m, err := l.successfulRun(scoreRun, StageScore)
	if err != nil {
		return nil, err
	}
	p := &Provenance{ScoreRun: m.RunID, Simulated: m.Params[ParamSimulated] == "true", FrameworkSHA256: m.Params["framework_sha256"],
		Judgements: m.Params[paramJudgements], Code: m.Code, Sources: []SourceRun{}}
	if len(m.Upstream) > 0 {
		p.TransformRun = m.Upstream[0]
	}
	runs, err := l.collectRunsBehind(m.Upstream)
	if err != nil {
		return nil, err
	}
	for _, c := range runs {
		p.Sources = append(p.Sources, SourceRun{Source: c.Source, Run: c.RunID, BaseURL: c.Params["base_url"], Records: c.Rows,
			Simulated: c.Params[ParamSimulated] == "true", FinishedAt: c.FinishedAt})
	}
	return p, nil
}

// Publication reads the current publication's record through the published pointer; it returns
// ErrNotPublished when there is none.
func (l *Lake) Publication() (*Publication, error) {
	path := filepath.Join(l.publishedDir(), publicationFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotPublished
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var p Publication
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return &p, nil
}

// Publish makes a score run the published one. It writes scores.csv (with a UTF-8 BOM),
// scores.json, scores.xlsx, report.html and publication.json into a new directory, then points
// published at it. A failure at any step (a full disk) leaves the previous publication in place.
func (l *Lake) Publish(ctx context.Context, fromRun string) (m *Manifest, err error) {
	var upstream *Manifest
	if fromRun != "" {
		if upstream, err = l.successfulRun(fromRun, StageScore); err != nil {
			return nil, fmt.Errorf("--from-run: %w", err)
		}
	} else if upstream, err = l.LatestRun(StageScore, ""); err != nil {
		return nil, err
	} else if upstream == nil {
		return nil, errors.New("no successful score run: run `fhi score` first")
	}
	if err := l.checkPublishable(upstream); err != nil {
		return nil, err
	}
	m, err = l.beginRun(StagePublish, "", []string{upstream.RunID})
	if err != nil {
		return nil, err
	}
	defer func() {
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	if err := l.markSimulated(m); err != nil {
		return m, err
	}
	prov, err := l.ScoreProvenance(upstream.RunID)
	if err != nil {
		return m, err
	}
	pub := &Publication{PublishRun: m.RunID, PublishedAt: m.StartedAt, Provenance: *prov}
	if prev, err := l.Publication(); err == nil && prev.ScoreRun != upstream.RunID {
		pub.PreviousScoreRun = prev.ScoreRun
	} else if prev != nil {
		pub.PreviousScoreRun = prev.PreviousScoreRun // republishing the same run compares with the same one
	}
	files, err := l.publicationFiles(ctx, pub)
	if err != nil {
		return m, err
	}
	dir, err := l.writePublication(m.RunID, files, pub)
	if err != nil {
		return m, err
	}
	previousTarget, _ := os.Readlink(l.publishedDir())
	if err := l.pointPublished(dir); err != nil {
		os.RemoveAll(dir)
		return m, err
	}
	if err := l.recordPublication(ctx, upstream.RunID, m.RunID); err != nil {
		// The database must not lag behind what readers see: point back at the old files.
		if previousTarget != "" {
			if rerr := l.pointPublished(l.Abs(previousTarget)); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return m, err
	}
	m.Outputs = append(m.Outputs, pub.Files...)
	m.Rows = int64(len(files.table.Rows))
	return m, l.prunePublications(dir)
}

// publicationSet is what one publication holds, rendered.
type publicationSet struct {
	table *ScoreTable
	files map[string][]byte
}

func (l *Lake) publicationFiles(ctx context.Context, pub *Publication) (*publicationSet, error) {
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	table, err := l.scoreTable(ctx, db, ScoreQuery{Run: pub.ScoreRun})
	if err != nil {
		return nil, err
	}
	indicators, err := l.scoreTable(ctx, db, ScoreQuery{Run: pub.ScoreRun, Level: 3, Raw: true})
	if err != nil {
		return nil, err
	}
	weights, err := scoreWeights(ctx, db, pub.ScoreRun)
	if err != nil {
		return nil, err
	}
	set := &publicationSet{table: table, files: map[string][]byte{}}
	var csvBuf bytes.Buffer
	csvBuf.Write(UTF8BOM)
	if err := WriteScoresCSV(&csvBuf, table); err != nil {
		return nil, err
	}
	set.files[scoresCSVFile] = csvBuf.Bytes()
	jsonBytes, err := json.MarshalIndent(table, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", scoresJSONFile, err)
	}
	set.files[scoresJSONFile] = append(jsonBytes, '\n')
	var xlsx bytes.Buffer
	if err := WriteScoresXLSX(&xlsx, &Workbook{Provenance: &pub.Provenance, PublishRun: pub.PublishRun, PublishedAt: pub.PublishedAt,
		Scores: table, Indicators: indicators, Weights: weights}); err != nil {
		return nil, err
	}
	set.files[scoresXLSXFile] = xlsx.Bytes()
	html, err := l.renderReport(ctx, db, pub, table, indicators, weights)
	if err != nil {
		return nil, err
	}
	set.files[reportFile] = html
	return set, nil
}

// writePublication writes the files into publications/.tmp-<run>/ and renames the directory to
// publications/<run>/ once every file (publication.json, with their hashes, last) is synced.
func (l *Lake) writePublication(runID string, set *publicationSet, pub *Publication) (string, error) {
	final := filepath.Join(l.publicationsDir(), runID)
	tmp := filepath.Join(l.publicationsDir(), ".tmp-"+runID)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", tmp, err)
	}
	names := make([]string, 0, len(set.files))
	for name := range set.files {
		names = append(names, name)
	}
	sort.Strings(names)
	pub.Files = nil
	for _, name := range names {
		path := filepath.Join(tmp, name)
		if err := writePublishedFile(path, set.files[name]); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		ref, err := l.fileRef(path)
		if err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
		ref.Path = filepath.Join(l.Rel(final), name)
		pub.Files = append(pub.Files, ref)
	}
	b, err := json.MarshalIndent(pub, "", "  ")
	if err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("encoding %s: %w", publicationFile, err)
	}
	if err := WriteFileAtomic(filepath.Join(tmp, publicationFile), append(b, '\n')); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("renaming %s into place: %w", final, err)
	}
	return final, syncDir(l.publicationsDir())
}

// pointPublished makes published a symbolic link to dir (relative, so the lake can be moved) by
// renaming a new link over it — atomic on POSIX file systems. A real published directory (a
// new lake, or one published before publications existed) is moved aside first.
func (l *Lake) pointPublished(dir string) error {
	link := l.publishedDir()
	rel, err := filepath.Rel(filepath.Dir(link), dir)
	if err != nil {
		return fmt.Errorf("pointing published at %s: %w", dir, err)
	}
	if fi, err := os.Lstat(link); err == nil && fi.IsDir() {
		entries, err := os.ReadDir(link)
		if err != nil {
			return fmt.Errorf("reading %s: %w", link, err)
		}
		if len(entries) == 0 {
			err = os.Remove(link)
		} else {
			err = os.Rename(link, filepath.Join(l.publicationsDir(), "legacy-"+time.Now().UTC().Format("20060102T150405Z")))
		}
		if err != nil {
			return fmt.Errorf("moving the old published directory aside: %w", err)
		}
	}
	tmp := link + ".tmp-" + filepath.Base(dir)
	os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return fmt.Errorf("pointing published at %s: %w", dir, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pointing published at %s: %w", dir, err)
	}
	return syncDir(l.Root)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// recordPublication adds the publication to the database's history (prune and lineage read it).
func (l *Lake) recordPublication(ctx context.Context, scoreRun, publishRun string) error {
	db, err := l.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO published VALUES (?, ?, ?)`, scoreRun, publishRun, time.Now().UTC()); err != nil {
		return fmt.Errorf("recording publication: %w", err)
	}
	return nil
}

// prunePublications removes all but the newest keptPublications directories (and any temporary
// one a crash left behind), never the current one.
func (l *Lake) prunePublications(current string) error {
	entries, err := os.ReadDir(l.publicationsDir())
	if err != nil {
		return fmt.Errorf("listing publications: %w", err)
	}
	var dirs []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case !e.IsDir():
		case strings.HasPrefix(name, ".tmp-"):
			os.RemoveAll(filepath.Join(l.publicationsDir(), name))
		case strings.HasPrefix(name, StagePublish+"-"):
			dirs = append(dirs, name) // run ids sort by start time
		}
	}
	sort.Strings(dirs)
	var errs []error
	for i := 0; i < len(dirs)-keptPublications; i++ {
		path := filepath.Join(l.publicationsDir(), dirs[i])
		if path == current {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("removing old publication: %w", err))
		}
	}
	return errors.Join(errs...)
}
