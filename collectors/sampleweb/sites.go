package sampleweb

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const listPageSize = 20

// listWindow is the shared pager of the HTML list sites.
func (h *handler) listWindow(r *http.Request, name string, total int) (n, start, end int, last bool, err error) {
	n, err = pageParam(r)
	if err != nil {
		return
	}
	var ok bool
	start, end, last, ok = window(n, listPageSize, total, h.shift(name))
	if !ok {
		err = errNotFound
	}
	return
}

func nextPage(n int, last bool) int {
	if last {
		return 0
	}
	return n + 1
}

// ---- P2P loans JSON API

type loanJSON struct {
	ID           string  `json:"id"`
	PlatformID   string  `json:"platform_id"`
	Platform     string  `json:"platform"`
	Amount       int64   `json:"amount"`
	Rate         float32 `json:"rate"`
	Term         int16   `json:"term_months"`
	BorrowerCity string  `json:"borrower_city"`
	Purpose      string  `json:"purpose"`
	Type         string  `json:"type"`
	Date         string  `json:"date"`
}

// sizeParam reads ?size= (default def, at most 100).
func sizeParam(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("size")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, statusError{http.StatusBadRequest}
	}
	return n, nil
}

func (h *handler) p2pLoans(r *http.Request) (*page, error) {
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	size, err := sizeParam(r, 50)
	if err != nil {
		return nil, err
	}
	ls := h.w.Loans
	start, end, _, ok := window(n, size, len(ls), h.shift("loans"))
	if !ok {
		return nil, errNotFound
	}
	out := struct {
		Page  int        `json:"page"`
		Size  int        `json:"size"`
		Loans []loanJSON `json:"loans"`
	}{Page: n, Size: size}
	mod := 0
	for i := start; i < end; i++ {
		l := &ls[i]
		mod = max(mod, int(l.Day))
		out.Loans = append(out.Loans, loanJSON{loanID(l), l.Platform.ID, l.Platform.Name, l.Amount, l.Rate, l.Term, l.City.Name,
			loanPurposes[l.Purpose], loanTypes[l.Type], dayDate(l.Date)})
	}
	return renderJSON(out, mod)
}

// ---- enterprise registry

var tplRegSearch = layout("regsearch", `{{define "title"}}企业查询 - {{.Q}}{{end}}<form action="/registry/search"><input name="q" value="{{.Q}}"><select name="industry"><option value="">全部行业</option>{{range .Industries}}<option value="{{.}}">{{.}}</option>{{end}}</select></form>
<p class="total">共找到 <span class="count">{{.Total}}</span> 家企业</p>
<table class="results"><tbody>
{{range .Rows}}<tr class="company"><td class="name"><a href="/registry/companies/{{.ID}}">{{.Name}}</a></td><td class="legal_rep">{{.LegalRep}}</td><td class="status">{{.Status}}</td><td class="city">{{.City.Name}}</td></tr>
{{end}}</tbody></table>
<div class="pager"><span class="current">{{.Page}}</span>{{if .Next}}<a class="next" href="/registry/search?q={{.Q}}&amp;industry={{.Industry}}&amp;page={{.Next}}">下一页</a>{{end}}</div>
<p><a href="/registry/export?q={{.Q}}">导出全部结果</a></p>`)

var tplRegCompany = layout("regcompany", `{{define "title"}}{{.C.Name}} - 工商信息{{end}}<div class="company" data-id="{{.C.ID}}"><h1 class="name">{{.C.Name}}</h1>
<table class="info">
<tr><th>统一社会信用代码</th><td class="credit_code">{{.C.CreditCode}}</td></tr>
<tr><th>法定代表人</th><td class="legal_rep">{{.C.LegalRep}}</td></tr>
<tr><th>注册资本</th><td class="capital">{{.Capital}}</td></tr>
<tr><th>成立日期</th><td class="founded">{{.Founded}}</td></tr>
<tr><th>登记状态</th><td class="status">{{.C.Status}}</td></tr>
<tr><th>所属行业</th><td class="industry">{{.Industry}}</td></tr>
<tr><th>注册地址</th><td class="address">{{.C.Address}}</td></tr>
<tr><th>品牌</th><td class="brands">{{.C.Brands}}</td></tr>
<tr><th>经营范围</th><td class="scope">{{.C.Scope}}</td></tr>
</table></div>`)

