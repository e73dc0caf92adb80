package sampleweb

import "math"

// This file holds the calibration: per-city latent strengths chosen so that the world's ground truth
// reproduces the published 2017 results (FHI2017.md §4) and findings (§5). Generators turn these
// targets into entities; the truth is always recomputed from the entities, never copied from here.

// Published orders (FHI2017.md §4). Cities after the top 20 follow the report's named candidates
// (昆明, 沈阳, 石家庄) and then a plausible order of the remaining sample cities.
var (
	orderTotal      = []string{"北京", "上海", "深圳", "杭州", "广州", "成都", "武汉", "南京", "天津", "西安", "青岛", "济南", "重庆", "郑州", "长沙", "宁波", "合肥", "厦门", "大连", "贵阳"}
	orderIndustry   = []string{"北京", "上海", "深圳", "杭州", "广州", "成都", "青岛", "南京", "天津", "济南", "宁波", "西安", "武汉", "重庆", "郑州", "长沙", "合肥", "厦门", "贵阳", "大连"}
	orderExperience = []string{"杭州", "深圳", "广州", "北京", "上海", "武汉", "成都", "郑州", "南京", "济南", "宁波", "青岛", "西安", "长沙", "合肥", "重庆", "天津", "厦门", "大连", "贵阳"}
	orderEcosystem  = []string{"北京", "上海", "杭州", "深圳", "广州", "天津", "武汉", "西安", "成都", "南京", "重庆", "济南", "长沙", "贵阳", "郑州", "大连", "合肥", "青岛", "厦门", "宁波"}
	orderTail       = []string{"昆明", "沈阳", "石家庄", "福州", "南昌", "太原", "哈尔滨", "南宁", "长春", "乌鲁木齐", "兰州", "呼和浩特", "海口", "银川", "西宁", "拉萨"}
	publishedTotals = []float64{89.3, 80.6, 69.8, 67.5, 60.6, 50.0, 47.2, 45.3, 45.2, 43.1, 41.3, 41.0, 38.9, 38.9, 37.9, 36.4, 35.1, 32.0, 31.6, 30.8}
)

// strength returns a city's latent strength in (0, 1] for a published order: the published total
// index at the city's rank, continued linearly down to 12 for ranks 21–36, divided by the top score.
func strength(order []string, city string) float64 {
	rank := len(order) + len(orderTail)
	for i, c := range order {
		if c == city {
			rank = i
		}
	}
	for i, c := range orderTail {
		if c == city {
			rank = len(order) + i
		}
	}
	var v float64
	if rank < len(publishedTotals) {
		v = publishedTotals[rank]
	} else {
		v = 30 - float64(rank-len(publishedTotals))*18/float64(len(orderTail))
	}
	return v / publishedTotals[0]
}

// population2016 is each city's resident population (常住人口, 万人, 2016, public bulletins, rounded).
var population2016 = map[string]float64{
	"北京": 2173, "天津": 1562, "石家庄": 1078, "太原": 437, "呼和浩特": 309, "沈阳": 829, "大连": 699, "长春": 753,
	"哈尔滨": 962, "上海": 2420, "南京": 827, "杭州": 919, "宁波": 788, "合肥": 787, "福州": 757, "厦门": 392,
	"南昌": 537, "济南": 723, "青岛": 920, "郑州": 972, "武汉": 1077, "长沙": 765, "广州": 1404, "深圳": 1191,
	"南宁": 706, "海口": 227, "重庆": 3048, "成都": 1592, "贵阳": 470, "昆明": 672, "拉萨": 90, "西安": 883,
	"兰州": 371, "西宁": 235, "银川": 219, "乌鲁木齐": 352,
}

// target describes how one indicator's latent per-city value is laid out: the named leaders of the
// published finding in order, cities known to be weak, and the raw range.
type target struct {
	leaders []string // published leaders, best first
	weak    []string // cities the report calls weak on this indicator
	sub     []string // order that places the other cities (a published sub-index order)
	lo, hi  float64  // raw value of the weakest and of the leading city
	pow     float64  // >1 concentrates the value in the leaders (skewed real distributions)
	gap     float64  // score step between consecutive leaders (0 = 6)
}

