package transform

import "testing"

// BenchmarkMacros times the cleaning macros on tables of distinct strings the size of a
// full-scale run's (≈ 40,000 addresses, 30,000 salaries, 10,000 amounts and company names).
//
//	go test -run '^$' -bench Macros -benchtime 3x ./transform
func BenchmarkMacros(b *testing.B) {
	tx := macroTx(b)
	setup := []string{
		`CREATE TEMP TABLE bench_places AS SELECT n.name || '路' || i::VARCHAR || '号' AS place,
		     CASE WHEN i % 3 = 0 THEN '深圳' END AS context
		 FROM ref_place_names n, range(0, 6) r(i) WHERE n.kind IN ('city', 'county')`,
		`CREATE TEMP TABLE bench_strings AS SELECT i, (i % 900 + 1)::VARCHAR || CASE i % 4 WHEN 0 THEN '万美元' WHEN 1 THEN '亿元' WHEN 2 THEN '万港币' ELSE '万人民币' END AS amount,
		     (i % 40 + 3)::VARCHAR || 'k-' || (i % 40 + 8)::VARCHAR || 'k' || CASE WHEN i % 5 = 0 THEN '·13薪' ELSE '' END AS salary,
		     '杭州钱汇' || i::VARCHAR || CASE i % 2 WHEN 0 THEN '网络科技有限公司' ELSE '（北京）金融信息服务股份有限公司' END AS company
		 FROM range(0, 30000) r(i)`,
	}
	for _, q := range setup {
		if _, err := tx.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	cases := []struct{ name, query string }{
		{"places", `SELECT count(city_code) FROM fhi_places('bench_places')`},
		{"money", `SELECT count(fhi_money(amount, 2017).yuan) FROM bench_strings WHERE i < 10000`},
		{"salary", `SELECT count(fhi_salary(salary).monthly_mid) FROM bench_strings`},
		{"company_key", `SELECT count(fhi_company_key(company)) FROM bench_strings WHERE i < 10000`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				if err := tx.QueryRow(c.query).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "rows")
			if n == 0 {
				b.Fatalf("%s resolved nothing", c.name)
			}
		})
	}
}
