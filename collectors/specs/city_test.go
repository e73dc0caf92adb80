package specs

import (
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/google/go-cmp/cmp"
)

// cityPageCases pair the city site's saved pages (sample web, seed 1, scale 0.05; the city data do
// not scale) with the URL they were fetched from. All the city sources share the site prefix /city.
var cityPageCases = []pageCase{
	{"city_stats", "city_stats_index.html", "http://s.test/city/", 0, 36, false, false},
	{"city_stats", "city_stats_bulletin.html", "http://s.test/city/3301/bulletin", 1, 0, false, false},
	{"city_stats", "city_stats_malformed.html", "http://s.test/city/3301/bulletin", 0, 0, true, false},   // no td.gdp
	{"city_stats", "city_reports_report.html", "http://s.test/city/3301/bulletin", 0, 0, true, false},    // a report where a bulletin should be
	{"city_reports", "city_stats_index.html", "http://s.test/city/", 0, 36, false, false},                // follows only the report links
	{"city_reports", "city_reports_report.html", "http://s.test/city/3301/report", 1, 0, false, false},   //
	{"city_reports", "city_reports_malformed.html", "http://s.test/city/3301/report", 0, 0, true, false}, // no div.report
	{"city_services", "city_services_services.html", "http://s.test/city/3301/services", 83, 0, false, false},
	{"city_services", "city_services_malformed.html", "http://s.test/city/3301/services", 82, 0, true, false}, // one listing without a name
	{"city_regulators", "city_regulators_regulators.html", "http://s.test/city/3301/regulators", 20, 0, false, false},
	{"city_regulators", "city_regulators_malformed.html", "http://s.test/city/3301/regulators", 0, 0, true, false}, // the list's markup changed
	{"baidu_heat", "baidu_heat_weeks.jsonp", "http://s.test/city/3301/baidu.jsonp?callback=jQuery17209_3301", 52, 0, false, false},
	{"baidu_heat", "baidu_heat_weeks.json", "http://s.test/city/3301/baidu.jsonp", 52, 0, false, false},   // plain JSON also reads
	{"baidu_heat", "baidu_heat_malformed.json", "http://s.test/city/3301/baidu.jsonp", 0, 0, true, false}, // truncated JSON
	{"credit_users", "credit_users_table.html", "http://s.test/city/credit-users", 36, 0, false, false},
	{"credit_users", "credit_users_malformed.html", "http://s.test/city/credit-users", 35, 0, true, false}, // 北京's users "--"
}

// TestExtractCityPages checks each saved city page's extraction against its golden JSONL.
func TestExtractCityPages(t *testing.T) { checkPages(t, cityPageCases) }

// TestCityFields spot-checks field values against the saved pages (杭州, code 3301).
func TestCityFields(t *testing.T) {
	stats := extractFile(t, "city_stats", "http://s.test/city/3301/bulletin", "city_stats_bulletin.html", false)
	if got := stats.Items[0].Fields; got["city_code"] != "3301" || got["gdp"] != "11313.72" || got["population"] != "919" {
		t.Errorf("bulletin fields %v, want code 3301, gdp 11313.72, population 919", got)
	}
	rep := extractFile(t, "city_reports", "http://s.test/city/3301/report", "city_reports_report.html", false)
	if text := rep.Items[0].Fields["text"]; !strings.HasPrefix(text, "杭州市人民政府工作报告 各位代表") || !strings.Contains(text, "互联网金融") {
		t.Errorf("report text starts %q, want the whole report with paragraphs joined by spaces", text[:min(len(text), 60)])
	}
	heat := extractFile(t, "baidu_heat", "http://s.test/city/3301/baidu.jsonp?callback=jQuery17209_3301", "baidu_heat_weeks.jsonp", false)
	want := map[string]string{"city_code": "3301", "week": "2017-01-02", "fintech_cn": "272", "internet_finance": "335", "fintech_en": "149"}
	if diff := cmp.Diff(want, heat.Items[0].Fields); diff != "" {
		t.Errorf("first Baidu week (-want +got):\n%s", diff)
	}
}

// TestCrawlCitySite crawls the city site with each city source and checks one record per true
// entity: the world's counts.json where it has the count, else counted from the world itself.
func TestCrawlCitySite(t *testing.T) {
	opts := sampleweb.Options{Seed: 1, Scale: 0.1}
	tests := []struct {
		source string
		want   func(counts map[string]int) int
	}{
		{"city_stats", func(c map[string]int) int { return c["city/cities"] }},
		{"city_reports", func(c map[string]int) int { return c["city/cities"] }},
		{"city_services", func(c map[string]int) int { return c["city/services"] }},
		{"city_regulators", func(c map[string]int) int { return c["city/regulators"] }},
		{"baidu_heat", func(c map[string]int) int { return c["city/baidu_weeks"] }},
		{"credit_users", func(c map[string]int) int { return c["city/cities"] }},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			res := collectortest.CrawlSampleWeb(t, tt.source, opts)
			if len(res.Failures) > 0 {
				t.Errorf("got failures %+v, want none", res.Failures)
			}
			if want := tt.want(res.Counts); len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d (truth)", len(res.Records), want)
			}
		})
	}
}
