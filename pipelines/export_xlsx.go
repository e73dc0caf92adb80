package pipelines

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fhi-index/fhi/scoring"
	"github.com/xuri/excelize/v2"
)

// Workbook is what scores.xlsx holds: a sheet per level, the weights and the metadata.
type Workbook struct {
	Provenance  *Provenance
	PublishRun  string      // empty outside a publication
	PublishedAt time.Time   // zero outside a publication
	Scores      *ScoreTable // total, level 1 and level 2 (ScoreQuery level 0)
	Indicators  *ScoreTable // level 3, with raw values when read with them; may be nil
	Weights     []scoring.NodeWeight
}

// XLSX sheet names (Excel allows 31 characters and no []:*?/\).
const (
	sheetLevel1   = "一级 Level 1"
	sheetLevel2   = "二级 Level 2"
	sheetLevel3   = "三级 Level 3"
	sheetWeights  = "权重 Weights"
	sheetMetadata = "元数据 Metadata"
)

// XLSX header rows: Chinese names, English names, then the column ids that scores.csv uses, so
// a reader can match the two files column by column. Data start on row xlsxFirstRow.
const xlsxFirstRow = 4

// WriteScoresXLSX writes the workbook: sheets 一级/二级/三级 (rank, city, then the columns of that
// level, the total first; level 3 with each indicator's measured value beside its score), a
// weights sheet and a metadata sheet (runs, sources, simulated flag, code version). Scores are
// rounded as in scores.csv, so the two files hold the same numbers.
func WriteScoresXLSX(w io.Writer, wb *Workbook) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	idStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Size: 9}})
	if err != nil {
		return err
	}
	num2, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	x := &xlsxWriter{f: f, bold: bold, id: idStyle, num2: num2}
	first := true
	for _, s := range []struct {
		name  string
		table *ScoreTable
		level int
	}{{sheetLevel1, wb.Scores, 1}, {sheetLevel2, wb.Scores, 2}, {sheetLevel3, wb.Indicators, 3}} {
		if s.table == nil {
			continue
		}
		if first {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		x.scoreSheet(s.name, s.table, s.level)
	}
	if _, err := f.NewSheet(sheetWeights); err != nil {
		return err
	}
	x.weightsSheet(wb.Weights)
	if _, err := f.NewSheet(sheetMetadata); err != nil {
		return err
	}
	x.metadataSheet(wb)
	if x.err != nil {
		return fmt.Errorf("writing scores.xlsx: %w", x.err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("writing scores.xlsx: %w", err)
	}
	return nil
}

// xlsxWriter keeps the first error, so sheet code reads as a list of cells.
type xlsxWriter struct {
	f              *excelize.File
	bold, id, num2 int
	err            error
}

func (x *xlsxWriter) set(sheet string, col, row int, v any) {
	if x.err != nil {
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = x.f.SetCellValue(sheet, cell, v)
	}
	x.err = err
}

func (x *xlsxWriter) style(sheet string, c1, r1, c2, r2, style int) {
	if x.err != nil {
		return
	}
	a, err := excelize.CoordinatesToCellName(c1, r1)
	if err != nil {
		x.err = err
		return
	}
	b, err := excelize.CoordinatesToCellName(c2, r2)
	if err != nil {
		x.err = err
		return
	}
	x.err = x.f.SetCellStyle(sheet, a, b, style)
}

func (x *xlsxWriter) header(sheet string, col int, zh, en, id string) {
	x.set(sheet, col, 1, zh)
	x.set(sheet, col, 2, en)
	x.set(sheet, col, 3, id)
}

func (x *xlsxWriter) freeze(sheet string, cols, lastCol int) {
	if x.err != nil {
		return
	}
	topLeft, _ := excelize.CoordinatesToCellName(cols+1, xlsxFirstRow)
	x.err = x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: cols, YSplit: xlsxFirstRow - 1, TopLeftCell: topLeft, ActivePane: "bottomRight"})
	x.style(sheet, 1, 1, lastCol, 2, x.bold)
	x.style(sheet, 1, 3, lastCol, 3, x.id)
}

