package specs

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/google/go-cmp/cmp"
)

// peopleCases are the saved pages of the registry and the two recruitment sites (sample web, seed 1,
// scale 0.05). The jobs_gbk pages are kept as the raw GBK bytes the site serves (gbk: true) and are
// decoded here as the crawl engine does before extraction; the golden files hold UTF-8.
var peopleCases = []pageCase{
	{"registry", "registry_search.html", "http://s.test/registry/search?industry=p2p&page=1", 0, 21, false, false}, // 20 companies + next
	{"registry", "registry_search_last.html", "http://s.test/registry/search?industry=p2p&page=20", 0, 6, false, false},
	{"registry", "registry_company.html", "http://s.test/registry/companies/c000416", 1, 0, false, false},
	{"registry", "registry_company_p2p.html", "http://s.test/registry/companies/c000001", 1, 0, false, false},
	{"registry", "registry_malformed.html", "http://s.test/registry/companies/c000416", 0, 0, true, false}, // h1.name removed
	{"registry", "registry_company.html", "http://s.test/registry/search?industry=credit&page=1", 0, 0, true, false},
	{"jobs", "jobs_ajax_page1.json", "http://s.test/jobs-api/jobs/positionAjax.json?needAddtionalResult=false", 5, 0, false, false},
	{"jobs", "jobs_ajax_last.json", "http://s.test/jobs-api/jobs/positionAjax.json?needAddtionalResult=false", 5, 0, false, false},
	{"jobs", "jobs_ajax_refused.json", "http://s.test/jobs-api/jobs/positionAjax.json?needAddtionalResult=false", 0, 0, true, false}, // no Referer: the site's refusal
	{"jobs_gbk", "jobs_gbk_search.html", "http://s.test/jobs-gbk/search/1.html", 20, 0, false, true},
	{"jobs_gbk", "registry_company.html", "http://s.test/jobs-gbk/search/1.html", 0, 0, true, false},
}

func TestExtractPeoplePages(t *testing.T) { checkPages(t, peopleCases) }

func TestPeopleFields(t *testing.T) {
	tests := []struct {
		source, file, url string
		gbk               bool
		want              map[string]string
	}{
		{"registry", "registry_company.html", "http://s.test/registry/companies/c000416", false, map[string]string{
			"company_id": "c000416", "name": "成都智众数据信用管理有限公司", "credit_code": "91510118B706E3XM45", "legal_rep": "郑强娜",
			"registered_capital": "10000万人民币", "founded": "2010-09-07", "status": "存续", "industry": "征信服务",
			"address": "四川省成都市锦江区人民南路926号", "scope": "企业征信业务；个人征信业务；信用评估；大数据技术服务。"}},
		{"jobs", "jobs_ajax_page1.json", "http://s.test/jobs-api/jobs/positionAjax.json", false, map[string]string{
			"job_id": "j000001", "title": "催收专员", "company": "北京微惠支付科技支付科技有限公司", "city": "北京", "district": "东城区",
			"salary": "11k-15k", "education": "博士", "posted": "2017-05-29"}},
		{"jobs_gbk", "jobs_gbk_search.html", "http://s.test/jobs-gbk/search/1.html", true, map[string]string{
			"job_id": "j000002", "link": "http://search.jobs.test/jobs-gbk/job/j000002.html", "title": "数据分析师", "company": "北京合惠借投资管理有限公司", "location": "北京-平谷区",
			"salary": "1.2-1.8万/月", "education": "本科", "posted": "2017-05-30"}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			ex := extractFile(t, tt.source, tt.url, tt.file, tt.gbk)
			if len(ex.Items) == 0 {
				t.Fatal("got no items")
			}
			if diff := cmp.Diff(tt.want, ex.Items[0].Fields); diff != "" {
				t.Errorf("first item (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCrawlPeople crawls the registry and both recruitment sites: one record per posting, and one
// per registry company of the five fintech industries (the registry's 其他 companies are not searched).
func TestCrawlPeople(t *testing.T) {
	opts := sampleweb.Options{Seed: 1, Scale: 0.1}
	tests := []struct {
		source string
		count  string // the truth count key (counts.json)
		faults sampleweb.Faults
	}{
		{"jobs", "jobs-api/jobs", sampleweb.Faults{}},
		{"jobs_gbk", "jobs-gbk/jobs", sampleweb.Faults{}},
		{"jobs_gbk", "jobs-gbk/jobs", sampleweb.Faults{Malformed: true}},
		{"registry", "registry/fintech_companies", sampleweb.Faults{}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			o := opts
			o.Faults = tt.faults
			res := collectortest.CrawlSampleWeb(t, tt.source, o)
			if len(res.Failures) > 0 {
				t.Errorf("got failures %+v, want none", res.Failures)
			}
			want := res.Counts[tt.count]
			if len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d (truth counts.json %s)", len(res.Records), want, tt.count)
			}
			t.Logf("%s: %d records, truth %d", tt.source, len(res.Records), want)
		})
	}
}
