package specs

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	_ "github.com/fhi-index/fhi/collectors/survey" // a Go source, crawled with the specs
)

// TestCrawlSampleWeb crawls each source's sample site and checks one record per true entity, as
// the world's own counts (its counts.json) say — also with lists that shift while being paged.
func TestCrawlSampleWeb(t *testing.T) {
	tests := []struct {
		source string
		counts []string // truth count keys whose sum is the expected record count
		faults sampleweb.Faults
	}{
		{"p2p", []string{"p2p/platforms"}, sampleweb.Faults{}},
		{"p2p", []string{"p2p/platforms"}, sampleweb.Faults{Shift: true}},
		{"licensees", []string{"licensees/payment", "licensees/credit", "licensees/blockchain"}, sampleweb.Faults{}},
		{"crowdfunding", []string{"crowdfunding/platforms"}, sampleweb.Faults{}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			res := collectortest.CrawlSampleWeb(t, tt.source, sampleweb.Options{Seed: 1, Scale: 0.1, Faults: tt.faults})
			checkFailures(t, tt.source, res.Failures)
			if res.Duplicates > 0 && !tt.faults.Shift {
				t.Errorf("%d duplicate keys from lists that do not shift", res.Duplicates)
			}
			want := 0
			for _, k := range tt.counts {
				want += res.Counts[k]
			}
			if len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d (truth counts.json %v)", len(res.Records), want, tt.counts)
			}
		})
	}
}

// sourceCounts names, per source, the truth counts (counts.json) its records must add up to.
var sourceCounts = map[string][]string{
	"p2p": {"p2p/platforms"}, "p2p_loans": {"p2p/loans"}, "vc": {"vc/deals"},
	"crowdfunding": {"crowdfunding/platforms"}, "cf_projects": {"crowdfunding/projects"},
	"licensees": {"licensees/payment", "licensees/credit", "licensees/blockchain"},
	"registry":  {"registry/fintech_companies"}, "jobs": {"jobs-api/jobs"}, "jobs_gbk": {"jobs-gbk/jobs"},
	"city_stats": {"city/cities"}, "city_reports": {"city/cities"}, "credit_users": {"city/cities"},
	"city_services": {"city/services"}, "city_regulators": {"city/regulators"}, "baidu_heat": {"city/baidu_weeks"},
	"survey": {"city/survey"}, "lender_loans": {"lender/loans"},
}

// checkFailures: the only failures are the p2p list's promoted links whose redirects a crawl
// must refuse (off the host, a loop, a robots-disallowed target), each recorded with its reason.
func checkFailures(t *testing.T, source string, fs []collectors.Failure) {
	t.Helper()
	want := map[string]string{}
	if source == "p2p" {
		for i, p := range sampleweb.BadRedirects {
			want[p] = []string{"off the source's hosts", "redirect loop", "robots.txt disallows the target"}[i]
		}
	}
	for _, f := range fs {
		u, _ := url.Parse(f.URL)
		reason, ok := want[u.Path]
		if !ok || !strings.Contains(f.Error, reason) {
			t.Errorf("unexpected failure %+v", f)
			continue
		}
		delete(want, u.Path)
	}
	for p, reason := range want {
		t.Errorf("no failure recorded for %s (%s)", p, reason)
	}
}

// TestCrawlSurvivesFaults crawls every registered source while the sample web answers 5% of
// requests with 5xx, drops 2% of connections, slows 2% of answers, rate-limits with 429 bursts,
// serves malformed HTML and shifts its lists while they are paged: retries still get every record
// — the truth's count — and leave the failures list empty.
func TestCrawlSurvivesFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls every source under every fault (about 20 s)")
	}
	faults := sampleweb.Faults{ServerErrorRate: 0.05, DropRate: 0.02, SlowRate: 0.02, SlowDelay: 50 * time.Millisecond,
		RateLimit: 400, Malformed: true, Shift: true}
	for _, src := range collectors.Default.Sources() {
		t.Run(src.Name, func(t *testing.T) {
			keys, ok := sourceCounts[src.Name]
			if !ok {
				t.Fatalf("source %s has no truth count: add it to sourceCounts", src.Name)
			}
			res := collectortest.CrawlSampleWebWith(t, src.Name, sampleweb.Options{Seed: 3, Scale: 0.05, Faults: faults}, func(o *collectors.Options) {
				o.Retry = collectors.RetryPolicy{MaxAttempts: 10, BaseDelay: 5 * time.Millisecond, MaxDelay: 2 * time.Second}
			})
			checkFailures(t, src.Name, res.Failures)
			want := 0
			for _, k := range keys {
				want += res.Counts[k]
			}
			if len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d (truth %v)", len(res.Records), want, keys)
			}
		})
	}
}
