package sampleweb

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fhi-index/fhi/data"
)

// Record volumes at scale 1 (FHI2017.md §3: 30,000+ postings, 700+ VC records, 200,000+ loan and
// project records, 2,500+ questionnaires).
const (
	totalJobs     = 31200
	totalDeals    = 760
	totalLoans    = 190000
	totalProjects = 12500
	totalSurvey   = 2500
)

// Job is one recruitment posting by a fintech firm.
type Job struct {
	ID        string
	Site      string // "jobs-api" or "jobs-gbk"
	Firm      *Firm
	Title     string
	City      *City
	District  string
	SalaryLo  float64 // yuan per month (per year when Yearly, per day for the daily form)
	SalaryHi  float64
	Yearly    bool
	Negotiate bool // 面议: no salary
	Form      int  // how the salary is printed (gen_forms.go)
	Months    int  // months paid a year, as printed with the ·13薪 form; else 12
	Education string
	Posted    time.Time
	Day       int
}

// MonthlyMid returns the posting's monthly salary midpoint in yuan as its printed form means it —
// the correct cleaned value of the printed salary; ok is false for 面议. A monthly or annual range
// is its midpoint (a year is 12 months; the 13th and 14th months of "·13薪" are bonus, not spread
// over the base pay); a daily range is × 21.75 working days; "15k以上" is its bound.
func (j *Job) MonthlyMid() (float64, bool) {
	if j.Negotiate {
		return 0, false
	}
	switch j.Form {
	case formKAtLeast:
		return j.SalaryLo, true
	case formDay:
		return (j.SalaryLo + j.SalaryHi) / 2 * 21.75, true
	}
	mid := (j.SalaryLo + j.SalaryHi) / 2
	if j.Yearly {
		mid /= 12
	}
	return mid, true
}

// Deal is one venture-capital financing record.
type Deal struct {
	ID          string
	Firm        *Firm
	Round       string
	AmountWan   float64 // 万, in Currency; 0 with Vague "" = 未透露
	Currency    string  // as printed: 人民币, 美元, 港元, 欧元, 日元, 英镑, 新加坡元
	Vague       string  // 数十万, 数百万, 数千万, 近亿, 数亿, 亿元及以上, 超过2亿 (amount then holds the conventional value)
	Undisclosed string  // how an undisclosed amount is printed (未透露, 未披露, 未透露美元)
	Date        time.Time
	Investors   []string
	Day         int
}

// AmountCNY returns the deal amount in 万元: a foreign currency at the deal year's average rate
// (data/currency_rates.csv), a vague amount at its conventional value (data/amount_phrases.csv),
// an undisclosed one 0.
func (d *Deal) AmountCNY() float64 {
	if d.Undisclosed != "" {
		return 0
	}
	rate, _ := data.Rate(isoCurrency(d.Currency), d.Date.Year())
	return d.AmountWan * rate
}

// Loan is one P2P loan project.
type Loan struct {
	ID       int32
	Platform *Firm
	City     *City // borrower city
	Amount   int64 // yuan
	Rate     float32
	Term     int16 // months
	Purpose  uint8
	Type     uint8
	Date     int32 // days since baseDate (negative: before the crawl)
	Day      int16 // day of the world the record appeared on
}

// Project is one crowdfunding project.
type Project struct {
	ID       int32
	Platform *Firm
	City     *City // project (initiator) city
	Title    string
	Category uint8
	Target   float64 // 万元
	Raised   float64 // 万元
	Backers  int32
	Date     int32
	Day      int16
}

// SurveyResponse is one questionnaire answer (blockchain familiarity survey).
type SurveyResponse struct {
	ID          int
	City        *City
	Age         string
	Occupation  string
	Familiarity int // 1 非常不了解 … 5 非常了解
	UsesP2P     bool
}

