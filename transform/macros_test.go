package transform

import (
	"database/sql"
	"math"
	"strings"
	"testing"
)

// nan marks an expected NULL.
var nan = math.NaN()

// TestPlaces runs fhi_places on every shape of place text the issue lists, with and without a
// context: the expected city is worked out from data/divisions by hand.
func TestPlaces(t *testing.T) {
	tests := []struct {
		place, context string // "" = NULL
		wantCity       string // 4-digit code; "" = no city
		wantMethod     string // or, when wantCity is "", a part of the problem
	}{
		// province and city with a separator, or none
		{"广东|深圳", "", "4403", "province+city"},
		{"浙江|杭州", "", "3301", "province+city"},
		{"吉林|长春", "", "2201", "province+city"}, // not 吉林市
		{"广东-深圳", "", "4403", "province+city"},
		{"广东·深圳", "", "4403", "province+city"},
		{"广东 深圳", "", "4403", "province+city"},
		{"广东｜深圳", "", "4403", "province+city"}, // full-width bar
		{"江苏省 南京市玄武区中山路1号", "", "3201", "province+city"},
		{"浙江省杭州市西湖区文三路90号", "", "3301", "province+city"},
		{"广东深圳南山区科技园", "", "4403", "province+city"},
		{"新疆维吾尔自治区乌鲁木齐市天山区", "", "6501", "province+city"},
		{"内蒙古呼和浩特", "", "1501", "province+city"},
		{"中国浙江杭州", "", "3301", "province+city"},
		// city with a district
		{"北京·朝阳区", "", "1101", "city_short"},
		{"深圳-南山区", "", "4403", "city_short"},
		{"上海-浦东新区", "", "3101", "city_short"},
		{"北京市朝阳区建国路", "", "1101", "city"},
		{"重庆市渝北区", "", "5001", "city"},
		{"杭州", "", "3301", "city_short"},
		{"Hangzhou", "", "3301", "city_english"},
		// district only: unique, by context, ambiguous
		{"浦东新区张江路", "", "3101", "county"},
		{"昆山市花桥镇", "", "3205", "county"},
		{"南山区科技园", "深圳", "4403", "county+context"},
		{"南山区科技园", "广东|深圳", "4403", "county+context"},
		{"南山区科技园", "", "", "ambiguous: 南山区 is in 鹤岗, 深圳"},
		{"朝阳区建国路88号", "", "", "ambiguous: 朝阳区 is in 北京, 长春"},
		{"朝阳区建国路88号", "北京", "1101", "county+context"},
		{"朝阳区建国路88号", "吉林|长春", "2201", "county+context"},
		{"吉林省朝阳区", "", "2201", "province+county"},
		{"江苏昆山", "", "3205", "province+county"},
		// 吉林: the province or the city
		{"吉林", "", "", "ambiguous: 吉林 is a province and a city"},
		{"吉林", "长春", "2201", "province+context"},
		{"吉林市", "", "2202", "city"},
		{"吉林省吉林市", "", "2202", "province+city"},
		{"吉林船营区", "", "2202", "city+county"},
		// province only, outside the mainland, nothing
		{"广东省", "", "", "province only"},
		{"浙江", "", "", "province only"},
		{"香港中环", "", "", "outside mainland China: Hong Kong SAR"},
		{"Hong Kong", "", "", "outside mainland China"},
		{"美国加州", "", "", "outside mainland China: United States"},
		{"新加坡", "", "", "outside mainland China: Singapore"},
		{"火星基地一号", "", "", "no place recognised"},
		{"中山路100号", "", "", "a street name"},
		{"中山路100号", "杭州", "3301", "context"},
		{"中山市石岐区", "", "4420", "city"},
		{"哈尔滨道外区", "", "2301", "city_short"}, // 道外区 is a district, not a street
		{"哈尔滨-道外区", "", "2301", "city_short"},
		{"南京东路街道", "", "", "a street name"},
		{"", "杭州", "3301", "context"},
		{"科技园路1号", "广东|深圳", "4403", "context"},
		{"", "", "", "no place"},
		{"中环德辅道中1号", "香港", "", "outside mainland China: Hong Kong SAR"},
		// renamed and merged divisions (data/place_aliases.csv)
		{"山东省莱芜市莱城区", "", "3701", "province+city"},
		{"莱芜", "", "3701", "city_short"},
		{"襄樊市樊城区", "", "4206", "city"},
		{"闸北区", "", "3101", "county"},
		// width and invisible characters
		{"杭\u200b州", "", "3301", "city_short"},
		{"　上海　", "", "3101", "city_short"},
	}
	tx := macroTx(t)
	if _, err := tx.Exec(`CREATE TEMP TABLE place_cases (place VARCHAR, context VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if _, err := tx.Exec(`INSERT INTO place_cases VALUES (?, ?)`, nullable(tt.place), nullable(tt.context)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(`CREATE TEMP TABLE place_results AS SELECT * FROM fhi_places('place_cases')`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.place+"|"+tt.context, func(t *testing.T) {
			var city, method, via, problem sql.NullString
			err := tx.QueryRow(`SELECT city_code, method, via, problem FROM place_results
				WHERE place IS NOT DISTINCT FROM ? AND context IS NOT DISTINCT FROM ?`, nullable(tt.place), nullable(tt.context)).
				Scan(&city, &method, &via, &problem)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case city.String != tt.wantCity:
				t.Errorf("city %q (method %q, problem %q), want %q", city.String, method.String, problem.String, tt.wantCity)
			case tt.wantCity != "" && method.String != tt.wantMethod:
				t.Errorf("method %q, want %q", method.String, tt.wantMethod)
			case tt.wantCity == "" && !strings.Contains(problem.String, tt.wantMethod):
				t.Errorf("problem %q, want it to say %q", problem.String, tt.wantMethod)
			case (city.String == "") == (problem.String == ""):
				t.Errorf("city %q and problem %q: exactly one must be set", city.String, problem.String)
			}
			if strings.Contains(tt.place, "莱芜") && !strings.Contains(via.String, "2019-01-09") {
				t.Errorf("via %q, want the dated alias", via.String)
			}
		})
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestMoney runs fhi_money on every amount shape: precise, foreign, vague, undisclosed, broken.
// Expected yuan use data/currency_rates.csv's yearly averages (USD 2016 6.6423, 2017 6.7518).
func TestMoney(t *testing.T) {
	const usd16, usd17 = 6.6423, 6.7518
	hkd17 := usd17 / 7.7930
	eur16 := usd16 * 1.1069
	jpy17 := usd17 / 112.17
	gbp17 := usd17 * 1.2889
	sgd17 := usd17 / 1.3807
	tests := []struct {
		s                 string
		year              int // 0 = NULL: the reference year 2017
		yuan, low, high   float64
		currency          string
		vague, undisclose bool
		problem           string
	}{
		{"5000万元", 0, 5e7, 5e7, 5e7, "CNY", false, false, ""},
		{"1.2亿元", 0, 1.2e8, 1.2e8, 1.2e8, "CNY", false, false, ""},
		{"5000万人民币", 0, 5e7, 5e7, 5e7, "CNY", false, false, ""},
		{"3,000,000元", 0, 3e6, 3e6, 3e6, "CNY", false, false, ""},
		{"1亿5000万", 0, 1.5e8, 1.5e8, 1.5e8, "CNY", false, false, ""},
		{"RMB 800万", 0, 8e6, 8e6, 8e6, "CNY", false, false, ""},
		{"５０００万元", 0, 5e7, 5e7, 5e7, "CNY", false, false, ""}, // full-width digits
		{"500万美元", 2016, 500e4 * usd16, 500e4 * usd16, 500e4 * usd16, "USD", false, false, ""},
		{"500万美元", 2017, 500e4 * usd17, 500e4 * usd17, 500e4 * usd17, "USD", false, false, ""},
		{"1000万美元", 0, 1000e4 * usd17, 1000e4 * usd17, 1000e4 * usd17, "USD", false, false, ""},
		{"US$ 10 million", 2017, 10e6 * usd17, 10e6 * usd17, 10e6 * usd17, "USD", false, false, ""},
		{"$5M", 2017, 5e6 * usd17, 5e6 * usd17, 5e6 * usd17, "USD", false, false, ""},
		{"2000万港元", 2017, 2000e4 * hkd17, 2000e4 * hkd17, 2000e4 * hkd17, "HKD", false, false, ""},
		{"HK$2亿", 2017, 2e8 * hkd17, 2e8 * hkd17, 2e8 * hkd17, "HKD", false, false, ""},
		{"300万欧元", 2016, 300e4 * eur16, 300e4 * eur16, 300e4 * eur16, "EUR", false, false, ""},
		{"5亿日元", 2017, 5e8 * jpy17, 5e8 * jpy17, 5e8 * jpy17, "JPY", false, false, ""},
		{"100万英镑", 2017, 100e4 * gbp17, 100e4 * gbp17, 100e4 * gbp17, "GBP", false, false, ""},
		{"200万新加坡元", 2017, 200e4 * sgd17, 200e4 * sgd17, 200e4 * sgd17, "SGD", false, false, ""},
		{"500万美元", 2030, 500e4 * 6.8985, 500e4 * 6.8985, 500e4 * 6.8985, "USD", false, false, ""}, // nearest year: 2019
		// vague: conventional value, range, flag
		{"数十万", 0, 50e4, 10e4, 100e4, "CNY", true, false, ""},
		{"数百万人民币", 0, 500e4, 100e4, 1000e4, "CNY", true, false, ""},
		{"数千万人民币", 0, 5000e4, 1000e4, 1e8, "CNY", true, false, ""},
		{"数千万美元", 2017, 5000e4 * usd17, 1000e4 * usd17, 1e8 * usd17, "USD", true, false, ""},
		{"近亿元", 0, 1e8, 8000e4, 1e8, "CNY", true, false, ""},
		{"数亿人民币", 0, 3e8, 1e8, 10e8, "CNY", true, false, ""},
		{"亿元及以上", 0, 1e8, 1e8, nan, "CNY", true, false, ""},
		{"超过5亿", 0, 5e8, 5e8, nan, "CNY", true, false, ""},
		{"超过5亿元", 0, 5e8, 5e8, nan, "CNY", true, false, ""},
		{"逾2亿美元", 2017, 2e8 * usd17, 2e8 * usd17, nan, "USD", true, false, ""},
		{"3亿元以上", 0, 3e8, 3e8, nan, "CNY", true, false, ""},
		{"近2亿", 0, 2e8, 1.6e8, 2e8, "CNY", true, false, ""},
		{"约300万", 0, 300e4, nan, nan, "CNY", true, false, ""},
		// undisclosed, with or without a currency
		{"未透露", 0, nan, nan, nan, "CNY", false, true, ""},
		{"未透露美元", 0, nan, nan, nan, "USD", false, true, ""},
		{"金额未披露", 0, nan, nan, nan, "CNY", false, true, ""},
		{"金额保密", 0, nan, nan, nan, "CNY", false, true, ""},
		{"Undisclosed", 0, nan, nan, nan, "CNY", false, true, ""},
		// missing and broken
		{"", 0, nan, nan, nan, "", false, false, ""},
		{"很多钱", 0, nan, nan, nan, "CNY", false, false, "not an amount"},
		{"一千万", 0, nan, nan, nan, "CNY", false, false, "not an amount"},
		{"999999999999亿元", 0, nan, nan, nan, "CNY", false, false, "implausible amount"},
	}
	tx := macroTx(t)
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			var year any
			if tt.year != 0 {
				year = tt.year
			}
			var yuan, low, high sql.NullFloat64
			var cur, problem sql.NullString
			var vague, undisclosed bool
			err := tx.QueryRow(`SELECT m.yuan, m.low_yuan, m.high_yuan, m.currency, m.vague, m.undisclosed, m.problem
				FROM (SELECT fhi_money(?, ?::INTEGER) AS m)`, nullable(tt.s), year).Scan(&yuan, &low, &high, &cur, &vague, &undisclosed, &problem)
			if err != nil {
				t.Fatal(err)
			}
			checkFloat(t, "yuan", yuan, tt.yuan)
			checkFloat(t, "low", low, tt.low)
			checkFloat(t, "high", high, tt.high)
			if cur.String != tt.currency || vague != tt.vague || undisclosed != tt.undisclose || problem.String != tt.problem {
				t.Errorf("currency %q vague %v undisclosed %v problem %q, want %q %v %v %q",
					cur.String, vague, undisclosed, problem.String, tt.currency, tt.vague, tt.undisclose, tt.problem)
			}
		})
	}
}

// TestSalary runs fhi_salary on every salary shape. Expected monthly figures are worked by hand.
func TestSalary(t *testing.T) {
	tests := []struct {
		s             string
		lo, hi, mid   float64 // yuan per month
		months        int
		period, bound string
		negotiable    bool
		problem       string
	}{
		{"15k-30k", 15000, 30000, 22500, 12, "none (monthly)", "", false, ""},
		{"15K-30K", 15000, 30000, 22500, 12, "none (monthly)", "", false, ""},
		{"7.5k-9k", 7500, 9000, 8250, 12, "none (monthly)", "", false, ""},
		{"15-30K·13薪", 15000, 30000, 22500, 13, "none (monthly)", "", false, ""},
		{"15k-30k·14薪", 15000, 30000, 22500, 14, "none (monthly)", "", false, ""},
		{"1-1.5万/月", 10000, 15000, 12500, 12, "month", "", false, ""},
		{"1-1.5万/月 13薪", 10000, 15000, 12500, 13, "month", "", false, ""},
		{"6-8千/月", 6000, 8000, 7000, 12, "month", "", false, ""},
		{"8千-1.2万/月", 8000, 12000, 10000, 12, "month", "", false, ""},
		{"1w-1.5w", 10000, 15000, 12500, 12, "none (monthly)", "", false, ""},
		{"8000-12000元/月", 8000, 12000, 10000, 12, "month", "", false, ""},
		{"8000~12000元", 8000, 12000, 10000, 12, "none (monthly)", "", false, ""},
		{"月薪8000-12000", 8000, 12000, 10000, 12, "month", "", false, ""},
		{"10-20万/年", 1e5 / 12, 2e5 / 12, 1.5e5 / 12, 12, "year", "", false, ""},
		{"年薪20-30万", 2e5 / 12, 3e5 / 12, 2.5e5 / 12, 12, "year", "", false, ""},
		{"10-15万", 1e5 / 12, 1.5e5 / 12, 1.25e5 / 12, 12, "none (annual)", "", false, ""}, // implausible as monthly
		{"3-5万", 30000, 50000, 40000, 12, "none (monthly)", "", false, ""},                // plausible as monthly
		{"150-200元/天", 150 * 21.75, 200 * 21.75, 175 * 21.75, 12, "day", "", false, ""},
		{"200元/天", 200 * 21.75, 200 * 21.75, 200 * 21.75, 12, "day", "", false, ""},
		{"50元/小时", 50 * 174, 50 * 174, 50 * 174, 12, "hour", "", false, ""},
		{"15k以上", 15000, nan, 15000, 12, "none (monthly)", "at_least", false, ""},
		{"1万以上/月", 10000, nan, 10000, 12, "month", "at_least", false, ""},
		{"3000元以下", nan, 3000, 3000, 12, "none (monthly)", "at_most", false, ""},
		{"8k", 8000, 8000, 8000, 12, "none (monthly)", "", false, ""},
		{"１５ｋ－３０ｋ", 15000, 30000, 22500, 12, "none (monthly)", "", false, ""}, // full width
		// negotiable
		{"面议", nan, nan, nan, 0, "", "", true, ""},
		{"薪资面议", nan, nan, nan, 0, "", "", true, ""},
		{"薪资面谈", nan, nan, nan, 0, "", "", true, ""},
		{"待遇面议", nan, nan, nan, 0, "", "", true, ""},
		{"Negotiable", nan, nan, nan, 0, "", "", true, ""},
		// unknown shapes: NULL and a problem, never a guess
		{"", nan, nan, nan, 0, "", "", false, ""},
		{"很高", nan, nan, nan, 0, "", "", false, "salary shape not recognised"},
		{"15k-30k以上", nan, nan, nan, 0, "", "", false, "salary shape not recognised"},
		{"30k-15k", nan, nan, nan, 0, "", "", false, "salary range reversed"},
		{"99999万/月", nan, nan, nan, 0, "month", "", false, "implausible salary"},
		{"5元/月", nan, nan, nan, 0, "month", "", false, "implausible salary"},
	}
	tx := macroTx(t)
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			var lo, hi, mid sql.NullFloat64
			var months sql.NullInt64
			var period, bound, problem sql.NullString
			var negotiable bool
			err := tx.QueryRow(`SELECT s.monthly_low, s.monthly_high, s.monthly_mid, s.months, s.period, s.bound, s.negotiable, s.problem
				FROM (SELECT fhi_salary(?) AS s)`, nullable(tt.s)).Scan(&lo, &hi, &mid, &months, &period, &bound, &negotiable, &problem)
			if err != nil {
				t.Fatal(err)
			}
			checkFloat(t, "low", lo, tt.lo)
			checkFloat(t, "high", hi, tt.hi)
			checkFloat(t, "mid", mid, tt.mid)
			if int(months.Int64) != tt.months || period.String != tt.period || bound.String != tt.bound ||
				negotiable != tt.negotiable || problem.String != tt.problem {
				t.Errorf("months %d period %q bound %q negotiable %v problem %q, want %d %q %q %v %q",
					months.Int64, period.String, bound.String, negotiable, problem.String,
					tt.months, tt.period, tt.bound, tt.negotiable, tt.problem)
			}
		})
	}
}

// TestStatusesAndLabels maps printed statuses and industry labels through data/statuses.csv and
// data/industry_labels.csv; an unmapped value is NULL, never "not operating".
func TestStatusesAndLabels(t *testing.T) {
	statuses := []struct {
		domain, s, status string
		operating         any // bool, or nil for unmapped
	}{
		{"firm", "正常", "operating", true},
		{"firm", "normal", "operating", true},
		{"firm", "Normal ", "operating", true},
		{"firm", "运营中", "operating", true},
		{"firm", "停业", "closed", false},
		{"firm", "停业或转型", "closed", false},
		{"firm", "转型", "transformed", false},
		{"firm", "问题平台", "problem", false},
		{"firm", "跑路", "problem", false},
		{"firm", "提现困难", "problem", false},
		{"firm", "已下线", "closed", false},
		{"registry", "存续", "active", true},
		{"registry", "存续（在营、开业、在册）", "active", true},
		{"registry", "吊销", "revoked", false},
		{"firm", "存续", "", nil},   // a registry word on a sector site: unmapped
		{"firm", "营业正常", "", nil}, // a new spelling: unmapped until data/statuses.csv has it
		{"firm", "", "", nil},
	}
	tx := macroTx(t)
	for _, tt := range statuses {
		t.Run(tt.domain+" "+tt.s, func(t *testing.T) {
			var status sql.NullString
			var operating sql.NullBool
			if err := tx.QueryRow(`SELECT x.status, x.operating FROM (SELECT fhi_status(?, ?) AS x)`, tt.domain, nullable(tt.s)).Scan(&status, &operating); err != nil {
				t.Fatal(err)
			}
			if status.String != tt.status || (tt.operating == nil) == operating.Valid || (operating.Valid && operating.Bool != tt.operating) {
				t.Errorf("got %q %v, want %q %v", status.String, operating, tt.status, tt.operating)
			}
		})
	}
	labels := map[string]string{"网络借贷": "p2p", "P2P": "p2p", "p2p": "p2p", "P2P网贷": "p2p", "互联网众筹": "crowdfunding", "股权众筹": "crowdfunding",
		"第三方支付": "payment", "支付": "payment", "征信服务": "credit", "大数据征信": "credit", "区块链": "blockchain", "Blockchain": "blockchain",
		"其他": "other", "消费金融": "", "": ""}
	for label, want := range labels {
		var got sql.NullString
		if err := tx.QueryRow(`SELECT fhi_sector(?)`, nullable(label)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.String != want {
			t.Errorf("fhi_sector(%q) = %q, want %q", label, got.String, want)
		}
	}
}

// TestCompanyNames folds company names as sources print them: widths, brackets, region placement,
// legal-form suffixes, whitespace and zero-width characters.
func TestCompanyNames(t *testing.T) {
	tests := []struct {
		s, name, key string
	}{
		{"杭州钱汇网络科技有限公司", "杭州钱汇网络科技有限公司", "钱汇网络科技"},
		{"钱汇(杭州)网络科技有限公司", "杭州钱汇网络科技有限公司", "钱汇网络科技"},
		{"钱汇（杭州）网络科技有限公司", "杭州钱汇网络科技有限公司", "钱汇网络科技"},
		{"钱汇【杭州】网络科技有限公司", "杭州钱汇网络科技有限公司", "钱汇网络科技"},
		{" 杭州钱汇 网络\u200b科技有限公司\u3000", "杭州钱汇网络科技有限公司", "钱汇网络科技"},
		{"浙江省钱汇网络科技股份有限公司", "浙江省钱汇网络科技股份有限公司", "钱汇网络科技"},
		{"钱汇网络科技有限责任公司", "钱汇网络科技有限责任公司", "钱汇网络科技"},
		{"钱汇网络科技", "钱汇网络科技", "钱汇网络科技"},
		{"钱汇控股集团有限公司", "钱汇控股集团有限公司", "钱汇控股"},
		{"钱汇（集团）有限公司", "钱汇(集团)有限公司", "钱汇"},
		{"ＡＢＣ科技有限公司", "abc科技有限公司", "abc科技"},
		{"阿里巴巴(中国)有限公司", "中国阿里巴巴有限公司", "中国阿里巴巴"}, // 中国 in brackets is a region too
		{"", "", ""},
	}
	tx := macroTx(t)
	for _, tt := range tests {
		var name, key sql.NullString
		if err := tx.QueryRow(`SELECT fhi_company_name(?), fhi_company_key(?)`, nullable(tt.s), nullable(tt.s)).Scan(&name, &key); err != nil {
			t.Fatal(err)
		}
		if name.String != tt.name || key.String != tt.key {
			t.Errorf("%q: name %q key %q, want %q %q", tt.s, name.String, key.String, tt.name, tt.key)
		}
	}
	brands := map[string]string{"钱汇贷": "钱汇贷", " 钱汇·贷 ": "钱汇贷", "E贷宝": "e贷宝", "ｅ贷宝": "e贷宝", "--": ""}
	for s, want := range brands {
		var got sql.NullString
		if err := tx.QueryRow(`SELECT fhi_brand_key(?)`, s).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.String != want {
			t.Errorf("fhi_brand_key(%q) = %q, want %q", s, got.String, want)
		}
	}
	codes := map[string]string{
		"91510118B706E3XM45":     "91510118B706E3XM45", // valid (GB 32100-2015 check character)
		" 9151 0118-B706E3XM45 ": "91510118B706E3XM45",
		"91510118b706e3xm45":     "91510118B706E3XM45",
		"91510118B706E3XM46":     "", // wrong check character
		"915101":                 "",
		"91510118B706E3XMI5":     "", // I is not in the alphabet
	}
	for s, want := range codes {
		var got sql.NullString
		if err := tx.QueryRow(`SELECT fhi_credit_code(?)`, s).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.String != want {
			t.Errorf("fhi_credit_code(%q) = %q, want %q", s, got.String, want)
		}
	}
}

// TestPlacesEveryDivision resolves, for every county-level division of data/divisions, the forms
// addresses write it in — city + county, province + city + county, the county alone — and checks
// each lands in its own city, or, for a county name several cities share, is quarantined as
// ambiguous unless the context names the city.
func TestPlacesEveryDivision(t *testing.T) {
	tx := macroTx(t)
	setup := `
		CREATE TEMP TABLE division_cases AS
		WITH all_counties AS (
			SELECT a.*, count(*) OVER (PARTITION BY a.name) AS shared FROM ref_counties a
		),
		counties AS (
			SELECT a.name AS county, c.code AS city_code, c.name AS city, p.name AS province, a.shared
			FROM all_counties a
			JOIN ref_prefectures c ON c.code = a.city_code
			JOIN ref_provinces p ON p.code = a.province_code
			WHERE c.name NOT IN ('市辖区', '县') AND c.name NOT LIKE '%直辖县级%'
		)
		SELECT city || county AS place, NULL AS context, city_code, 'city' AS kind, shared FROM counties
		UNION ALL SELECT province || city || county || '人民路1号', NULL, city_code, 'province', shared FROM counties
		UNION ALL SELECT county || '人民路1号', NULL, city_code, 'county', shared FROM counties
		UNION ALL SELECT county || '人民路1号', city, city_code, 'county+context', shared FROM counties
		UNION ALL -- a municipality's districts and counties, under its first prefecture row's code
		SELECT p.name || a.name || '1号', NULL, min(c.code) OVER (PARTITION BY p.code), 'city', a.shared
		FROM all_counties a JOIN ref_prefectures c ON c.code = a.city_code JOIN ref_provinces p ON p.code = a.province_code
		WHERE c.name IN ('市辖区', '县');
		CREATE TEMP TABLE division_results AS SELECT * FROM fhi_places('division_cases');`
	if _, err := tx.Exec(setup); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(`
		SELECT c.kind, c.place, coalesce(c.context, ''), c.city_code, coalesce(r.city_code, ''), coalesce(r.problem, ''), c.shared
		FROM division_cases c JOIN division_results r ON r.place = c.place AND r.context IS NOT DISTINCT FROM c.context`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, bad := 0, 0
	for rows.Next() {
		var kind, place, ctx, want, got, problem string
		var shared int
		if err := rows.Scan(&kind, &place, &ctx, &want, &got, &problem, &shared); err != nil {
			t.Fatal(err)
		}
		n++
		ok := got == want
		if kind == "county" && shared > 1 {
			// another city's county of the same name, or the county is also a city's name
			ok = got == "" && strings.HasPrefix(problem, "ambiguous") || got == want
		}
		if !ok {
			bad++
			if bad <= 20 {
				t.Errorf("%s %q (context %q): got %q %s, want %s", kind, place, ctx, got, problem, want)
			}
		}
	}
	if bad > 0 || n < 4*2800 {
		t.Errorf("%d of %d division forms resolved wrongly", bad, n)
	}
}
