package sampleweb

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/data"
)

// This file decides how the sites print the world's values — the messy shapes real sources have:
// statuses in several spellings and in English, 省|市 locations, district-only and spaced addresses,
// former city names, company names with the region in brackets or without their legal form, brand
// names where a legal name belongs, foreign-currency and vague deal amounts, and the salary forms of
// the recruitment sites. Each choice is a hash of the entity's id, so it never perturbs the random
// streams that make the entities, and the truth (truth.go) defines every printed value's correct
// cleaned value from the entity, never from a parser.

// variant returns a stable number in [0, 1) for one printing decision about one entity.
func variant(kind, id string) float64 { return unit(hash64(0, "form", kind, id)) }

// choose picks from options by weight with the variant u.
func choose(u float64, options []string, weights []float64) string {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	for i, w := range weights {
		u -= w / sum
		if u < 0 {
			return options[i]
		}
	}
	return options[len(options)-1]
}

// statusSpellings are the spellings each kind of site prints for a status.
var statusSpellings = map[string]map[string]struct {
	words   []string
	weights []float64
}{
	sectorP2P: {
		statusOperating: {[]string{"正常", "normal", "正常运营"}, []float64{6, 3, 1}},
		statusClosed:    {[]string{"停业", "停业或转型", "转型"}, []float64{4, 3, 1}},
		statusProblem:   {[]string{"问题", "问题平台", "跑路", "提现困难", "延期兑付"}, []float64{3, 3, 1, 1, 1}},
	},
	sectorCrowdfunding: {
		statusOperating: {[]string{"正常", "运营中"}, []float64{3, 2}},
		statusClosed:    {[]string{"停业", "已下线"}, []float64{1, 1}},
		statusProblem:   {[]string{"问题"}, []float64{1}},
	},
	"licensees": {
		statusOperating: {[]string{"正常"}, []float64{1}},
		statusClosed:    {[]string{"停业", "注销"}, []float64{1, 1}},
		statusProblem:   {[]string{"问题"}, []float64{1}},
	},
}

// StatusText is the firm's status as its sector site prints it.
func (f *Firm) StatusText() string {
	site := f.Sector
	if site != sectorP2P && site != sectorCrowdfunding {
		site = "licensees"
	}
	s, ok := statusSpellings[site][f.Status]
	if !ok {
		return f.Status
	}
	return choose(variant("status", f.ID), s.words, s.weights)
}

// provinceShort is a province's name without 省, 市 or its autonomous-region suffix (浙江, 广西).
func provinceShort(prov string) string {
	for _, s := range []string{"省", "市", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区"} {
		prov = strings.TrimSuffix(prov, s)
	}
	return prov
}

// Location is the P2P directory's 所在地 field: "广东|深圳" for most platforms outside the
// municipalities (the real directory's form), else the city's name.
func (f *Firm) Location() string {
	if f.City.Kind != "municipality" && variant("location", f.ID) < 0.7 {
		return provinceShort(f.City.Province) + "|" + f.City.Name
	}
	return f.City.Name
}

// ShowsCreditCode reports whether the P2P directory prints the platform company's 统一社会信用代码.
func (f *Firm) ShowsCreditCode() bool { return variant("credit-code", f.ID) < 0.6 }

// CityText is the city column of the crowdfunding and licensee lists: the city's name, with 市,
// with its province, or with a district ("北京·朝阳区", "深圳-南山区").
func (f *Firm) CityText() string {
	u := variant("city", f.ID)
	district := ""
	if len(f.City.Districts) > 0 {
		district = f.City.Districts[int(variant("city-district", f.ID)*float64(len(f.City.Districts)))]
	}
	sep := "-"
	if f.Sector == sectorCrowdfunding {
		sep = "·"
	}
	switch {
	case u < 0.6 || (f.City.Kind == "municipality" && u < 0.75):
		return f.City.Name
	case u < 0.75:
		return f.City.Name + "市"
	case u < 0.85 && f.City.Kind != "municipality":
		return provinceShort(f.City.Province) + f.City.Name
	case district != "":
		return f.City.Name + sep + district
	}
	return f.City.Name
}

