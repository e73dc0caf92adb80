package collectors

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestGBKPagesBecomeUTF8: parsers see UTF-8 while the archive and body_sha256 keep the GBK bytes.
func TestGBKPagesBecomeUTF8(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("<h1>上海-浦东新区 1-1.5万/月</h1>")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, contentType, body string
	}{
		{"charset in header", "text/html; charset=GBK", gbk},
		{"charset in meta", "text/html", `<meta charset="gbk">` + gbk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", tt.contentType)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			res := runCrawl(t, srv.URL, fastOptions(), nil)
			if len(res.recs) != 1 || res.recs[0].Fields["title"] != "上海-浦东新区 1-1.5万/月" {
				t.Fatalf("got %+v, want the decoded title", res.recs)
			}
			sum := sha256.Sum256([]byte(tt.body))
			if got := res.recs[0].BodySHA256; got != hex.EncodeToString(sum[:]) {
				t.Errorf("body_sha256 %s is not the hash of the GBK bytes as sent", got)
			}
		})
	}
}

func TestThrottleNeverSpeedsUpOnErrors(t *testing.T) {
	th := newThrottle(10*time.Millisecond, time.Second, 1)
	host := "h"
	_ = th.wait(t.Context(), host)
	ok := &http.Response{StatusCode: 200}
	th.observe(host, 200*time.Millisecond, ok, nil)
	if d := th.current(host); d <= 10*time.Millisecond {
		t.Errorf("after a slow answer the delay is %s, want it raised", d)
	}
	before := th.current(host)
	th.observe(host, time.Millisecond, &http.Response{StatusCode: 500}, nil)
	if d := th.current(host); d < before {
		t.Errorf("a fast 500 lowered the delay from %s to %s", before, d)
	}
	th.observe(host, time.Millisecond, &http.Response{StatusCode: 429}, nil)
	if d := th.current(host); d < 2*before {
		t.Errorf("a 429 left the delay at %s, want at least doubled from %s", d, before)
	}
	for range 50 {
		th.observe(host, time.Millisecond, &http.Response{StatusCode: 429}, nil)
	}
	if d := th.current(host); d != time.Second {
		t.Errorf("delay %s, want capped at 1s", d)
	}
	for range 50 {
		th.observe(host, 0, ok, nil)
	}
	if d := th.current(host); d != 10*time.Millisecond {
		t.Errorf("after fast successes the delay is %s, want back at the 10ms floor", d)
	}
}

func TestHeadersFromEnv(t *testing.T) {
	env := map[string]string{"FHI_JOBS_GBK_COOKIE": "sid=1", "FHI_JOBS_GBK_AUTHORIZATION": "Bearer x", "FHI_P2P_COOKIE": "other"}
	h := HeadersFromEnv("jobs_gbk", func(k string) string { return env[k] })
	if h.Get("Cookie") != "sid=1" || h.Get("Authorization") != "Bearer x" || len(h) != 2 {
		t.Errorf("got %v", h)
	}
}

// TestOfflineCrawlRefusesUnarchivedPages: a re-parse never reaches the network.
func TestOfflineCrawlRefusesUnarchivedPages(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	opts := fastOptions()
	opts.Offline = true
	res := runCrawl(t, srv.URL, opts, nil)
	if hits != 0 || len(res.recs) != 0 || len(res.failures) != 1 {
		t.Errorf("offline crawl: %d hits, %d records, failures %+v; want no hits and the start page failing", hits, len(res.recs), res.failures)
	}
}

func TestOversizedBodyIsAFailureNotATruncation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "<h1>"+strings.Repeat("x", 2000)+"</h1>")
	}))
	defer srv.Close()
	opts := fastOptions()
	opts.MaxBodyBytes = 1000
	res := runCrawl(t, srv.URL, opts, nil)
	if len(res.recs) != 0 || len(res.failures) != 1 || !strings.Contains(res.failures[0].Error, "too large") {
		t.Errorf("got %d records and failures %+v, want one failure saying the body is too large", len(res.recs), res.failures)
	}
}
