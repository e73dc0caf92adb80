package sampleweb

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Operating firms per sector in the sample cities at scale 1 (FHI2017.md §3).
var operatingFirms = map[string]int{sectorCrowdfunding: 247, sectorPayment: 248, sectorCredit: 133, sectorBlockchain: 72}

// closedShare is the share of extra closed firms listed per sector.
var closedShare = map[string]float64{sectorCrowdfunding: 0.35, sectorPayment: 0.06, sectorCredit: 0.1, sectorBlockchain: 0.15}

var firmPrefix = map[string]string{sectorCrowdfunding: "cf", sectorPayment: "pay", sectorCredit: "cr", sectorBlockchain: "bc"}

var firmTails = map[string][]string{sectorCrowdfunding: cfTails, sectorPayment: payTails, sectorCredit: credTails, sectorBlockchain: bcTails}

// genFirms builds the crowdfunding, payment, credit and blockchain firms, spread over the sample
// cities by the calibrated firm-count targets, with their 2016 business volume.
func (w *World) genFirms() error {
	sample := w.SampleCities()
	used := map[string]bool{}
	for _, p := range w.bySector[sectorP2P] {
		used[p.Name] = true
	}
	for _, s := range sectors[1:] {
		r := stream(w.opts.Seed, "firms", len(s))
		t := targets["industry."+s+".firms"]
		weights := make([]float64, len(sample))
		for i, c := range sample {
			weights[i] = t.value(c.Name)
		}
		nOp := apportion(w.scaled(float64(operatingFirms[s]), 1), weights)
		var slots []*Firm
		for i, c := range sample {
			for range nOp[i] {
				slots = append(slots, &Firm{City: c, Status: statusOperating})
			}
		}
		for range w.scaled(float64(operatingFirms[s])*closedShare[s], 0) {
			c := sample[pickWeighted(r, weights)]
			slots = append(slots, &Firm{City: c, Status: pick(r, []string{statusClosed, statusClosed, statusProblem})})
		}
		for range w.scaled(4, 0) { // a few outside the sample
			slots = append(slots, &Firm{City: w.byName[pick(r, outsideCities).name], Status: statusOperating})
		}
		r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
		for i, f := range slots {
			w.fillFirm(r, used, f, s, i+1, 0)
			w.addFirm(f)
		}
		w.setVolumes(s, r)
	}
	return nil
}

// fillFirm completes a firm of sector s numbered n, created on day.
func (w *World) fillFirm(r *rand.Rand, used map[string]bool, f *Firm, s string, n, day int) {
	f.ID = fmt.Sprintf("%s%04d", firmPrefix[s], n)
	f.Sector = s
	f.Name = uniqueName(r, used, func() string { return brandName(r, firmTails[s]) })
	f.Volume = -1
	f.CapitalOK = true
	f.CapForm = r.IntN(4)
	f.Background = pick(r, backgrounds)
	f.Modified = day
	if day == 0 {
		f.Online = randDate(r, ymd(2011, 1, 1), ymd(2017, 3, 31))
	} else {
		f.Online = baseDate.AddDate(0, 0, day)
	}
	f.AddrForm = address(r, f.City)
	switch s {
	case sectorPayment:
		f.Licence = fmt.Sprintf("Z20%02d%s%06d", 11+r.IntN(7), f.City.Code[:2], r.IntN(1000000))
	case sectorCredit:
		f.Licence = fmt.Sprintf("%s-征信备-%d%04d", f.City.Code[:2], 2014+r.IntN(4), r.IntN(10000))
	case sectorBlockchain:
		f.Licence = fmt.Sprintf("%s-BC-%d%05d", f.City.Code, 2016+r.IntN(2), r.IntN(100000))
	}
	f.Company = w.newCompany(r, f, address(r, f.City))
	if s == sectorPayment || s == sectorCredit {
		// payment and credit firms are capital-heavy: licences need large registered capital
		f.Company.Capital = pick(r, []float64{10000, 10000, 20000, 30000, 50000, 100000})
		if s == sectorPayment {
			f.Company.Capital *= 1 + math.Floor(targets["industry.capital"].score(f.City.Name)/25)
		}
		f.Company.Currency = "人民币"
	}
}