// industryLabel is the registry's industry label of each sector.
var industryLabel = map[string]string{sectorP2P: "网络借贷", sectorCrowdfunding: "互联网众筹", sectorPayment: "第三方支付", sectorCredit: "征信服务", sectorBlockchain: "区块链", sectorOther: "其他"}

func (h *handler) routesRegistry() {
	h.handle("GET /registry/{$}", func(r *http.Request) (*page, error) {
		return renderHTML(tplRegSearch, map[string]any{"Q": "", "Total": 0, "Page": 1, "Industries": sectors}, 0)
	})
	h.handle("GET /registry/search", h.regSearch)
	h.handle("GET /registry/companies/{id}", h.regCompany)
	h.handle("GET /registry/export", func(*http.Request) (*page, error) { return nil, statusError{http.StatusForbidden} })
}

func (h *handler) regSearch(r *http.Request) (*page, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	ind := r.URL.Query().Get("industry")
	var rows []*Company
	for _, c := range h.w.Companies {
		if ind != "" && c.Industry != ind {
			continue
		}
		if q != "" && !strings.Contains(c.Name, q) && !strings.Contains(c.Scope, q) {
			continue
		}
		rows = append(rows, c)
	}
	n, start, end, last, err := h.listWindow(r, "registry", len(rows))
	if err != nil {
		return nil, err
	}
	mod := 0
	for _, c := range rows[start:end] {
		mod = max(mod, c.Modified)
	}
	return renderHTML(tplRegSearch, map[string]any{"Q": q, "Industry": ind, "Total": len(rows), "Page": n, "Next": nextPage(n, last),
		"Rows": rows[start:end], "Industries": sectors}, mod)
}

func (h *handler) regCompany(r *http.Request) (*page, error) {
	c := h.w.compByID[r.PathValue("id")]
	if c == nil {
		return nil, errNotFound
	}
	capital := formatWan(c.Capital, false) + c.Currency
	return renderHTML(tplRegCompany, map[string]any{"C": c, "Capital": capital, "Founded": c.Founded.Format("2006-01-02"),
		"Industry": industryLabel[c.Industry]}, c.Modified)
}

// ---- recruitment: JSON API and GBK HTML site

type jobJSON struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Company   string `json:"company"`
	City      string `json:"city"`
	District  string `json:"district"`
	Salary    string `json:"salary"`
	Education string `json:"education"`
	Posted    string `json:"posted"`
}

// salaryK and salaryGBK print a posting's salary as each site does (the forms: gen_forms.go).
func salaryK(j *Job) string   { return j.SalaryText() }
func salaryGBK(j *Job) string { return j.SalaryText() }

func (h *handler) jobsOf(site, city string) []*Job {
	var out []*Job
	for _, j := range h.w.Jobs {
		if j.Site == site && (city == "" || j.City.Name == city || j.City.Code == city) {
			out = append(out, j)
		}
	}
	return out
}

var tplJobsGBK = layout("jobsgbk", `{{define "title"}}金融科技职位 - 第{{.Page}}页{{end}}<h1>职位搜索</h1>
<table class="joblist"><tbody>
{{range .Rows}}<tr class="job"><td class="title"><a href="/jobs-gbk/job/{{.ID}}.html">{{.Title}}</a></td><td class="company">{{.Company}}</td><td class="location">{{.Location}}</td><td class="salary">{{.Salary}}</td><td class="edu">{{.Edu}}</td><td class="date">{{.Date}}</td></tr>
{{end}}</tbody></table>
<div class="pager"><span class="current">{{.Page}}</span>{{if .Next}}<a class="next" href="/jobs-gbk/list?city={{.City}}&amp;page={{.Next}}">下一页</a>{{end}}</div>
<p><a href="/jobs-gbk/cgi-bin/apply">一键投递</a></p>`)