var (
	loanPurposes = []string{"资金周转", "消费", "装修", "购车", "经营", "教育", "医疗", "其他"}
	loanTypes    = []string{"信用", "车贷", "房贷"}
	cfCategories = []string{"科技", "农业", "文化", "公益", "影视", "股权", "设计", "餐饮"}
	rounds       = []string{"天使轮", "Pre-A", "A轮", "B轮", "C轮", "战略投资"}
	roundWeights = []float64{34, 9, 27, 13, 6, 11}
	roundMedian  = []float64{400, 1200, 3500, 10000, 25000, 15000} // 万元
	investorPool = []string{"红杉资本中国", "IDG资本", "经纬中国", "真格基金", "创新工场", "蚂蚁金服", "腾讯投资", "险峰长青", "晨兴资本", "启明创投",
		"顺为资本", "源码资本", "明势资本", "天使投资人", "九鼎投资", "达晨创投", "深创投", "联想之星", "梅花天使", "浙商创投"}
	jobTitles = []string{"Java开发工程师", "风控经理", "数据分析师", "产品经理", "客户经理", "运营专员", "算法工程师", "前端开发", "催收专员", "理财顾问", "测试工程师", "区块链开发工程师", "合规专员", "大数据工程师"}
)

// genJobs builds postings by the operating firms; city salary levels and master's shares follow
// the calibration (Shanghai 9,575.67 and Hangzhou 7,901.34 yuan a month on average).
func (w *World) genJobs() error {
	r := stream(w.opts.Seed, "jobs")
	var firms []*Firm
	var weights []float64
	sectorW := map[string]float64{sectorP2P: 1, sectorCrowdfunding: 0.6, sectorPayment: 3, sectorCredit: 2.5, sectorBlockchain: 3}
	for _, f := range w.Firms {
		if f.Operating() {
			firms = append(firms, f)
			weights = append(weights, sectorW[f.Sector]*(0.5+targets["city.salary"].score(f.City.Name)/100))
		}
	}
	cum := newCumulative(weights)
	n := w.scaled(totalJobs, 100)
	for range n {
		w.Jobs = append(w.Jobs, w.newJob(r, firms[cum.draw(r)], 0))
	}
	w.fixSalaries(r)
	return nil
}

// citySalary is the latent mean monthly salary of a city's fintech postings.
func citySalary(city string) float64 {
	if s, ok := publishedSalary[city]; ok {
		return s
	}
	t := targets["city.salary"]
	if city == "北京" {
		return 9380
	}
	if city == "深圳" {
		return 7650
	}
	return t.value(city) * 0.97
}

var sectorSalary = map[string]float64{sectorP2P: 0.95, sectorCrowdfunding: 0.9, sectorPayment: 1.05, sectorCredit: 1.08, sectorBlockchain: 1.15}

func (w *World) newJob(r *rand.Rand, f *Firm, day int) *Job {
	j := &Job{Firm: f, City: f.City, Title: pick(r, jobTitles), Day: day}
	j.ID = fmt.Sprintf("j%06d", len(w.Jobs)+1)
	if r.IntN(5) < 3 {
		j.Site = "jobs-api"
	} else {
		j.Site = "jobs-gbk"
	}
	if len(f.City.Districts) > 0 {
		j.District = pick(r, f.City.Districts)
	}
	sigma := 0.33
	if f.City.Name == "深圳" {
		sigma = 0.12 // few Shenzhen postings above 12,000 (FHI2017.md §5)
	}
	mid := citySalary(f.City.Name) * sectorSalary[f.Sector] * math.Exp(sigma*r.NormFloat64()-sigma*sigma/2)
	j.setSalary(r, mid)
	ms := targets["talent.masters"].value(f.City.Name) / 100
	u := r.Float64()
	switch {
	case u < ms*0.85:
		j.Education = "硕士"
	case u < ms:
		j.Education = "博士"
	case u < ms+0.55:
		j.Education = "本科"
	case u < ms+0.8:
		j.Education = "大专"
	default:
		j.Education = "不限"
	}
	if day == 0 {
		j.Posted = randDate(r, ymd(2017, 3, 1), baseDate.AddDate(0, 0, -1))
	} else {
		j.Posted = baseDate.AddDate(0, 0, day)
	}
	if r.IntN(40) == 0 {
		j.Negotiate = true
	}
	j.setSalaryForm()
	return j
}

// setSalary writes a salary range around a monthly midpoint in the granularity the sites print.
func (j *Job) setSalary(r *rand.Rand, mid float64) {
	if j.Site == "jobs-gbk" && r.IntN(8) == 0 {
		// annual: "10-20万/年", whole 万
		lo := math.Max(1, math.Round(mid*12*0.75/1e4))
		hi := math.Max(lo+1, math.Round(mid*12*2/1e4-lo))
		j.SalaryLo, j.SalaryHi, j.Yearly = lo*1e4, hi*1e4, true
		return
	}
	step := 1000.0
	if j.Site == "jobs-gbk" && mid < 10000 {
		step = 500 // "6-8千/月", "4.5-6千/月"
	}
	lo := math.Max(step, math.Round(mid*0.8/step)*step)
	hi := math.Max(lo+step, math.Round((2*mid-lo)/step)*step)
	j.SalaryLo, j.SalaryHi, j.Yearly = lo, hi, false
}