// setVolumes distributes each city's volume target of sector s over its operating firms.
// Units: payment 亿元 transactions, credit 万次 queries, blockchain 万元 revenue; crowdfunding
// volume is the sum of its projects' money and is set by genProjects.
func (w *World) setVolumes(s string, r *rand.Rand) {
	if s == sectorCrowdfunding {
		return
	}
	t := targets["industry."+s+".volume"]
	byCity := map[*City][]*Firm{}
	for _, f := range w.bySector[s] {
		if f.Online.Before(ymd(2016, 7, 1)) && r.IntN(10) < 9 {
			byCity[f.City] = append(byCity[f.City], f)
		}
	}
	for _, c := range w.Cities {
		fs := byCity[c]
		total := 2.0
		if c.Sample {
			total = t.value(c.Name)
		}
		total *= w.opts.Scale
		ws := make([]float64, len(fs))
		var sum float64
		for i := range fs {
			ws[i] = lognorm(r, 1, 0.9)
			sum += ws[i]
		}
		for i, f := range fs {
			f.Volume = math.Max(0.01, math.Round(total*ws[i]/sum*100)/100)
		}
	}
}

// pickWeighted returns an index drawn with probability proportional to weights.
func pickWeighted(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, x := range weights {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range weights {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// cumulative is a prepared weighted sampler.
type cumulative []float64

func newCumulative(weights []float64) cumulative {
	c := make(cumulative, len(weights))
	var s float64
	for i, x := range weights {
		s += x
		c[i] = s
	}
	return c
}

func (c cumulative) draw(r *rand.Rand) int {
	u := r.Float64() * c[len(c)-1]
	lo, hi := 0, len(c)-1
	for lo < hi {
		m := (lo + hi) / 2
		if c[m] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// genRegistry adds ordinary companies to the registry so searches return noise as on the real site.
func (w *World) genRegistry() error {
	r := stream(w.opts.Seed, "registry")
	sample := w.SampleCities()
	weights := make([]float64, len(sample))
	for i, c := range sample {
		weights[i] = population2016[c.Name]
	}
	cum := newCumulative(weights)
	used := map[string]bool{}
	for _, c := range w.Companies {
		used[c.Name] = true
	}
	n := w.scaled(4000, 50)
	for i := range n {
		c := sample[cum.draw(r)]
		ind := pick(r, otherInd)
		brand := pick(r, nameHeads) + pick(r, nameHeads)
		if i%9 == 0 { // names that look like fintech but are not
			brand += pick(r, []string{"金融", "支付", "数据", "链"})
		}
		name := uniqueName(r, used, func() string {
			return c.Name + brand + ind + pick(r, []string{"有限公司", "有限责任公司", "股份有限公司"})
		})
		comp := &Company{
			ID: fmt.Sprintf("c%06d", len(w.Companies)+1), Name: name, LegalRep: personName(r),
			Capital: pick(r, []float64{10, 50, 100, 200, 500, 1000, 3000}), Currency: "人民币",
			Founded: randDate(r, ymd(1998, 1, 1), ymd(2017, 6, 30)), Status: regActive, City: c,
			Address: address(r, c), Industry: sectorOther,
			Scope: "经营范围：" + ind + "相关的技术开发、技术咨询；销售" + ind + "用品。",
		}
		if i%9 == 0 {
			comp.Scope = "投资咨询；企业管理咨询；" + comp.Scope + "（不含金融业务）"
		}
		if r.IntN(10) == 0 {
			comp.Status = pick(r, []string{regCancelled, regRevoked})
		}
		comp.CreditCode = creditCode(r, c.Code)
		w.addCompany(comp)
	}
	return nil
}
