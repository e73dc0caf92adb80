package specs

import (
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
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
			if len(res.Failures) > 0 {
				t.Errorf("got failures %+v, want none", res.Failures)
			}
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

// TestCrawlSurvivesFaults: with 5% server errors, dropped connections, slow pages, 429 bursts
// above a request rate and lists that shift while paged, retries still get every record and leave
// the failures list empty.
func TestCrawlSurvivesFaults(t *testing.T) {
	faults := sampleweb.Faults{ServerErrorRate: 0.05, DropRate: 0.02, SlowRate: 0.02, SlowDelay: 50 * time.Millisecond, RateLimit: 400, Shift: true}
	tests := []struct {
		source string
		counts []string
	}{
		{"p2p", []string{"p2p/platforms"}},
		{"vc", []string{"vc/deals"}},
		{"jobs", []string{"jobs-api/jobs"}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			res := collectortest.CrawlSampleWebWith(t, tt.source, sampleweb.Options{Seed: 3, Scale: 0.05, Faults: faults}, func(o *collectors.Options) {
				o.Retry = collectors.RetryPolicy{MaxAttempts: 8, BaseDelay: 5 * time.Millisecond, MaxDelay: 2 * time.Second}
			})
			if len(res.Failures) > 0 {
				t.Errorf("got %d failures after retries, want none: %+v", len(res.Failures), res.Failures[0])
			}
			want := 0
			for _, k := range tt.counts {
				want += res.Counts[k]
			}
			if len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d", len(res.Records), want)
			}
		})
	}
}
