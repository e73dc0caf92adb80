package specs

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/spec"
	"github.com/google/go-cmp/cmp"
)

// TestSavedPagesThroughCrawlAndProbe serves saved pages of the script-data shapes over HTTP as
// their sites do (a POST API that checks its Referer, a GBK page declared only in its <meta>, a
// JavaScript answer) and crawls them with the specs: the records are exactly the ones extraction
// of the saved page gives (its golden), and so is what probe shows for the page.
func TestSavedPagesThroughCrawlAndProbe(t *testing.T) {
	arrSpec, err := spec.Parse("jobs_arr.yaml", mustReadFile(t, filepath.Join("testdata", "specs", "jobs_arr.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	specs := embedded(t)
	specs["jobs_arr"] = arrSpec
	tests := []struct {
		source, file, path, ctype string
		post                      bool
	}{
		{"jobs_arr", "jobs_arr.js", "/jobs-api/positions.js", "application/javascript", false},
		{"jobs", "jobs_ajax_page1.json", "/jobs-api/jobs/positionAjax.json", "application/json;charset=UTF-8", true},
		{"jobs_gbk", "jobs_gbk_search.html", "/jobs-gbk/search/1.html", "text/html", false},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			body := mustReadFile(t, filepath.Join("testdata", "pages", tt.file))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path || tt.post != (r.Method == http.MethodPost) {
					http.NotFound(w, r)
					return
				}
				if tt.post && (!strings.Contains(r.Referer(), "/jobs/list") || r.PostFormValue("start") != "0") {
					http.NotFound(w, r) // only the first page is saved; no Referer, no answer
					return
				}
				w.Header().Set("Content-Type", tt.ctype)
				w.Write(body)
			}))
			defer srv.Close()
			s := specs[tt.source]
			src := s.Source()
			recs, failures := crawlWith(t, src, srv.URL+"/"+s.Site)
			if len(failures) > 0 {
				t.Errorf("failures %+v", failures)
			}
			u := srv.URL + tt.path
			var want spec.Extraction
			if tt.source == "jobs_arr" {
				want = extractWith(t, arrSpec, u, body)
			} else {
				want = extractFile(t, tt.source, "http://s.test"+tt.path, tt.file, tt.source == "jobs_gbk")
			}
			var wantKeys, gotKeys []string
			for _, it := range want.Items {
				wantKeys = append(wantKeys, it.Key)
			}
			got := map[string]map[string]string{}
			for _, r := range recs {
				gotKeys = append(gotKeys, r.Key)
				got[r.Key] = r.Fields
			}
			sort.Strings(wantKeys)
			sort.Strings(gotKeys)
			if len(wantKeys) == 0 || !cmp.Equal(wantKeys, gotKeys) {
				t.Fatalf("crawled keys %v, want %v", gotKeys, wantKeys)
			}
			for _, it := range want.Items {
				if diff := cmp.Diff(it.Fields, got[it.Key]); diff != "" {
					t.Errorf("record %s (-extracted +crawled):\n%s", it.Key, diff)
				}
			}
			pu := mustURL(t, u)
			p, err := src.Probe(pu, collectors.DecodeUTF8(http.Header{"Content-Type": {tt.ctype}}, body))
			if err != nil || len(p.Items) != len(want.Items) || len(p.Problems) != 0 {
				t.Errorf("probe: %v, %d items, problems %v", err, len(p.Items), p.Problems)
			}
		})
	}
	if f := extractWith(t, arrSpec, "http://s.test/jobs-api/positions.js", mustReadFile(t, filepath.Join("testdata", "pages", "jobs_arr.js"))); len(f.Items) != 3 ||
		f.Items[0].Fields["perks"] != "弹性工作/六险一金" || f.Items[2].Fields["salary"] != "面议" || f.Items[0].Fields["posted"] != "2018-03-01" || f.Items[0].Key != "4123001" {
		t.Errorf("let arr page: %+v", f.Items)
	}
}

func extractWith(t *testing.T, s *spec.Spec, rawURL string, body []byte) spec.Extraction {
	t.Helper()
	u := mustURL(t, rawURL)
	rel := strings.TrimPrefix(u.Path, "/"+s.Site)
	ex, err := s.PageFor(rel).Extract(spec.Input{URL: u, Path: rel, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type recorder struct {
	mu   sync.Mutex
	recs []collectors.Record
}

func (r *recorder) Write(_ context.Context, rec collectors.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}

// crawlWith crawls base with src through the crawl engine, robots.txt obeyed.
func crawlWith(t *testing.T, src collectors.Source, base string) ([]collectors.Record, []collectors.Failure) {
	t.Helper()
	arch, err := collectors.OpenArchive(t.TempDir(), "run1")
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	opts := collectors.DefaultOptions()
	opts.Parallelism, opts.Delay, opts.RandomDelay, opts.RequestTimeout = 2, 0, 0, 5*time.Second
	opts.Retry = collectors.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	w := &recorder{}
	crawl, err := collectors.NewCrawl(t.Context(), src, base, arch, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := src.New(collectors.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if err := crawl.Run(coll); err != nil {
		t.Fatal(err)
	}
	return w.recs, crawl.Failures()
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