var tplJobGBK = layout("jobgbk", `{{define "title"}}{{.Title}}{{end}}<div class="job" data-id="{{.ID}}"><h1 class="title">{{.Title}}</h1>
<p class="company">{{.Company}}</p><p class="location">{{.Location}}</p><p class="salary">{{.Salary}}</p><p class="edu">{{.Edu}}</p><p class="date">{{.Date}}</p>
<div class="desc">岗位职责：负责公司金融科技业务相关工作。任职要求：{{.Edu}}及以上学历。</div></div>`)

type jobRow struct{ ID, Title, Company, Location, Salary, Edu, Date string }

func gbkRow(j *Job) jobRow {
	loc := j.City.Name
	if j.District != "" {
		loc += "-" + j.District
	}
	return jobRow{j.ID, j.Title, j.CompanyText(), loc, salaryGBK(j), j.Education, j.Posted.Format("2006-01-02")}
}

// gbkPage re-encodes a UTF-8 HTML page in GBK, as the old recruitment site serves it.
func gbkPage(p *page, err error) (*page, error) {
	if err != nil {
		return nil, err
	}
	body := bytes.Replace(p.body, []byte(`charset="utf-8"`), []byte(`charset="gbk"`), 1)
	enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("encoding GBK: %w", err)
	}
	p.body, p.ctype = enc, "text/html; charset=GBK"
	return p, nil
}

func (h *handler) routesJobs() {
	h.handle("GET /jobs-api/api/jobs", func(r *http.Request) (*page, error) {
		n, err := pageParam(r)
		if err != nil {
			return nil, err
		}
		size, err := sizeParam(r, 30)
		if err != nil {
			return nil, err
		}
		js := h.jobsOf("jobs-api", r.URL.Query().Get("city"))
		start, end, _, ok := window(n, size, len(js), h.shift("jobs-api"))
		if !ok {
			return nil, errNotFound
		}
		out := struct {
			Page int       `json:"page"`
			Size int       `json:"size"`
			Jobs []jobJSON `json:"jobs"`
		}{Page: n, Size: size, Jobs: []jobJSON{}}
		mod := 0
		for _, j := range js[start:end] {
			mod = max(mod, j.Day)
			out.Jobs = append(out.Jobs, jobJSON{j.ID, j.Title, j.CompanyText(), j.City.Name, j.District, salaryK(j), j.Education, j.Posted.Format("2006-01-02")})
		}
		return renderJSON(out, mod)
	})
	h.handle("GET /jobs-gbk/list", func(r *http.Request) (*page, error) {
		city := r.URL.Query().Get("city")
		js := h.jobsOf("jobs-gbk", city)
		n, start, end, last, err := h.listWindow(r, "jobs-gbk", len(js))
		if err != nil {
			return nil, err
		}
		var rows []jobRow
		mod := 0
		for _, j := range js[start:end] {
			rows = append(rows, gbkRow(j))
			mod = max(mod, j.Day)
		}
		return gbkPage(renderHTML(tplJobsGBK, map[string]any{"Page": n, "Next": nextPage(n, last), "City": city, "Rows": rows}, mod))
	})
	h.handle("GET /jobs-gbk/job/{file}", func(r *http.Request) (*page, error) {
		id := strings.TrimSuffix(r.PathValue("file"), ".html")
		i, err := strconv.Atoi(strings.TrimPrefix(id, "j"))
		if err != nil || i < 1 || i > len(h.w.Jobs) || h.w.Jobs[i-1].Site != "jobs-gbk" {
			return nil, errNotFound
		}
		j := h.w.Jobs[i-1]
		return gbkPage(renderHTML(tplJobGBK, gbkRow(j), j.Day))
	})
}

// ---- VC deals

