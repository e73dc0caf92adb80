package specs

import (
	"testing"

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
