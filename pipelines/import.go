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
	"strconv"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/xuri/excelize/v2"
)

// ImportOptions describe a file a team gathered by hand or bought (a survey export, a yearbook
// table) to bring into the lake as a source.
type ImportOptions struct {
	Source string // the source name the rows are filed under
	File   string // a .csv or .xlsx file
	Sheet  string // xlsx: the sheet (default: the first)
	Key    string // column holding each row's natural key (default: the row number)
}

// Import files the rows of a CSV or XLSX file as a collect run of opts.Source: raw Parquet with the
// same lineage columns as a crawl — url is the file's path, body_sha256 its content hash, and
// warc_file/warc_offset name the copy kept in the archive and the row number. Rows that do not fit
// the header are listed in failures.json with the reason.
func (l *Lake) Import(ctx context.Context, opts ImportOptions) (m *Manifest, err error) {
	if err := collectors.ValidSourceName(opts.Source); err != nil {
		return nil, err
	}
	if _, err := collectors.Default.Lookup(opts.Source); err == nil {
		return nil, fmt.Errorf("%s is a crawled source: file the import under a name of its own, such as %s_import", opts.Source, opts.Source)
	}
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(opts.File))
	var rows [][]string
	switch ext {
	case ".csv":
		rows, err = readCSVRows(data)
	case ".xlsx":
		rows, err = readXLSXRows(data, opts.Sheet)
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

	m, err = l.beginRun(StageCollect, opts.Source, nil)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(opts.File)
	m.Params = map[string]string{"import": abs}
	tmp := l.rawTempDir(opts.Source, m.RunID)
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
	if err := os.MkdirAll(l.ArchiveDir(opts.Source), 0o755); err != nil {
		return m, err
	}
	if err := WriteFileAtomic(filepath.Join(l.ArchiveDir(opts.Source), archiveName), data); err != nil {
		return m, err
	}
	sum := sha256.Sum256(data)
	now := time.Now().UTC()
	sink := collectors.NewParquetSink(tmp, opts.Source, m.RunID, header, collectors.SinkOptions{})
	var failures []collectors.Failure
	for i, row := range rows[1:] {
		line := i + 2 // 1-based, after the header
		if len(row) > len(header) {
			failures = append(failures, collectors.Failure{URL: "file://" + abs, Kind: "quarantine", Attempts: 1,
				Error: fmt.Sprintf("row %d has %d cells, the header %d", line, len(row), len(header)), WARCFile: archiveName, WARCOffset: int64(line)})
			continue
		}
		fields := map[string]string{}
		for j, v := range row {
			if v = strings.TrimSpace(v); v != "" {
				fields[header[j]] = v
			}
		}
		if len(fields) == 0 {
			continue // blank line
		}
		key := "row:" + strconv.Itoa(line)
		if keyCol >= 0 {
			if keyCol >= len(row) || strings.TrimSpace(row[keyCol]) == "" {
				failures = append(failures, collectors.Failure{URL: "file://" + abs, Kind: "quarantine", Attempts: 1,
					Error: fmt.Sprintf("row %d has no %s", line, opts.Key), WARCFile: archiveName, WARCOffset: int64(line)})
				continue
			}
			key = strings.TrimSpace(row[keyCol])
		}
		rec := collectors.Record{Key: key, Fields: fields, Lineage: collectors.Lineage{
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
	rowsWritten, dups := sink.Rows()
	m.Rows = rowsWritten
	if rowsWritten == 0 {
		return m, fmt.Errorf("%s: %w", opts.File, ErrNoRecords)
	}
	if failures == nil {
		failures = []collectors.Failure{}
	}
	fb, _ := json.MarshalIndent(failures, "", "  ")
	if err := WriteFileAtomic(filepath.Join(tmp, "failures.json"), fb); err != nil {
		return m, err
	}
	m.Details, _ = json.Marshal(map[string]any{"file": abs, "sha256": hex.EncodeToString(sum[:]), "rows": rowsWritten,
		"duplicate_keys_skipped": dups, "failures": len(failures), "columns": header})
	final := l.RawDir(opts.Source, m.RunID)
	if err := os.Rename(tmp, final); err != nil {
		return m, fmt.Errorf("publishing partition %s: %w", final, err)
	}
	if err := l.recordOutputs(m, final, opts.Source); err != nil {
		return m, err
	}
	ref, err := l.fileRef(filepath.Join(l.ArchiveDir(opts.Source), archiveName))
	if err != nil {
		return m, err
	}
	m.Inputs = append(m.Inputs, ref)
	return m, nil
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
	return f.GetRows(sheet)
}
