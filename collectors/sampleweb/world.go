package sampleweb

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fhi-index/fhi/data"
)

// Sector names, used as entity kinds, URL segments and indicator id parts.
const (
	sectorP2P          = "p2p"
	sectorCrowdfunding = "crowdfunding"
	sectorPayment      = "payment"
	sectorCredit       = "credit"
	sectorBlockchain   = "blockchain"
	sectorOther        = "other"
)

// sectors lists the five fintech sectors in the order of the index framework.
var sectors = []string{sectorP2P, sectorCrowdfunding, sectorPayment, sectorCredit, sectorBlockchain}

// Firm statuses as the sector sites print them.
const (
	statusOperating = "正常"
	statusClosed    = "停业"
	statusProblem   = "问题"
)

// Company statuses as the enterprise registry prints them.
const (
	regActive    = "存续"
	regCancelled = "注销"
	regRevoked   = "吊销"
)

// baseDate is day 0 of the world: the 2017 crawl. Day N is baseDate + N days.
var baseDate = time.Date(2017, 9, 1, 0, 0, 0, 0, time.UTC)

// referenceYear is the year undated amounts (registered capital) are converted at, as the
// transform's fhi_reference_year.
const referenceYear = 2017

// Options fixes a world. The same Options always give the same world and byte-identical pages.
type Options struct {
	Seed   int64   // random seed; 0 means 1
	Scale  float64 // 1 = the 2017 volumes; 0 means 1; city-level statistics do not scale
	Day    int     // days of evolution after the 2017 crawl (new loans and postings, closures)
	Faults Faults  // realism faults; world-level ones (Hostile) shape the entities
}

// World is the sample web's ground truth: every entity the sites show. It is immutable once built.
type World struct {
	opts   Options
	Cities []*City
	byName map[string]*City

	Firms      []*Firm // all fintech firms of the five sectors, P2P platforms first
	initialP2P int     // P2P platforms of day 0
	bySector   map[string][]*Firm
	firmByID   map[string]*Firm
	Companies  []*Company // the enterprise registry: fintech firms' companies plus other companies
	compByID   map[string]*Company

	Jobs     []*Job
	Deals    []*Deal
	Loans    []Loan
	Projects []Project
	Survey   []SurveyResponse
	Services []CityService
}

// City is a city of the world: the 36 sample cities and a few others that real firms sit in.
type City struct {
	Idx       int
	Code      string
	Name      string
	NameEN    string
	Province  string
	Kind      string
	Sample    bool     // one of the index's 36 sample cities
	Districts []string // from data/divisions/areas.csv
	Stats     CityStats
}

// CityStats are the city-level statistics published on the city data site; they do not scale.
type CityStats struct {
	Population     float64 // 常住人口, 万人
	GDP2016        float64 // 亿元, from data/city_gdp_2015-2017_36cities.csv
	GDP2017        float64 // 亿元
	FinanceVA      float64 // 金融业增加值, 亿元
	TechVA         float64 // 信息传输、软件和信息技术服务业增加值, 亿元
	PriceToIncome  float64 // 房价收入比
	BankOutlets    int     // 银行业金融机构营业网点, 个
	Broadband      float64 // 互联网宽带接入用户, 万户
	Universities   int     // 普通高等学校, 所
	Institutes     int     // 金融科技专门研究机构, 个
	Students       float64 // 普通高校在校学生, 万人
	STSpending     float64 // 科学技术支出, 亿元
	IncubatorArea  float64 // 国家级科技企业孵化器面积, 万平方米
	CreditUsers    int     // 免押金信用服务用户
	CoveredPop     float64 // 信用服务覆盖人口, 万人
	Regulators     []string
	ReportMentions [3]int // work-report mentions of 互联网金融, 金融科技, 科技金融
	BaiduHeat      [3][]int
	WorkReport     string
}

// Firm is one fintech firm of a sector site: a P2P platform, a crowdfunding platform, a payment
// licensee, a big-data credit firm or a blockchain firm.
type Firm struct {
	ID         string
	Sector     string
	Name       string // brand, e.g. 钱汇贷; may be hostile
	City       *City
	Company    *Company
	Status     string // 正常, 停业, 问题
	Online     time.Time
	Volume     float64 // 2016 business volume in the sector's unit (see doc.go); <0 = unknown
	CapitalOK  bool    // the sector site shows the registered capital (else "--")
	CapForm    int     // how the capital is printed
	AddrForm   string  // the address as the sector site prints it
	Background string
	Licence    string // licence or filing number (payment, credit, blockchain)
	Modified   int    // day of the last change
	// SharedBrand marks a P2P platform whose brand an unrelated platform in another city also uses.
	SharedBrand bool
}

// Operating reports whether the firm counts as an operating firm of the index.
func (f *Firm) Operating() bool { return f.Status == statusOperating }

// Company is one enterprise-registry record.
type Company struct {
	ID         string
	Name       string
	CreditCode string
	LegalRep   string
	Capital    float64 // registered capital in Currency, 万
	Currency   string  // 人民币 or 美元
	Founded    time.Time
	Status     string // 存续, 注销, 吊销
	City       *City
	Address    string
	Scope      string
	Industry   string // a sector name or "other"
	Firm       *Firm
	Modified   int
}