var tplVCList = layout("vclist", `{{define "title"}}投资事件 - 第{{.Page}}页{{end}}<h1>金融科技投资事件</h1>
<ul class="deals">
{{range .Rows}}<li class="deal"><a class="company" href="/vc/deals/{{.ID}}">{{.CompanyText}}</a> <span class="round">{{.Round}}</span> <span class="date">{{vcdate .Date}}</span></li>
{{end}}</ul>
<div class="pager"><span class="current">{{.Page}}</span>{{if .Next}}<a class="next" href="/vc/deals?page={{.Next}}">下一页</a>{{end}}</div>
<p><a href="/vc/private/lp-reports">LP报告(会员)</a></p>
<script>window.__INITIAL_STATE__ = {{.State}};</script>`)

var tplVCDeal = layout("vcdeal", `{{define "title"}}{{.D.CompanyText}} {{.D.Round}}{{end}}<div class="deal" data-id="{{.D.ID}}">
<h1 class="company">{{.D.CompanyText}}</h1>
<dl>
<dt>产品</dt><dd class="product">{{.D.Firm.Name}}</dd>
<dt>轮次</dt><dd class="round">{{.D.Round}}</dd>
<dt>金额</dt><dd class="amount">{{.Amount}}</dd>
<dt>时间</dt><dd class="date">{{vcdate .D.Date}}</dd>
<dt>投资方</dt><dd class="investors">{{range $i, $x := .D.Investors}}{{if $i}}、{{end}}<span class="investor">{{$x}}</span>{{end}}</dd>
<dt>所在地</dt><dd class="location">{{.D.LocationText}}</dd>
<dt>行业</dt><dd class="industry">{{.Industry}}</dd>
</dl></div>`)

// dealAmount prints a deal amount as the list does (the forms: gen_forms.go).
func dealAmount(d *Deal) string { return d.AmountText() }

func (h *handler) routesVC() {
	h.handle("GET /vc/deals", func(r *http.Request) (*page, error) {
		n, err := pageParam(r)
		if err != nil {
			return nil, err
		}
		sh := h.shift("vc")
		start, end, last, ok := window(n, listPageSize, len(h.w.Deals), sh)
		if !ok {
			return nil, errNotFound
		}
		mod := 0
		for _, d := range h.w.Deals[start:end] {
			mod = max(mod, d.Day)
		}
		pages := max(1, (len(h.w.Deals)+sh+listPageSize-1)/listPageSize)
		return renderHTML(tplVCList, map[string]any{"Page": n, "Next": nextPage(n, last), "Rows": h.w.Deals[start:end],
			"State": template.JS(h.vcState(h.w.Deals[start:end], n, pages))}, mod)
	})
	// The deal pages moved to /vc/deal/{id}.html; the old URLs, which lists and links still
	// use, answer 301.
	h.mux.HandleFunc("GET /vc/deals/{id}", func(rw http.ResponseWriter, r *http.Request) {
		if _, err := h.vcDeal(r.PathValue("id")); err != nil {
			http.NotFound(rw, r)
			return
		}
		http.Redirect(rw, r, "/vc/deal/"+r.PathValue("id")+".html", http.StatusMovedPermanently)
	})
	h.handle("GET /vc/private/", func(*http.Request) (*page, error) { return nil, statusError{http.StatusForbidden} })
}

func (h *handler) vcDeal(id string) (*page, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(id, "d"))
	if err != nil || i < 1 || i > len(h.w.Deals) || !strings.HasPrefix(id, "d") {
		return nil, errNotFound
	}
	d := h.w.Deals[i-1]
	return renderHTML(tplVCDeal, map[string]any{"D": d, "Amount": dealAmount(d), "Industry": d.IndustryText()}, d.Day)
}

// ---- crowdfunding

var tplCFPlatforms = layout("cfplat", `{{define "title"}}众筹平台{{end}}<table class="cf-platforms"><thead><tr><th>平台</th><th>城市</th><th>状态</th><th>累计筹资(万元)</th></tr></thead><tbody>
{{range .}}<tr class="cf-platform" data-id="{{.ID}}"><td class="name">{{.Name}}</td><td class="city">{{.CityText}}</td><td class="status">{{.StatusText}}</td><td class="raised">{{vol .Volume}}</td></tr>
{{end}}</tbody></table>`)