// scoreSheet writes the columns of one level (the total always first) of t.
func (x *xlsxWriter) scoreSheet(sheet string, t *ScoreTable, level int) {
	x.header(sheet, 1, "排名", "rank", "rank")
	x.header(sheet, 2, "城市", "city", "city")
	x.header(sheet, 3, "城市（英文）", "city (English)", "city_en")
	col := 4
	type colRef struct {
		i   int
		raw bool
	}
	var cols []colRef
	for i, lb := range t.Labels {
		if lb.Level != 0 && lb.Level != level {
			continue
		}
		x.header(sheet, col, lb.Name, lb.NameEN+" — "+lb.Unit, lb.ID)
		cols = append(cols, colRef{i, false})
		col++
		if t.hasRaw(i) {
			zh, en := rawHeader(lb)
			x.header(sheet, col, zh, en, lb.ID+rawSuffix)
			cols = append(cols, colRef{i, true})
			col++
		}
	}
	if t.Draws > 0 && level == 1 {
		x.header(sheet, col, "排名中位数", fmt.Sprintf("median rank over %d Monte Carlo draws", t.Draws), "rank_median")
		x.header(sheet, col+1, "排名5%分位", "5th percentile rank", "rank_p05")
		x.header(sheet, col+2, "排名95%分位", "95th percentile rank", "rank_p95")
	}
	for k, r := range t.Rows {
		row := xlsxFirstRow + k
		x.set(sheet, 1, row, r.Rank)
		x.set(sheet, 2, row, r.City)
		x.set(sheet, 3, row, r.CityEN)
		for j, c := range cols {
			if c.raw {
				if v := r.Raw[c.i]; !math.IsNaN(v) {
					x.set(sheet, 4+j, row, v)
				}
				continue
			}
			x.set(sheet, 4+j, row, roundScore(r.Scores[c.i]))
			x.style(sheet, 4+j, row, 4+j, row, x.num2)
		}
		if t.Draws > 0 && level == 1 {
			x.set(sheet, col, row, r.MedianRank)
			x.set(sheet, col+1, row, r.P05Rank)
			x.set(sheet, col+2, row, r.P95Rank)
		}
	}
	last := col - 1
	if t.Draws > 0 && level == 1 {
		last = col + 2
	}
	x.freeze(sheet, 3, last)
	if x.err == nil {
		lastCell, _ := excelize.CoordinatesToCellName(last, 1)
		x.err = x.f.SetColWidth(sheet, "D", strings.TrimRight(lastCell, "0123456789"), 16)
	}
}

// rawHeader names an indicator's measured-value column with its unit, in Chinese and English.
func rawHeader(lb ColumnLabel) (zh, en string) {
	unit := lb.RawUnit
	if unit == "" {
		unit = "unit not declared"
	}
	return lb.Name + "（原始值，" + unit + "）", lb.NameEN + " — " + unit
}

func (x *xlsxWriter) weightsSheet(ws []scoring.NodeWeight) {
	const s = sheetWeights
	heads := [][3]string{
		{"节点", "node", "id"}, {"上级", "parent", "parent"}, {"层级", "level", "level"},
		{"名称", "name (Chinese)", "name"}, {"英文名称", "name (English)", "name_en"},
		{"赋权方法（下级）", "weighting of its children", "method"},
		{"局部权重", "weight within parent", "local_weight"}, {"有效权重", "weight in the total", "effective_weight"},
		{"一致性比率 CR", "AHP consistency ratio", "ahp_cr"}, {"主成分解释方差", "PCA variance explained by kept factors", "pca_explained"},
		{"权重来源", "where the weight comes from", "weight_source"},
		{"判断来源（下级）", "provenance of the AHP judgements weighting its children", "judgements_provenance"},
		{"占位权重", "rests on placeholder judgements (own or above)", "placeholder"},
		{"单位", "unit of the indicator", "unit"},
	}
	for i, h := range heads {
		x.header(s, i+1, h[0], h[1], h[2])
	}
	parents := map[string]scoring.NodeWeight{}
	for _, n := range ws {
		parents[n.ID] = n
	}
	for k, n := range ws {
		row := xlsxFirstRow + k
		vals := []any{n.ID, n.Parent, n.Level, n.Name, n.NameEN, n.Method, n.Local, n.Effective}
		for i, v := range vals {
			x.set(s, i+1, row, v)
		}
		if n.Method == scoring.MethodAHP {
			x.set(s, 9, row, n.CR)
		}
		if n.Method == scoring.MethodPCA && n.Kept > 0 {
			x.set(s, 10, row, keptShare(n))
		}
		x.set(s, 11, row, weightSource(n, parents[n.Parent]))
		if n.Method == scoring.MethodAHP {
			x.set(s, 12, row, cmp.Or(n.Provenance, "not stated"))
		}
		x.set(s, 13, row, n.Placeholder)
		x.set(s, 14, row, n.Unit)
	}
	x.freeze(s, 1, len(heads))
}

