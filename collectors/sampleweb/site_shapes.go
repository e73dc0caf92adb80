package sampleweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// The shapes of real sites that carry their data outside the HTML markup: a POST AJAX list that
// checks its Referer (拉勾's positionAjax.json), a GBK search page whose results sit in
// window.__SEARCH_RESULT__ (前程无忧), a deal list in window.__INITIAL_STATE__ whose deal pages
// moved (IT桔子), a JSONP endpoint (百度指数), and promoted list entries whose links redirect off
// the site, in a loop, or into a robots-disallowed path.

// BadRedirects are the p2p list's promoted links that a crawl must refuse, each a failure of its
// URL: off the host, a redirect loop, and a robots-disallowed target.
var BadRedirects = []string{"/p2p/go/ad1", "/p2p/go/ad2", "/p2p/go/ad3"}

func (h *handler) routesShapes() {
	h.handle("POST /jobs-api/jobs/positionAjax.json", h.positionAjax)
	h.handle("GET /jobs-api/jobs/{list}", func(r *http.Request) (*page, error) {
		kd, ok := strings.CutPrefix(r.PathValue("list"), "list_")
		if !ok {
			return nil, errNotFound
		}
		return renderHTML(tplJobsShell, kd, 0)
	})
	h.handle("GET /jobs-gbk/search/{file}", h.gbkSearch)
	h.handle("GET /vc/deal/{file}", func(r *http.Request) (*page, error) {
		id, ok := strings.CutSuffix(r.PathValue("file"), ".html")
		if !ok {
			return nil, errNotFound
		}
		return h.vcDeal(id)
	})
	h.handle("GET /city/{code}/baidu.jsonp", func(r *http.Request) (*page, error) {
		p, err := h.baiduJSON(r)
		if err != nil {
			return nil, err
		}
		cb := r.URL.Query().Get("callback")
		if cb == "" || !jsIdent(cb) {
			cb = "jsonpCallback"
		}
		p.body = append(append([]byte(cb+"("), bytes.TrimSpace(p.body)...), ");\n"...)
		p.ctype = "application/javascript; charset=utf-8"
		return p, nil
	})
	h.mux.HandleFunc("GET /p2p/go/{ad}", func(rw http.ResponseWriter, r *http.Request) {
		switch r.PathValue("ad") {
		case "ad1": // the platform's own site: another host
			http.Redirect(rw, r, "https://www.p2p-promoted.example/?from=sampleweb", http.StatusFound)
		case "ad2": // a tracking redirect that sends the crawler round in a circle
			if r.URL.Query().Get("r") == "" {
				http.Redirect(rw, r, "/p2p/go/ad2?r=1", http.StatusMovedPermanently)
			} else {
				http.Redirect(rw, r, "/p2p/go/ad2", http.StatusMovedPermanently)
			}
		case "ad3": // into a path robots.txt disallows
			http.Redirect(rw, r, "/p2p/admin/promoted", http.StatusFound)
		default:
			http.NotFound(rw, r)
		}
	})
}

func jsIdent(s string) bool {
	for i, c := range s {
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' || i > 0 && c == '.') {
			return false
		}
	}
	return s != ""
}

var tplJobsShell = layout("jobsshell", `{{define "title"}}{{.}}招聘{{end}}<div id="s_position_list" data-kd="{{.}}"><p>职位加载中…</p></div>`)

type positionJSON struct {
	PositionID      string `json:"positionId"`
	PositionName    string `json:"positionName"`
	CompanyFullName string `json:"companyFullName"`
	City            string `json:"city"`
	District        string `json:"district"`
	Salary          string `json:"salary"`
	Education       string `json:"education"`
	CreateTime      string `json:"createTime"`
}

// positionAjax is the AJAX list: POST form first, kd, start (an offset) and size (≤ 100); it
// answers 200 with a refusal unless the request comes from the site's list page (its Referer).
func (h *handler) positionAjax(r *http.Request) (*page, error) {
	if !strings.Contains(r.Referer(), r.Host+"/jobs-api/jobs/list") {
		return renderJSON(map[string]any{"success": false, "msg": "您操作太频繁,请稍后再访问", "clientIp": "127.0.0.1", "state": 2402}, 0)
	}
	if err := r.ParseForm(); err != nil {
		return nil, statusError{http.StatusBadRequest}
	}
	start, err := strconv.Atoi(r.PostForm.Get("start"))
	if err != nil || start < 0 {
		start = 0
	}
	size, err := strconv.Atoi(r.PostForm.Get("size"))
	if err != nil || size < 1 {
		size = 15
	}
	if size > 100 {
		return nil, statusError{http.StatusBadRequest}
	}
	js := h.jobsOf("jobs-api", r.URL.Query().Get("city"))
	lo, hi := start, start+size
	if sh := h.shift("jobs-ajax"); start > 0 {
		lo, hi = start-sh, start+size-sh
	}
	if start+size >= len(js) {
		hi = len(js)
	}
	lo, hi = min(max(lo, 0), len(js)), min(max(hi, 0), len(js))
	result := []positionJSON{}
	mod := 0
	for _, j := range js[lo:max(lo, hi)] {
		mod = max(mod, j.Day)
		result = append(result, positionJSON{j.ID, j.Title, j.CompanyText(), j.City.Name, j.District, salaryK(j), j.Education, j.Posted.Format("2006-01-02")})
	}
	out := map[string]any{"success": true, "code": 0, "content": map[string]any{
		"pageNo": start/size + 1, "pageSize": size,
		"positionResult": map[string]any{"totalCount": len(js), "resultSize": len(result), "result": result},
	}}
	return renderJSON(out, mod)
}

