package specs

import (
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/spec"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func embedded(t testing.TB) map[string]*spec.Spec {
	t.Helper()
	all, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*spec.Spec{}
	for _, s := range all {
		m[s.Name] = s
	}
	return m
}

// pageCase is one saved page, the URL it was fetched from (which picks the page spec) and what
// extracting it must give; each case also has a golden JSONL of its extraction.
type pageCase struct {
	source, file, url string
	wantItems         int // -1: not checked
	wantLinks         int
	wantProblem       bool
	gbk               bool // the file holds the GBK bytes the site serves
}

// pageCases are the pages of the first three specs; people_test.go, money_test.go and city_test.go
// hold the others.
var pageCases = []pageCase{
	{"p2p", "p2p_list.html", "http://s.test/p2p/platforms?page=2", 0, 4, false, false},
	{"p2p", "p2p_list_last.html", "http://s.test/p2p/platforms?page=3", 0, 1, false, false},
	{"p2p", "p2p_detail.html", "http://s.test/p2p/platforms/p00021", 1, 0, false, false},
	{"p2p", "p2p_detail_missing.html", "http://s.test/p2p/platforms/p00022", 1, 0, false, false},
	{"p2p", "p2p_detail_malformed.html", "http://s.test/p2p/platforms/p00023", 0, 0, true, false},
	{"p2p", "p2p_detail_noname.html", "http://s.test/p2p/platforms/p00024", 0, 0, true, false},
	{"p2p", "p2p_detail.html", "http://s.test/p2p/platforms?page=1", 0, 0, true, false}, // a detail page where a list should be
	{"licensees", "licensees_payment.html", "http://s.test/licensees/payment", 26, 0, false, false},
	{"licensees", "licensees_credit.html", "http://s.test/licensees/credit", 14, 0, false, false},
	{"licensees", "licensees_blockchain.html", "http://s.test/licensees/blockchain", 8, 0, false, false},
	{"licensees", "licensees_malformed.html", "http://s.test/licensees/payment", -1, 0, true, false},
	{"licensees", "licensees_notable.html", "http://s.test/licensees/credit", 0, 0, true, false},
	{"crowdfunding", "crowdfunding_platforms.html", "http://s.test/crowdfunding/platforms", 34, 0, false, false},
	{"crowdfunding", "crowdfunding_malformed.html", "http://s.test/crowdfunding/platforms", -1, 0, true, false},
	{"crowdfunding", "crowdfunding_notable.html", "http://s.test/crowdfunding/platforms", 0, 0, true, false},
}

func TestExtractSavedPages(t *testing.T) { checkPages(t, pageCases) }

// checkPages extracts every case's page and checks the counts, that problems are ErrLayout, and
// the golden file.
func checkPages(t *testing.T, cases []pageCase) {
	for _, tt := range cases {
		t.Run(tt.source+" "+tt.file+" as "+tt.url, func(t *testing.T) {
			ex := extractFile(t, tt.source, tt.url, tt.file, tt.gbk)
			if tt.wantItems >= 0 && len(ex.Items) != tt.wantItems {
				t.Errorf("got %d items, want %d", len(ex.Items), tt.wantItems)
			}
			if len(ex.Links) != tt.wantLinks {
				t.Errorf("got %d links, want %d: %v", len(ex.Links), tt.wantLinks, ex.Links)
			}
			if got := ex.Err() != nil; got != tt.wantProblem {
				t.Errorf("got problems %v, want problems: %v", ex.Err(), tt.wantProblem)
			}
			if ex.Err() != nil && !errors.Is(ex.Err(), spec.ErrLayout) {
				t.Errorf("problem %v is not an ErrLayout", ex.Err())
			}
			golden(t, tt.file+"@"+tt.source+"_"+strings.NewReplacer("/", "_", "?", "_", "=", "", "&", "_", ".", "_").Replace(strings.TrimPrefix(tt.url, "http://s.test/")), ex)
		})
	}
}