var tplCFProjects = layout("cfproj", `{{define "title"}}众筹项目 - 第{{.Page}}页{{end}}<table class="projects"><tbody>
{{range .Rows}}<tr class="project" data-id="{{.ID}}"><td class="title">{{.Title}}</td><td class="platform" data-id="{{.PlatformID}}">{{.Platform}}</td><td class="category">{{.Category}}</td><td class="city">{{.City}}</td><td class="target">{{.Target}}</td><td class="raised">{{.Raised}}</td><td class="backers">{{.Backers}}</td><td class="date">{{.Date}}</td></tr>
{{end}}</tbody></table>
<div class="pager"><span class="current">{{.Page}}</span>{{if .Next}}<a class="next" href="/crowdfunding/projects?page={{.Next}}">下一页</a>{{end}}</div>`)

func (h *handler) routesCrowdfunding() {
	h.handle("GET /crowdfunding/platforms", func(r *http.Request) (*page, error) {
		fs := h.w.bySector[sectorCrowdfunding]
		mod := 0
		for _, f := range fs {
			mod = max(mod, f.Modified)
		}
		return renderHTML(tplCFPlatforms, fs, mod)
	})
	h.handle("GET /crowdfunding/projects", func(r *http.Request) (*page, error) {
		ps := h.w.Projects
		n, start, end, last, err := h.listWindow(r, "crowdfunding", len(ps))
		if err != nil {
			return nil, err
		}
		type row struct{ ID, Title, PlatformID, Platform, Category, City, Target, Raised, Backers, Date string }
		var rows []row
		mod := 0
		for i := start; i < end; i++ {
			p := &ps[i]
			mod = max(mod, int(p.Day))
			target := strconv.FormatFloat(p.Target, 'f', -1, 64) + "万元"
			rows = append(rows, row{projectID(p), p.Title, p.Platform.ID, p.Platform.Name, cfCategories[p.Category], p.City.Name,
				target, strconv.FormatFloat(p.Raised, 'f', 2, 64) + "万元", strconv.Itoa(int(p.Backers)), dayDate(p.Date)})
		}
		return renderHTML(tplCFProjects, map[string]any{"Page": n, "Next": nextPage(n, last), "Rows": rows}, mod)
	})
}

// ---- licensee lists

var tplLicensees = layout("lic", `{{define "title"}}{{.Title}}{{end}}<h1>{{.Title}}</h1>
<table class="licensees"><thead><tr><th>编号</th><th>机构名称</th><th>品牌</th><th>所在地</th><th>注册资本</th><th>状态</th><th>{{.VolumeHead}}</th></tr></thead><tbody>
{{range .Rows}}<tr class="licensee" data-id="{{.ID}}"><td class="licence">{{.Licence}}</td><td class="company">{{.Company.Name}}</td><td class="brand">{{.Name}}</td><td class="city">{{.CityText}}</td><td class="capital">{{cap .Company}}</td><td class="status">{{.StatusText}}</td><td class="volume">{{vol .Volume}}</td></tr>
{{end}}</tbody></table>`)

var licenseeTitles = map[string][2]string{
	sectorPayment:    {"非银行支付机构许可名单", "2016年交易规模(亿元)"},
	sectorCredit:     {"企业征信机构备案名单", "2016年查询量(万次)"},
	sectorBlockchain: {"区块链信息服务备案清单", "2016年营业收入(万元)"},
}

func (h *handler) routesLicensees() {
	for _, s := range []string{sectorPayment, sectorCredit, sectorBlockchain} {
		h.handle("GET /licensees/"+s, func(r *http.Request) (*page, error) {
			fs := h.w.bySector[s]
			mod := 0
			for _, f := range fs {
				mod = max(mod, f.Modified)
			}
			t := licenseeTitles[s]
			return renderHTML(tplLicensees, map[string]any{"Title": t[0], "VolumeHead": t[1], "Rows": fs}, mod)
		})
	}
}

// ---- city data

