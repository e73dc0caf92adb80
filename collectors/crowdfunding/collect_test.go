package crowdfunding

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestCollectSampleWeb crawls the sample web and checks one record per listed platform, as the
// world's own counts say.
func TestCollectSampleWeb(t *testing.T) {
	res := collectortest.CrawlSampleWeb(t, "crowdfunding", sampleweb.Options{Seed: 1, Scale: 0.1})
	if len(res.Failures) > 0 {
		t.Errorf("got failures %+v, want none", res.Failures)
	}
	if want := res.Counts["crowdfunding/platforms"]; len(res.Records) != want || want == 0 {
		t.Errorf("got %d records, want %d (truth counts.json)", len(res.Records), want)
	}
}