// fixSalaries nudges postings so that the cities with published averages hit them to within a
// few yuan (ranges are printed in whole 千 or 百, so exactness is impossible).
func (w *World) fixSalaries(r *rand.Rand) {
	// Sorted: the cities share r, so map order would make the world differ run to run.
	for _, city := range slices.Sorted(maps.Keys(publishedSalary)) {
		want := publishedSalary[city]
		var js []*Job
		var sum float64
		for _, j := range w.Jobs {
			if m, ok := j.MonthlyMid(); ok && j.City.Name == city && j.twoSidedMonthly() {
				js = append(js, j)
				sum += m
			}
		}
		// the whole city mean includes yearly postings
		var all, allSum float64
		for _, j := range w.Jobs {
			if m, ok := j.MonthlyMid(); ok && j.City.Name == city {
				all++
				allSum += m
			}
		}
		if len(js) == 0 {
			continue
		}
		for iter := 0; iter < 100000; iter++ {
			diff := want*all - allSum // yuan of midpoint sum missing
			if math.Abs(diff) < 500 {
				break
			}
			j := js[r.IntN(len(js))]
			step := 1000.0
			if j.Site == "jobs-gbk" && j.SalaryHi < 10000 {
				step = 500
			}
			if diff > 0 {
				j.SalaryHi += step
			} else if j.SalaryHi-step > j.SalaryLo {
				j.SalaryHi -= step
			} else {
				continue
			}
			if diff > 0 {
				allSum += step / 2
			} else {
				allSum -= step / 2
			}
		}
		_ = sum
	}
}

// genDeals builds VC deals; money follows the capital target (Beijing far ahead, then Shanghai,
// Shenzhen, Hangzhou, Chengdu, Guangzhou); payment and credit firms raise about half as often.
func (w *World) genDeals() error {
	r := stream(w.opts.Seed, "deals")
	var firms []*Firm
	var weights []float64
	sw := map[string]float64{sectorP2P: 0.35, sectorCrowdfunding: 1.2, sectorPayment: 0.45, sectorCredit: 0.9, sectorBlockchain: 3.5}
	for _, f := range w.Firms {
		if f.Online.Before(baseDate) {
			weights = append(weights, sw[f.Sector]*targets["industry.capital"].value(f.City.Name)/(1+targets["industry.capital"].score(f.City.Name)/60))
			firms = append(firms, f)
		}
	}
	cum := newCumulative(weights)
	for range w.scaled(totalDeals, 10) {
		w.Deals = append(w.Deals, w.newDeal(r, firms[cum.draw(r)], 0))
	}
	return nil
}

