package licensees

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func page(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The saved pages are the sample web's lists (seed 1, scale 0.1); counts and first rows are read
// off the HTML.
func TestParseList(t *testing.T) {
	tests := []struct {
		file, sector string
		wantRows     int
		wantFirst    *Row
		wantErr      error
	}{
		{"payment.html", "payment", 26, &Row{Key: "payment/pay0001", Fields: map[string]string{
			"sector": "payment", "licensee_id": "pay0001", "licence": "Z201331679423", "company": "上海小融通支付电子支付有限公司",
			"brand": "小融通支付", "city": "上海", "registered_capital": "40000万元", "status": "正常", "volume": "644.89",
		}}, nil},
		{"credit.html", "credit", 14, &Row{Key: "credit/cr0001", Fields: map[string]string{
			"sector": "credit", "licensee_id": "cr0001", "licence": "11-征信备-20159957", "company": "北京信金征信数据科技有限公司",
			"brand": "信金征信", "city": "北京", "registered_capital": "10000万元", "status": "正常", "volume": "62.8",
		}}, nil},
		{"blockchain.html", "blockchain", 8, nil, nil},
		// Closing tags dropped on the first row (still parsed), then a row without data-id and one
		// whose company is "--": the good row survives, the page is reported.
		{"malformed.html", "credit", 1, &Row{Key: "credit/cr0001", Fields: map[string]string{
			"sector": "credit", "licensee_id": "cr0001", "licence": "11-征信备-20159957", "company": "北京信金征信数据科技有限公司",
			"brand": "信金征信", "city": "北京", "registered_capital": "10000万元", "status": "正常", "volume": "62.8",
		}}, ErrLayout},
		{"notable.html", "credit", 0, nil, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows, err := ParseList(page(t, tt.file), tt.sector)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if len(rows) != tt.wantRows {
				t.Fatalf("got %d rows, want %d", len(rows), tt.wantRows)
			}
			if tt.wantFirst != nil {
				if diff := cmp.Diff(*tt.wantFirst, rows[0]); diff != "" {
					t.Errorf("first row mismatch (-want +got):\n%s", diff)
				}
			}
			seen := map[string]bool{}
			for _, r := range rows {
				if seen[r.Key] {
					t.Errorf("duplicate key %q", r.Key)
				}
				seen[r.Key] = true
			}
		})
	}
}

// FuzzParseList checks the parser never panics and that every row it returns has a key, an id, a
// company, its sector and only known fields.
func FuzzParseList(f *testing.F) {
	for _, name := range []string{"payment.html", "blockchain.html", "malformed.html", "notable.html"} {
		f.Add(page(f, name))
	}
	known := map[string]bool{}
	for _, k := range Fields {
		known[k] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, _ := ParseList(body, "payment")
		for _, r := range rows {
			if r.Key != "payment/"+r.Fields["licensee_id"] || r.Fields["licensee_id"] == "" || r.Fields["company"] == "" || r.Fields["sector"] != "payment" {
				t.Fatalf("accepted a row without identity: %q %v", r.Key, r.Fields)
			}
			for k := range r.Fields {
				if !known[k] {
					t.Fatalf("unknown field %q", k)
				}
			}
		}
	})
}
