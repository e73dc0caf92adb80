package transform

import (
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// moneyRaw writes records of one source as its raw Parquet (column order = fields) and returns the
// source input for Run.
func moneyRaw(t *testing.T, source string, fields []string, recs []map[string]string) SourceInput {
	t.Helper()
	sink := collectors.NewParquetSink(t.TempDir(), source, "collect-"+source, fields, collectors.SinkOptions{})
	for i, f := range recs {
		key := f[fields[0]]
		rec := collectors.Record{Key: key, Fields: f, Lineage: collectors.Lineage{
			URL: "http://sample.test/" + source + "/" + key, FetchedAt: time.Unix(1_500_000_000, 0), HTTPStatus: 200,
			BodySHA256: "00", WARCFile: "w.warc.gz", WARCOffset: int64(i), WARCRecordID: "<urn:uuid:0>",
		}}
		if err := sink.Write(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	return SourceInput{Source: source, RunID: "collect-" + source, Files: sink.Parts(), Fields: fields}
}

var (
	vcFields        = []string{"deal_id", "company", "product", "round", "amount", "date", "investors", "location", "industry"}
	licenseeFields  = []string{"sector", "licensee_id", "licence", "company", "brand", "city", "registered_capital", "status", "volume"}
	loanFields      = []string{"loan_id", "platform_id", "platform", "amount", "rate", "term_months", "borrower_city", "purpose", "type", "date"}
	cfProjectFields = []string{"project_id", "title", "platform_id", "platform", "category", "city", "target", "raised", "backers", "date"}
)

// TestDealAmounts runs deal amount strings, as IT桔子 and foreign lists print them, through step
// 060: the deal's year picks the exchange rate, vague amounts take their conventional values,
// undisclosed ones are kept as records adding 0, and anything else is quarantined.
func TestDealAmounts(t *testing.T) {
	const usd17 = 6.7518
	tests := []struct {
		amount, date string
		want         float64 // yuan; NaN = NULL
		counted      bool    // a record behind the city's capital
	}{
		{"1200万人民币", "2017.3.1", 1200e4, true},
		{"1.2亿元", "2017.3.1", 1.2e8, true},
		{"500万美元", "2017.3.1", 500e4 * usd17, true},
		{"500万美元", "2016.3.1", 500e4 * 6.6423, true},
		{"1.5亿美元", "2017.3.1", 1.5e8 * usd17, true},
		{"2000万港元", "2017.3.1", 2000e4 * usd17 / 7.7930, true},
		{"数十万人民币", "2017.3.1", 50e4, true},
		{"数百万人民币", "2017.3.1", 500e4, true},
		{"数千万人民币", "2017.3.1", 5000e4, true},
		{"数亿人民币", "2017.3.1", 3e8, true},
		{"近亿元", "2017.3.1", 1e8, true},
		{"亿元及以上", "2017.3.1", 1e8, true},
		{"超过5亿", "2017.3.1", 5e8, true},
		{"数千万美元", "2017.3.1", 5000e4 * usd17, true},
		{"未透露", "2017.3.1", math.NaN(), true},
		{"未透露美元", "2017.3.1", math.NaN(), true},
		{"3,000万元", "2017.3.1", 3000e4, true},
		{"很多钱", "2017.3.1", math.NaN(), false},
		{"", "2017.3.1", math.NaN(), false},
	}
	var deals []map[string]string
	for i, tt := range tests {
		d := map[string]string{"deal_id": fmt.Sprintf("d%05d", i+1), "company": "测试科技有限公司", "location": "杭州", "industry": "区块链", "date": tt.date}
		if tt.amount != "" {
			d["amount"] = tt.amount
		}
		deals = append(deals, d)
	}
	db := openDB(t)
	in := Inputs{RunID: "money-test", Sources: []SourceInput{
		moneyRaw(t, "vc", vcFields, deals),
		moneyRaw(t, "licensees", licenseeFields, []map[string]string{{"sector": "payment", "licensee_id": "x1", "company": "支付公司", "city": "上海", "registered_capital": "1亿元", "status": "正常"}}),
	}}
	if _, err := Run(t.Context(), db, in); err != nil {
		t.Fatal(err)
	}
	var sum float64
	counted := 0
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%q %s", tt.amount, tt.date), func(t *testing.T) {
			var got sql.NullFloat64
			if err := db.QueryRow(`SELECT amount_yuan FROM clean_vc_deals WHERE deal_id = ?`, deals[i]["deal_id"]).Scan(&got); err != nil {
				t.Fatal(err)
			}
			checkFloat(t, "amount", got, tt.want)
			var q int
			if err := db.QueryRow(`SELECT count(*) FROM quarantine WHERE source = 'vc' AND reason LIKE 'amount: %' AND record_id = (SELECT record_id FROM clean_vc_deals WHERE deal_id = ?)`, deals[i]["deal_id"]).Scan(&q); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.amount == "很多钱"]; q != want {
				t.Errorf("got %d quarantine rows, want %d", q, want)
			}
		})
		if !math.IsNaN(tt.want) {
			sum += tt.want
		}
		if tt.counted {
			counted++
		}
	}
	// Every readable deal, the undisclosed ones included, is a record behind 杭州's blockchain capital.
	var value float64
	var n int
	if err := db.QueryRow(`SELECT value, n_records FROM metrics WHERE indicator = 'industry.blockchain.capital' AND city = '杭州'`).Scan(&value, &n); err != nil {
		t.Fatal(err)
	}
	if math.Abs(value-sum) > 1e-6*sum || n != counted {
		t.Errorf("industry.blockchain.capital 杭州: got %g from %d deals, want %g from %d", value, n, sum, counted)
	}
}

