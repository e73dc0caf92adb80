package p2p

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func page(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseList(t *testing.T) {
	pageURL, _ := url.Parse("http://sample.test/p2p/platforms?page=2")
	tests := []struct {
		file    string
		want    ListPage
		wantErr error
	}{
		{"list.html", ListPage{
			Platforms: []string{
				"http://sample.test/p2p/platforms/p00021",
				"http://sample.test/p2p/platforms/p00022",
				"http://sample.test/p2p/p00023",
			},
			Next: "http://sample.test/p2p/platforms?page=3",
		}, nil},
		{"list_last.html", ListPage{Platforms: []string{"http://sample.test/p2p/platforms/p00041"}}, nil},
		{"detail.html", ListPage{}, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseList(page(t, tt.file), pageURL)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseList mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDetail(t *testing.T) {
	tests := []struct {
		file       string
		wantKey    string
		wantFields map[string]string
		wantErr    error
	}{
		{"detail.html", "p00021", map[string]string{
			"platform_id": "p00021", "name": "钱满满", "address": "浙江省杭州市西湖区文三路90号",
			"registered_capital": "5000万元", "online_date": "2014-03-05", "turnover_2016": "12.35亿元",
			"status": "正常", "background": "民营系",
		}, nil},
		// Hostile text stays text; "--" and absent cells are missing fields.
		{"detail_missing.html", "p00022", map[string]string{
			"platform_id": "p00022", "name": "'; DROP TABLE raw_p2p; --", "address": "广东深圳南山区科技园", "status": "问题",
		}, nil},
		{"detail_malformed.html", "", nil, ErrLayout},
		{"detail_noname.html", "", nil, ErrLayout},
		{"list.html", "", nil, ErrLayout},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			key, fields, err := ParseDetail(page(t, tt.file))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if key != tt.wantKey {
				t.Errorf("got key %q, want %q", key, tt.wantKey)
			}
			if diff := cmp.Diff(tt.wantFields, fields); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseDetail checks the parser never panics and that whatever it accepts has a key and a
// name and only known fields.
func FuzzParseDetail(f *testing.F) {
	for _, name := range []string{"detail.html", "detail_missing.html", "detail_malformed.html", "list.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	known := map[string]bool{}
	for _, k := range Fields {
		known[k] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		key, fields, err := ParseDetail(body)
		if err != nil {
			return
		}
		if key == "" || fields["name"] == "" || fields["platform_id"] != key {
			t.Fatalf("accepted a page without key or name: %q %v", key, fields)
		}
		for k := range fields {
			if !known[k] {
				t.Fatalf("unknown field %q", k)
			}
		}
	})
}

func FuzzParseList(f *testing.F) {
	for _, name := range []string{"list.html", "list_last.html", "detail.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pages", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	base, _ := url.Parse("http://sample.test/p2p/platforms?page=1")
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := ParseList(body, base)
		if err != nil {
			return
		}
		for _, u := range append(page.Platforms, page.Next) {
			if u == "" {
				continue
			}
			if parsed, perr := url.Parse(u); perr != nil || !parsed.IsAbs() {
				t.Fatalf("non-absolute link %q", u)
			}
		}
	})
}
