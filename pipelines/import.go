package pipelines

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/internal/yamlsafe"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// ImportOptions describe a file a team gathered by hand or bought (a survey export, a yearbook
// table, a P2P directory) to bring into the lake as a source.
type ImportOptions struct {
	Source string // the source name the rows are filed under
	File   string // a .csv or .xlsx file
	Sheet  string // xlsx: the sheet (default: the first)
	Key    string // column holding each row's natural key (default: the row number)

	// As files the rows as a run of an existing (crawled) source, so the transform reads them with
	// that source's steps: Source must be empty or equal to As. Map names the file's column for
	// each of the source's fields (field → column); a field without an entry is read from the
	// column of its own name, if any. MapFile is a YAML file of the same map, laid under Map.
	As      string
	Map     map[string]string
	MapFile string

	// Encoding of a CSV file: utf-8, gbk, gb18030 or utf-16; empty detects it (a byte-order mark,
	// else UTF-8 if the bytes are valid UTF-8, else GB18030 — which GBK is part of — if they
	// decode cleanly). Nothing invalid is ever stored.
	Encoding string
}

// ImportReport is what an import did, kept in its manifest's details.
type ImportReport struct {
	File       string            `json:"file"`
	SHA256     string            `json:"sha256"`
	Encoding   string            `json:"encoding"`
	As         string            `json:"as,omitempty"`
	Mapping    map[string]string `json:"mapping,omitempty"` // source field → the file's column
	Columns    []string          `json:"columns"`           // the raw columns written
	Rows       int64             `json:"rows"`
	Failures   int               `json:"failures"` // rows set aside, listed in failures.json
	FailureLog string            `json:"failures_file"`
}

// ErrImportEncoding is returned for a CSV file that is not in the encoding given or detectable.
var ErrImportEncoding = errors.New("pipelines: file is not valid text in any supported encoding")

