package collectors

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/klauspost/compress/gzip"
)

// memWriter keeps records in memory.
type memWriter struct {
	mu   sync.Mutex
	recs []Record
}

func (m *memWriter) Write(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

// linkCollector starts at the base URL, follows every <a href> and emits one record per page
// that has an <h1>, keyed by its path.
type linkCollector struct{ base string }

func (lc linkCollector) Collect(_ context.Context, crawl *Crawl) error {
	c := crawl.Colly()
	c.OnResponse(func(r *colly.Response) {
		doc := string(r.Body)
		for _, part := range strings.Split(doc, `href="`)[1:] {
			href := part[:strings.Index(part, `"`)]
			_ = r.Request.Visit(r.Request.AbsoluteURL(href))
		}
		if i := strings.Index(doc, "<h1>"); i >= 0 {
			title := doc[i+4 : strings.Index(doc, "</h1>")]
			crawl.Emit(r, r.Request.URL.Path, map[string]string{"title": title})
		} else if r.Request.URL.Path != "/" {
			crawl.Quarantine(r, fmt.Errorf("no <h1> on page"))
		}
	})
	return c.Visit(lc.base + "/")
}

var testSource = Source{Name: "test", Fields: []string{"title"}, New: func(Config) (Collector, error) { return nil, nil }}

func fastOptions() Options {
	o := DefaultOptions()
	o.Parallelism, o.Delay, o.RandomDelay = 4, 0, 0
	o.RequestTimeout = 5 * time.Second
	o.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second}
	return o
}

type crawlResult struct {
	recs     []Record
	failures []Failure
	stats    Stats
	archive  string
}

func runCrawl(t *testing.T, base string, opts Options, setup func(*Crawl)) crawlResult {
	t.Helper()
	dir := t.TempDir()
	arch, err := OpenArchive(dir, "run1")
	if err != nil {
		t.Fatal(err)
	}
	w := &memWriter{}
	crawl, err := NewCrawl(t.Context(), testSource, base, arch, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(crawl)
	}
	if err := crawl.Run(linkCollector{base: base}); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	if err := arch.Close(); err != nil {
		t.Fatal(err)
	}
	return crawlResult{recs: w.recs, failures: crawl.Failures(), stats: crawl.Stats(), archive: dir}
}

func TestCrawlArchivesEveryResponseWithLineage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		// A hostile site tries to forge lineage; the transport must drop these headers.
		w.Header().Set("Fhi-Lineage-Warc-Offset", "999999")
		w.Header().Set("Set-Cookie", "session=secret-cookie")
		fmt.Fprint(w, `<html><a href="/a">a</a> <a href="/b">b</a> <a href="/broken">x</a></html>`)
	})
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<h1>Alpha</h1>") })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<h1>Beta 北京</h1>") })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<p>broken page") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res := runCrawl(t, srv.URL, fastOptions(), func(c *Crawl) {
		c.Colly().OnRequest(func(r *colly.Request) { r.Headers.Set("Authorization", "Bearer secret-token") })
	})
	if len(res.recs) != 2 {
		t.Fatalf("got %d records, want 2", len(res.recs))
	}
	for _, r := range res.recs {
		if r.WARCFile == "" || r.WARCRecordID == "" || r.BodySHA256 == "" || r.HTTPStatus != 200 || r.FetchedAt.IsZero() {
			t.Errorf("record %s has incomplete lineage: %+v", r.Key, r.Lineage)
		}
		got, err := ReadResponse(filepath.Join(res.archive, r.WARCFile), r.WARCOffset)
		if err != nil {
			t.Fatalf("reading back %s: %v", r.Key, err)
		}
		sum := sha256.Sum256(got.Body)
		if hex.EncodeToString(sum[:]) != r.BodySHA256 {
			t.Errorf("%s: archived body hashes to %x, want %s", r.Key, sum, r.BodySHA256)
		}
		if got.URL != r.URL || got.RecordID != r.WARCRecordID || got.Status != 200 {
			t.Errorf("%s: archived record %s %s %d, want %s %s 200", r.Key, got.URL, got.RecordID, got.Status, r.URL, r.WARCRecordID)
		}
	}
	if len(res.failures) != 1 || res.failures[0].Kind != "quarantine" || !strings.HasSuffix(res.failures[0].URL, "/broken") {
		t.Errorf("got failures %+v, want the /broken page quarantined", res.failures)
	}
	all := readArchive(t, res.archive)
	for _, secret := range []string{"secret-token", "secret-cookie", "Fhi-Lineage"} {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("archive contains %q", secret)
		}
	}
	if !bytes.Contains(all, []byte("WARC/1.1")) || !bytes.Contains(all, []byte("msgtype=request")) {
		t.Error("archive lacks WARC/1.1 request records")
	}
}

