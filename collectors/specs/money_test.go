package specs

import (
	"testing"

	"github.com/fhi-index/fhi/collectors/collectortest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/google/go-cmp/cmp"
)

// moneyCases are the saved pages of the money sources (vc, p2p_loans, cf_projects), fetched from
// a sample web at scale 0.05 (seed 1); the malformed and missing ones are edited copies.
var moneyCases = []pageCase{
	{"vc", "vc_list_state.html", "http://s.test/vc/deals?page=1", 0, 20, false, false}, // 20 deals from window.__INITIAL_STATE__
	{"vc", "vc_deal_vague.html", "http://s.test/vc/deal/d00001.html", 1, 0, false, false},
	{"vc", "vc_deal_yi.html", "http://s.test/vc/deal/d00002.html", 1, 0, false, false},
	{"vc", "vc_deal_usd.html", "http://s.test/vc/deal/d00005.html", 1, 0, false, false},
	{"vc", "vc_deal_undisclosed.html", "http://s.test/vc/deal/d00012.html", 1, 0, false, false},
	{"vc", "vc_deal_malformed.html", "http://s.test/vc/deal/d00002.html", 0, 0, true, false}, // no company, </dd> dropped
	{"vc", "vc_deal_yi.html", "http://s.test/vc/deals?page=1", 0, 0, true, false},            // a deal page where the list should be
	{"lender_loans", "lender_list.html", "http://s.test/lender/loan/list?page=1", 0, 50, false, false},
	{"lender_loans", "lender_loan.html", "http://s.test/loan/L0000140", 1, 0, false, false},
	{"lender_loans", "lender_list.html", "http://s.test/loan/L0000140", 0, 0, true, false}, // a list where a loan page should be
	{"p2p_loans", "p2p_loans_page1.json", "http://s.test/p2p/api/loans?page=1&size=5", 5, 0, false, false},
	{"p2p_loans", "p2p_loans_missing.json", "http://s.test/p2p/api/loans?page=1&size=5", 1, 0, true, false},
	{"p2p_loans", "p2p_loans_malformed.json", "http://s.test/p2p/api/loans?page=1&size=5", 0, 0, true, false}, // cut off
	{"cf_projects", "cf_projects_page1.html", "http://s.test/crowdfunding/projects?page=1", 20, 1, false, false},
	{"cf_projects", "cf_projects_last.html", "http://s.test/crowdfunding/projects?page=32", 5, 0, false, false},
	{"cf_projects", "cf_projects_malformed.html", "http://s.test/crowdfunding/projects?page=1", -1, 1, true, false},
	{"cf_projects", "cf_projects_notable.html", "http://s.test/crowdfunding/projects?page=1", 0, 0, true, false},
}

// TestExtractMoneyPages checks each saved page of the money sources against its golden JSONL.
func TestExtractMoneyPages(t *testing.T) { checkPages(t, moneyCases) }

// TestMoneyFields pins the fields the transform parses, as the sites print them.
func TestMoneyFields(t *testing.T) {
	tests := []struct {
		source, file, url string
		want              map[string]string // a subset of the first item's fields
	}{
		{"vc", "vc_deal_vague.html", "http://s.test/vc/deal/d00001.html", map[string]string{"deal_id": "d00001", "amount": "数千万人民币", "round": "Pre-A", "date": "2017.2.10"}},
		{"vc", "vc_deal_usd.html", "http://s.test/vc/deal/d00005.html", map[string]string{"amount": "1550万美元"}},
		{"vc", "vc_deal_undisclosed.html", "http://s.test/vc/deal/d00012.html", map[string]string{"amount": "未透露"}},
		{"vc", "vc_deal_yi.html", "http://s.test/vc/deal/d00002.html", map[string]string{"amount": "1.9亿元", "location": "上海", "industry": "网络借贷", "investors": "达晨创投、真格基金"}},
		{"p2p_loans", "p2p_loans_page1.json", "http://s.test/p2p/api/loans?page=1", map[string]string{"loan_id": "L0000001", "amount": "312200", "rate": "8.7", "borrower_city": "重庆"}},
		{"lender_loans", "lender_loan.html", "http://s.test/loan/L0000140", map[string]string{"loan_id": "L0000140", "amount": "149000", "rate": "11.7", "borrower_city": "成都", "type": "房贷"}},
		{"cf_projects", "cf_projects_page1.html", "http://s.test/crowdfunding/projects?page=1", map[string]string{"project_id": "cfp000001", "platform_id": "cf0010", "city": "杭州", "raised": "21.09万元"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ex := extractFile(t, tt.source, tt.url, tt.file, false)
			if len(ex.Items) == 0 {
				t.Fatal("got no items")
			}
			got := map[string]string{}
			for k := range tt.want {
				got[k] = ex.Items[0].Fields[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCrawlMoneySources crawls each money source's site and checks one record per true entity
// (the world's counts.json), also with lists that shift while being paged.
func TestCrawlMoneySources(t *testing.T) {
	tests := []struct {
		source string
		count  string // truth count key
		faults sampleweb.Faults
	}{
		{"vc", "vc/deals", sampleweb.Faults{}},
		{"vc", "vc/deals", sampleweb.Faults{Shift: true}},
		{"p2p_loans", "p2p/loans", sampleweb.Faults{}},
		{"cf_projects", "crowdfunding/projects", sampleweb.Faults{}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			res := collectortest.CrawlSampleWeb(t, tt.source, sampleweb.Options{Seed: 1, Scale: 0.1, Faults: tt.faults})
			if len(res.Failures) > 0 {
				t.Errorf("got failures %+v, want none", res.Failures)
			}
			if want := res.Counts[tt.count]; len(res.Records) != want || want == 0 {
				t.Errorf("got %d records, want %d (truth counts.json %s)", len(res.Records), want, tt.count)
			}
		})
	}
}
