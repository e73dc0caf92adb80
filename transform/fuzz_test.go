package transform

import (
	"database/sql"
	"math"
	"testing"
	"unicode/utf8"
)

// FuzzMacros runs every cleaning macro on arbitrary strings: none may fail, and none may return a
// negative, infinite or absurd figure, a range that does not contain its value, or a place with
// neither a city nor a problem.
//
//	go test -run '^$' -fuzz FuzzMacros ./transform
func FuzzMacros(f *testing.F) {
	for _, s := range []string{"", "5000万元", "500万美元", "数千万", "超过5亿", "未透露美元", "US$ 10 million", "1亿5000万",
		"15-30K·13薪", "8千-1.2万/月", "150-200元/天", "10-15万", "15k以上", "薪资面议", "30k-15k",
		"广东|深圳", "吉林", "朝阳区建国路", "北京·朝阳区", "香港", "钱汇（杭州）网络科技有限公司", "91510118B706E3XM45",
		"normal", "停业或转型", "\u200b", "ｅ", "9999999999999", "1e308", "NaN", "-5万", "0", "(", "()()", "'; DROP TABLE x;--"} {
		f.Add(s, "杭州")
	}
	tx := macroTx(f)
	if _, err := tx.Exec(`CREATE TEMP TABLE fuzz_places (place VARCHAR, context VARCHAR)`); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s, ctx string) {
		if !utf8.ValidString(s) || !utf8.ValidString(ctx) {
			t.Skip("raw text is UTF-8: collectors decode pages and imports refuse anything else")
		}
		var yuan, low, high sql.NullFloat64
		var undisclosed bool
		var problem sql.NullString
		if err := tx.QueryRow(`SELECT m.yuan, m.low_yuan, m.high_yuan, m.undisclosed, m.problem FROM (SELECT fhi_money(?, 2017) AS m)`, s).
			Scan(&yuan, &low, &high, &undisclosed, &problem); err != nil {
			t.Fatalf("fhi_money(%q): %v", s, err)
		}
		checkFigure(t, "fhi_money", s, yuan, low, high, 1e13)
		if yuan.Valid && (undisclosed || problem.Valid) {
			t.Errorf("fhi_money(%q): a figure with undisclosed=%v problem=%q", s, undisclosed, problem.String)
		}

		var lo, hi, mid sql.NullFloat64
		if err := tx.QueryRow(`SELECT x.monthly_low, x.monthly_high, x.monthly_mid, x.problem FROM (SELECT fhi_salary(?) AS x)`, s).
			Scan(&lo, &hi, &mid, &problem); err != nil {
			t.Fatalf("fhi_salary(%q): %v", s, err)
		}
		checkFigure(t, "fhi_salary", s, mid, lo, hi, 1e6)
		if mid.Valid && mid.Float64 < 100 {
			t.Errorf("fhi_salary(%q) = %g a month: below the plausible range", s, mid.Float64)
		}

		if _, err := tx.Exec(`DELETE FROM fuzz_places; INSERT INTO fuzz_places VALUES (?, ?), (?, NULL)`, s, ctx, s); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(`SELECT city_code, problem FROM fhi_places('fuzz_places')`)
		if err != nil {
			t.Fatalf("fhi_places(%q, %q): %v", s, ctx, err)
		}
		n := 0
		for rows.Next() {
			var city, problem sql.NullString
			if err := rows.Scan(&city, &problem); err != nil {
				t.Fatal(err)
			}
			if city.Valid == problem.Valid {
				t.Errorf("fhi_places(%q, %q): city %q problem %q, want exactly one", s, ctx, city.String, problem.String)
			}
			n++
		}
		rows.Close()
		if n == 0 || n > 2 {
			t.Errorf("fhi_places(%q, %q) gave %d rows for 2 distinct inputs", s, ctx, n)
		}

		var status, sector, name, key, brand, code sql.NullString
		if err := tx.QueryRow(`SELECT fhi_status('firm', ?).status, fhi_sector(?), fhi_company_name(?), fhi_company_key(?), fhi_brand_key(?), fhi_credit_code(?)`,
			s, s, s, s, s, s).Scan(&status, &sector, &name, &key, &brand, &code); err != nil {
			t.Fatalf("label and name macros on %q: %v", s, err)
		}
		if code.Valid && len(code.String) != 18 {
			t.Errorf("fhi_credit_code(%q) = %q, not 18 characters", s, code.String)
		}
	})
}

// checkFigure fails on a negative, non-finite or too large figure, or a range around it that does
// not hold it.
func checkFigure(t *testing.T, macro, s string, v, lo, hi sql.NullFloat64, max float64) {
	t.Helper()
	for _, x := range []sql.NullFloat64{v, lo, hi} {
		if x.Valid && (x.Float64 < 0 || math.IsNaN(x.Float64) || math.IsInf(x.Float64, 0) || x.Float64 > max) {
			t.Errorf("%s(%q): figure %g out of [0, %g]", macro, s, x.Float64, max)
		}
	}
	if v.Valid && ((lo.Valid && lo.Float64 > v.Float64*(1+1e-12)) || (hi.Valid && hi.Float64 < v.Float64*(1-1e-12))) {
		t.Errorf("%s(%q): value %g outside its range [%v, %v]", macro, s, v.Float64, lo, hi)
	}
}
