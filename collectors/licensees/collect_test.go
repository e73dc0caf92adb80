package licensees

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestCollectSampleWeb crawls the sample web and checks one record per listed firm, as the
// world's own counts say.
func TestCollectSampleWeb(t *testing.T) {
	res := collectortest.CrawlSampleWeb(t, "licensees", sampleweb.Options{Seed: 1, Scale: 0.1})
	if len(res.Failures) > 0 {
		t.Errorf("got failures %+v, want none", res.Failures)
	}
	got := map[string]int{}
	for _, r := range res.Records {
		got[r.Fields["sector"]]++
	}
	for _, s := range Sectors {
		if want := res.Counts["licensees/"+s]; got[s] != want || want == 0 {
			t.Errorf("%s: got %d records, want %d (truth counts.json)", s, got[s], want)
		}
	}
}
