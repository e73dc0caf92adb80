package collectors

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// ReadParquet calls fn with every record of a raw Parquet file a ParquetSink wrote for a source
// with these fields, in file order: how a coordinator merges the parts its workers wrote. A file
// whose columns are not the source's (another source's part, a hand-edited file) is an error
// naming it.
func ReadParquet(ctx context.Context, path string, fields []string, fn func(Record) error) error {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	want := RawSchema(fields)
	got, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("reading the schema of %s: %w", path, err)
	}
	if len(got.Fields()) != len(want.Fields()) {
		return fmt.Errorf("reading %s: %d columns, want the %d of the source's raw schema", path, len(got.Fields()), len(want.Fields()))
	}
	for i, f := range want.Fields() {
		if g := got.Field(i); g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("reading %s: column %d is %s %s, want %s %s", path, i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		if err := readBatch(rr.RecordBatch(), fields, fn); err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

func readBatch(b arrow.RecordBatch, fields []string, fn func(Record) error) error {
	str := func(i int) *array.String { return b.Column(i).(*array.String) }
	key, u, sha, wf, wid := str(3), str(4), str(7), str(8), str(10)
	fetched := b.Column(5).(*array.Timestamp)
	status := b.Column(6).(*array.Int32)
	offset := b.Column(9).(*array.Int64)
	cols := make([]*array.String, len(fields))
	for i := range fields {
		cols[i] = str(len(LineageColumns) + i)
	}
	for row := 0; row < int(b.NumRows()); row++ {
		r := Record{Key: key.Value(row), Fields: make(map[string]string, len(fields)), Lineage: Lineage{
			URL: u.Value(row), FetchedAt: time.UnixMicro(int64(fetched.Value(row))).UTC(), HTTPStatus: int(status.Value(row)),
			BodySHA256: sha.Value(row), WARCFile: wf.Value(row), WARCOffset: offset.Value(row), WARCRecordID: wid.Value(row),
		}}
		for i, f := range fields {
			if cols[i].IsValid(row) {
				r.Fields[f] = cols[i].Value(row)
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
