package p2p

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestCollectSampleWeb crawls the whole directory, with list pages that shift while paged, and
// checks one record per platform, as the world's own counts say.
func TestCollectSampleWeb(t *testing.T) {
	for _, shift := range []bool{false, true} {
		res := collectortest.CrawlSampleWeb(t, "p2p", sampleweb.Options{Seed: 1, Scale: 0.1, Faults: sampleweb.Faults{Shift: shift}})
		if len(res.Failures) > 0 {
			t.Errorf("shift=%v: got failures %+v, want none", shift, res.Failures)
		}
		if want := res.Counts["p2p/platforms"]; len(res.Records) != want || want == 0 {
			t.Errorf("shift=%v: got %d records, want %d (truth counts.json)", shift, len(res.Records), want)
		}
	}
}