// TestCapitalAndFunding checks the indicators of steps 060, 070 and 071 on a small hand-made data
// set: deal sectors and cities, registered capital of operating licensees only, loans by borrower
// city and projects by project city, with the unmappable rows quarantined.
func TestCapitalAndFunding(t *testing.T) {
	deals := []map[string]string{
		{"deal_id": "d1", "company": "A", "amount": "1000万人民币", "location": "北京", "industry": "第三方支付"},
		{"deal_id": "d2", "company": "B", "amount": "数千万人民币", "location": "北京", "industry": "网络借贷"},
		{"deal_id": "d3", "company": "C", "amount": "100万美元", "location": "苏州", "industry": "网络借贷"},  // outside the sample
		{"deal_id": "d4", "company": "D", "amount": "2亿元", "location": "深圳", "industry": "其他"},       // no fintech sector
		{"deal_id": "d5", "company": "E", "amount": "300万人民币", "location": "火星", "industry": "征信服务"}, // no city
		{"deal_id": "d6", "company": "F", "amount": "1亿元", "location": "深圳", "industry": "互联网众筹"},
	}
	licensees := []map[string]string{
		{"sector": "payment", "licensee_id": "1", "company": "P1", "city": "北京", "registered_capital": "1亿元", "status": "正常"},
		{"sector": "payment", "licensee_id": "2", "company": "P2", "city": "北京", "registered_capital": "5亿元", "status": "注销"},
		{"sector": "credit", "licensee_id": "3", "company": "C1", "city": "杭州", "registered_capital": "20000万元", "status": "正常"},
	}
	loans := []map[string]string{
		{"loan_id": "L1", "amount": "312200", "borrower_city": "重庆"},
		{"loan_id": "L2", "amount": "40000", "borrower_city": "重庆"},
		{"loan_id": "L3", "amount": "50000", "borrower_city": "苏州"},
		{"loan_id": "L4", "amount": "1e5x", "borrower_city": "杭州"},
		{"loan_id": "L5", "amount": "1000", "borrower_city": "某地"},
	}
	projects := []map[string]string{
		{"project_id": "cfp1", "city": "杭州", "target": "12万元", "raised": "21.09万元"},
		{"project_id": "cfp2", "city": "杭州", "target": "8万元", "raised": "0.00万元"},
		{"project_id": "cfp3", "city": "北京", "target": "3万元", "raised": "2.53万元"},
		{"project_id": "cfp4", "city": "北京", "target": "3万元", "raised": "--"},
	}
	db := openDB(t)
	res, err := Run(t.Context(), db, Inputs{RunID: "money-test", Sources: []SourceInput{
		moneyRaw(t, "vc", vcFields, deals),
		moneyRaw(t, "licensees", licenseeFields, licensees),
		moneyRaw(t, "p2p_loans", loanFields, loans),
		moneyRaw(t, "cf_projects", cfProjectFields, projects),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		indicator, city string
		value           float64
		n               int
	}{
		{"industry.payment.capital", "北京", 1000e4 + 1e8, 2},
		{"industry.p2p.capital", "北京", 5000e4, 1},
		{"industry.crowdfunding.capital", "深圳", 1e8, 1},
		{"industry.credit.capital", "杭州", 2e8, 1},
		{"industry.blockchain.capital", "北京", 0, 0},
		{"experience.p2p.online_borrowing", "重庆", 352200, 2},
		{"experience.p2p.online_borrowing", "杭州", 0, 0},
		{"experience.crowdfunding.online_fundraising", "杭州", 21.09e4, 2},
		{"experience.crowdfunding.online_fundraising", "北京", 2.53e4, 1},
	}
	for _, w := range want {
		var value float64
		var n int
		if err := db.QueryRow(`SELECT value, n_records FROM metrics WHERE indicator = ? AND city = ?`, w.indicator, w.city).Scan(&value, &n); err != nil {
			t.Fatalf("%s %s: %v", w.indicator, w.city, err)
		}
		if math.Abs(value-w.value) > 1e-6*math.Abs(w.value) || n != w.n {
			t.Errorf("%s %s: got %g from %d records, want %g from %d", w.indicator, w.city, value, n, w.value, w.n)
		}
	}
	// Each of the money indicators has a value for all 36 sample cities, and only 060 makes capital.
	var bad int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT indicator FROM metrics
		WHERE indicator LIKE '%.capital' OR indicator LIKE 'experience.%' GROUP BY indicator HAVING count(*) <> 36)`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%d money indicators lack some of the 36 cities", bad)
	}
	// Quarantine: d5's city, L4's amount, L5's city, cfp4's raised (missing); not d4 (其他 is a known
	// non-sector) nor d3 and L3 (苏州 is a city, just not a sample one).
	rows, err := db.Query(`SELECT source, reason FROM quarantine WHERE source IN ('vc', 'p2p_loans', 'cf_projects') ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s, r string
		if err := rows.Scan(&s, &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, s+": "+r)
	}
	if len(got) != 4 || res.Quarantined != 4 {
		t.Errorf("got quarantine %q (result says %d), want 4 rows: d5's city, L4's amount, L5's city, cfp4's raised", got, res.Quarantined)
	}
}
