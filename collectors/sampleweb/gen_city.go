package sampleweb

import (
	"fmt"
	"math"
	"strings"
)

// CityService is one Alipay or WeChat city-service listing.
type CityService struct {
	City     *City
	Channel  string // 支付宝 or 微信
	Name     string
	Category string
}

var serviceNames = []string{"社保查询", "公积金查询", "交通违章", "水费缴纳", "电费缴纳", "燃气缴费", "医院挂号", "出入境预约", "个税查询", "公交卡充值",
	"路边停车", "不动产登记", "驾驶证业务", "婚姻登记预约", "结婚登记", "户籍业务", "图书馆借阅", "景区门票", "地铁乘车码", "民政查询",
	"法院诉讼", "交警罚款", "车辆年检", "有线电视", "宽带缴费", "学费缴纳", "天气预报", "空气质量", "旅游指南", "12345热线"}
var serviceCats = []string{"政务", "车主", "医疗", "生活缴费", "交通", "社保", "公安", "综合"}

// keywords are the government-attention keywords counted in work reports.
var keywords = [3]string{"互联网金融", "金融科技", "科技金融"}

// genCityData fills the city statistics, service listings, credit users, Baidu heat, regulators and
// work reports. City-level data do not scale.
func (w *World) genCityData() error {
	r := stream(w.opts.Seed, "city")
	tv := func(id, city string) float64 { return targets[id].value(city) }
	for _, c := range w.SampleCities() {
		s := &c.Stats
		n := c.Name
		s.Population = population2016[n]
		s.FinanceVA = math.Round(tv("ecosystem.business.finance_industry", n)*(0.97+0.06*r.Float64())*100) / 100
		s.TechVA = math.Round(tv("ecosystem.business.tech_industry", n)*(0.97+0.06*r.Float64())*100) / 100
		s.PriceToIncome = math.Round(tv("ecosystem.business.cost_of_living", n)*100) / 100
		s.BankOutlets = int(tv("ecosystem.infrastructure.financial", n))
		s.Broadband = math.Round(tv("ecosystem.infrastructure.information", n)*10) / 10
		s.Universities = int(math.Round(tv("ecosystem.research.university", n)))
		s.Institutes = int(math.Round(tv("ecosystem.research.institutes", n)))
		s.Students = math.Round(tv("ecosystem.research.talent_reserve", n)*s.Population/1e4*10) / 10 // per 10k residents → 万人
		s.STSpending = math.Round(tv("ecosystem.policy.spending", n)*100) / 100
		s.IncubatorArea = math.Round(tv("ecosystem.policy.support", n)*10) / 10
		// credit: published users exactly, covered population chosen so the published order holds
		covered := map[string]float64{"杭州": 901.2, "广州": 870, "北京": 2170, "深圳": 1150, "上海": 2420}
		if u, ok := publishedCreditUsers[n]; ok {
			s.CreditUsers, s.CoveredPop = u, covered[n]
		} else {
			s.CoveredPop = s.Population
			pen := 0.4 + 3.0*math.Pow(strength(orderExperience, n), 1.5) // % , below Shanghai's 3.70
			s.CreditUsers = int(math.Round(pen/100*s.Population*1e4/100) * 100)
		}
		for i := range int(math.Round(tv("ecosystem.regulation.regulators", n))) {
			s.Regulators = append(s.Regulators, regulatorName(c, i))
		}
		att := int(math.Round(tv("ecosystem.policy.attention", n)))
		s.ReportMentions = [3]int{(att + 1) / 2, att / 3, att - (att+1)/2 - att/3}
		s.WorkReport = workReport(c, s.ReportMentions, r.IntN(1000))
		heat := tv("ecosystem.attention.baidu_heat", n)
		for k, share := range []float64{0.35, 0.45, 0.20} {
			series := make([]int, 52)
			for wk := range series {
				series[wk] = int(math.Max(0, math.Round(heat*share*(1+0.015*float64(wk-26)/26+0.15*r.NormFloat64()))))
			}
			s.BaiduHeat[k] = series
		}
		nsv := int(math.Round(tv("experience.payment.online_payment", n)))
		if x, ok := publishedServices[n]; ok {
			nsv = x
		}
		for i := range nsv {
			ch := "支付宝"
			if i%2 == 1 {
				ch = "微信"
			}
			w.Services = append(w.Services, CityService{City: c, Channel: ch,
				Name: fmt.Sprintf("%s%s", serviceNames[(i/2)%len(serviceNames)], strings.Repeat("·", i/(2*len(serviceNames)))), Category: serviceCats[i%len(serviceCats)]})
		}
	}
	return nil
}

func regulatorName(c *City, i int) string {
	names := []string{"%s市地方金融监督管理局", "中国人民银行%s中心支行", "%s银监分局", "%s证监局", "%s保监局", "%s市互联网金融协会", "%s市金融稳定联席办", "%s市网络借贷行业协会", "%s市支付清算协会", "%s市股权众筹协会"}
	if i < len(names) {
		return fmt.Sprintf(names[i], c.Name)
	}
	return fmt.Sprintf("%s市金融服务联盟第%d分会", c.Name, i-len(names)+1)
}

// workReport writes a government work report that mentions each keyword exactly mentions[k] times.
func workReport(c *City, mentions [3]int, variant int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s市人民政府工作报告\n\n各位代表：\n\n现在，我代表市人民政府，向大会报告工作，请予审议。\n\n", c.Name)
	filler := []string{
		"过去一年，全市经济运行稳中有进，地区生产总值稳步增长，产业结构持续优化。",
		"我们坚持创新驱动发展，深化供给侧结构性改革，着力补齐民生短板。",
		"城乡居民收入稳步增长，生态环境持续改善，社会事业全面进步。",
		"加快建设现代化基础设施，推进轨道交通和城市更新，提升城市治理水平。",
		"深化“放管服”改革，优化营商环境，激发市场主体活力。",
	}
	sentences := []string{"大力发展%s，", "推动%s健康发展，", "建设%s创新示范区，", "完善%s监管体系，"}
	var parts []string
	for k, n := range mentions {
		for i := range n {
			parts = append(parts, fmt.Sprintf(sentences[(i+k+variant)%len(sentences)], keywords[k]))
		}
	}
	for i := 0; i < 12 || len(parts) > 0; i++ {
		b.WriteString(filler[(i+variant)%len(filler)])
		if len(parts) > 0 {
			b.WriteString(parts[0])
			b.WriteString("服务实体经济。")
			parts = parts[1:]
		}
		b.WriteString("\n")
	}
	b.WriteString("\n各位代表，新的一年，让我们紧密团结，砥砺奋进，为建设现代化城市而努力奋斗！\n")
	return b.String()
}