func (w *World) newDeal(r *rand.Rand, f *Firm, day int) *Deal {
	d := &Deal{ID: fmt.Sprintf("d%05d", len(w.Deals)+1), Firm: f, Currency: "人民币", Day: day}
	ri := pickWeighted(r, roundWeights)
	d.Round = rounds[ri]
	mult := 0.6 + targets["industry.capital"].score(f.City.Name)/100
	amt := lognorm(r, roundMedian[ri]*mult, 0.6)
	switch u := r.IntN(100); {
	case u < 12:
		d.AmountWan = 0 // 未透露
	case u < 32:
		switch {
		case amt < 1000:
			d.Vague, d.AmountWan = "数百万", 500
		case amt < 10000:
			d.Vague, d.AmountWan = "数千万", 5000
		default:
			d.Vague, d.AmountWan = "数亿", 30000
		}
	case u < 40:
		d.Currency = "美元"
		d.AmountWan = math.Max(50, math.Round(amt/6.75/50)*50) // the amount as a dollar figure, rounded as lists round
	default:
		if amt >= 1e4 {
			d.AmountWan = math.Round(amt/1000) * 1000 // 1.2亿
		} else {
			d.AmountWan = math.Max(50, math.Round(amt/50)*50)
		}
	}
	if day == 0 {
		d.Date = randDate(r, maxTime(ymd(2015, 1, 1), f.Online.AddDate(0, -6, 0)), baseDate.AddDate(0, 0, -1))
	} else {
		d.Date = baseDate.AddDate(0, 0, day)
	}
	for range 1 + r.IntN(3) {
		inv := pick(r, investorPool)
		if !contains(d.Investors, inv) {
			d.Investors = append(d.Investors, inv)
		}
	}
	return d
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// loanCity describes how a borrower city borrows: its share of the national amount (%) and the
// average loan size in yuan.
func (w *World) loanShares() (cities []*City, share, avg []float64) {
	t := targets["experience.p2p.online_borrowing"]
	var fixed, free float64
	for _, c := range w.Cities {
		cities = append(cities, c)
		s := 0.0
		switch {
		case publishedLoanShare[c.Name] > 0:
			s = publishedLoanShare[c.Name]
			fixed += s
		case c.Sample:
			s = t.value(c.Name)
			free += s
		default:
			s = 1.5
			free += s
		}
		share = append(share, s)
		a, ok := publishedLoanSize[c.Name]
		if !ok {
			a = 60000 + 50000*strength(orderExperience, c.Name)
		}
		avg = append(avg, a)
	}
	// rescale the free shares so all shares sum to 100
	k := (100 - fixed) / free
	for i, c := range cities {
		if publishedLoanShare[c.Name] == 0 {
			share[i] *= k
		}
	}
	return cities, share, avg
}

// genLoans builds the P2P loan projects: borrower cities by national share, average sizes as
// published (Chengdu 168,200 yuan, Wuhan 389,000, Chongqing 197,300, Hangzhou 82,800), lenders'
// platforms weighted by their 2016 turnover.
func (w *World) genLoans() error {
	r := stream(w.opts.Seed, "loans")
	cities, share, avg := w.loanShares()
	n := w.scaled(totalLoans, 200)
	var inv float64
	for i := range cities {
		inv += share[i] / 100 / avg[i]
	}
	amountTotal := float64(n) / inv // yuan, so that Σ counts = n
	counts := make([]int, len(cities))
	for i := range cities {
		counts[i] = int(math.Round(share[i] / 100 * amountTotal / avg[i]))
	}
	plats, pcum := w.loanPlatforms()
	for i, c := range cities {
		k := counts[i]
		if k == 0 {
			continue
		}
		total := float64(k) * avg[i]
		ws := make([]float64, k)
		var sum float64
		for j := range ws {
			ws[j] = lognorm(r, 1, 0.7)
			sum += ws[j]
		}
		var given int64
		for j := range k {
			l := w.newLoan(r, plats[pcum.draw(r)], c, 0)
			if j == k-1 {
				l.Amount = int64(math.Round(total)) - given
			} else {
				l.Amount = max(1000, int64(math.Round(total*ws[j]/sum/100))*100)
				given += l.Amount
			}
			w.Loans = append(w.Loans, l)
		}
	}
	// interleave cities as the real feed does, then number
	r.Shuffle(len(w.Loans), func(i, j int) { w.Loans[i], w.Loans[j] = w.Loans[j], w.Loans[i] })
	for i := range w.Loans {
		w.Loans[i].ID = int32(i + 1)
	}
	// dates ascending with id, like a feed
	for i := range w.Loans {
		w.Loans[i].Date = int32(-240 + 240*i/len(w.Loans))
	}
	return nil
}

func (w *World) loanPlatforms() ([]*Firm, cumulative) {
	var ps []*Firm
	var ws []float64
	for _, p := range w.bySector[sectorP2P] {
		if p.Operating() {
			ps = append(ps, p)
			ws = append(ws, math.Max(p.Volume, 200))
		}
	}
	return ps, newCumulative(ws)
}

func (w *World) newLoan(r *rand.Rand, p *Firm, c *City, day int) Loan {
	l := Loan{Platform: p, City: c, Rate: float32(math.Round((7+r.Float64()*9)*10) / 10), Day: int16(day), Date: int32(day)}
	l.Term = int16(pick(r, []int{1, 3, 6, 6, 12, 12, 12, 24, 36}))
	l.Purpose = uint8(r.IntN(len(loanPurposes)))
	tw := []float64{50, 30, 20}
	switch c.Name {
	case "成都":
		tw = []float64{25, 15, 60} // mostly property-backed
	case "重庆":
		tw = []float64{25, 60, 15} // mostly car loans
	}
	l.Type = uint8(pickWeighted(r, tw))
	if day > 0 {
		l.Amount = int64(math.Round(lognorm(r, 60000, 0.8)/100)) * 100
	}
	return l
}

// genProjects builds crowdfunding projects: platform cities follow the crowdfunding volume target,
// project cities the online fund-raising target (Beijing, Jinan, Hangzhou, Xi'an, Shenzhen).
func (w *World) genProjects() error {
	r := stream(w.opts.Seed, "projects")
	var plats []*Firm
	var pw []float64
	vt := targets["industry.crowdfunding.volume"]
	perCity := map[*City]int{}
	for _, f := range w.bySector[sectorCrowdfunding] {
		perCity[f.City]++
	}
	for _, f := range w.bySector[sectorCrowdfunding] {
		x := 0.5
		if f.City.Sample {
			x = vt.value(f.City.Name)
		}
		plats = append(plats, f)
		pw = append(pw, x/float64(perCity[f.City]))
	}
	pcum := newCumulative(pw)
	sample := w.SampleCities()
	ft := targets["experience.crowdfunding.online_fundraising"]
	cw := make([]float64, len(sample))
	for i, c := range sample {
		cw[i] = ft.value(c.Name)
	}
	ccum := newCumulative(cw)
	for range w.scaled(totalProjects, 50) {
		w.Projects = append(w.Projects, w.newProject(r, plats[pcum.draw(r)], sample[ccum.draw(r)], 0))
	}
	w.setCrowdfundingVolume()
	return nil
}

func (w *World) newProject(r *rand.Rand, p *Firm, c *City, day int) Project {
	cat := r.IntN(len(cfCategories))
	pr := Project{ID: int32(len(w.Projects) + 1), Platform: p, City: c, Category: uint8(cat), Day: int16(day), Date: int32(day)}
	if day == 0 {
		pr.Date = int32(-r.IntN(600))
	}
	pr.Title = fmt.Sprintf("%s%s项目第%d期", c.Name, cfCategories[cat], 1+r.IntN(30))
	pr.Target = math.Max(1, math.Round(lognorm(r, 20, 1.0)))
	ratio := math.Max(0, 0.3+r.NormFloat64()*0.5+0.8)
	if r.IntN(300) == 0 {
		ratio = 30 + r.Float64()*50 // outliers: a viral project raises 30–80× its target
	}
	pr.Raised = math.Round(pr.Target*ratio*100) / 100
	pr.Backers = int32(math.Max(0, math.Round(pr.Raised*10000/lognorm(r, 800, 0.8))))
	return pr
}

// setCrowdfundingVolume sets each crowdfunding platform's volume to the money its projects raised.
func (w *World) setCrowdfundingVolume() {
	for _, f := range w.bySector[sectorCrowdfunding] {
		f.Volume = 0
	}
	for i := range w.Projects {
		w.Projects[i].Platform.Volume += w.Projects[i].Raised
	}
	for _, f := range w.bySector[sectorCrowdfunding] {
		f.Volume = math.Round(f.Volume*100) / 100
	}
}

// genSurvey builds the questionnaire responses: mostly from the top-20 cities, every sample city
// represented, familiarity means following the calibration (Shanghai, Hangzhou, Beijing, Guangzhou,
// Chongqing first).
func (w *World) genSurvey() error {
	r := stream(w.opts.Seed, "survey")
	sample := w.SampleCities()
	ws := make([]float64, len(sample))
	for i, c := range sample {
		ws[i] = 0.4 + strength(orderTotal, c.Name)*2
	}
	cum := newCumulative(ws)
	ft := targets["experience.blockchain.familiarity"]
	n := w.scaled(totalSurvey, 100)
	for i := range n {
		c := sample[cum.draw(r)]
		if i < len(sample) {
			c = sample[i]
		}
		mean := ft.value(c.Name)
		f := int(math.Round(mean + r.NormFloat64()*0.9))
		f = min(5, max(1, f))
		w.Survey = append(w.Survey, SurveyResponse{
			ID: i + 1, City: c, Familiarity: f, UsesP2P: r.IntN(3) == 0,
			Age:        pick(r, []string{"18-25", "26-30", "31-40", "41-50", "50以上"}),
			Occupation: pick(r, []string{"企业职员", "学生", "金融从业者", "IT从业者", "个体经营", "公务员", "其他"}),
		})
	}
	return nil
}
