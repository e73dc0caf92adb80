package transform

import (
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// writeSource writes records (field maps, "" = missing) as one source's raw Parquet; each record's
// key is its index.
func writeSource(t *testing.T, source string, fields []string, recs []map[string]string) SourceInput {
	t.Helper()
	sink := collectors.NewParquetSink(t.TempDir(), source, "collect-"+source, fields, collectors.SinkOptions{})
	for i, r := range recs {
		fs := map[string]string{}
		for k, v := range r {
			if v != "" {
				fs[k] = v
			}
		}
		rec := collectors.Record{Key: fmt.Sprintf("%s-%d", source, i), Fields: fs, Lineage: collectors.Lineage{
			URL: "http://sample.test/" + source, FetchedAt: time.Unix(1_500_000_000, 0), HTTPStatus: 200,
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
	jobsFields     = []string{"job_id", "title", "company", "city", "district", "salary", "education", "posted"}
	jobsGBKFields  = []string{"job_id", "link", "title", "company", "location", "salary", "education", "posted"}
	registryFields = []string{"company_id", "name", "credit_code", "legal_rep", "registered_capital", "founded", "status", "industry", "address", "brands", "scope"}
)

// TestSalaryInPostings runs salary strings, as the two recruitment sites print them, through the
// jobs step: clean_jobs keeps fhi_salary's reading (TestSalary covers every shape), negotiable
// postings are not problems, and an unreadable salary is quarantined with its string.
func TestSalaryInPostings(t *testing.T) {
	tests := []struct {
		salary string
		want   float64 // NaN = NULL
	}{
		{"15k-30k", 22500},
		{"15-30K·13薪", 22500},
		{"8千-1.2万/月", 10000},
		{"150-200元/天", 175 * 21.75},
		{"10-15万", 125000.0 / 12},
		{"10-20万/年", 12500},
		{"15k以上", 15000},
		{"面议", math.NaN()},
		{"薪资面议", math.NaN()},
		{"", math.NaN()},
		{"很高", math.NaN()}, // an unknown form: NULL and quarantined, never a guess
	}
	var api, gbk []map[string]string
	reg := []map[string]string{{"company_id": "c1", "name": "杭州测试支付有限公司", "industry": "第三方支付", "status": "存续", "address": "浙江省杭州市西湖区"}}
	for i, tt := range tests {
		id := fmt.Sprintf("j%03d", i)
		api = append(api, map[string]string{"job_id": id, "company": "杭州测试支付有限公司", "city": "杭州", "salary": tt.salary, "education": "本科"})
		gbk = append(gbk, map[string]string{"job_id": "g" + id, "link": "/jobs-gbk/job/g" + id + ".html", "company": "杭州测试支付有限公司", "location": "杭州-西湖区", "salary": tt.salary, "education": "本科"})
	}
	db := openDB(t)
	_, err := Run(t.Context(), db, Inputs{RunID: "transform-jobs", Sources: []SourceInput{
		writeSource(t, "jobs", jobsFields, api), writeSource(t, "jobs_gbk", jobsGBKFields, gbk), writeSource(t, "registry", registryFields, reg),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		for _, src := range []struct{ source, id string }{{"jobs", fmt.Sprintf("j%03d", i)}, {"jobs_gbk", fmt.Sprintf("gj%03d", i)}} {
			t.Run(src.source+" "+tt.salary, func(t *testing.T) {
				var got sql.NullFloat64
				if err := db.QueryRow(`SELECT salary_monthly_mid FROM clean_jobs WHERE source = ? AND job_id = ?`, src.source, src.id).Scan(&got); err != nil {
					t.Fatal(err)
				}
				checkFloat(t, "monthly midpoint", got, tt.want)
			})
		}
	}
	var q int
	var value string
	if err := db.QueryRow(`SELECT count(*), min(value) FROM quarantine WHERE reason = 'salary: salary shape not recognised'`).Scan(&q, &value); err != nil {
		t.Fatal(err)
	}
	if q != 2 || value != "很高" {
		t.Errorf("got %d quarantined salaries (%q), want 很高 on each site", q, value)
	}
}

// TestTalent checks linking, city mapping and the talent formula on a small hand-made world.
func TestTalent(t *testing.T) {
	reg := []map[string]string{
		{"company_id": "c1", "name": "杭州甲支付有限公司", "industry": "第三方支付", "status": "存续", "address": "浙江省杭州市西湖区", "registered_capital": "1亿人民币"},
		{"company_id": "c2", "name": "上海乙征信有限公司", "industry": "征信服务", "status": "存续", "address": "上海市浦东新区"},
		{"company_id": "c3", "name": "杭州丙科技有限公司", "industry": "其他", "status": "存续", "address": "杭州市滨江区"},
		{"company_id": "c4", "name": "苏州丁支付有限公司", "industry": "第三方支付", "status": "存续", "address": "江苏省苏州市工业园区"},
	}
	api := []map[string]string{
		{"job_id": "a1", "company": "杭州甲支付有限公司", "city": "杭州", "salary": "10k-20k", "education": "硕士"},
		{"job_id": "a2", "company": "甲支付（杭州）有限公司", "city": "杭州", "salary": "面议", "education": "本科"}, // region in brackets
		{"job_id": "a3", "company": "上海乙征信有限公司", "city": "上海", "district": "浦东新区", "salary": "8k-12k", "education": "博士"},
		{"job_id": "a4", "company": "杭州丙科技有限公司", "city": "杭州", "salary": "8k-12k", "education": "本科"}, // not fintech
		{"job_id": "a5", "company": "无名公司", "city": "杭州", "salary": "8k-12k", "education": "本科"},      // not in the registry
		{"job_id": "a6", "company": "苏州丁支付有限公司", "city": "苏州", "salary": "8k-12k", "education": "本科"}, // outside the sample
		{"job_id": "a7", "company": "上海乙征信有限公司", "city": "火星", "salary": "8k-12k", "education": "本科"}, // unmappable city
	}
	gbk := []map[string]string{
		{"job_id": "g1", "link": "/jobs-gbk/job/g1.html", "company": "杭州甲支付有限公司", "location": "杭州-西湖区", "salary": "6-8千/月", "education": "本科"},
		{"job_id": "g2", "link": "/jobs-gbk/job/g2.html", "company": "杭州甲支付有限公司", "location": "杭州", "salary": "12-24万/年", "education": "大专"},
		{"job_id": "g3", "link": "/jobs-gbk/job/g3.html", "company": "乙征信", "location": "上海-浦东新区", "salary": "1-1.5万/月", "education": "本科"}, // no region, no legal form
	}
	db := openDB(t)
	_, err := Run(t.Context(), db, Inputs{RunID: "transform-talent", Sources: []SourceInput{
		writeSource(t, "jobs", jobsFields, api), writeSource(t, "jobs_gbk", jobsGBKFields, gbk), writeSource(t, "registry", registryFields, reg),
	}})
	if err != nil {
		t.Fatal(err)
	}
	// 杭州 payment: a1 15,000 (硕士), a2 面议, g1 7,000, g2 (12+24)/2/12 = 1.5 万 = 15,000;
	// mean of paid = 37,000 / 3, share of 硕士/博士 = 1/4.
	// 上海 credit: a3 10,000 (博士), g3 12,500; mean 11,250, share 1/2. a7 is quarantined (city).
	want := []struct {
		ind, city string
		value     float64
		n         int
	}{
		{"industry.payment.talent", "杭州", 37000.0 / 3 * 1.25, 4},
		{"industry.credit.talent", "上海", 11250 * 1.5, 2},
		{"industry.payment.talent", "上海", 0, 0},
		{"industry.blockchain.talent", "北京", 0, 0},
		{"industry.crowdfunding.talent", "杭州", 0, 0},
	}
	for _, w := range want {
		var got float64
		var n int
		if err := db.QueryRow(`SELECT value, n_records FROM metrics WHERE indicator = ? AND city = ?`, w.ind, w.city).Scan(&got, &n); err != nil {
			t.Fatalf("%s %s: %v", w.ind, w.city, err)
		}
		if math.Abs(got-w.value) > 1e-9*math.Max(1, w.value) || n != w.n {
			t.Errorf("%s %s: got %g from %d postings, want %g from %d", w.ind, w.city, got, n, w.value, w.n)
		}
	}
	var cities, metrics, lineage int
	if err := db.QueryRow(`SELECT count(DISTINCT city_code), count(*) FROM metrics WHERE indicator LIKE 'industry.%.talent'`).Scan(&cities, &metrics); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM metric_records WHERE indicator LIKE 'industry.%.talent'`).Scan(&lineage); err != nil {
		t.Fatal(err)
	}
	if cities != 36 || metrics != 5*36 || lineage != 6 {
		t.Errorf("got %d talent metrics over %d cities with %d records behind them, want 180, 36 and 6", metrics, cities, lineage)
	}
	rows, err := db.Query(`SELECT source, record_id, reason FROM quarantine WHERE source LIKE 'jobs%' ORDER BY record_id, reason`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s, id, reason string
		if err := rows.Scan(&s, &id, &reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, reason)
	}
	// a4 (其他), a5 (no registry entry), a7 (city): three postings quarantined.
	if len(got) != 3 {
		t.Errorf("got quarantine reasons %q, want 3 (a4 not fintech, a5 unlinked, a7 unmapped city)", got)
	}
	links := map[string]string{}
	lr, err := db.Query(`SELECT j.job_id, coalesce(l.method, l.problem) FROM clean_jobs j JOIN entity_links l ON l.record_id = j.record_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Close()
	for lr.Next() {
		var id, how string
		if err := lr.Scan(&id, &how); err != nil {
			t.Fatal(err)
		}
		links[id] = how
	}
	for id, want := range map[string]string{"a1": "legal_name", "a2": "legal_name", "g3": "name_key", "a5": "not in the registry"} {
		if links[id] != want {
			t.Errorf("posting %s linked by %q, want %q", id, links[id], want)
		}
	}
}