// messyAddresses rewrites how the P2P directory prints some registered addresses: district only
// (the 所在地 field places them), spaced between the parts, and, for 济南's 莱芜区 and 钢城区, with the
// former 莱芜市 (merged into 济南 in 2019) the 2017 directory would have printed.
func (w *World) messyAddresses() {
	r := stream(w.opts.Seed, "p2p-addresses")
	for _, p := range w.bySector[sectorP2P] {
		u := r.Float64()
		street := fmt.Sprintf("%s%s%d号", pick(r, roadStems), pick(r, roadKinds), 1+r.IntN(999))
		if len(p.City.Districts) == 0 {
			continue
		}
		district := pick(r, p.City.Districts)
		switch {
		case p.City.Name == "济南" && u < 0.2:
			// the districts 莱芜市 brought into 济南, as a 2017 page prints them
			old := "莱城区"
			if u < 0.05 {
				old = "钢城区"
			}
			p.AddrForm = "山东省莱芜市" + old + street
		case u < 0.12:
			p.AddrForm = district + street
		case u < 0.17 && p.City.Kind != "municipality":
			p.AddrForm = p.City.Province + " " + p.City.Name + "市 " + district + street
		}
	}
}

// sharedBrands gives a few P2P platforms the brand of an unrelated platform in another city, as
// real directories list several 钱宝s; their companies keep distinct legal names (the city leads
// them). A record naming only the brand is then ambiguous and must link to neither. Only day-0
// platforms take part, paired by position, so later days never change a page's brand.
func (w *World) sharedBrands() {
	ps := w.bySector[sectorP2P][:w.initialP2P]
	for i, p := range ps {
		if variant("shared-brand", p.ID) >= 0.015 {
			continue
		}
		o := ps[(i*7919+13)%len(ps)]
		if o == p || o.City == p.City || p.SharedBrand || o.SharedBrand {
			continue
		}
		old, brand := strings.TrimSpace(p.Name), strings.TrimSpace(o.Name)
		name := strings.Replace(p.Company.Name, old, brand, 1)
		if name == p.Company.Name || !strings.HasPrefix(name, p.City.Name) {
			continue // a name without the brand in it, or with the region in brackets: keep it
		}
		p.Name, p.Company.Name = o.Name, name
		p.SharedBrand, o.SharedBrand = true, true
	}
}

// Brands is the registry's 品牌 field: the brand a fintech company's firm trades under.
func (c *Company) Brands() string {
	if c.Firm == nil {
		return ""
	}
	return strings.TrimSpace(c.Firm.Name)
}

// legalForms are the organisational-form suffixes company names end with, longest first.
var legalForms = []string{"有限责任公司", "股份有限公司", "有限公司"}

// bracketRegion writes a company name with its region in brackets after the brand
// (杭州钱汇网络科技有限公司 → 钱汇（杭州）网络科技有限公司); a name already so written keeps its form with
// full-width brackets.
func bracketRegion(c *Company) string {
	city := c.City.Name
	if strings.Contains(c.Name, "("+city+")") {
		return strings.Replace(c.Name, "("+city+")", "（"+city+"）", 1)
	}
	rest, ok := strings.CutPrefix(c.Name, city)
	if !ok || c.Firm == nil {
		return c.Name
	}
	brand := strings.TrimSpace(c.Firm.Name)
	if after, ok := strings.CutPrefix(rest, brand); ok && brand != "" {
		return brand + "（" + city + "）" + after
	}
	return c.Name
}

// withoutLegalForm drops the organisational form (有限公司 …) as job boards often do.
func withoutLegalForm(name string) string {
	for _, s := range legalForms {
		if t, ok := strings.CutSuffix(name, s); ok && t != "" {
			return t
		}
	}
	return name
}

// CompanyText is the company name as the posting's site prints it: the registry's name, or with
// the region in brackets, without its legal form, or with a stray space or zero-width character
// (the JSON API only: GBK has no zero-width characters).
func (j *Job) CompanyText() string {
	c := j.Firm.Company
	u := variant("company", j.ID)
	if j.Firm.SharedBrand && u >= 0.7 {
		// a firm that shares its brand is named by its legal name: without region and legal
		// form its name would be another firm's too, and the truth does not guess
		u = 0
	}
	if j.Site == "jobs-gbk" {
		switch {
		case u < 0.7:
			return c.Name
		case u < 0.9:
			return bracketRegion(c)
		default:
			return withoutLegalForm(c.Name)
		}
	}
	switch {
	case u < 0.55:
		return c.Name
	case u < 0.7:
		return bracketRegion(c)
	case u < 0.85:
		return withoutLegalForm(c.Name)
	case u < 0.95:
		if base := withoutLegalForm(c.Name); base != c.Name {
			return base + " " + strings.TrimPrefix(c.Name, base)
		}
		return c.Name
	default:
		runes := []rune(c.Name)
		k := len(runes) / 2
		return string(runes[:k]) + "\u200b" + string(runes[k:])
	}
}