// Import files the rows of a CSV or XLSX file as a collect run: raw Parquet with the same lineage
// columns as a crawl — url is the file's path, body_sha256 its content hash, and
// warc_file/warc_offset name the copy kept in the archive and the row number. Rows that do not fit
// the header (short, long) or repeat an earlier row's key are listed in failures.json with the
// reason and counted in the report. With opts.As the run is one of that crawled source, its
// columns mapped to the source's fields: the next transform reads it as the source's latest run.
func (l *Lake) Import(ctx context.Context, opts ImportOptions) (m *Manifest, err error) {
	source, fields, err := importTarget(&opts)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(opts.File)
	if err != nil {
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(opts.File))
	var rows [][]string
	enc := "utf-8 (xlsx)"
	switch ext {
	case ".csv":
		var text []byte
		if text, enc, err = decodeText(raw, opts.Encoding); err != nil {
			return nil, fmt.Errorf("%s: %w", opts.File, err)
		}
		rows, err = readCSVRows(text)
	case ".xlsx":
		rows, err = readXLSXRows(raw, opts.Sheet)
	default:
		return nil, fmt.Errorf("%s: want a .csv or .xlsx file", opts.File)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", opts.File, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s has no data rows under its header", opts.File)
	}
	header, err := importHeader(rows[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.File, err)
	}
	columns, mapping, err := importColumns(header, fields, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.File, err)
	}
	keyCol := -1
	if opts.Key != "" {
		for i, h := range header {
			if h == opts.Key {
				keyCol = i
			}
		}
		if keyCol < 0 {
			return nil, fmt.Errorf("%s has no column %q for --key (columns: %s)", opts.File, opts.Key, strings.Join(header, ", "))
		}
	}

	m, err = l.beginRun(StageCollect, source, nil)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(opts.File)
	m.Params = map[string]string{"import": abs}
	if opts.As != "" {
		m.Params["as"] = opts.As
	}
	tmp := l.rawTempDir(source, m.RunID)
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return m, err
	}
	// The file itself is the "response": a copy is archived so every row stays traceable to bytes.
	archiveName := m.RunID + "-import" + ext
	if err := os.MkdirAll(l.ArchiveDir(source), 0o755); err != nil {
		return m, err
	}
	if err := WriteFileAtomic(filepath.Join(l.ArchiveDir(source), archiveName), raw); err != nil {
		return m, err
	}
	sum := sha256.Sum256(raw)
	now := time.Now().UTC()
	sink := collectors.NewParquetSink(tmp, source, m.RunID, columns, collectors.SinkOptions{})
	var failures []collectors.Failure
	fail := func(line int, format string, args ...any) {
		failures = append(failures, collectors.Failure{URL: "file://" + abs, Kind: "quarantine", Attempts: 1,
			Error: fmt.Sprintf("row %d: ", line) + fmt.Sprintf(format, args...), WARCFile: archiveName, WARCOffset: int64(line)})
	}
	keyRow := map[string]int{}
	for i, row := range rows[1:] {
		line := i + 2 // 1-based, after the header
		if blank(row) {
			continue
		}
		switch {
		case len(row) > len(header):
			fail(line, "has %d cells, the header %d (a long row)", len(row), len(header))
			continue
		case len(row) < len(header):
			fail(line, "has %d cells, the header %d (a short row)", len(row), len(header))
			continue
		}
		values := map[string]string{}
		for j, v := range row {
			if v = strings.TrimSpace(v); v != "" {
				values[mapping[header[j]]] = v
			}
		}
		key := "row:" + strconv.Itoa(line)
		if keyCol >= 0 {
			if key = strings.TrimSpace(row[keyCol]); key == "" {
				fail(line, "has no %s", opts.Key)
				continue
			}
			if first, dup := keyRow[key]; dup {
				fail(line, "repeats key %q of row %d (a duplicate-key row)", key, first)
				continue
			}
			keyRow[key] = line
		}
		rec := collectors.Record{Key: key, Fields: values, Lineage: collectors.Lineage{
			URL: "file://" + abs, FetchedAt: now, HTTPStatus: 200, BodySHA256: hex.EncodeToString(sum[:]),
			WARCFile: archiveName, WARCOffset: int64(line), WARCRecordID: fmt.Sprintf("<file:%s#row=%d>", hex.EncodeToString(sum[:8]), line),
		}}
		if err := sink.Write(ctx, rec); err != nil {
			return m, errors.Join(err, sink.Close())
		}
	}
	if err := sink.Close(); err != nil {
		return m, err
	}
	rowsWritten, _ := sink.Rows()
	m.Rows = rowsWritten
	if rowsWritten == 0 {
		return m, fmt.Errorf("%s: %w (%d rows set aside)", opts.File, ErrNoRecords, len(failures))
	}
	if failures == nil {
		failures = []collectors.Failure{}
	}
	fb, _ := json.MarshalIndent(failures, "", "  ")
	if err := WriteFileAtomic(filepath.Join(tmp, "failures.json"), fb); err != nil {
		return m, err
	}
	final := l.RawDir(source, m.RunID)
	report := ImportReport{File: abs, SHA256: hex.EncodeToString(sum[:]), Encoding: enc, As: opts.As, Columns: columns,
		Rows: rowsWritten, Failures: len(failures), FailureLog: l.Rel(filepath.Join(final, "failures.json"))}
	if opts.As != "" {
		report.Mapping = map[string]string{}
		for col, field := range mapping {
			if containsString(fields, field) {
				report.Mapping[field] = col
			}
		}
	}
	m.Details, _ = json.Marshal(report)
	if err := os.Rename(tmp, final); err != nil {
		return m, fmt.Errorf("publishing partition %s: %w", final, err)
	}
	if err := l.recordOutputs(m, final, source); err != nil {
		return m, err
	}
	ref, err := l.fileRef(filepath.Join(l.ArchiveDir(source), archiveName))
	if err != nil {
		return m, err
	}
	m.Inputs = append(m.Inputs, ref)
	return m, nil
}