// CapitalCNY returns the registered capital in 万元, a foreign currency converted at the reference
// year's average rate (data/currency_rates.csv).
func (c *Company) CapitalCNY() float64 {
	rate, _ := data.Rate(isoCurrency(c.Currency), referenceYear)
	return c.Capital * rate
}

// NewWorld builds the world for opts. It is deterministic in (Seed, Scale, Day, Faults.Hostile).
func NewWorld(opts Options) (*World, error) {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Scale < 0 || math.IsNaN(opts.Scale) || opts.Scale > 20 {
		return nil, fmt.Errorf("building world: scale must be in (0, 20], got %v", opts.Scale)
	}
	if opts.Day < 0 {
		return nil, errors.New("building world: day must be ≥ 0")
	}
	w := &World{opts: opts, byName: map[string]*City{}, bySector: map[string][]*Firm{}, firmByID: map[string]*Firm{}, compByID: map[string]*Company{}}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"cities", w.genCities},
		{"p2p platforms", w.genP2P},
		{"other firms", w.genFirms},
		{"registry", w.genRegistry},
		{"jobs", w.genJobs},
		{"deals", w.genDeals},
		{"loans", w.genLoans},
		{"crowdfunding projects", w.genProjects},
		{"survey", w.genSurvey},
		{"city data", w.genCityData},
		{"days", w.evolve},
		{"printed forms", w.printedForms},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("building world: generating %s: %w", s.name, err)
		}
	}
	return w, nil
}

// printedForms decides the messy printed forms that are not fixed when an entity is made
// (gen_forms.go).
func (w *World) printedForms() error {
	w.sharedBrands()
	w.messyAddresses()
	return w.messyDeals()
}

// Options returns the options the world was built with, defaults filled in.
func (w *World) Options() Options { return w.opts }

// SampleCities returns the 36 sample cities in data/cities.csv order.
func (w *World) SampleCities() []*City {
	var out []*City
	for _, c := range w.Cities {
		if c.Sample {
			out = append(out, c)
		}
	}
	return out
}

// scaled returns round(n × scale), at least min.
func (w *World) scaled(n float64, min int) int {
	x := int(math.Round(n * w.opts.Scale))
	if x < min {
		return min
	}
	return x
}

// outsideCities are non-sample cities that host some firms and borrowers, as in the real data.
var outsideCities = []struct{ code, name, en, province string }{
	{"3205", "苏州", "Suzhou", "江苏省"}, {"3303", "温州", "Wenzhou", "浙江省"},
	{"3202", "无锡", "Wuxi", "江苏省"}, {"4406", "佛山", "Foshan", "广东省"},
}

func (w *World) genCities() error {
	cs, err := data.Cities()
	if err != nil {
		return err
	}
	areas, err := data.ReadCSV("divisions/areas.csv")
	if err != nil {
		return err
	}
	gdps, err := data.ReadCSV("city_gdp_2015-2017_36cities.csv")
	if err != nil {
		return err
	}
	districts := map[string][]string{}
	for _, a := range areas {
		n := a["name"]
		// county-level cities and counties are rarer in fintech addresses; keep districts first.
		if len(n) > 3 && (n[len(n)-3:] == "区") {
			districts[a["cityCode"]] = append(districts[a["cityCode"]], n)
		}
	}
	add := func(code, name, en, prov, kind string, sample bool) *City {
		c := &City{Idx: len(w.Cities), Code: code, Name: name, NameEN: en, Province: prov, Kind: kind, Sample: sample, Districts: districts[code]}
		w.Cities = append(w.Cities, c)
		w.byName[name] = c
		return c
	}
	for _, c := range cs {
		add(c.Code, c.Name, c.NameEN, c.Province, c.Kind, true)
	}
	for _, c := range outsideCities {
		add(c.code, c.name, c.en, c.province, "prefecture", false)
	}
	for _, g := range gdps {
		c := w.byName[g["city"]]
		if c == nil {
			return fmt.Errorf("unknown city %q in GDP table", g["city"])
		}
		c.Stats.GDP2016, _ = strconv.ParseFloat(g["gdp_2016_yi_yuan"], 64)
		c.Stats.GDP2017, _ = strconv.ParseFloat(g["gdp_2017_yi_yuan"], 64)
	}
	for _, c := range w.SampleCities() {
		if c.Stats.GDP2016 == 0 {
			return fmt.Errorf("no GDP for %s", c.Name)
		}
		if len(c.Districts) == 0 {
			return fmt.Errorf("no districts for %s (%s)", c.Name, c.Code)
		}
	}
	return nil
}

func (w *World) addFirm(f *Firm) {
	w.Firms = append(w.Firms, f)
	w.bySector[f.Sector] = append(w.bySector[f.Sector], f)
	w.firmByID[f.ID] = f
}

func (w *World) addCompany(c *Company) {
	w.Companies = append(w.Companies, c)
	w.compByID[c.ID] = c
}

// date returns a day between from and to (inclusive), uniformly.
func randDate(r interface{ IntN(int) int }, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(days+1))
}

func ymd(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
