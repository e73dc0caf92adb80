package crowdfunding

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

// platforms.html is the sample web's list (seed 1, scale 0.1); the count and first row are read
// off the HTML.
func TestParsePlatforms(t *testing.T) {
	first := Platform{Key: "cf0001", Fields: map[string]string{
		"platform_id": "cf0001", "name": "点安众筹网", "city": "广州", "status": "停业", "raised": "2428.84",
	}}
	tests := []struct {
		file      string
		wantRows  int
		wantFirst *Platform
		wantErr   error
	}{
		{"platforms.html", 34, &first, nil},
		// Closing tags dropped on the first row (still parsed), then a row without data-id and one
		// with a blank name: the good row survives, the page is reported.
		{"malformed.html", 1, &first, ErrLayout},
		{"notable.html", 0, nil, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParsePlatforms(page(t, tt.file))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if len(got) != tt.wantRows {
				t.Fatalf("got %d rows, want %d", len(got), tt.wantRows)
			}
			if tt.wantFirst != nil {
				if diff := cmp.Diff(*tt.wantFirst, got[0]); diff != "" {
					t.Errorf("first row mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// FuzzParsePlatforms checks the parser never panics and that every row it returns has a key, a
// name and only known fields.
func FuzzParsePlatforms(f *testing.F) {
	for _, name := range []string{"platforms.html", "malformed.html", "notable.html"} {
		f.Add(page(f, name))
	}
	known := map[string]bool{}
	for _, k := range Fields {
		known[k] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, _ := ParsePlatforms(body)
		for _, r := range rows {
			if r.Key == "" || r.Fields["platform_id"] != r.Key || r.Fields["name"] == "" {
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