// score returns the latent score of city in [0, 100]: leaders step down from 100 by gap, the rest
// follow their strength in the sub order below the last leader, weak cities sit near the bottom.
func (t target) score(city string) float64 {
	gap := t.gap
	if gap == 0 {
		gap = 6
	}
	for i, c := range t.leaders {
		if c == city {
			return math.Max(20, 100-gap*float64(i))
		}
	}
	for i, c := range t.weak {
		if c == city {
			return 8 + 2*float64(i)
		}
	}
	top := 100 - gap*float64(len(t.leaders))
	top = math.Max(12, math.Min(75, top))
	sub := t.sub
	if sub == nil {
		sub = orderTotal
	}
	s := strength(sub, city) // (0.13, 1]
	return top * s
}

// value maps the latent score of city to the indicator's raw range.
func (t target) value(city string) float64 {
	p := t.pow
	if p == 0 {
		p = 1
	}
	return t.lo + (t.hi-t.lo)*math.Pow(t.score(city)/100, p)
}

var (
	capLeader = []string{"北京", "上海", "深圳", "杭州", "成都", "广州"}
)

// targets holds the latent layout of every indicator that generators steer. Units are those of the
// generators (see each generator), not necessarily the truth units.
var targets = map[string]target{
	// industry: market volume (P2P 2016 turnover 亿元; crowdfunding raised 万元; payment 亿元; credit 万次 queries; blockchain 万元 revenue)
	"industry.p2p.volume":          {leaders: []string{"上海", "北京", "深圳", "杭州", "广州", "成都"}, sub: orderIndustry, lo: 2, hi: 4200, pow: 1.6, gap: 9},
	"industry.crowdfunding.volume": {leaders: []string{"北京", "上海", "深圳", "杭州", "广州", "济南"}, sub: orderIndustry, lo: 1, hi: 100, pow: 1.5, gap: 12},
	"industry.payment.volume":      {leaders: []string{"上海", "深圳", "北京", "杭州", "广州"}, sub: orderIndustry, lo: 5, hi: 60000, pow: 1.8, gap: 7},
	"industry.credit.volume":       {leaders: []string{"北京", "杭州", "上海", "深圳", "青岛", "成都"}, sub: orderIndustry, lo: 5, hi: 9000, pow: 1.6, gap: 8},
	"industry.blockchain.volume":   {leaders: []string{"北京", "上海", "深圳", "杭州", "成都", "广州"}, sub: orderIndustry, lo: 1, hi: 30000, pow: 1.8, gap: 14},
	// industry: firm counts (relative weights; the totals come from §3)
	"industry.crowdfunding.firms": {leaders: []string{"北京", "上海", "深圳", "济南", "杭州", "广州"}, sub: orderIndustry, lo: 0.3, hi: 60, pow: 2.2, gap: 12},
	"industry.payment.firms":      {leaders: []string{"北京", "上海", "深圳", "广州", "杭州"}, sub: orderIndustry, lo: 0.5, hi: 50, pow: 2.2, gap: 14},
	"industry.credit.firms":       {leaders: []string{"北京", "上海", "青岛", "成都", "杭州", "深圳"}, sub: orderIndustry, lo: 0.2, hi: 35, pow: 2.4, gap: 18},
	"industry.blockchain.firms":   {leaders: []string{"北京", "深圳", "上海", "杭州", "成都", "广州", "西安", "贵阳"}, sub: orderIndustry, lo: 0, hi: 24, pow: 2.6, gap: 10},
	// industry: capital — weight of VC money per city (all sectors)
	"industry.capital": {leaders: capLeader, sub: orderIndustry, lo: 0.05, hi: 100, pow: 2.6, gap: 10},
	// talent: master's-or-above share of postings (%)
	"talent.masters": {leaders: []string{"北京", "上海", "杭州", "深圳", "南京", "成都"}, sub: orderIndustry, lo: 2, hi: 24, pow: 1.3, gap: 8},
	// experience
	"experience.p2p.online_borrowing":            {leaders: []string{"成都", "武汉", "重庆", "杭州", "广州", "深圳", "上海", "北京"}, sub: orderExperience, lo: 0.05, hi: 14, pow: 1.2, gap: 6},
	"experience.crowdfunding.online_fundraising": {leaders: []string{"北京", "济南", "杭州", "西安", "深圳"}, sub: orderExperience, lo: 0.2, hi: 100, pow: 1.6, gap: 4},
	"experience.payment.online_payment":          {leaders: []string{"深圳", "武汉", "青岛", "广州", "宁波", "杭州"}, sub: orderExperience, lo: 12, hi: 107, pow: 1, gap: 5},
	"experience.blockchain.familiarity":          {leaders: []string{"上海", "杭州", "北京", "广州", "重庆", "深圳"}, sub: orderExperience, lo: 1.6, hi: 3.4, pow: 1, gap: 5},
	// ecosystem (units in the bulletin)
	"ecosystem.business.finance_industry":  {leaders: []string{"上海", "北京", "深圳", "广州", "天津", "重庆", "杭州"}, sub: orderEcosystem, lo: 40, hi: 4765, pow: 1.5, gap: 7},
	"ecosystem.business.tech_industry":     {leaders: []string{"北京", "上海", "深圳", "杭州", "广州"}, sub: orderEcosystem, lo: 20, hi: 4200, pow: 1.7, gap: 12},
	"ecosystem.business.cost_of_living":    {leaders: []string{"深圳", "上海", "北京", "厦门", "广州", "杭州"}, sub: orderTotal, lo: 6, hi: 39.6, pow: 1.4, gap: 5},
	"ecosystem.infrastructure.financial":   {leaders: []string{"北京", "上海", "重庆", "天津", "杭州"}, sub: orderEcosystem, lo: 300, hi: 4600, pow: 1.3, gap: 8},
	"ecosystem.infrastructure.information": {leaders: []string{"广州", "深圳", "西安", "杭州", "济南"}, sub: orderEcosystem, lo: 60, hi: 980, pow: 1.3, gap: 5},
	"ecosystem.research.university":        {leaders: []string{"北京", "上海", "西安", "广州", "成都", "武汉"}, sub: orderEcosystem, lo: 2, hi: 92, pow: 1.2, gap: 6},
	"ecosystem.research.institutes":        {leaders: []string{"北京", "上海", "杭州", "深圳", "广州", "西安", "成都"}, weak: []string{"武汉"}, sub: orderEcosystem, lo: 0, hi: 18, pow: 1.4, gap: 12},
	"ecosystem.research.talent_reserve":    {leaders: []string{"西安", "武汉", "广州", "南京", "成都", "长沙", "济南"}, weak: []string{"上海", "北京"}, sub: orderEcosystem, lo: 120, hi: 1210, pow: 1, gap: 6},
	"ecosystem.policy.spending":            {leaders: []string{"北京", "上海", "深圳", "广州", "杭州", "武汉"}, sub: orderEcosystem, lo: 3, hi: 420, pow: 1.6, gap: 10},
	"ecosystem.policy.support":             {leaders: []string{"上海", "北京", "武汉", "西安", "杭州"}, sub: orderEcosystem, lo: 2, hi: 260, pow: 1.5, gap: 8},
	"ecosystem.policy.attention":           {leaders: []string{"贵阳", "广州", "武汉", "西安", "杭州", "北京", "上海"}, sub: orderEcosystem, lo: 0, hi: 21, pow: 1.2, gap: 8},
	"ecosystem.regulation.regulators":      {leaders: []string{"北京", "上海", "深圳", "杭州", "广州"}, sub: orderEcosystem, lo: 3, hi: 28, pow: 1.3, gap: 8},
	"ecosystem.attention.baidu_heat":       {leaders: []string{"北京", "上海", "深圳", "广州", "杭州", "成都"}, sub: orderTotal, lo: 40, hi: 1450, pow: 1.5, gap: 9},
	// latent ecosystem helpers
	"city.salary": {leaders: []string{"上海", "北京", "杭州", "深圳", "南京"}, sub: orderIndustry, lo: 4300, hi: 9575.67, pow: 1, gap: 6},
}

// Figures published as numbers (FHI2017.md §5), reproduced exactly by the generators.
var (
	// average monthly fintech salary (yuan)
	publishedSalary = map[string]float64{"上海": 9575.67, "杭州": 7901.34}
	// average P2P loan size by borrower city (yuan)
	publishedLoanSize = map[string]float64{"成都": 168200, "武汉": 389000, "重庆": 197300, "杭州": 82800}
	// share of national P2P borrowing by borrower city (%); the others follow the online_borrowing target
	publishedLoanShare = map[string]float64{"杭州": 8.8, "上海": 5.7, "北京": 4.7}
	// deposit-free credit users
	publishedCreditUsers = map[string]int{"杭州": 589400, "广州": 430500, "北京": 969700, "深圳": 439700, "上海": 895100}
	// Shenzhen's Alipay + WeChat city services
	publishedServices = map[string]int{"深圳": 107}
)
