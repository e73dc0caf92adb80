package sampleweb

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var (
	nameHeads = []string{"钱", "金", "融", "汇", "信", "宝", "贷", "通", "盈", "鑫", "聚", "财", "利", "银", "丰", "安", "诚", "惠", "易", "优",
		"众", "投", "e", "微", "点", "小", "快", "乐", "合", "民", "泰", "恒", "华", "中", "宏", "富", "瑞", "德", "和", "天",
		"星", "云", "链", "智", "数", "久", "嘉", "元", "禾", "沃"}
	nameTails = []string{"贷", "金融", "财富", "网", "在线", "宝", "金服", "理财", "e贷", "资本", "普惠", "钱包", "投资", "借", "融通", "金控"}
	cfTails   = []string{"众筹", "众筹网", "筹", "众投", "股权众筹", "梦工场"}
	payTails  = []string{"支付", "付", "钱包", "支付科技", "通支付", "收付"}
	credTails = []string{"征信", "信用", "数据", "风控", "大数据", "信评"}
	bcTails   = []string{"链", "区块链", "链科技", "数字", "链通", "分布式账本"}
	otherInd  = []string{"餐饮", "贸易", "建材", "物流", "文化传媒", "教育咨询", "服装", "软件", "医疗器械", "农业", "汽车服务", "房地产经纪"}

	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"}
	givenChars = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "文", "辉", "鹏", "华", "飞", "玲", "斌", "宇"}
	roadStems  = []string{"文三", "中山", "人民", "解放", "建设", "和平", "长江", "黄河", "科技", "创业", "学院", "新华", "复兴", "光明", "朝阳", "滨江", "世纪", "金融", "高新", "东方"}
	roadKinds  = []string{"路", "大道", "街", "路", "东路", "西路", "南路", "北路"}

	// hostileNames are strings that break naive HTML, CSV, SQL or terminal handling.
	hostileNames = []string{
		`<script>alert("xss")</script>金融`, `"引号"财富`, `'; DROP TABLE platforms;--`, `A&B 金服 &amp; 贷`,
		"  前后空格贷  ", "零\u200b宽\u200d字符网", "😀表情贷", `反斜杠\n贷`, "逗号,分号;贷", `<img src=x onerror=alert(1)>宝`,
		"=SUM(A1:A9)理财", strings.Repeat("很长的平台名称", 12),
	}
)

// uniqueName draws names from gen until one is unused, then records it in used.
func uniqueName(r *rand.Rand, used map[string]bool, gen func() string) string {
	for i := 0; ; i++ {
		n := gen()
		if i > 20 {
			n = fmt.Sprintf("%s%d", n, i)
		}
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func brandName(r *rand.Rand, tails []string) string {
	n := pick(r, nameHeads) + pick(r, nameHeads)
	if r.IntN(4) == 0 {
		n += pick(r, nameHeads)
	}
	return n + pick(r, tails)
}

func personName(r *rand.Rand) string {
	n := pick(r, surnames) + pick(r, givenChars)
	if r.IntN(3) > 0 {
		n += pick(r, givenChars)
	}
	return n
}

// companyName turns a brand into a registered company name, e.g. 杭州钱汇网络科技有限公司.
func companyName(r *rand.Rand, brand, city, kind string) string {
	brand = strings.TrimSpace(brand)
	var suffix string
	switch kind {
	case sectorP2P:
		suffix = pick(r, []string{"网络科技有限公司", "互联网金融信息服务有限公司", "金融信息服务有限公司", "投资管理有限公司"})
	case sectorCrowdfunding:
		suffix = pick(r, []string{"网络科技有限公司", "众筹科技有限公司", "互联网股权投资有限公司"})
	case sectorPayment:
		suffix = pick(r, []string{"支付有限公司", "电子支付有限公司", "支付科技有限公司"})
	case sectorCredit:
		suffix = pick(r, []string{"征信有限公司", "信用管理有限公司", "数据科技有限公司"})
	case sectorBlockchain:
		suffix = pick(r, []string{"区块链科技有限公司", "信息技术有限公司", "数字科技有限公司"})
	default:
		suffix = pick(r, []string{"有限公司", "有限责任公司", "股份有限公司"})
	}
	if r.IntN(5) == 0 {
		return brand + "(" + city + ")" + suffix
	}
	return city + brand + suffix
}

// address writes a registered address in one of the forms seen on the real sites: with or without
// 省 and 市, province without 省, or (municipalities) 北京市朝阳区….
func address(r *rand.Rand, c *City) string {
	district := ""
	if len(c.Districts) > 0 {
		district = pick(r, c.Districts)
	}
	street := fmt.Sprintf("%s%s%d号", pick(r, roadStems), pick(r, roadKinds), 1+r.IntN(999))
	if r.IntN(6) == 0 {
		street += fmt.Sprintf("%d室", 100*(1+r.IntN(30))+1+r.IntN(20))
	}
	prov := c.Province
	provShort := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(prov, "省"), "市"), "自治区")
	for _, s := range []string{"壮族", "回族", "维吾尔"} {
		provShort = strings.TrimSuffix(provShort, s)
	}
	if c.Kind == "municipality" {
		switch r.IntN(3) {
		case 0, 1:
			return c.Name + "市" + district + street
		default:
			return c.Name + district + street
		}
	}
	switch r.IntN(5) {
	case 0, 1:
		return prov + c.Name + "市" + district + street
	case 2:
		return c.Name + "市" + district + street
	case 3:
		return c.Name + district + street
	default:
		return provShort + c.Name + district + street
	}
}

// creditCode draws an 18-character 统一社会信用代码 with a valid GB 32100-2015 check character.
func creditCode(r *rand.Rand, cityCode string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	b := []byte("91" + cityCode + fmt.Sprintf("%02d", 1+r.IntN(20)))
	for len(b) < 17 {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, ch := range b {
		sum += strings.IndexByte(alphabet, ch) * weights[i]
	}
	check := (31 - sum%31) % 31
	return string(b) + string(alphabet[check])
}
