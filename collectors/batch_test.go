package collectors

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Parts written by a sink with a prefix read back record for record.
func TestReadParquetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	fields := []string{"name", "city"}
	sink := NewParquetSink(dir, "test", "run1", fields, SinkOptions{BatchRows: 3, PartRows: 4, Prefix: "w1-b00007"})
	fetched := time.Date(2026, 11, 26, 3, 0, 0, 123000, time.UTC)
	var want []Record
	for i := range 9 {
		fields := map[string]string{"name": fmt.Sprintf("平台%d", i)}
		if i%2 == 0 {
			fields["city"] = "杭州"
		}
		r := Record{Key: fmt.Sprintf("k%02d", i), Fields: fields, Lineage: Lineage{
			URL: "http://x/" + fmt.Sprint(i), FetchedAt: fetched, HTTPStatus: 200, BodySHA256: "ab",
			WARCFile: "run1-00001.warc.gz", WARCOffset: int64(i * 100), WARCRecordID: "<urn:uuid:x>",
		}}
		want = append(want, r)
		if err := sink.Write(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	parts := sink.Parts()
	if len(parts) != 2 || !strings.HasPrefix(filepath.Base(parts[0]), "w1-b00007-") {
		t.Fatalf("parts %v: want 2 named w1-b00007-NNNNN.parquet (a part closes past 4 rows)", parts)
	}
	var got []Record
	for _, p := range parts {
		if err := ReadParquet(t.Context(), p, fields, func(r Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-written +read):\n%s", diff)
	}
	err := ReadParquet(t.Context(), parts[0], []string{"name"}, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), parts[0]) {
		t.Errorf("reading with another source's fields: %v, want an error naming the file", err)
	}
}

// Cut returns each finished WARC file once, durable, with its size and hash; the archive goes on
// in a new file.
func TestArchiveCut(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenArchive(dir, "run1-w1-g0")
	if err != nil {
		t.Fatal(err)
	}
	write := func(i int) Lineage {
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "http", Host: "x", Path: fmt.Sprintf("/%d", i)}, Header: http.Header{}}
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html"}}}
		lin, err := a.WriteExchange(req, resp, []byte(fmt.Sprintf("<p>%d</p>", i)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return lin
	}
	l1 := write(1)
	write(2)
	first, err := a.Cut()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].Name != l1.WARCFile || first[0].Bytes == 0 || len(first[0].SHA256) != 64 {
		t.Fatalf("first cut %+v, want the one file %s", first, l1.WARCFile)
	}
	if again, err := a.Cut(); err != nil || len(again) != 0 {
		t.Errorf("a cut with nothing written: %+v, %v", again, err)
	}
	l3 := write(3)
	second, err := a.Cut()
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 1 || second[0].Name != l3.WARCFile || l3.WARCFile == l1.WARCFile {
		t.Fatalf("second cut %+v, want a new file %s", second, l3.WARCFile)
	}
	if _, err := ReadResponse(filepath.Join(dir, l3.WARCFile), l3.WARCOffset); err != nil {
		t.Errorf("reading the record of the second file: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}
