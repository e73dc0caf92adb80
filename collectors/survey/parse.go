package survey

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet is the questionnaire's sheet name.
const Sheet = "问卷"

// Header is the questionnaire's header row, in column order.
var Header = []string{"编号", "城市", "年龄段", "职业", "是否使用网贷", "区块链了解程度", "了解程度(分)"}

// Fields are the record fields, one per header column in the same order.
var Fields = []string{"response_id", "city", "age_group", "occupation", "uses_p2p", "familiarity_label", "familiarity"}

// ErrLayout marks a workbook that is not the questionnaire: unreadable, without the sheet, or with
// another header. Nothing of it is used.
var ErrLayout = errors.New("survey: workbook layout not recognised")

// RowError is a response row that was skipped; Row is the 1-based spreadsheet row.
type RowError struct {
	Row int
	Err string
}

func (e *RowError) Error() string { return fmt.Sprintf("survey: row %d: %s", e.Row, e.Err) }

// Row is one response: Fields names → raw cell text; empty cells are absent.
type Row struct {
	ID     string
	Fields map[string]string
}

// Parsed is what one workbook yields.
type Parsed struct {
	Rows []Row
	// Problems are skipped rows (*RowError); the other rows are valid.
	Problems []error
}

// Parse reads the questionnaire from XLSX bytes. An error (wrapping ErrLayout) means the whole
// workbook is unusable.
func Parse(data []byte) (Parsed, error) {
	var out Parsed
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return out, fmt.Errorf("%w: opening workbook: %v", ErrLayout, err)
	}
	defer f.Close()
	if idx, err := f.GetSheetIndex(Sheet); err != nil || idx < 0 {
		return out, fmt.Errorf("%w: no sheet %q (sheets: %v)", ErrLayout, Sheet, f.GetSheetList())
	}
	rows, err := f.GetRows(Sheet)
	if err != nil {
		return out, fmt.Errorf("%w: reading sheet %q: %v", ErrLayout, Sheet, err)
	}
	if len(rows) == 0 {
		return out, fmt.Errorf("%w: sheet %q is empty", ErrLayout, Sheet)
	}
	head := rows[0]
	for i, want := range Header {
		got := ""
		if i < len(head) {
			got = strings.TrimSpace(head[i])
		}
		if got != want {
			return out, fmt.Errorf("%w: header column %d is %q, want %q", ErrLayout, i+1, got, want)
		}
	}
	seen := map[string]int{}
	for i, cells := range rows[1:] {
		line := i + 2
		fields := map[string]string{}
		for j, name := range Fields {
			if j < len(cells) {
				if v := strings.TrimSpace(cells[j]); v != "" {
					fields[name] = v
				}
			}
		}
		if len(fields) == 0 {
			continue // a blank row
		}
		id := fields["response_id"]
		if id == "" {
			out.Problems = append(out.Problems, &RowError{Row: line, Err: "no 编号"})
			continue
		}
		if first, dup := seen[id]; dup {
			out.Problems = append(out.Problems, &RowError{Row: line, Err: fmt.Sprintf("编号 %s repeats row %d", id, first)})
			continue
		}
		seen[id] = line
		out.Rows = append(out.Rows, Row{ID: id, Fields: fields})
	}
	return out, nil
}
