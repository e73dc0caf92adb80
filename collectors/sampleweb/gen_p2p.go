package sampleweb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/fhi-index/fhi/data"
)

// operatingP2P is the number of operating P2P platforms in the sample cities at scale 1 (FHI2017.md §3).
const operatingP2P = 2253

var backgrounds = []string{"民营系", "民营系", "民营系", "民营系", "民营系", "民营系", "民营系", "上市公司系", "国资系", "风投系", "银行系"}

// genP2P builds the P2P platforms: operating ones spread over the sample cities like the real
// 2018 directory (data/p2p_platforms_by_city_2018.csv) scaled to 2,253, plus closed and problem
// platforms in the same proportion, plus a few in non-sample cities.
func (w *World) genP2P() error {
	rows, err := data.ReadCSV("p2p_platforms_by_city_2018.csv")
	if err != nil {
		return err
	}
	var cities []*City
	var normal, stopped, problem []float64
	var sumNormal float64
	for _, row := range rows {
		c := w.byName[row["city"]]
		if c == nil {
			return fmt.Errorf("unknown city %q in P2P table", row["city"])
		}
		n, _ := strconv.ParseFloat(row["normal"], 64)
		s, _ := strconv.ParseFloat(row["stopped_or_transformed"], 64)
		p, _ := strconv.ParseFloat(row["problem"], 64)
		cities = append(cities, c)
		normal, stopped, problem = append(normal, n), append(stopped, s), append(problem, p)
		sumNormal += n
	}
	f := float64(operatingP2P) / sumNormal
	var sumS, sumP float64
	for i := range cities {
		sumS += stopped[i]
		sumP += problem[i]
	}
	nOp := apportion(w.scaled(operatingP2P, 1), normal)
	nSt := apportion(w.scaled(sumS*f, 0), stopped)
	nPr := apportion(w.scaled(sumP*f, 0), problem)
	type slot struct {
		c      *City
		status string
	}
	var slots []slot
	for i, c := range cities {
		for range nOp[i] {
			slots = append(slots, slot{c, statusOperating})
		}
		for range nSt[i] {
			slots = append(slots, slot{c, statusClosed})
		}
		for range nPr[i] {
			slots = append(slots, slot{c, statusProblem})
		}
	}
	for _, oc := range outsideCities {
		c := w.byName[oc.name]
		for range w.scaled(10, 1) {
			slots = append(slots, slot{c, statusOperating})
		}
		for range w.scaled(8, 0) {
			slots = append(slots, slot{c, pick(stream(w.opts.Seed, "p2p-outside", len(slots)), []string{statusClosed, statusProblem})})
		}
	}
	r := stream(w.opts.Seed, "p2p")
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	used := map[string]bool{}
	for i, s := range slots {
		w.addFirm(w.newP2P(r, used, i+1, s.c, s.status, 0))
	}
	if w.opts.Faults.Hostile {
		hr := stream(w.opts.Seed, "p2p-hostile")
		ps := w.bySector[sectorP2P]
		for i, name := range hostileNames {
			p := ps[hr.IntN(len(ps))]
			p.Name = name
			_ = i
		}
	}
	w.initialP2P = len(w.bySector[sectorP2P])
	w.setP2PTurnover()
	return nil
}

// newP2P creates one P2P platform with its registry company.
func (w *World) newP2P(r *rand.Rand, used map[string]bool, n int, c *City, status string, day int) *Firm {
	p := &Firm{
		ID:         fmt.Sprintf("p%05d", n),
		Sector:     sectorP2P,
		Name:       uniqueName(r, used, func() string { return brandName(r, nameTails) }),
		City:       c,
		Status:     status,
		Volume:     -1,
		CapitalOK:  r.IntN(100) >= 8,
		CapForm:    r.IntN(4),
		Background: pick(r, backgrounds),
		Modified:   day,
	}
	if day == 0 {
		switch status {
		case statusOperating:
			// skewed to the 2014–2015 boom
			y := 2011 + int(math.Min(6, math.Abs(r.NormFloat64()*1.4)+2.2))
			if y > 2017 {
				y = 2017
			}
			p.Online = randDate(r, ymd(y, 1, 1), ymd(y, 12, 28))
			if p.Online.After(ymd(2017, 6, 30)) {
				p.Online = randDate(r, ymd(2017, 1, 1), ymd(2017, 6, 30))
			}
		default:
			p.Online = randDate(r, ymd(2011, 6, 1), ymd(2016, 6, 30))
		}
	} else {
		p.Online = baseDate.AddDate(0, 0, day)
	}
	p.AddrForm = address(r, c)
	p.Company = w.newCompany(r, p, p.AddrForm)
	return p
}