// extractFile extracts a saved page as the crawl would: the page spec is picked by the URL's path
// below the source's site (/p2p, /city …), and a GBK file is decoded first.
func extractFile(t testing.TB, source, rawURL, file string, gbk bool) spec.Extraction {
	t.Helper()
	s := embedded(t)[source]
	if s == nil {
		t.Fatalf("no embedded spec %s", source)
	}
	body, err := os.ReadFile(filepath.Join("testdata", "pages", file))
	if err != nil {
		t.Fatal(err)
	}
	if gbk {
		body = collectors.DecodeUTF8(http.Header{"Content-Type": {"text/html"}}, body) // the page says GBK in its <meta>
	}
	u, _ := url.Parse(rawURL)
	rel := strings.TrimPrefix(u.Path, "/"+s.Site)
	page := s.PageFor(rel)
	if page == nil {
		t.Fatalf("no page of spec %s matches %s", source, rel)
	}
	ex, err := page.Extract(spec.Input{URL: u, Path: rel, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func golden(t *testing.T, name string, ex spec.Extraction) {
	t.Helper()
	items := append([]spec.Item(nil), ex.Items...)
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		_ = enc.Encode(map[string]any{"key": it.Key, "fields": it.Fields})
	}
	for _, l := range ex.Links {
		if l.Carry == nil {
			_ = enc.Encode(map[string]string{"link": l.URL})
		} else {
			_ = enc.Encode(map[string]any{"link": l.URL, "carry": l.Carry})
		}
	}
	for _, p := range ex.Problems {
		_ = enc.Encode(map[string]string{"problem": p.Error()})
	}
	path := filepath.Join("testdata", "golden", name+".jsonl")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (regenerate with go test ./collectors/specs -update): %v", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("extraction differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestP2PDetailFields(t *testing.T) {
	ex := extractFile(t, "p2p", "http://s.test/p2p/platforms/p00022", "p2p_detail_missing.html", false)
	want := map[string]string{"platform_id": "p00022", "name": "'; DROP TABLE raw_p2p; --", "address": "广东深圳南山区科技园", "status": "问题"}
	if diff := cmp.Diff(want, ex.Items[0].Fields); diff != "" {
		t.Errorf("hostile name and missing cells (-want +got):\n%s", diff)
	}
}

func TestEmbeddedSpecsRegister(t *testing.T) {
	for name, s := range embedded(t) {
		src, err := collectors.Default.Lookup(name)
		if err != nil {
			t.Errorf("spec %s is not registered: %v", name, err)
			continue
		}
		if !cmp.Equal(src.Fields, s.Fields()) || src.Site == "" {
			t.Errorf("source %s: fields %v site %q, want the spec's %v and a site", name, src.Fields, src.Site, s.Fields())
		}
	}
}

func TestLoadDirOverridesEmbedded(t *testing.T) {
	dir := t.TempDir()
	edited := strings.Replace(mustRead(t, "p2p.yaml"), "name: h1.name", "name: h2.title", 1)
	if err := os.WriteFile(filepath.Join(dir, "p2p.yaml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := collectors.NewRegistry()
	for _, s := range collectors.Default.Sources() {
		reg.Register(s)
	}
	got, err := LoadDir(dir, reg)
	if err != nil || len(got) != 1 {
		t.Fatalf("LoadDir: %v, %d specs", err, len(got))
	}
	page := got[0].PageFor("/platforms/x")
	u, _ := url.Parse("http://s.test/p2p/platforms/x")
	ex, _ := page.Extract(spec.Input{URL: u, Body: []byte(`<div class="platform" data-id="x"><h2 class="title">新名字</h2></div>`)})
	if len(ex.Items) != 1 || ex.Items[0].Fields["name"] != "新名字" {
		t.Errorf("edited spec not used: %+v", ex)
	}
	if _, err := LoadDir(filepath.Join(dir, "nope"), reg); err == nil {
		t.Error("LoadDir of a missing directory succeeded")
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzExtract runs every embedded spec page over arbitrary bodies: no panic, and every item has
// its required fields and a key.
func FuzzExtract(f *testing.F) {
	entries, _ := os.ReadDir(filepath.Join("testdata", "pages"))
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join("testdata", "pages", e.Name()))
		f.Add(b)
	}
	f.Add([]byte(`{"loans":[{"id":1}]}`))
	all, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	u, _ := url.Parse("http://s.test/x/y")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range all {
			for _, p := range s.Pages {
				ex, err := p.Extract(spec.Input{URL: u, Body: body})
				if err != nil {
					continue
				}
				for _, it := range ex.Items {
					for _, r := range p.Items.Required {
						if it.Fields[r] == "" {
							t.Fatalf("%s/%s: item %q lacks required %s", s.Name, p.Name, it.Key, r)
						}
					}
				}
			}
		}
	})
}
