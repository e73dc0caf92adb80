package pipelines

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// UTF8BOM is the byte-order mark Excel on Windows needs to read a CSV file as UTF-8 rather than
// the ANSI code page (without it 北京 opens as 鍖椾含). Published CSV files start with it; `fhi
// scores --format csv --bom` writes it too.
var UTF8BOM = []byte{0xEF, 0xBB, 0xBF}

// ScoreUnit is the unit of every standardised score and sub-index.
const ScoreUnit = "score (0–100)"

// rawSuffix names the column of an indicator's measured value beside its standardised score.
const rawSuffix = "_raw"

// WriteScoresCSV writes the header rank,city,<columns…> — total first — then, with raw values,
// <indicator>_raw after each indicator; then the rank interval when the run has one; then
// score_run and simulated, so that a file read on its own still says where it came from.
// Missing raw values are empty cells.
func WriteScoresCSV(w io.Writer, t *ScoreTable) error {
	cw := csv.NewWriter(w)
	header := []string{"rank", "city"}
	for i, c := range t.Columns {
		header = append(header, c)
		if t.hasRaw(i) {
			header = append(header, c+rawSuffix)
		}
	}
	if t.Draws > 0 {
		header = append(header, "rank_median", "rank_p05", "rank_p95")
	}
	header = append(header, "score_run", ParamSimulated)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := []string{strconv.Itoa(r.Rank), r.City}
		for i, s := range r.Scores {
			rec = append(rec, formatScore(s))
			if t.hasRaw(i) {
				rec = append(rec, formatRaw(r.Raw[i]))
			}
		}
		if t.Draws > 0 {
			rec = append(rec, strconv.FormatFloat(r.MedianRank, 'f', 1, 64), strconv.Itoa(r.P05Rank), strconv.Itoa(r.P95Rank))
		}
		rec = append(rec, t.RunID, strconv.FormatBool(t.Simulated))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formatScore is the one rounding of a score in every export: two decimals, as published.
func formatScore(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) }

// roundScore is formatScore as a number, for XLSX cells that must equal the CSV's.
func roundScore(s float64) float64 {
	v, _ := strconv.ParseFloat(formatScore(s), 64)
	return v
}

// formatRaw keeps a measured value exact (shares such as 0.0654 must not round to 0.07).
func formatRaw(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// hasRaw says whether column i carries measured values (indicators of a table read with raw).
func (t *ScoreTable) hasRaw(i int) bool {
	return t.WithRaw && i < len(t.Labels) && t.Labels[i].Level == 3
}

// scoresJSON is the JSON form of a ScoreTable: rows are objects keyed by column id, so a reader
// need not line positions up; labels give each column's Chinese and English name and unit.
type scoresJSON struct {
	ScoreRun     string        `json:"score_run"`
	TransformRun string        `json:"transform_run"`
	Simulated    bool          `json:"simulated"`
	Columns      []string      `json:"columns"`
	Labels       []ColumnLabel `json:"labels"`
	Missing      []string      `json:"missing_indicators"`
	Draws        int           `json:"uncertainty_draws,omitempty"`
	Rows         []scoreRowObj `json:"rows"`
}

// scoreRowObj marshals one row as {"rank":…, "city":…, "city_en":…, "total":…, "industry":…, …}
// in column order (a map would sort the keys).
type scoreRowObj struct {
	t *ScoreTable
	r *ScoreRow
}

func (o scoreRowObj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := func(v any) error {
		j, err := json.Marshal(v)
		b.Write(j)
		return err
	}
	b.WriteString(`{"rank":`)
	_ = enc(o.r.Rank)
	b.WriteString(`,"city":`)
	_ = enc(o.r.City)
	if o.r.CityEN != "" {
		b.WriteString(`,"city_en":`)
		_ = enc(o.r.CityEN)
	}
	for i, c := range o.t.Columns {
		b.WriteByte(',')
		_ = enc(c)
		b.WriteByte(':')
		_ = enc(roundScore(o.r.Scores[i]))
		if o.t.hasRaw(i) {
			b.WriteByte(',')
			_ = enc(c + rawSuffix)
			b.WriteByte(':')
			if math.IsNaN(o.r.Raw[i]) {
				b.WriteString("null")
			} else if err := enc(o.r.Raw[i]); err != nil {
				return nil, err
			}
		}
	}
	if o.t.Draws > 0 {
		fmt.Fprintf(&b, `,"rank_median":%s,"rank_p05":%d,"rank_p95":%d`, strconv.FormatFloat(o.r.MedianRank, 'f', -1, 64), o.r.P05Rank, o.r.P95Rank)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON writes the table with rows as objects and a label for every column.
func (t *ScoreTable) MarshalJSON() ([]byte, error) {
	out := scoresJSON{ScoreRun: t.RunID, TransformRun: t.TransformRunID, Simulated: t.Simulated, Columns: t.Columns,
		Labels: t.Labels, Missing: nonNil(t.Missing), Draws: t.Draws, Rows: make([]scoreRowObj, len(t.Rows))}
	if out.Labels == nil {
		out.Labels = []ColumnLabel{}
	}
	for i := range t.Rows {
		out.Rows[i] = scoreRowObj{t, &t.Rows[i]}
	}
	return json.Marshal(out)
}
