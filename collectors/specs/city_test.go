package specs

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/collectors/spec"
	"github.com/google/go-cmp/cmp"
)

// cityPageCases pair the city site's saved pages (sample web, seed 1, scale 0.05; the city data do
// not scale) with the URL they were fetched from. All the city sources share the site prefix /city.
var cityPageCases = []struct {
	source, file, url string
	wantItems         int
	wantLinks         int
	wantProblem       bool
}{
	{"city_stats", "city_stats_index.html", "http://s.test/city/", 0, 36, false},
	{"city_stats", "city_stats_bulletin.html", "http://s.test/city/3301/bulletin", 1, 0, false},
	{"city_stats", "city_stats_malformed.html", "http://s.test/city/3301/bulletin", 0, 0, true},   // no td.gdp
	{"city_stats", "city_reports_report.html", "http://s.test/city/3301/bulletin", 0, 0, true},    // a report where a bulletin should be
	{"city_reports", "city_stats_index.html", "http://s.test/city/", 0, 36, false},                // follows only the report links
	{"city_reports", "city_reports_report.html", "http://s.test/city/3301/report", 1, 0, false},   //
	{"city_reports", "city_reports_malformed.html", "http://s.test/city/3301/report", 0, 0, true}, // no div.report
	{"city_services", "city_services_services.html", "http://s.test/city/3301/services", 83, 0, false},
	{"city_services", "city_services_malformed.html", "http://s.test/city/3301/services", 82, 0, true}, // one listing without a name
	{"city_regulators", "city_regulators_regulators.html", "http://s.test/city/3301/regulators", 20, 0, false},
	{"city_regulators", "city_regulators_malformed.html", "http://s.test/city/3301/regulators", 0, 0, true}, // the list's markup changed
	{"baidu_heat", "baidu_heat_weeks.json", "http://s.test/city/3301/baidu.json", 52, 0, false},
	{"baidu_heat", "baidu_heat_malformed.json", "http://s.test/city/3301/baidu.json", 0, 0, true}, // truncated JSON
	{"credit_users", "credit_users_table.html", "http://s.test/city/credit-users", 36, 0, false},
	{"credit_users", "credit_users_malformed.html", "http://s.test/city/credit-users", 35, 0, true}, // 北京's users "--"
}

// TestExtractCityPages checks each saved city page's extraction against its golden JSONL.
func TestExtractCityPages(t *testing.T) {
	specs := embedded(t)
	for _, tt := range cityPageCases {
		t.Run(tt.source+" "+tt.file, func(t *testing.T) {
			s := specs[tt.source]
			if s == nil {
				t.Fatalf("no embedded spec %s", tt.source)
			}
			ex := extractCity(t, s, tt.url, tt.file)
			if len(ex.Items) != tt.wantItems {
				t.Errorf("got %d items, want %d", len(ex.Items), tt.wantItems)
			}
			if len(ex.Links) != tt.wantLinks {
				t.Errorf("got %d links, want %d: %v", len(ex.Links), tt.wantLinks, ex.Links)
			}
			if got := ex.Err() != nil; got != tt.wantProblem {
				t.Errorf("got problems %v, want problems: %v", ex.Err(), tt.wantProblem)
			}
			if ex.Err() != nil && !errors.Is(ex.Err(), spec.ErrLayout) {
				t.Errorf("problem %v is not an ErrLayout", ex.Err())
			}
			name := tt.file + "@" + tt.source + "_" + strings.NewReplacer("/", "_", ".", "_").Replace(strings.Trim(strings.TrimPrefix(tt.url, "http://s.test/city"), "/"))
			golden(t, name, ex)
		})
	}
}

func extractCity(t testing.TB, s *spec.Spec, rawURL, file string) spec.Extraction {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "pages", file))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(rawURL)
	page := s.PageFor(strings.TrimPrefix(u.Path, "/city"))
	if page == nil {
		t.Fatalf("no page of spec %s matches %s", s.Name, u.Path)
	}
	ex, err := page.Extract(u, body)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestCityFields spot-checks field values against the saved pages (杭州, code 3301).
func TestCityFields(t *testing.T) {
	specs := embedded(t)
	stats := extractCity(t, specs["city_stats"], "http://s.test/city/3301/bulletin", "city_stats_bulletin.html")
	if got := stats.Items[0].Fields; got["city_code"] != "3301" || got["gdp"] != "11313.72" || got["population"] != "919" {
		t.Errorf("bulletin fields %v, want code 3301, gdp 11313.72, population 919", got)
	}
	rep := extractCity(t, specs["city_reports"], "http://s.test/city/3301/report", "city_reports_report.html")
	if text := rep.Items[0].Fields["text"]; !strings.HasPrefix(text, "杭州市人民政府工作报告 各位代表") || !strings.Contains(text, "互联网金融") {
		t.Errorf("report text starts %q, want the whole report with paragraphs joined by spaces", text[:min(len(text), 60)])
	}
	heat := extractCity(t, specs["baidu_heat"], "http://s.test/city/3301/baidu.json", "baidu_heat_weeks.json")
	want := map[string]string{"city_code": "3301", "week": "2017-01-02", "fintech_cn": "272", "internet_finance": "335", "fintech_en": "149"}
	if diff := cmp.Diff(want, heat.Items[0].Fields); diff != "" {
		t.Errorf("first Baidu week (-want +got):\n%s", diff)
	}
}

// TestCrawlCitySite crawls the city site with each city source and checks one record per true
// entity: the world's counts.json where it has the count, else counted from the world itself.
func TestCrawlCitySite(t *testing.T) {
	opts := sampleweb.Options{Seed: 1, Scale: 0.1}
	w, err := sampleweb.NewWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	regulators, weeks := 0, 0
	for _, c := range w.SampleCities() {
		regulators += len(c.Stats.Regulators)
		weeks += len(c.Stats.BaiduHeat[0])
	}
	tests := []struct {
		source string
		want   func(counts map[string]int) int
	}{
		{"city_stats", func(c map[string]int) int { return c["city/cities"] }},
		{"city_reports", func(c map[string]int) int { return c["city/cities"] }},
		{"city_services", func(c map[string]int) int { return c["city/services"] }},
		{"city_regulators", func(map[string]int) int { return regulators }},
		{"baidu_heat", func(map[string]int) int { return weeks }},
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