// keptShare is the share of variance the kept PCA factors explain.
func keptShare(n scoring.NodeWeight) float64 {
	var s float64
	for i := 0; i < n.Kept && i < len(n.Explained); i++ {
		s += n.Explained[i]
	}
	return s
}

// localIsPlaceholder says whether a node's local weight, set by its parent's method, was computed
// from placeholder AHP judgements (provenance: placeholder in the judgements file). The 2017
// report weights levels 1–2 by AHP but publishes no judgements, so the shipped ones are
// placeholders until a panel's replace them.
func localIsPlaceholder(parent scoring.NodeWeight) bool {
	return parent.Method == scoring.MethodAHP && parent.Provenance == scoring.ProvenancePlaceholder
}

// weightSource says in words where a node's local weight comes from, and whether placeholder
// judgements are behind it (its own parent's, or an ancestor's through the effective weight).
func weightSource(n, parent scoring.NodeWeight) string {
	var s string
	switch {
	case n.Parent == "":
		return "root (weight 1)"
	case parent.Method == scoring.MethodAHP:
		s = "AHP on " + judgementsText(parent)
	case parent.Method == scoring.MethodPCA:
		s = "PCA on this run's data (Nicoletti recipe)"
	default:
		s = parent.Method
	}
	if n.Placeholder && !localIsPlaceholder(parent) {
		s += "; its weight in the total rests on placeholder judgements above it"
	}
	return s
}

// judgementsText describes the judgements of an AHP group: their provenance, who and when.
func judgementsText(g scoring.NodeWeight) string {
	j := g.Judgements
	switch {
	case g.Provenance == scoring.ProvenancePlaceholder:
		return "placeholder judgements (nobody elicited them; the 2017 report published none) · 占位权重"
	case j != nil && j.Provenance != "":
		s := j.Provenance + " judgements"
		if j.Who != "" || j.When != "" {
			s += " (" + strings.Trim(j.Who+", "+j.When, ", ") + ")"
		}
		return s
	}
	return "judgements inline in the framework, provenance not stated"
}

