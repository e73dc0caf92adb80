package collectors

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocolly/colly/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestRedirects crawls a site whose links redirect: within the host (followed, the record's
// lineage is the target's), off the host, in a loop, to a robots-disallowed target and on and on.
// Each bad one is a failure of the redirecting URL; the crawl ends normally with everything else.
func TestRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the crawl contacted another host: %s", r.URL)
	}))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n") })
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<a href="/old/a">a</a> <a href="/away">x</a> <a href="/loop1">l</a> <a href="/sneaky">s</a> <a href="/chain/0">c</a> <a href="/b">b</a> <a href="/old/b">b again</a>`)
	})
	mux.HandleFunc("/old/{p}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new/"+r.PathValue("p"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new/{p}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "<h1>moved %s</h1>", r.PathValue("p")) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new/b", http.StatusFound) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL+"/x", http.StatusFound) })
	mux.HandleFunc("/loop1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop2", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/sneaky", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/private/data", http.StatusFound) })
	mux.HandleFunc("/private/data", func(w http.ResponseWriter, r *http.Request) { t.Errorf("fetched a robots-disallowed target") })
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res := runCrawl(t, srv.URL, fastOptions(), nil)
	got := map[string]bool{}
	for _, r := range res.recs {
		got[r.URL] = true
	}
	if len(res.recs) != 2 || !got[srv.URL+"/new/a"] || !got[srv.URL+"/new/b"] {
		t.Errorf("records from %v, want /new/a and /new/b once each", got)
	}
	want := map[string]string{
		"/away":    "off the source's hosts",
		"/loop1":   "redirect loop",
		"/sneaky":  "robots.txt disallows the target",
		"/chain/0": "more than 10 redirects",
	}
	for _, f := range res.failures {
		path := strings.TrimPrefix(f.URL, srv.URL)
		w, ok := want[path]
		if !ok {
			t.Errorf("unexpected failure %+v", f)
			continue
		}
		if !strings.Contains(f.Error, w) || f.Kind != KindRefused {
			t.Errorf("failure of %s: %q, want %q", path, f.Error, w)
		}
		delete(want, path)
	}
	for path := range want {
		t.Errorf("no failure recorded for %s", path)
	}
}

// TestPanicIsAFailure: a callback that panics costs its URL, not the process.
func TestPanicIsAFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<a href="/boom">boom</a> <a href="/ok">ok</a>`)
			return
		}
		fmt.Fprintf(w, "<h1>%s</h1>", r.URL.Path)
	}))
	defer srv.Close()
	arch, err := OpenArchive(t.TempDir(), "run1")
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	w := &memWriter{}
	crawl, err := NewCrawl(t.Context(), testSource, srv.URL, arch, w, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	crawl.OnPage(func(r *colly.Response) {
		switch r.Request.URL.Path {
		case "/":
			_ = r.Request.Visit("/boom")
			_ = r.Request.Visit("/ok")
		case "/boom":
			panic("index out of range: a bug in a source")
		default:
			crawl.Emit(r, r.Request.URL.Path, map[string]string{"title": "ok"})
		}
	})
	if err := crawl.Run(collectorFunc(func() error { return crawl.Colly().Visit(srv.URL + "/") })); err != nil {
		t.Fatal(err)
	}
	fs := crawl.Failures()
	if len(w.recs) != 1 || len(fs) != 1 || !strings.HasSuffix(fs[0].URL, "/boom") || !strings.Contains(fs[0].Error, "panic") {
		t.Errorf("records %d, failures %+v: want /ok's record and /boom's panic", len(w.recs), fs)
	}
}

type collectorFunc func() error

func (f collectorFunc) Collect(_ context.Context, _ *Crawl) error { return f() }

