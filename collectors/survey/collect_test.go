package survey

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestCrawlSampleWeb fetches the workbook from a sample web: one record per response, as the
// world's counts.json says.
func TestCrawlSampleWeb(t *testing.T) {
	res := collectortest.CrawlSampleWeb(t, "survey", sampleweb.Options{Seed: 1, Scale: 0.1})
	if len(res.Failures) > 0 {
		t.Errorf("got failures %+v, want none", res.Failures)
	}
	if want := res.Counts["city/survey"]; len(res.Records) != want || want == 0 {
		t.Errorf("got %d records, want %d (truth counts.json city/survey)", len(res.Records), want)
	}
}