// ReadImportReport returns the report of an import run (nil for any other run).
func ReadImportReport(m *Manifest) *ImportReport {
	if m == nil || m.Params["import"] == "" || len(m.Details) == 0 {
		return nil
	}
	var r ImportReport
	if json.Unmarshal(m.Details, &r) != nil {
		return nil
	}
	return &r
}

// importTarget settles the source name and, for --as, the source's fields.
func importTarget(opts *ImportOptions) (string, []string, error) {
	if opts.As == "" {
		if err := collectors.ValidSourceName(opts.Source); err != nil {
			return "", nil, err
		}
		if _, err := collectors.Default.Lookup(opts.Source); err == nil {
			return "", nil, fmt.Errorf("%s is a crawled source: import with --as %s to file the rows as its data (mapping the file's columns to its fields), or under a name of your own", opts.Source, opts.Source)
		}
		if len(opts.Map) > 0 || opts.MapFile != "" {
			return "", nil, errors.New("a column mapping needs --as <source>")
		}
		return opts.Source, nil, nil
	}
	if opts.Source != "" && opts.Source != opts.As {
		return "", nil, fmt.Errorf("--as %s files the rows under %s, not %s", opts.As, opts.As, opts.Source)
	}
	src, err := collectors.Default.Lookup(opts.As)
	if err != nil {
		return "", nil, fmt.Errorf("--as: %w", err)
	}
	if opts.MapFile != "" {
		b, err := os.ReadFile(opts.MapFile)
		if err != nil {
			return "", nil, fmt.Errorf("reading the mapping: %w", err)
		}
		var fromFile map[string]string
		if err := yamlsafe.DecodeStrict(b, &fromFile); err != nil {
			return "", nil, fmt.Errorf("mapping file %s: want lines of field: column (%w)", opts.MapFile, err)
		}
		merged := map[string]string{}
		for k, v := range fromFile {
			merged[k] = v
		}
		for k, v := range opts.Map { // the command line wins
			merged[k] = v
		}
		opts.Map = merged
	}
	return src.Name, src.Fields, nil
}

// importColumns returns the raw columns to write and the file column → raw column mapping. Without
// a target source every column keeps its name. With one, the mapped and same-named columns become
// the source's fields and the other columns keep their names, so nothing of the file is dropped.
func importColumns(header, fields []string, opts ImportOptions) ([]string, map[string]string, error) {
	mapping := map[string]string{}
	if opts.As == "" {
		for _, h := range header {
			mapping[h] = h
		}
		return header, mapping, nil
	}
	inHeader := map[string]bool{}
	for _, h := range header {
		inHeader[h] = true
	}
	isField := map[string]bool{}
	for _, f := range fields {
		isField[f] = true
	}
	var problems []string
	for _, f := range sortedMapKeys(opts.Map) {
		col := opts.Map[f]
		switch {
		case !isField[f]:
			problems = append(problems, fmt.Sprintf("%s is not a field of %s (its fields: %s)", f, opts.As, strings.Join(fields, ", ")))
		case !inHeader[col]:
			problems = append(problems, fmt.Sprintf("%s=%s: the file has no column %q (its columns: %s)", f, col, col, strings.Join(header, ", ")))
		case mapping[col] != "":
			problems = append(problems, fmt.Sprintf("column %q is mapped to both %s and %s", col, mapping[col], f))
		default:
			mapping[col] = f
		}
	}
	for _, f := range fields {
		if _, mapped := opts.Map[f]; !mapped && inHeader[f] && mapping[f] == "" {
			mapping[f] = f
		}
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("mapping to %s: %s", opts.As, strings.Join(problems, "; "))
	}
	used := map[string]bool{}
	for _, f := range mapping {
		used[f] = true
	}
	if len(used) == 0 {
		return nil, nil, fmt.Errorf("no column maps to a field of %s (its fields: %s): pass --map field=column", opts.As, strings.Join(fields, ", "))
	}
	columns := append([]string(nil), fields...)
	for _, h := range header {
		if mapping[h] != "" {
			continue
		}
		if isField[h] || used[h] {
			return nil, nil, fmt.Errorf("column %q has the name of a field of %s but another column is mapped to it", h, opts.As)
		}
		mapping[h] = h
		columns = append(columns, h)
	}
	return columns, mapping, nil
}

func sortedMapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// decodeText returns b as UTF-8 and the encoding it was read in. name is one of utf-8, gbk,
// gb18030, utf-16, or empty to detect.
func decodeText(b []byte, name string) ([]byte, string, error) {
	decode := func(e encoding.Encoding, label string) ([]byte, string, error) {
		out, err := e.NewDecoder().Bytes(b)
		if err != nil || !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
			return nil, "", fmt.Errorf("%w: not valid %s", ErrImportEncoding, label)
		}
		return out, label, nil
	}
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "utf-8", "utf8":
		if !utf8.Valid(b) {
			return nil, "", fmt.Errorf("%w: not valid UTF-8 (a Chinese Excel CSV is usually GB18030: try --encoding gb18030)", ErrImportEncoding)
		}
		return bytes.TrimPrefix(b, []byte("\ufeff")), "utf-8", nil
	case "gbk", "cp936":
		return decode(simplifiedchinese.GBK, "gbk")
	case "gb18030":
		return decode(simplifiedchinese.GB18030, "gb18030")
	case "utf-16", "utf16":
		return decode(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "utf-16")
	case "":
	default:
		return nil, "", fmt.Errorf("unknown encoding %q: want utf-8, gbk, gb18030 or utf-16", name)
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, _, err := decode(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16")
		return out, "utf-16 (byte-order mark)", err
	case utf8.Valid(b):
		return bytes.TrimPrefix(b, []byte("\ufeff")), "utf-8", nil
	}
	out, _, err := decode(simplifiedchinese.GB18030, "gb18030")
	if err != nil {
		return nil, "", fmt.Errorf("%w: neither UTF-8 nor GBK/GB18030 (pass --encoding)", ErrImportEncoding)
	}
	return out, "gb18030 (detected)", nil
}

// blank reports whether a row has no non-space cell.
func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// importHeader checks the header row: non-empty, unique column names.
func importHeader(row []string) ([]string, error) {
	seen := map[string]bool{}
	out := make([]string, len(row))
	for i, h := range row {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			return nil, fmt.Errorf("header column %d is empty", i+1)
		}
		if seen[h] || collectors.IsLineageColumn(h) {
			return nil, fmt.Errorf("header column %q is repeated or reserved", h)
		}
		seen[h] = true
		out[i] = h
	}
	return out, nil
}

func readCSVRows(data []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // ragged rows are quarantined, not fatal
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, rec)
	}
}

func readXLSXRows(data []byte, sheet string) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if sheet == "" {
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, errors.New("workbook has no sheets")
		}
		sheet = sheets[0]
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, err
	}
	// excelize drops trailing empty cells: pad each row to the header's width, so only a row
	// with more cells than the header counts as misshapen.
	if len(rows) > 0 {
		for i := 1; i < len(rows); i++ {
			for len(rows[i]) < len(rows[0]) && !blank(rows[i]) {
				rows[i] = append(rows[i], "")
			}
		}
	}
	return rows, nil
}

// ImportedSources returns the sources of the lake at root that only imports feed (no spec
// registers them), each with the columns its latest successful import wrote: what an analyst's
// SQL steps read, for fhi lint. It reads manifests only, which are immutable once written, so it
// takes no lock; a root without runs gives none.
func ImportedSources(root string) (map[string][]string, error) {
	l := &Lake{Root: root}
	if _, err := os.Stat(l.runsDir()); err != nil {
		return map[string][]string{}, nil
	}
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, m := range runs { // oldest first: the latest import of a source wins
		if m.Stage != StageCollect || m.Status != StatusSucceeded {
			continue
		}
		if _, err := collectors.Default.Lookup(m.Source); err == nil {
			continue
		}
		if rep := ReadImportReport(m); rep != nil {
			out[m.Source] = rep.Columns
		}
	}
	return out, nil
}
