package scoring

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ParseError reports a malformed CSV cell, like encoding/csv.ParseError: Line and Column are
// 1-based (Column 0 when the whole line is at fault).
type ParseError struct {
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Table is a wide indicator table: one row per unit (city), one column per indicator id.
// Values[u][i] is the raw value of Indicators[i] for Units[u]; NaN marks a missing value.
// Indicators holds every numeric column (indicators and denominators alike); Attributes the
// text columns that describe units (tier, region …).
type Table struct {
	Units      []string
	Indicators []string
	Values     [][]float64
	Attributes []Attribute
}

// Attribute is a text column of a Table: Values[u] describes Units[u] ("" when unknown).
type Attribute struct {
	Name   string
	Values []string
}

// Attribute returns the values of attribute name, or nil if the table lacks it.
func (t Table) Attribute(name string) []string {
	for _, a := range t.Attributes {
		if a.Name == name {
			return a.Values
		}
	}
	return nil
}

// check validates the table's shape: unique units and columns, rows of the right length.
func (t Table) check() error {
	if len(t.Values) != len(t.Units) {
		return fmt.Errorf("checking table: %d units but %d rows", len(t.Units), len(t.Values))
	}
	col := map[string]bool{}
	for _, id := range t.Indicators {
		if col[id] {
			return fmt.Errorf("checking table: duplicate indicator %q", id)
		}
		col[id] = true
	}
	for _, a := range t.Attributes {
		if col[a.Name] {
			return fmt.Errorf("checking table: duplicate column %q", a.Name)
		}
		col[a.Name] = true
		if len(a.Values) != len(t.Units) {
			return fmt.Errorf("checking table: attribute %s has %d values, want %d", a.Name, len(a.Values), len(t.Units))
		}
	}
	seen := map[string]bool{}
	for u, name := range t.Units {
		if seen[name] {
			return fmt.Errorf("checking table: duplicate unit %q", name)
		}
		seen[name] = true
		if len(t.Values[u]) != len(t.Indicators) {
			return fmt.Errorf("checking table: unit %s has %d values, want %d", name, len(t.Values[u]), len(t.Indicators))
		}
	}
	return nil
}

// Column returns the values of indicator id over all units, or nil if the table lacks it.
func (t Table) Column(id string) []float64 {
	for j, ind := range t.Indicators {
		if ind == id {
			col := make([]float64, len(t.Units))
			for u := range t.Units {
				col[u] = t.Values[u][j]
			}
			return col
		}
	}
	return nil
}

// missingTokens are the cell spellings ReadTableCSV reads as a missing value (NaN).
var missingTokens = map[string]bool{"": true, "na": true, "nan": true, "null": true, "-": true}

// ReadTableCSV reads a wide CSV table: a header row "unit,<indicator ids…>" (the first header
// cell is free text) then one row per unit with its name first. Empty cells and NA, NaN, NULL or
// "-" (any case) are missing values. Malformed numbers, ragged rows, duplicate units or indicators
// and an empty table are *ParseError values with the line and column. A UTF-8 byte-order mark is
// skipped; "#" starts a comment line. Columns named in attributes are read as text (Table.Attributes,
// trimmed; missing tokens become ""); an attribute named but absent from the header is an error.
func ReadTableCSV(r io.Reader, attributes ...string) (Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	var t Table
	seenUnit := map[string]bool{}
	isAttr := map[string]bool{}
	for _, a := range attributes {
		isAttr[a] = true
	}
	var kind []int // per data column: index into t.Indicators, or −1 − index into t.Attributes
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Table{}, &ParseError{Line: pe.Line, Column: pe.Column, Err: pe.Err}
			}
			return Table{}, fmt.Errorf("reading table: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if t.Indicators == nil {
			if len(rec) < 2 {
				return Table{}, &ParseError{Line: line, Err: errors.New("header needs a unit column and at least one indicator")}
			}
			seen := map[string]bool{}
			for j, h := range rec[1:] {
				h = strings.TrimSpace(h)
				if h == "" {
					return Table{}, &ParseError{Line: line, Column: j + 2, Err: errors.New("empty indicator name")}
				}
				if seen[h] {
					return Table{}, &ParseError{Line: line, Column: j + 2, Err: fmt.Errorf("duplicate indicator %q", h)}
				}
				seen[h] = true
				if isAttr[h] {
					kind = append(kind, -1-len(t.Attributes))
					t.Attributes = append(t.Attributes, Attribute{Name: h})
					continue
				}
				kind = append(kind, len(t.Indicators))
				t.Indicators = append(t.Indicators, h)
			}
			for _, a := range attributes {
				if !seen[a] {
					return Table{}, &ParseError{Line: line, Err: fmt.Errorf("no column %q (an attribute the framework needs)", a)}
				}
			}
			if t.Indicators == nil {
				t.Indicators = []string{}
			}
			continue
		}
		if len(rec) != len(kind)+1 {
			return Table{}, &ParseError{Line: line, Err: fmt.Errorf("got %d fields, want %d", len(rec), len(kind)+1)}
		}
		unit := strings.TrimSpace(rec[0])
		if unit == "" {
			return Table{}, &ParseError{Line: line, Column: 1, Err: errors.New("empty unit name")}
		}
		if strings.HasPrefix(unit, "#") {
			return Table{}, &ParseError{Line: line, Column: 1, Err: fmt.Errorf("unit name %q must not start with # (it reads as a comment)", unit)}
		}
		if seenUnit[unit] {
			return Table{}, &ParseError{Line: line, Column: 1, Err: fmt.Errorf("duplicate unit %q", unit)}
		}
		seenUnit[unit] = true
		row := make([]float64, len(t.Indicators))
		for c, cell := range rec[1:] {
			cell = strings.TrimSpace(cell)
			if k := kind[c]; k < 0 {
				if missingTokens[strings.ToLower(cell)] {
					cell = ""
				}
				t.Attributes[-1-k].Values = append(t.Attributes[-1-k].Values, cell)
				continue
			}
			j := kind[c]
			if missingTokens[strings.ToLower(cell)] {
				row[j] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return Table{}, &ParseError{Line: line, Column: c + 2, Err: fmt.Errorf("parsing %q as a finite number", cell)}
			}
			row[j] = v
		}
		t.Units = append(t.Units, unit)
		t.Values = append(t.Values, row)
	}
	if t.Indicators == nil {
		return Table{}, &ParseError{Line: 1, Err: errors.New("empty table: no header row")}
	}
	return t, nil
}