// setP2PTurnover distributes each city's 2016 P2P turnover target over its operating platforms
// that did business in 2016; closed and problem platforms get turnover too but do not count.
func (w *World) setP2PTurnover() {
	r := stream(w.opts.Seed, "p2p-turnover")
	byCity := map[*City][]*Firm{}
	for _, p := range w.bySector[sectorP2P] {
		if p.Online.Before(ymd(2016, 10, 1)) && r.IntN(100) < 88 {
			byCity[p.City] = append(byCity[p.City], p)
		}
	}
	t := targets["industry.p2p.volume"]
	for _, c := range w.Cities {
		ps := byCity[c]
		if len(ps) == 0 {
			continue
		}
		var total float64 // 亿元
		if c.Sample {
			total = t.value(c.Name) * w.opts.Scale
		} else {
			total = 30 * w.opts.Scale
		}
		weights := make([]float64, len(ps))
		var sum float64
		for i, p := range ps {
			weights[i] = lognorm(r, 1, 1.1)
			if !p.Operating() {
				weights[i] *= 0.6
			}
			sum += weights[i]
		}
		for i, p := range ps {
			wan := total * 1e4 * weights[i] / sum
			p.Volume = roundTurnover(wan)
		}
	}
}

// roundTurnover rounds 万元 so that the printed form is exact: ≥ 1亿 to 0.01亿, else to 1万.
func roundTurnover(wan float64) float64 {
	if wan >= 1e4 {
		return math.Round(wan/100) * 100
	}
	return math.Max(1, math.Round(wan))
}

var capitalsWan = []float64{1000, 1000, 2000, 3000, 5000, 5000, 5000, 10000, 10000, 20000, 30000, 50000, 100000}

// newCompany creates the registry company behind a firm.
func (w *World) newCompany(r *rand.Rand, f *Firm, addr string) *Company {
	c := &Company{
		ID:       fmt.Sprintf("c%06d", len(w.Companies)+1),
		Name:     companyName(r, f.Name, f.City.Name, f.Sector),
		LegalRep: personName(r),
		Capital:  pick(r, capitalsWan),
		Currency: "人民币",
		City:     f.City,
		Address:  addr,
		Industry: f.Sector,
		Firm:     f,
		Modified: f.Modified,
		Status:   regActive,
	}
	if r.IntN(20) == 0 {
		c.Currency = "美元"
		c.Capital = pick(r, []float64{500, 1000, 3000, 5000})
	}
	c.CreditCode = creditCode(r, f.City.Code)
	c.Founded = f.Online.AddDate(0, -1-r.IntN(18), -r.IntN(28))
	switch f.Status {
	case statusClosed:
		if r.IntN(2) == 0 {
			c.Status = regCancelled
		}
	case statusProblem:
		if r.IntN(3) == 0 {
			c.Status = regRevoked
		}
	}
	c.Scope = scopeFor(f.Sector)
	w.addCompany(c)
	return c
}

func scopeFor(sector string) string {
	switch sector {
	case sectorP2P:
		return "网络借贷信息中介服务；金融信息服务（除许可业务外）；计算机软件技术开发、技术咨询。"
	case sectorCrowdfunding:
		return "股权投资；互联网众筹平台运营；项目投资咨询；文化创意策划。"
	case sectorPayment:
		return "互联网支付；移动电话支付；银行卡收单；预付卡发行与受理。"
	case sectorCredit:
		return "企业征信业务；个人征信业务；信用评估；大数据技术服务。"
	case sectorBlockchain:
		return "区块链技术开发；分布式账本软件开发；数字资产技术服务；信息系统集成。"
	default:
		return "一般经营项目：" + "技术开发、技术服务；销售日用百货。"
	}
}
