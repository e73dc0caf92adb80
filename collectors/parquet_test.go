package collectors

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func TestParquetSinkBatchesPartsAndDedupes(t *testing.T) {
	dir := t.TempDir()
	sink := NewParquetSink(dir, "test", "run1", []string{"name", "city"}, SinkOptions{BatchRows: 3, PartRows: 5})
	fetched := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	for i := range 12 {
		fields := map[string]string{"name": fmt.Sprintf("平台%d", i)}
		if i%2 == 0 {
			fields["city"] = "杭州"
		}
		rec := Record{Key: fmt.Sprintf("k%02d", i%10), Fields: fields, Lineage: Lineage{
			URL: "http://x/" + fmt.Sprint(i), FetchedAt: fetched, HTTPStatus: 200, BodySHA256: "ab",
			WARCFile: "run1-00001.warc.gz", WARCOffset: int64(i * 100), WARCRecordID: "<urn:uuid:x>",
		}}
		if err := sink.Write(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	rows, dups := sink.Rows()
	if rows != 10 || dups != 2 {
		t.Errorf("got %d rows and %d duplicates, want 10 and 2", rows, dups)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "part-*.parquet"))
	if len(parts) != 2 {
		t.Fatalf("got %d part files, want 2 (5 rows per part, 3-row batches)", len(parts))
	}
	var total, nullCities int64
	ids := map[string]bool{}
	for _, p := range parts {
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got := tbl.Schema().Field(0).Name; got != "record_id" {
			t.Errorf("first column %q, want record_id", got)
		}
		tr := array.NewTableReader(tbl, 100)
		for tr.Next() {
			rec := tr.RecordBatch()
			for i := range int(rec.NumRows()) {
				for c := range len(LineageColumns) {
					if rec.Column(c).IsNull(i) {
						t.Errorf("%s row %d: lineage column %s is null", p, i, LineageColumns[c])
					}
				}
				ids[rec.Column(0).(*array.String).Value(i)] = true
			}
			nullCities += int64(rec.Column(len(LineageColumns) + 1).NullN())
			total += rec.NumRows()
		}
		tr.Release()
		tbl.Release()
		rdr.Close()
	}
	if total != 10 || len(ids) != 10 {
		t.Errorf("read %d rows with %d distinct ids, want 10 and 10", total, len(ids))
	}
	if nullCities != 5 {
		t.Errorf("got %d null cities, want 5 (missing fields are nulls)", nullCities)
	}
	if err := sink.Write(t.Context(), Record{Key: "late"}); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestRecordIDIsStableAndSourceScoped(t *testing.T) {
	// A pinned value — the first 16 bytes of sha256("p2p\x00p1"), computed with Python's hashlib —
	// so a change to the formula, which would re-key every lake, cannot pass unnoticed.
	if got := RecordID("p2p", "p1"); got != "98a98e8b3099b3fadc7018cb92b801ce" {
		t.Errorf("RecordID(p2p, p1) = %s, want 98a98e8b3099b3fadc7018cb92b801ce", got)
	}
	if RecordID("p2p", "p1") == RecordID("vc", "p1") {
		t.Error("RecordID does not depend on the source")
	}
	if got := RecordID("p2p", "p1"); len(got) != 32 {
		t.Errorf("RecordID length %d, want 32 hex digits", len(got))
	}
}