// readArchive decompresses every WARC file in dir (multi-member gzip) into one byte slice.
func readArchive(t *testing.T, dir string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) == 0 {
		t.Fatalf("no .warc.gz in %s", dir)
	}
	var all bytes.Buffer
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&all, zr); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	return all.Bytes()
}

func TestCrawlRetries(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		n := hits[r.URL.Path]
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, `<a href="/flaky">f</a><a href="/limited">l</a><a href="/dead">d</a><a href="/reset">r</a>`)
		case "/flaky": // two 503s, then the page
			if n <= 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprint(w, "<h1>Flaky</h1>")
		case "/limited": // one 429 asking for a one-second pause
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, "<h1>Limited</h1>")
		case "/reset": // the connection drops once
			if n == 1 {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			fmt.Fprint(w, "<h1>Reset</h1>")
		default:
			http.Error(w, "gone wrong", http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	start := time.Now()
	res := runCrawl(t, srv.URL, fastOptions(), nil)
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("crawl took %s: Retry-After: 1 was not honoured", elapsed)
	}
	titles := map[string]bool{}
	for _, r := range res.recs {
		titles[r.Fields["title"]] = true
	}
	for _, want := range []string{"Flaky", "Limited", "Reset"} {
		if !titles[want] {
			t.Errorf("no record for %s after retries; got %v", want, titles)
		}
	}
	if len(res.failures) != 1 || res.failures[0].Status != 500 || res.failures[0].Attempts != 3 || res.failures[0].Kind != "fetch" {
		t.Errorf("got failures %+v, want /dead failing with 500 after 3 attempts", res.failures)
	}
	// flaky 2 + limited 1 + dead 2, and one for the reset unless Go's transport already retried
	// the idempotent request on a fresh connection itself.
	if res.stats.Retries < 5 || res.stats.Retries > 6 {
		t.Errorf("got %d retries, want 5 or 6", res.stats.Retries)
	}
	if hits["/dead"] != 3 {
		t.Errorf("/dead was requested %d times, want 3 (the attempt cap)", hits["/dead"])
	}
}

func TestCrawlStaysOnHostAndObeysRobots(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("crawler left its host: %s", r.URL)
	}))
	defer other.Close()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/":
			fmt.Fprintf(w, `<a href="/private/x">p</a><a href="%s/elsewhere">o</a><a href="file:///etc/passwd">f</a><a href="/ok">ok</a>`, other.URL)
		case "/ok":
			fmt.Fprint(w, "<h1>OK</h1>")
		default:
			t.Errorf("fetched %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	res := runCrawl(t, srv.URL, fastOptions(), nil)
	if len(res.recs) != 1 || res.recs[0].Fields["title"] != "OK" {
		t.Errorf("got %+v, want just /ok", res.recs)
	}
	for _, p := range seen {
		if strings.HasPrefix(p, "/private") {
			t.Errorf("robots.txt disallows %s but it was fetched", p)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{"0", 0, true},
		{"Thu, 26 Nov 2026 03:00:30 GMT", 30 * time.Second, true},
		{"Thu, 26 Nov 2026 02:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
		{"-3", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	o := DefaultOptions()
	o.Parallelism, o.Retry.MaxAttempts = 0, 0
	err := o.Validate()
	if err == nil || !strings.Contains(err.Error(), "parallelism: must be ≥ 1, got 0") || !strings.Contains(err.Error(), "retry.max_attempts") {
		t.Errorf("Validate() = %v, want both problems reported", err)
	}
	if err := DefaultOptions().Validate(); err != nil {
		t.Errorf("DefaultOptions().Validate() = %v", err)
	}
}

func TestNewCrawlRejectsBadBaseURL(t *testing.T) {
	for _, u := range []string{"file:///etc", "not a url", "/relative", "ftp://x/"} {
		if _, err := NewCrawl(t.Context(), testSource, u, nil, &memWriter{}, fastOptions()); err == nil {
			t.Errorf("NewCrawl(%q) succeeded, want an error", u)
		}
	}
}