// Salary forms: how a posting's salary is printed, which decides the truth's monthly figure.
const (
	formK          = iota // "15k-30k" (API)
	formKMonths           // "15-30K·13薪" (API): monthly base pay, 13 or 14 months a year
	formKAtLeast          // "15k以上" (API): at least SalaryLo
	formMonth             // "1-1.5万/月", "6-8千/月", "8千-1.2万/月" (GBK): units per side
	formYear              // "10-20万/年" (GBK)
	formYearNoUnit        // "10-15万" (GBK): annual without a period; only where the rule reads it so
	formDay               // "150-200元/天" (GBK): SalaryLo/Hi in yuan a day, × 21.75 a month
)

// setSalaryForm decides how the posting's salary is printed. It runs before fixSalaries, which
// nudges only the two-sided monthly forms to hit the published city means.
func (j *Job) setSalaryForm() {
	u := variant("salary", j.ID)
	j.Months = 12
	switch {
	case j.Site == "jobs-api" && u < 0.1:
		j.Form = formKMonths
		j.Months = 13 + int(variant("months", j.ID)*2)
	case j.Site == "jobs-api" && u < 0.13:
		j.Form = formKAtLeast
	case j.Site == "jobs-api":
		j.Form = formK
	case j.Yearly && (j.SalaryLo+j.SalaryHi)/2 > 50000 && u < 0.5:
		j.Form = formYearNoUnit
	case j.Yearly:
		j.Form = formYear
	case u < 0.04:
		// internships and day labour: the same pay printed per working day
		j.Form = formDay
		j.SalaryLo = math.Max(50, math.Round(j.SalaryLo/21.75/10)*10)
		j.SalaryHi = math.Max(j.SalaryLo+10, math.Round(j.SalaryHi/21.75/10)*10)
	default:
		j.Form = formMonth
	}
}

// twoSidedMonthly reports whether the posting prints a monthly range fixSalaries may nudge.
func (j *Job) twoSidedMonthly() bool {
	return !j.Negotiate && (j.Form == formK || j.Form == formKMonths || j.Form == formMonth)
}

// SalaryText is the salary as the posting's site prints it.
func (j *Job) SalaryText() string {
	if j.Negotiate {
		if j.Site == "jobs-api" {
			return choose(variant("negotiable", j.ID), []string{"面议", "薪资面议"}, []float64{1, 1})
		}
		return choose(variant("negotiable", j.ID), []string{"面议", "面谈"}, []float64{3, 1})
	}
	num := func(x, unit float64) string { return strconv.FormatFloat(x/unit, 'f', -1, 64) }
	k := func(x float64) string { return num(x, 1000) + "k" }
	side := func(x float64) string { // 千 below 1万, else 万: each side in its own unit
		if x < 10000 {
			return num(x, 1e3) + "千"
		}
		return num(x, 1e4) + "万"
	}
	switch j.Form {
	case formKMonths:
		return num(j.SalaryLo, 1000) + "-" + num(j.SalaryHi, 1000) + "K·" + strconv.Itoa(j.Months) + "薪"
	case formKAtLeast:
		return k(j.SalaryLo) + "以上"
	case formMonth:
		lo, hi := side(j.SalaryLo), side(j.SalaryHi)
		if lo[len(lo)-3:] == hi[len(hi)-3:] { // same unit: printed once, "6-8千/月"
			lo = lo[:len(lo)-3]
		}
		return lo + "-" + hi + "/月"
	case formYear:
		return num(j.SalaryLo, 1e4) + "-" + num(j.SalaryHi, 1e4) + "万/年"
	case formYearNoUnit:
		return num(j.SalaryLo, 1e4) + "-" + num(j.SalaryHi, 1e4) + "万"
	case formDay:
		return num(j.SalaryLo, 1) + "-" + num(j.SalaryHi, 1) + "元/天"
	}
	return k(j.SalaryLo) + "-" + k(j.SalaryHi)
}

// currencyWords are how amounts print each currency.
var currencyWords = map[string]string{"CNY": "人民币", "USD": "美元", "HKD": "港元", "EUR": "欧元", "JPY": "日元", "GBP": "英镑", "SGD": "新加坡元"}

// isoCurrency maps a printed currency word to its ISO code.
func isoCurrency(word string) string {
	for code, w := range currencyWords {
		if w == word {
			return code
		}
	}
	return word
}

