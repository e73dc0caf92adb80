package collectors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// LineageColumns are the columns every raw Parquet file starts with, in order.
var LineageColumns = []string{
	"record_id", "run_id", "source", "record_key", "url", "fetched_at", "http_status",
	"body_sha256", "warc_file", "warc_offset", "warc_record_id",
}

// IsLineageColumn reports whether name is one of LineageColumns.
func IsLineageColumn(name string) bool {
	for _, c := range LineageColumns {
		if c == name {
			return true
		}
	}
	return false
}

// RawSchema is the Parquet schema of a source's raw records: the lineage columns (never null)
// followed by one nullable string column per source field.
func RawSchema(fields []string) *arrow.Schema {
	cols := []arrow.Field{
		{Name: "record_id", Type: arrow.BinaryTypes.String},
		{Name: "run_id", Type: arrow.BinaryTypes.String},
		{Name: "source", Type: arrow.BinaryTypes.String},
		{Name: "record_key", Type: arrow.BinaryTypes.String},
		{Name: "url", Type: arrow.BinaryTypes.String},
		{Name: "fetched_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "http_status", Type: arrow.PrimitiveTypes.Int32},
		{Name: "body_sha256", Type: arrow.BinaryTypes.String},
		{Name: "warc_file", Type: arrow.BinaryTypes.String},
		{Name: "warc_offset", Type: arrow.PrimitiveTypes.Int64},
		{Name: "warc_record_id", Type: arrow.BinaryTypes.String},
	}
	for _, f := range fields {
		cols = append(cols, arrow.Field{Name: f, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	return arrow.NewSchema(cols, nil)
}

// SinkOptions bound a sink's memory and file sizes.
type SinkOptions struct {
	BatchRows int // rows buffered before a row group is written
	PartRows  int // rows per part file before a new one starts
	// Prefix starts the part files' names (default "part"): workers sharing a directory name
	// theirs apart.
	Prefix string
	// Scratch writes parts to be read back once and rewritten (a worker's batches, merged when
	// the run is sealed): uncompressed and without dictionaries, cheap to write.
	Scratch bool
}

// ParquetSink writes one source's records of one run as zstd Parquet part files
// (part-00000.parquet, …) into a directory, in bounded batches, writing each record id once.
// The caller owns the directory's atomicity: pipelines writes into a temporary directory and
// renames it when the run succeeds.
type ParquetSink struct {
	dir, source, runID string
	fields             []string
	opts               SinkOptions
	schema             *arrow.Schema

	mu       sync.Mutex
	builder  *array.RecordBuilder
	buffered int
	file     *os.File
	writer   *pqarrow.FileWriter
	partRows int
	parts    []string
	seen     map[string]struct{}
	rows     int64
	dups     int64
	closed   bool
}

// NewParquetSink prepares a sink writing into dir, which must exist.
func NewParquetSink(dir, source, runID string, fields []string, opts SinkOptions) *ParquetSink {
	if opts.BatchRows <= 0 {
		opts.BatchRows = 4096
	}
	if opts.PartRows <= 0 {
		opts.PartRows = 250_000
	}
	if opts.Prefix == "" {
		opts.Prefix = "part"
	}
	schema := RawSchema(fields)
	return &ParquetSink{
		dir: dir, source: source, runID: runID, fields: fields, opts: opts, schema: schema,
		builder: array.NewRecordBuilder(memory.DefaultAllocator, schema),
		seen:    map[string]struct{}{},
	}
}

// Write buffers r, writing a row group once a batch is full. A record whose id was already
// written in this run is skipped (list pages that shift while paged show an item twice).
func (s *ParquetSink) Write(_ context.Context, r Record) error {
	id := RecordID(s.source, r.Key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("writing record %q: sink is closed", r.Key)
	}
	if _, dup := s.seen[id]; dup {
		s.dups++
		return nil
	}
	s.seen[id] = struct{}{}
	b := s.builder
	b.Field(0).(*array.StringBuilder).Append(id)
	b.Field(1).(*array.StringBuilder).Append(s.runID)
	b.Field(2).(*array.StringBuilder).Append(s.source)
	b.Field(3).(*array.StringBuilder).Append(r.Key)
	b.Field(4).(*array.StringBuilder).Append(r.URL)
	b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(r.FetchedAt.UTC().UnixMicro()))
	b.Field(6).(*array.Int32Builder).Append(int32(r.HTTPStatus))
	b.Field(7).(*array.StringBuilder).Append(r.BodySHA256)
	b.Field(8).(*array.StringBuilder).Append(r.WARCFile)
	b.Field(9).(*array.Int64Builder).Append(r.WARCOffset)
	b.Field(10).(*array.StringBuilder).Append(r.WARCRecordID)
	for i, f := range s.fields {
		fb := b.Field(len(LineageColumns) + i).(*array.StringBuilder)
		if v, ok := r.Fields[f]; ok {
			fb.Append(v)
		} else {
			fb.AppendNull()
		}
	}
	s.buffered++
	if s.buffered >= s.opts.BatchRows {
		return s.flushLocked()
	}
	return nil
}

func (s *ParquetSink) flushLocked() error {
	if s.buffered == 0 {
		return nil
	}
	if s.writer == nil {
		if err := s.openPartLocked(); err != nil {
			return err
		}
	}
	rec := s.builder.NewRecordBatch()
	defer rec.Release()
	if err := s.writer.Write(rec); err != nil {
		return fmt.Errorf("writing %s: %w", s.file.Name(), err)
	}
	s.rows += int64(s.buffered)
	s.partRows += s.buffered
	s.buffered = 0
	if s.partRows >= s.opts.PartRows {
		return s.closePartLocked()
	}
	return nil
}

func (s *ParquetSink) openPartLocked() error {
	name := filepath.Join(s.dir, fmt.Sprintf("%s-%05d.parquet", s.opts.Prefix, len(s.parts)))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("creating part file: %w", err)
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithDictionaryDefault(true))
	if s.opts.Scratch {
		props = parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Uncompressed), parquet.WithDictionaryDefault(false))
	}
	w, err := pqarrow.NewFileWriter(s.schema, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return fmt.Errorf("starting parquet writer for %s: %w", name, err)
	}
	s.file, s.writer, s.partRows = f, w, 0
	s.parts = append(s.parts, name)
	return nil
}

func (s *ParquetSink) closePartLocked() error {
	if s.writer == nil {
		return nil
	}
	name := s.file.Name()
	// pqarrow's Close closes the underlying file as well.
	if err := s.writer.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", name, err)
	}
	s.writer, s.file = nil, nil
	return nil
}

// Close writes what is buffered and finishes the current part file. The files are synced to disk
// so that the rename that publishes them cannot expose empty files after a power cut.
func (s *ParquetSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.builder.Release()
	if err := s.flushLocked(); err != nil {
		return err
	}
	if err := s.closePartLocked(); err != nil {
		return err
	}
	for _, p := range s.parts {
		if err := syncFile(p); err != nil {
			return err
		}
	}
	return nil
}

// Rows is the number of records written; Duplicates the number skipped as already written.
func (s *ParquetSink) Rows() (rows, duplicates int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows + int64(s.buffered), s.dups
}

// Parts lists the part files written so far.
func (s *ParquetSink) Parts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.parts...)
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	return nil
}
