package transform

import (
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/fhi-index/fhi/collectors"
)

// platform is one raw P2P record for a test.
type platform struct {
	id, address, capital, turnover, status string
}

// writeRaw writes platforms as the p2p source's raw Parquet and returns the file list.
var p2pFields = []string{"platform_id", "name", "address", "location", "credit_code", "registered_capital", "online_date", "turnover_2016", "status", "background"}

func writeRaw(t *testing.T, ps []platform) []string {
	t.Helper()
	dir := t.TempDir()
	// Written without location and credit_code, as a run from before the spec had them: the
	// runner adds the missing fields as NULL.
	sink := collectors.NewParquetSink(dir, "p2p", "collect-test", []string{"platform_id", "name", "address", "registered_capital", "online_date", "turnover_2016", "status", "background"}, collectors.SinkOptions{})
	for i, p := range ps {
		fields := map[string]string{"platform_id": p.id, "name": "平台" + p.id, "status": p.status}
		for k, v := range map[string]string{"address": p.address, "registered_capital": p.capital, "turnover_2016": p.turnover} {
			if v != "" {
				fields[k] = v
			}
		}
		rec := collectors.Record{Key: p.id, Fields: fields, Lineage: collectors.Lineage{
			URL: "http://sample.test/p2p/platforms/" + p.id, FetchedAt: time.Unix(1_500_000_000, 0), HTTPStatus: 200,
			BodySHA256: "00", WARCFile: "w.warc.gz", WARCOffset: int64(i), WARCRecordID: "<urn:uuid:0>",
		}}
		if err := sink.Write(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	return sink.Parts()
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestP2PCleaning(t *testing.T) {
	tests := []struct {
		p            platform
		wantCity     string // "" = unmapped
		wantCapital  float64
		wantTurnover float64 // NaN = NULL
	}{
		{platform{"a", "浙江省杭州市西湖区文三路90号", "5000万元", "12.35亿元", "正常"}, "杭州", 5e7, 12.35e8},
		{platform{"b", "杭州市滨江区网商路699号", "1亿元", "8650万元", "正常"}, "杭州", 1e8, 8650e4},
		{platform{"c", "杭州西湖区", "5000万人民币", "", "正常"}, "杭州", 5e7, math.NaN()},
		{platform{"d", "北京市朝阳区建国路", "1000万美元", "3亿元", "正常"}, "北京", 1000e4 * 6.7518, 3e8}, // 2017 average rate
		{platform{"e", "广东深圳南山区科技园", "", "", "问题"}, "深圳", math.NaN(), math.NaN()},
		{platform{"f", "吉林省长春市朝阳区", "3,000,000元", "", "停业"}, "长春", 3e6, math.NaN()},
		{platform{"g", "江苏省苏州市工业园区", "2000万元", "", "正常"}, "苏州", 2e7, math.NaN()}, // outside the sample
		{platform{"h", "火星基地一号", "很多钱", "", "正常"}, "", math.NaN(), math.NaN()},
		{platform{"i", "重庆市渝北区", "5000万元", "1.5亿元", "正常"}, "重庆", 5e7, 1.5e8},
		{platform{"j", "新疆维吾尔自治区乌鲁木齐市天山区", "5000万元", "", "正常"}, "乌鲁木齐", 5e7, math.NaN()},
	}
	var ps []platform
	for _, tt := range tests {
		ps = append(ps, tt.p)
	}
	db := openDB(t)
	res, err := Run(t.Context(), db, Inputs{RunID: "transform-test", Sources: []SourceInput{{Source: "p2p", RunID: "collect-test", Files: writeRaw(t, ps), Fields: p2pFields}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.p.id+" "+tt.p.address, func(t *testing.T) {
			var city sql.NullString
			var capital, turnover sql.NullFloat64
			err := db.QueryRow(`SELECT city_name, registered_capital_yuan, turnover_2016_yuan FROM clean_p2p_platforms WHERE platform_id = ?`, tt.p.id).Scan(&city, &capital, &turnover)
			if err != nil {
				t.Fatal(err)
			}
			if city.String != tt.wantCity {
				t.Errorf("city: got %q, want %q", city.String, tt.wantCity)
			}
			checkFloat(t, "capital", capital, tt.wantCapital)
			checkFloat(t, "turnover", turnover, tt.wantTurnover)
		})
	}
	// Quarantine: h's address and capital; nothing else.
	var q int
	if err := db.QueryRow(`SELECT count(*) FROM quarantine`).Scan(&q); err != nil {
		t.Fatal(err)
	}
	if q != 2 || res.Quarantined != 2 {
		t.Errorf("got %d quarantined rows (result says %d), want 2: h's address and capital", q, res.Quarantined)
		dumpQuarantine(t, db)
	}
	// Metrics: every sample city gets a value; only operating platforms in sample cities count.
	wantFirms := map[string]float64{"杭州": 3, "北京": 1, "重庆": 1, "乌鲁木齐": 1, "深圳": 0, "长春": 0, "上海": 0}
	for city, want := range wantFirms {
		var got float64
		if err := db.QueryRow(`SELECT value FROM metrics WHERE indicator = 'industry.p2p.firms' AND city = ?`, city).Scan(&got); err != nil {
			t.Fatalf("firms of %s: %v", city, err)
		}
		if got != want {
			t.Errorf("industry.p2p.firms %s: got %g, want %g", city, got, want)
		}
	}
	var hzVolume float64
	if err := db.QueryRow(`SELECT value FROM metrics WHERE indicator = 'industry.p2p.volume' AND city = '杭州'`).Scan(&hzVolume); err != nil {
		t.Fatal(err)
	}
	if want := 12.35e8 + 8650e4; math.Abs(hzVolume-want) > 1 {
		t.Errorf("industry.p2p.volume 杭州: got %g, want %g", hzVolume, want)
	}
	var cities, lineage int
	if err := db.QueryRow(`SELECT count(DISTINCT city_code) FROM metrics`).Scan(&cities); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM metric_records WHERE indicator = 'industry.p2p.firms'`).Scan(&lineage); err != nil {
		t.Fatal(err)
	}
	if cities != 36 || lineage != 6 {
		t.Errorf("got metrics for %d cities and %d firm records behind them, want 36 and 6", cities, lineage)
	}
}

func checkFloat(t *testing.T, what string, got sql.NullFloat64, want float64) {
	t.Helper()
	switch {
	case math.IsNaN(want) && got.Valid:
		t.Errorf("%s: got %g, want NULL", what, got.Float64)
	case !math.IsNaN(want) && (!got.Valid || math.Abs(got.Float64-want) > 1e-6*math.Abs(want)):
		t.Errorf("%s: got %v, want %g", what, got, want)
	}
}

func TestStepsWithoutTheirSourceAreSkipped(t *testing.T) {
	db := openDB(t)
	res, err := Run(t.Context(), db, Inputs{RunID: "transform-empty"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) == 0 || len(res.Indicators) != 0 {
		t.Errorf("got skipped %v and indicators %v, want every source step skipped and no indicators", res.Skipped, res.Indicators)
	}
}

func TestRunRejectsBadInputs(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		name string
		in   SourceInput
	}{
		{"table name injection", SourceInput{Source: "p2p; DROP TABLE metrics", RunID: "r", Files: []string{"x"}}},
		{"no files", SourceInput{Source: "p2p", RunID: "r"}},
		{"missing file", SourceInput{Source: "p2p", RunID: "r", Files: []string{filepath.Join(t.TempDir(), "nope.parquet")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(t.Context(), db, Inputs{RunID: "bad", Sources: []SourceInput{tt.in}}); err == nil {
				t.Error("Run succeeded, want an error")
			}
		})
	}
	// A failed run leaves no trace in the history.
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM metric_history WHERE transform_run_id = 'bad'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("failed runs left %d history rows", n)
	}
}

func TestRequires(t *testing.T) {
	got := fmt.Sprint(requires("-- requires: p2p, vc\n-- about\nSELECT 1;\n-- requires: late"))
	if got != "[p2p vc]" {
		t.Errorf("requires = %s, want [p2p vc] (header lines only)", got)
	}
}

// dumpQuarantine logs the quarantine, to see what a failing count is made of.
func dumpQuarantine(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT source, record_id, reason, value FROM quarantine`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, c string
		var d sql.NullString
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		t.Log(a, b, c, d.String)
	}
}