// messyDeals re-expresses some deals as real deal lists print them: a share of the yuan deals in
// a foreign currency (the same money at the deal year's average rate, rounded as lists round),
// vague phrases beyond 数百万/数千万/数亿 (数十万, 近亿, 亿元及以上, 超过N亿), some in dollars, and
// undisclosed amounts with or without a currency. Conventional values come from
// data/amount_phrases.csv, rates from data/currency_rates.csv.
func (w *World) messyDeals() error {
	phrases, err := data.AmountPhrases()
	if err != nil {
		return err
	}
	for _, d := range w.Deals {
		if err := d.messy(phrases); err != nil {
			return err
		}
	}
	return nil
}

func (d *Deal) messy(phrases map[string]data.AmountPhrase) error {
	u := variant("amount", d.ID)
	conventional := func(p string) error {
		ph, ok := phrases[p]
		if !ok || math.IsNaN(ph.ValueWan) {
			return fmt.Errorf("data/amount_phrases.csv has no value for %s", p)
		}
		d.Vague, d.AmountWan = p, ph.ValueWan
		return nil
	}
	switch {
	case d.Vague == "" && d.AmountWan == 0: // 未透露
		d.Undisclosed = choose(u, []string{"未透露", "未披露", "未透露美元"}, []float64{7, 2, 1})
	case d.Vague == "数百万" && u < 0.25:
		return conventional("数十万")
	case d.Vague == "数千万" && u < 0.15:
		return conventional("近亿")
	case d.Vague == "数亿" && u < 0.3:
		return conventional("亿元及以上")
	case d.Vague == "数亿" && u < 0.5:
		d.Vague, d.AmountWan = "超过2亿", 20000
	case d.Vague != "" && u > 0.9:
		d.Currency = "美元"
	case d.Vague == "" && d.Currency == "人民币" && u < 0.08:
		cur := choose(variant("currency", d.ID), []string{"HKD", "EUR", "JPY", "GBP", "SGD"}, []float64{3, 2, 2, 1, 1})
		rate, ok := data.Rate(cur, d.Date.Year())
		if !ok {
			return fmt.Errorf("no rate for %s in %d", cur, d.Date.Year())
		}
		step := 10.0
		if cur == "JPY" {
			step = 1000
		}
		d.Currency = currencyWords[cur]
		d.AmountWan = math.Max(step, math.Round(d.AmountWan/rate/step)*step)
	}
	return nil
}

// AmountText is the deal amount as the deal list prints it: "1200万人民币", "1.2亿元", "500万美元",
// "2000万港元", "5亿日元", "数千万人民币", "近亿人民币", "超过2亿人民币", "未透露".
func (d *Deal) AmountText() string {
	switch {
	case d.Undisclosed != "":
		return d.Undisclosed
	case d.Vague != "":
		return d.Vague + d.Currency
	case d.AmountWan == 0:
		return "未透露"
	case d.Currency == "人民币" && d.AmountWan >= 1e4:
		return strconv.FormatFloat(d.AmountWan/1e4, 'f', -1, 64) + "亿元"
	case d.Currency == "日元":
		return formatWan(d.AmountWan, true) + d.Currency
	default:
		return formatWan(d.AmountWan, false) + d.Currency
	}
}

// CompanyText is the deal's company as the list prints it: the legal name, or for a quarter of
// the deals the product's brand, as deal lists headline them.
func (d *Deal) CompanyText() string {
	if variant("deal-company", d.ID) < 0.25 {
		return strings.TrimSpace(d.Firm.Name)
	}
	return d.Firm.Company.Name
}

// LocationText is the deal's location field: "深圳", "广东-深圳", "北京·朝阳区", "深圳-南山区".
func (d *Deal) LocationText() string {
	c := d.Firm.City
	u := variant("deal-location", d.ID)
	district := ""
	if len(c.Districts) > 0 {
		district = c.Districts[int(variant("deal-district", d.ID)*float64(len(c.Districts)))]
	}
	switch {
	case u < 0.6 || district == "":
		return c.Name
	case u < 0.75 && c.Kind != "municipality":
		return provinceShort(c.Province) + "-" + c.Name
	case u < 0.87:
		return c.Name + "·" + district
	default:
		return c.Name + "-" + district
	}
}

// dealLabels are other labels deal lists give each sector.
var dealLabels = map[string]string{sectorP2P: "P2P网贷", sectorCrowdfunding: "众筹", sectorPayment: "支付", sectorCredit: "大数据征信", sectorBlockchain: "区块链"}

// IndustryText is the deal's industry label: the registry's, or another common one.
func (d *Deal) IndustryText() string {
	if l, ok := dealLabels[d.Firm.Sector]; ok && variant("deal-industry", d.ID) < 0.25 {
		return l
	}
	return industryLabel[d.Firm.Sector]
}