// gbkSearch is the search page /jobs-gbk/search/{n}.html: GBK, declared only by a <meta> that
// comes after a long head, results in window.__SEARCH_RESULT__ with escaped slashes.
func (h *handler) gbkSearch(r *http.Request) (*page, error) {
	num, ok := strings.CutSuffix(r.PathValue("file"), ".html")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		return nil, errNotFound
	}
	js := h.jobsOf("jobs-gbk", "")
	sh := h.shift("jobs-gbk-search")
	start, end, _, ok := window(n, listPageSize, len(js), sh)
	if !ok {
		return nil, errNotFound
	}
	type result struct {
		JobID         string   `json:"jobid"`
		JobHref       string   `json:"job_href"`
		JobName       string   `json:"job_name"`
		CompanyName   string   `json:"company_name"`
		Salary        string   `json:"providesalary_text"`
		WorkareaText  string   `json:"workarea_text"`
		IssueDate     string   `json:"issuedate"`
		AttributeText []string `json:"attribute_text"`
		CompanyType   string   `json:"companytype_text"`
	}
	var rows []result
	mod := 0
	for _, j := range js[start:end] {
		mod = max(mod, j.Day)
		row := gbkRow(j)
		rows = append(rows, result{j.ID, "http://" + r.Host + "/jobs-gbk/job/" + j.ID + ".html", row.Title, row.Company, row.Salary, row.Location,
			row.Date + " 09:30:00", []string{row.Location, "1-3年经验", row.Edu, "招1人"}, "民营公司"})
	}
	pages := max(1, (len(js)+sh+listPageSize-1)/listPageSize) // items inserted at the head push the tail on
	data, err := json.Marshal(map[string]any{"top_ads": []any{}, "engine_search_result": rows, "jobid_count": strconv.Itoa(len(js)),
		"curr_page": strconv.Itoa(n), "total_page": strconv.Itoa(pages), "searched_condition": "金融(全文)"})
	if err != nil {
		return nil, err
	}
	state := strings.ReplaceAll(string(data), "/", `\/`)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head>\n<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n<title>金融招聘,第" + num + "页</title>\n")
	b.WriteString("<script type=\"text/javascript\">\nvar _hmt = _hmt || [];\n")
	for i := range 40 { // analytics boilerplate: the <meta> below comes after the first 1024 bytes
		fmt.Fprintf(&b, "_hmt.push(['_trackEvent', 'search', 'slot%d']);\n", i)
	}
	b.WriteString("</script>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">\n</head><body>\n")
	b.WriteString("<div class=\"j_joblist\"></div>\n<script type=\"text/javascript\">\nwindow.__SEARCH_RESULT__ = " + state + "\n</script>\n")
	b.WriteString("<p><a href=\"/jobs-gbk/cgi-bin/apply\">" + html.EscapeString("一键投递") + "</a></p></body></html>\n")
	p, err := gbkPage(&page{body: []byte(b.String()), mod: mod, html: true}, nil)
	if err != nil {
		return nil, err
	}
	p.ctype = "text/html" // the charset is only in the page's <meta>
	return p, nil
}

// vcState is the deal list page's window.__INITIAL_STATE__ (what the page's JavaScript renders).
func (h *handler) vcState(rows []*Deal, n, pages int) string {
	type deal struct {
		ID      string `json:"id"`
		Company string `json:"com_name"`
		Round   string `json:"round"`
		Date    string `json:"date"`
	}
	var ds []deal
	for _, d := range rows {
		ds = append(ds, deal{d.ID, d.CompanyText(), d.Round, fmt.Sprintf("%d.%d.%d", d.Date.Year(), d.Date.Month(), d.Date.Day())})
	}
	b, _ := json.Marshal(map[string]any{"user": nil, "deals": map[string]any{"page": n, "totalPage": pages, "list": ds}})
	return strings.ReplaceAll(string(b), "</", `<\/`) // a name cannot end the script element
}