// TestPostBodiesAreArchivedAndKeyed: two POSTs to one URL with different forms are two pages —
// both fetched, both archived with their bodies, told apart in the page index — and a replay
// answers each from its own record.
func TestPostBodiesAreArchivedAndKeyed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Referer") == "" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		form, _ := url.ParseQuery(string(b))
		fmt.Fprintf(w, "<h1>page %s</h1>", form.Get("pn"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	if d := os.Getenv("DBGWARC"); d != "" {
		dir = d
	}
	crawlPosts := func(opts Options) ([]Record, *Crawl) {
		arch, err := OpenArchive(dir, fmt.Sprintf("run%d", len(opts.Replay)))
		if err != nil {
			t.Fatal(err)
		}
		w := &memWriter{}
		crawl, err := NewCrawl(t.Context(), testSource, srv.URL, arch, w, opts)
		if err != nil {
			t.Fatal(err)
		}
		crawl.OnPage(func(r *colly.Response) {
			crawl.Emit(r, string(r.Body), map[string]string{"title": string(r.Body)})
		})
		err = crawl.Run(collectorFunc(func() error {
			for _, pn := range []string{"1", "2"} {
				if err := crawl.Visit(Request{Method: "POST", URL: srv.URL + "/api", Body: []byte("first=false&pn=" + pn),
					Header: http.Header{"Referer": {srv.URL + "/list"}, "Content-Type": {"application/x-www-form-urlencoded"}}}); err != nil {
					return err
				}
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		if err := arch.Close(); err != nil {
			t.Fatal(err)
		}
		return w.recs, crawl
	}
	recs, crawl := crawlPosts(fastOptions())
	if len(recs) != 2 || len(crawl.Failures()) != 0 {
		t.Fatalf("records %v, failures %v", recs, crawl.Failures())
	}
	var pages []ArchivedPage
	for _, p := range crawl.Pages() {
		if p.Method == "POST" {
			pages = append(pages, p)
		}
	}
	if len(pages) != 2 || pages[0].Method != "POST" || pages[0].RequestBody == pages[1].RequestBody {
		t.Fatalf("page index %+v: want two POST pages told apart by their bodies", pages)
	}
	if a := readArchive(t, dir); !bytes.Contains(a, []byte("first=false&pn=2")) {
		t.Error("the archive lacks the request body")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "run0-*.warc.gz"))
	for i := range files {
		files[i] = filepath.Base(files[i])
	}
	index, err := IndexArchive(dir, files)
	if err != nil || len(index) != 3 || index[RequestKey("POST", "/api", []byte("first=false&pn=2"))].Method != "POST" {
		t.Fatalf("index of the archive: %v, %d pages: %v", err, len(index), index)
	}
	opts := fastOptions()
	opts.Replay, opts.Offline = index, true
	replayed, crawl := crawlPosts(opts)
	if len(replayed) != 2 || crawl.Stats().Replayed != 2 || replayed[0].Key == replayed[1].Key {
		t.Errorf("replay gave %v (stats %+v)", replayed, crawl.Stats())
	}
}

// TestCharsetProblemsQuarantine: a GBK page labelled UTF-8 and a UTF-8 page labelled GBK are
// quarantined with the reason; a GBK page whose <meta> comes after a long head is decoded; the
// source's charset override fixes a mislabelled site.
func TestCharsetProblemsQuarantine(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("<h1>杭州金融科技有限公司 招聘 产品经理 薪资面议</h1>")
	longHead := "<html><head><script>" + strings.Repeat("var a = 1;\n", 200) + `</script><meta charset="gbk"></head><body>` + gbk + "</body></html>"
	pages := map[string]struct{ ctype, body string }{
		"/gbk-as-utf8": {"text/html; charset=utf-8", gbk},
		"/utf8-as-gbk": {"text/html; charset=gbk", "<h1>杭州金融科技有限公司 招聘 产品经理 薪资面议</h1>"},
		"/late-meta":   {"text/html", longHead},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<a href="/gbk-as-utf8">1</a><a href="/utf8-as-gbk">2</a><a href="/late-meta">3</a>`)
			return
		}
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.ctype)
		fmt.Fprint(w, p.body)
	}))
	defer srv.Close()
	run := func(src Source) ([]Record, []Failure) {
		arch, err := OpenArchive(t.TempDir(), "run1")
		if err != nil {
			t.Fatal(err)
		}
		defer arch.Close()
		w := &memWriter{}
		crawl, err := NewCrawl(t.Context(), src, srv.URL, arch, w, fastOptions())
		if err != nil {
			t.Fatal(err)
		}
		crawl.OnPage(func(r *colly.Response) {
			body := string(r.Body)
			if r.Request.URL.Path == "/" {
				for _, p := range []string{"/gbk-as-utf8", "/utf8-as-gbk", "/late-meta"} {
					_ = r.Request.Visit(p)
				}
				return
			}
			i, j := strings.Index(body, "<h1>"), strings.Index(body, "</h1>")
			crawl.Emit(r, r.Request.URL.Path, map[string]string{"title": body[i+4 : j]})
		})
		if err := crawl.Run(collectorFunc(func() error { return crawl.Colly().Visit(srv.URL + "/") })); err != nil {
			t.Fatal(err)
		}
		return w.recs, crawl.Failures()
	}
	recs, fails := run(testSource)
	if len(recs) != 1 || recs[0].Fields["title"] != "杭州金融科技有限公司 招聘 产品经理 薪资面议" {
		t.Errorf("records %+v: want the late-<meta> page decoded", recs)
	}
	if len(fails) != 2 {
		t.Fatalf("failures %+v, want the two mislabelled pages", fails)
	}
	for _, f := range fails {
		if f.Kind != "quarantine" || !strings.Contains(f.Error, "charset") {
			t.Errorf("failure %+v: want a charset quarantine", f)
		}
	}
	if !strings.Contains(fails[0].Error, "says UTF-8 but") || !strings.Contains(fails[1].Error, "says gbk but the bytes are UTF-8") {
		t.Errorf("reasons %q / %q", fails[0].Error, fails[1].Error)
	}
	src := testSource
	src.Charset = "gbk"
	recs, fails = run(src)
	if len(recs) != 2 || len(fails) != 1 || !strings.HasSuffix(fails[0].URL, "/utf8-as-gbk") {
		t.Errorf("with charset: gbk: records %d, failures %+v", len(recs), fails)
	}
}