var tplBulletin = layout("bulletin", `{{define "title"}}{{.C.Name}}市统计公报{{end}}<h1>{{.C.Name}}市2016年国民经济和社会发展统计公报(摘要)</h1>
<table class="stats"><tbody>
<tr><th>地区生产总值(亿元)</th><td class="gdp">{{.S.GDP2016}}</td></tr>
<tr><th>年末常住人口(万人)</th><td class="population">{{.S.Population}}</td></tr>
<tr><th>金融业增加值(亿元)</th><td class="finance_va">{{.S.FinanceVA}}</td></tr>
<tr><th>信息传输、软件和信息技术服务业增加值(亿元)</th><td class="tech_va">{{.S.TechVA}}</td></tr>
<tr><th>房价收入比</th><td class="price_to_income">{{.S.PriceToIncome}}</td></tr>
<tr><th>银行业金融机构营业网点(个)</th><td class="bank_outlets">{{.S.BankOutlets}}</td></tr>
<tr><th>互联网宽带接入用户(万户)</th><td class="broadband">{{.S.Broadband}}</td></tr>
<tr><th>普通高等学校(所)</th><td class="universities">{{.S.Universities}}</td></tr>
<tr><th>金融科技研究机构(个)</th><td class="institutes">{{.S.Institutes}}</td></tr>
<tr><th>普通高校在校学生(万人)</th><td class="students">{{.S.Students}}</td></tr>
<tr><th>科学技术支出(亿元)</th><td class="st_spending">{{.S.STSpending}}</td></tr>
<tr><th>国家级科技企业孵化器面积(万平方米)</th><td class="incubator_area">{{.S.IncubatorArea}}</td></tr>
</tbody></table>`)

var tplReport = layout("report", `{{define "title"}}{{.Name}}市政府工作报告{{end}}<div class="report">{{range .Paras}}<p>{{.}}</p>
{{end}}</div>`)

var tplServices = layout("services", `{{define "title"}}{{.C.Name}}城市服务{{end}}<ul class="services">
{{range .Rows}}<li class="service"><span class="channel">{{.Channel}}</span> <span class="name">{{.Name}}</span> <span class="category">{{.Category}}</span></li>
{{end}}</ul>`)

var tplRegulators = layout("regulators", `{{define "title"}}{{.C.Name}}金融监管机构{{end}}<ul class="regulators">
{{range .C.Stats.Regulators}}<li class="regulator">{{.}}</li>
{{end}}</ul>`)

var tplCredit = layout("credit", `{{define "title"}}免押金信用服务用户{{end}}<table class="credit-users"><thead><tr><th>城市</th><th>用户数</th><th>覆盖人口(万人)</th></tr></thead><tbody>
{{range .}}<tr class="city" data-code="{{.Code}}"><td class="name">{{.Name}}</td><td class="users">{{.Stats.CreditUsers}}</td><td class="covered">{{.Stats.CoveredPop}}</td></tr>
{{end}}</tbody></table>`)

var tplCityIndex = layout("cityindex", `{{define "title"}}城市数据{{end}}<ul class="cities">
{{range .}}<li class="city" data-code="{{.Code}}">{{.Name}}: <a href="/city/{{.Code}}/bulletin">统计公报</a> <a href="/city/{{.Code}}/report">政府工作报告</a> <a href="/city/{{.Code}}/services">城市服务</a> <a href="/city/{{.Code}}/regulators">监管机构</a> <a href="/city/{{.Code}}/baidu.jsonp?callback=jQuery17209_{{.Code}}">百度指数</a></li>
{{end}}</ul><p><a href="/city/credit-users">免押金信用用户</a> · <a href="/city/survey.xlsx">问卷数据</a></p>`)

func (h *handler) cityByCode(r *http.Request) (*City, error) {
	code := r.PathValue("code")
	for _, c := range h.w.SampleCities() {
		if c.Code == code {
			return c, nil
		}
	}
	return nil, errNotFound
}