func (x *xlsxWriter) metadataSheet(wb *Workbook) {
	const s = sheetMetadata
	x.set(s, 1, 1, "项目 key")
	x.set(s, 2, 1, "值 value")
	row := 2
	kv := func(k string, v any) {
		x.set(s, 1, row, k)
		x.set(s, 2, row, v)
		row++
	}
	p := wb.Provenance
	if p == nil {
		p = &Provenance{}
	}
	if wb.PublishRun != "" {
		kv("publish_run", wb.PublishRun)
		kv("published_at", wb.PublishedAt.UTC().Format(time.RFC3339))
	}
	kv("score_run", p.ScoreRun)
	kv("transform_run", p.TransformRun)
	kv("simulated 模拟数据", strconv.FormatBool(p.Simulated))
	if p.Simulated {
		kv("note", "Simulated data: computed from fhi's sample web, a local simulation of the source sites — not from the real sites. 模拟数据，非真实来源。")
	}
	kv("framework_sha256", p.FrameworkSHA256)
	kv("code_module", p.Code.Module)
	kv("code_version", p.Code.Version)
	kv("code_vcs_revision", p.Code.Revision)
	kv("code_vcs_modified", strconv.FormatBool(p.Code.Modified))
	kv("go_version", p.Code.GoVersion)
	kv("score_unit", ScoreUnit)
	kv("weights", weightsSummary(wb.Weights, p.Judgements))
	if wb.Scores != nil {
		kv("missing_indicators", strings.Join(wb.Scores.Missing, ", "))
		if wb.Scores.Draws > 0 {
			kv("uncertainty_draws", wb.Scores.Draws)
		}
	}
	row++
	heads := []string{"来源 source", "采集运行 collect run", "记录数 records", "地址 base URL", "模拟 simulated", "完成 finished"}
	for i, h := range heads {
		x.set(s, i+1, row, h)
	}
	x.style(s, 1, row, len(heads), row, x.bold)
	for _, src := range p.Sources {
		row++
		x.set(s, 1, row, src.Source)
		x.set(s, 2, row, src.Run)
		x.set(s, 3, row, src.Records)
		x.set(s, 4, row, src.BaseURL)
		x.set(s, 5, row, strconv.FormatBool(src.Simulated))
		if src.FinishedAt != nil {
			x.set(s, 6, row, src.FinishedAt.UTC().Format(time.RFC3339))
		}
	}
	x.style(s, 1, 1, 2, 1, x.bold)
	if x.err == nil {
		x.err = x.f.SetColWidth(s, "A", "B", 28)
	}
}

// weightsSummary says in one line how the weights were set and which rest on placeholders.
func weightsSummary(ws []scoring.NodeWeight, judgementsFile string) string {
	var placeholder, other []string
	for _, n := range ws {
		if n.Method != scoring.MethodAHP {
			continue
		}
		if n.Provenance == scoring.ProvenancePlaceholder {
			placeholder = append(placeholder, n.ID)
		} else {
			other = append(other, n.ID+" "+judgementsText(n))
		}
	}
	from := ""
	if judgementsFile != "" {
		from = " in " + judgementsFile
	}
	s := "AHP groups"
	if len(placeholder) > 0 {
		s += fmt.Sprintf(": the judgements of %s are placeholders (provenance: placeholder%s), not a panel's — every weight derived from them is marked placeholder in the weights sheet", strings.Join(placeholder, ", "), from)
	}
	if len(other) > 0 {
		s += "; " + strings.Join(other, "; ")
	}
	return s + "; PCA groups: weights from this run's data"
}

// scoreWeights reads the weight tree a score run stored, in framework order.
func scoreWeights(ctx context.Context, db *sql.DB, runID string) ([]scoring.NodeWeight, error) {
	rows, err := db.QueryContext(ctx, `SELECT diagnostics FROM score_weights WHERE run_id = ? ORDER BY ord`, runID)
	if err != nil {
		return nil, fmt.Errorf("reading the weights of %s: %w", runID, err)
	}
	defer rows.Close()
	var out []scoring.NodeWeight
	for rows.Next() {
		var diag string
		if err := rows.Scan(&diag); err != nil {
			return nil, err
		}
		var n scoring.NodeWeight
		if err := json.Unmarshal([]byte(diag), &n); err != nil {
			return nil, fmt.Errorf("decoding the weights of %s: %w", runID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// WriteWorkbook writes the scores.xlsx workbook of a score run (the published one when runID is
// empty) to w.
func (l *Lake) WriteWorkbook(ctx context.Context, w io.Writer, runID string) error {
	db, err := l.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if runID == "" {
		if runID, err = l.publishedScoreRun(ctx, db); err != nil {
			return err
		}
	}
	prov, err := l.ScoreProvenance(runID)
	if err != nil {
		return err
	}
	wb := &Workbook{Provenance: prov}
	if wb.Scores, err = l.scoreTable(ctx, db, ScoreQuery{Run: runID}); err != nil {
		return err
	}
	if wb.Indicators, err = l.scoreTable(ctx, db, ScoreQuery{Run: runID, Level: 3, Raw: true}); err != nil {
		return err
	}
	if wb.Weights, err = scoreWeights(ctx, db, runID); err != nil {
		return err
	}
	return WriteScoresXLSX(w, wb)
}
