package sampleweb

import (
	"net/http"
)

const p2pPageSize = 20

var tplP2PList = layout("p2plist", `{{define "title"}}P2P网贷平台名录 - 第{{.Page}}页{{end}}<h1>P2P网贷平台名录</h1>
<table class="platforms"><tbody>
{{if eq .Page 1}}<tr class="platform promoted"><td class="name"><a href="/p2p/go/ad1">【推广】诚信金服</a></td><td class="city">--</td><td class="status">推广</td></tr>
<tr class="platform promoted"><td class="name"><a href="/p2p/go/ad2">【推广】稳盈宝</a></td><td class="city">--</td><td class="status">推广</td></tr>
<tr class="platform promoted"><td class="name"><a href="/p2p/go/ad3">【推广】平台入驻</a></td><td class="city">--</td><td class="status">推广</td></tr>
{{end}}{{range .Rows}}<tr class="platform"><td class="name"><a href="/p2p/platforms/{{.ID}}">{{.Name}}</a></td><td class="city">{{.City.Name}}</td><td class="status">{{.StatusText}}</td></tr>
{{end}}</tbody></table>
<div class="pager"><span class="current">{{.Page}}</span>{{if .Next}}<a class="next" href="/p2p/platforms?page={{.Next}}">下一页</a>{{end}}</div>
<p class="admin"><a href="/p2p/admin/audit">平台审核(内部)</a></p>`)

var tplP2PDetail = layout("p2pdetail", `{{define "title"}}{{.Name}} - 平台档案{{end}}<div class="platform" data-id="{{.ID}}"><h1 class="name">{{.Name}}</h1>
<table class="info">
<tr><th>所在地</th><td class="location">{{.Location}}</td></tr>
<tr><th>注册地址</th><td class="address">{{.Address}}</td></tr>
<tr><th>统一社会信用代码</th><td class="credit_code">{{.CreditCode}}</td></tr>
<tr><th>注册资本</th><td class="capital">{{.Capital}}</td></tr>
<tr><th>上线时间</th><td class="online">{{.Online}}</td></tr>
<tr><th>2016年成交额</th><td class="turnover">{{.Turnover}}</td></tr>
<tr><th>运营状态</th><td class="status">{{.Status}}</td></tr>
<tr><th>平台背景</th><td class="background">{{.Background}}</td></tr>
</table></div>
<p><a href="/p2p/platforms">返回名录</a> · <a href="/registry/companies/{{.CompanyID}}">工商信息</a> · <a href="/p2p/admin/edit?id={{.ID}}">编辑</a></p>`)

func (h *handler) routesP2P() {
	h.handle("GET /p2p/{$}", h.p2pHome)
	h.handle("GET /p2p/platforms", h.p2pList)
	h.handle("GET /p2p/platforms/{id}", h.p2pDetail)
	h.handle("GET /p2p/api/loans", h.p2pLoans)
	h.handle("GET /p2p/admin/", func(*http.Request) (*page, error) { return nil, statusError{http.StatusForbidden} })
}

var tplP2PHome = layout("p2phome", `{{define "title"}}网贷之家(模拟){{end}}<h1>网贷平台</h1><ul><li><a href="/p2p/platforms">平台名录</a></li><li><a href="/p2p/api/loans?page=1">借款项目 API</a></li><li><a href="/p2p/admin/">后台</a></li></ul>`)

func (h *handler) p2pHome(r *http.Request) (*page, error) { return renderHTML(tplP2PHome, nil, 0) }

func (h *handler) p2pList(r *http.Request) (*page, error) {
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	ps := h.w.bySector[sectorP2P] // ID order: generation appends in ID order
	start, end, last, ok := window(n, p2pPageSize, len(ps), h.shift("p2p"))
	if !ok {
		return nil, errNotFound
	}
	rows := ps[start:end]
	mod := 0
	for _, p := range rows {
		mod = max(mod, p.Modified)
	}
	next := 0
	if !last {
		next = n + 1
	}
	return renderHTML(tplP2PList, struct {
		Page, Next int
		Rows       []*Firm
	}{n, next, rows}, mod)
}

func (h *handler) p2pDetail(r *http.Request) (*page, error) {
	p := h.w.firmByID[r.PathValue("id")]
	if p == nil || p.Sector != sectorP2P {
		return nil, errNotFound
	}
	capital := "--"
	if p.CapitalOK {
		capital = formatCapital(p.Company, p.CapForm)
	}
	code := "--"
	if p.ShowsCreditCode() {
		code = p.Company.CreditCode
	}
	return renderHTML(tplP2PDetail, struct {
		ID, Name, Location, Address, CreditCode, Capital, Online, Turnover, Status, Background, CompanyID string
	}{p.ID, p.Name, p.Location(), p.AddrForm, code, capital, p.Online.Format("2006-01-02"), formatTurnover(p.Volume), p.StatusText(), p.Background, p.Company.ID}, p.Modified)
}