func (h *handler) routesCity() {
	h.handle("GET /city/{$}", func(r *http.Request) (*page, error) { return renderHTML(tplCityIndex, h.w.SampleCities(), 0) })
	h.handle("GET /city/credit-users", func(r *http.Request) (*page, error) { return renderHTML(tplCredit, h.w.SampleCities(), 0) })
	h.handle("GET /city/{code}/bulletin", func(r *http.Request) (*page, error) {
		c, err := h.cityByCode(r)
		if err != nil {
			return nil, err
		}
		return renderHTML(tplBulletin, map[string]any{"C": c, "S": c.Stats}, 0)
	})
	h.handle("GET /city/{code}/report", func(r *http.Request) (*page, error) {
		c, err := h.cityByCode(r)
		if err != nil {
			return nil, err
		}
		return renderHTML(tplReport, map[string]any{"Name": c.Name, "Paras": strings.Split(strings.TrimSpace(c.Stats.WorkReport), "\n")}, 0)
	})
	h.handle("GET /city/{code}/services", func(r *http.Request) (*page, error) {
		c, err := h.cityByCode(r)
		if err != nil {
			return nil, err
		}
		var rows []CityService
		for _, s := range h.w.Services {
			if s.City == c {
				rows = append(rows, s)
			}
		}
		return renderHTML(tplServices, map[string]any{"C": c, "Rows": rows}, 0)
	})
	h.handle("GET /city/{code}/regulators", func(r *http.Request) (*page, error) {
		c, err := h.cityByCode(r)
		if err != nil {
			return nil, err
		}
		return renderHTML(tplRegulators, map[string]any{"C": c}, 0)
	})
	h.handle("GET /city/{code}/baidu.json", h.baiduJSON)
	h.handle("GET /city/survey.xlsx", h.surveyXLSX)
}

// baiduJSON is a city's weekly Baidu index of the three keywords.
func (h *handler) baiduJSON(r *http.Request) (*page, error) {
	{
		c, err := h.cityByCode(r)
		if err != nil {
			return nil, err
		}
		type week struct {
			Week   string         `json:"week"`
			Values map[string]int `json:"values"`
		}
		out := struct {
			City  string `json:"city"`
			Weeks []week `json:"weeks"`
		}{City: c.Name}
		start := ymd(2017, 1, 2)
		for i := range c.Stats.BaiduHeat[0] {
			v := map[string]int{}
			for k, kw := range []string{"金融科技", "互联网金融", "Fintech"} {
				v[kw] = c.Stats.BaiduHeat[k][i]
			}
			out.Weeks = append(out.Weeks, week{start.AddDate(0, 0, 7*i).Format("2006-01-02"), v})
		}
		return renderJSON(out, 0)
	}
}

var familiarityLabels = []string{"", "非常不了解", "不太了解", "一般", "比较了解", "非常了解"}

// surveyXLSX renders the questionnaire as an XLSX workbook, built once per handler.
func (h *handler) surveyXLSX(r *http.Request) (*page, error) {
	h.xlsxOnce.Do(func() {
		f := excelize.NewFile()
		defer f.Close()
		sheet := "问卷"
		f.SetSheetName("Sheet1", sheet)
		f.SetSheetRow(sheet, "A1", &[]any{"编号", "城市", "年龄段", "职业", "是否使用网贷", "区块链了解程度", "了解程度(分)"})
		for i, s := range h.w.Survey {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			uses := "否"
			if s.UsesP2P {
				uses = "是"
			}
			f.SetSheetRow(sheet, cell, &[]any{s.ID, s.City.Name, s.Age, s.Occupation, uses, familiarityLabels[s.Familiarity], s.Familiarity})
		}
		// fixed document properties keep the bytes deterministic
		f.SetDocProps(&excelize.DocProperties{Creator: "sampleweb", Created: baseDate.Format(time.RFC3339), Modified: baseDate.Format(time.RFC3339)})
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			h.xlsxErr = err
			return
		}
		h.xlsx = buf.Bytes()
	})
	if h.xlsxErr != nil {
		return nil, h.xlsxErr
	}
	return &page{body: h.xlsx, ctype: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, nil
}