// WriteTableCSV writes t in the format ReadTableCSV reads (attribute columns last), with header cell unitHeader
// ("unit" when empty); missing values are empty cells and numbers use the shortest exact form.
func WriteTableCSV(w io.Writer, t Table, unitHeader string) error {
	if unitHeader == "" {
		unitHeader = "unit"
	}
	cw := csv.NewWriter(w)
	header := append([]string{unitHeader}, t.Indicators...)
	for _, a := range t.Attributes {
		header = append(header, a.Name)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("writing header: %w", err)
	}
	for u, name := range t.Units {
		rec := make([]string, 0, len(t.Indicators)+1)
		rec = append(rec, name)
		for _, v := range t.Values[u] {
			if math.IsNaN(v) {
				rec = append(rec, "")
			} else {
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		for _, a := range t.Attributes {
			rec = append(rec, a.Values[u])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("writing unit %s: %w", name, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// ParseJudgment parses one pairwise judgment: a positive decimal ("3", "0.2") or a fraction of two
// positive decimals ("1/3").
func ParseJudgment(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, den, frac := strings.Cut(s, "/")
	a, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return 0, fmt.Errorf("parsing judgment %q: want a number like 3, 0.2 or 1/3", s)
	}
	if frac {
		b, err := strconv.ParseFloat(strings.TrimSpace(den), 64)
		if err != nil || b == 0 {
			return 0, fmt.Errorf("parsing judgment %q: want a fraction like 1/3", s)
		}
		a /= b
	}
	if !(a > 0) || math.IsInf(a, 0) {
		return 0, fmt.Errorf("parsing judgment %q: must be positive and finite", s)
	}
	return a, nil
}

// looksNumeric reports whether s reads as a number or a fraction of numbers, of any sign or
// value (including NaN and Inf), as opposed to a label.
func looksNumeric(s string) bool {
	num, den, frac := strings.Cut(strings.TrimSpace(s), "/")
	if _, err := strconv.ParseFloat(strings.TrimSpace(num), 64); err != nil {
		return false
	}
	if frac {
		_, err := strconv.ParseFloat(strings.TrimSpace(den), 64)
		return err == nil
	}
	return true
}

// FormatJudgment renders a judgment as Saaty would write it: "3", "1/3", else 4 significant digits.
func FormatJudgment(a float64) string {
	if r := math.Round(a); a >= 1 && math.Abs(a-r) < 1e-9 {
		return strconv.FormatFloat(r, 'f', -1, 64)
	}
	if r := math.Round(1 / a); a > 0 && a < 1 && math.Abs(1/a-r) < 1e-9 {
		return "1/" + strconv.FormatFloat(r, 'f', -1, 64)
	}
	return strconv.FormatFloat(a, 'g', 4, 64)
}

// ParseMatrixCSV reads a square pairwise-comparison matrix: n lines of n comma-separated judgments
// (see ParseJudgment), with an optional header row of labels and an optional first column of
// labels (detected as cells that are not judgments). Labels are returned when present (from the
// header if both). Errors are *ParseError values naming the line and column.
func ParseMatrixCSV(r io.Reader) ([]string, *mat.Dense, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var recs [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, &ParseError{Line: pe.Line, Column: pe.Column, Err: pe.Err}
			}
			return nil, nil, fmt.Errorf("reading matrix: %w", err)
		}
		line, _ := cr.FieldPos(0)
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	if len(recs) == 0 {
		return nil, nil, &ParseError{Line: 1, Err: errors.New("empty matrix")}
	}
	// A cell is a label only if it is not a number at all: "-3", "0", "NaN" and "Inf" are bad
	// judgments to report with their cell, not labels that would shift the matrix.
	isJudgment := looksNumeric
	var labels []string
	// A header row: any cell after the first is not a judgment (the first may be an empty corner).
	header := len(recs[0]) == 1 && !isJudgment(recs[0][0])
	for j, c := range recs[0] {
		if j > 0 && !isJudgment(c) {
			header = true
			break
		}
	}
	if header {
		for _, c := range recs[0] {
			labels = append(labels, strings.TrimSpace(c))
		}
		recs, lines = recs[1:], lines[1:]
		if len(recs) == 0 {
			return nil, nil, &ParseError{Line: 1, Err: errors.New("header but no judgments")}
		}
	}
	// A label column: the first cell of the first data row is not a judgment.
	labelCol := !isJudgment(recs[0][0])
	n := len(recs)
	if header {
		if labelCol && len(labels) == n+1 {
			labels = labels[1:]
		}
		if len(labels) != n {
			return nil, nil, &ParseError{Line: 1, Err: fmt.Errorf("header has %d labels, want %d", len(labels), n)}
		}
	}
	m := mat.NewDense(n, n, nil)
	var rowLabels []string
	for i, rec := range recs {
		off := 0
		if labelCol {
			off = 1
			rowLabels = append(rowLabels, strings.TrimSpace(rec[0]))
		}
		if len(rec)-off != n {
			return nil, nil, &ParseError{Line: lines[i], Err: fmt.Errorf("got %d judgments, want %d (the matrix must be square)", len(rec)-off, n)}
		}
		for j := 0; j < n; j++ {
			a, err := ParseJudgment(rec[j+off])
			if err != nil {
				return nil, nil, &ParseError{Line: lines[i], Column: j + off + 1, Err: err}
			}
			m.Set(i, j, a)
		}
	}
	if labels == nil {
		labels = rowLabels
	}
	return labels, m, nil
}
