package sampleweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lender site is one P2P platform's own site, shaped like 人人贷's: its loan list is an HTML
// shell whose data sit in a JavaScript string of escaped JSON (var listData = '{\u0022…'), and
// each loan's page — the only place the borrower's city is shown — lives on a second host, in
// var info = '…'. The loans are the platform's loans of the world (the aggregator's API lists
// them too).

const lenderPageSize = 50

// lenderBook is the platform the site belongs to and its loans in id order.
type lenderBook struct {
	platform *Firm
	loans    []*Loan
	byID     map[string]*Loan
}

// lenderLoans picks the platform whose loan count is nearest 1% of all loans — enough to page
// through, few enough to fetch every loan's page — and lists its loans.
func (w *World) lenderLoans() *lenderBook {
	count := map[*Firm]int{}
	for i := range w.Loans {
		count[w.Loans[i].Platform]++
	}
	target := len(w.Loans) / 100
	var best *Firm
	for _, p := range w.bySector[sectorP2P] { // ID order: the choice is deterministic
		if count[p] == 0 {
			continue
		}
		if best == nil || abs(count[p]-target) < abs(count[best]-target) {
			best = p
		}
	}
	b := &lenderBook{platform: best, byID: map[string]*Loan{}}
	for i := range w.Loans {
		if l := &w.Loans[i]; l.Platform == best {
			b.loans = append(b.loans, l)
			b.byID[loanID(l)] = l
		}
	}
	return b
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// LenderLoans is how many loans the lender site lists.
func (w *World) LenderLoans() int { return len(w.lenderLoans().loans) }

func (h *handler) book() *lenderBook {
	h.lenderOnce.Do(func() { h.lender = h.w.lenderLoans() })
	return h.lender
}

func (h *handler) routesLender() {
	h.handle("GET /lender/{$}", func(r *http.Request) (*page, error) {
		return renderHTML(tplLenderHome, h.book().platform, 0)
	})
	h.handle("GET /lender/loan/list", h.lenderList)
	h.handle("GET /loan/{id}", h.lenderLoan)
	h.handle("GET /lender/account/", func(*http.Request) (*page, error) { return nil, statusError{http.StatusForbidden} })
	h.handle("GET /loan/contract/", func(*http.Request) (*page, error) { return nil, statusError{http.StatusForbidden} })
}

var tplLenderHome = layout("lenderhome", `{{define "title"}}{{.Name}} - 散标投资{{end}}<h1>{{.Name}}</h1><p><a href="/lender/loan/list?page=1">散标列表</a> · <a href="/lender/account/">我的账户</a></p>`)

type lenderListItem struct {
	LoanID    string  `json:"loanId"`
	Title     string  `json:"title"`
	Amount    int64   `json:"amount"`
	Interest  float32 `json:"interest"`
	Months    int16   `json:"months"`
	DetailURL string  `json:"detailUrl"`
}

func (h *handler) lenderList(r *http.Request) (*page, error) {
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	b := h.book()
	sh := h.shift("lender")
	start, end, _, ok := window(n, lenderPageSize, len(b.loans), sh)
	if !ok {
		return nil, errNotFound
	}
	pages := max(1, (len(b.loans)+sh+lenderPageSize-1)/lenderPageSize)
	data := struct {
		Status int `json:"status"`
		Data   struct {
			TotalPage int              `json:"totalPage"`
			Page      int              `json:"page"`
			List      []lenderListItem `json:"list"`
		} `json:"data"`
	}{}
	data.Data.TotalPage, data.Data.Page = pages, n
	mod := 0
	for _, l := range b.loans[start:end] {
		mod = max(mod, int(l.Day))
		data.Data.List = append(data.Data.List, lenderListItem{loanID(l), loanPurposes[l.Purpose] + "借款", l.Amount, l.Rate, l.Term,
			h.lenderDetail + "/loan/" + loanID(l)})
	}
	js, err := jsStringOfJSON(data)
	if err != nil {
		return nil, err
	}
	body := fmt.Sprintf(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>散标列表 - 第%d页</title>
<script src="/lender/static/app.js"></script>
<script>
var pageInfo = {page: %d, totalPage: %d};
var listData = '%s';
</script></head>
<body><div id="loan-list"><p>加载中…</p></div><noscript>请启用 JavaScript</noscript>
<div class="footer"><a href="/lender/">首页</a></div></body></html>
`, n, n, pages, js)
	return &page{body: []byte(body), ctype: "text/html; charset=utf-8", mod: mod}, nil
}

func (h *handler) lenderLoan(r *http.Request) (*page, error) {
	l := h.book().byID[r.PathValue("id")]
	if l == nil {
		return nil, errNotFound
	}
	info := map[string]any{
		"loanId": loanID(l),
		"loan": map[string]any{"amount": l.Amount, "interest": l.Rate, "months": l.Term, "purpose": loanPurposes[l.Purpose],
			"type": loanTypes[l.Type], "publishDate": dayDate(l.Date)},
		"borrower": map[string]any{"city": l.City.Name, "nickName": "u" + strconv.Itoa(int(l.ID)*7919%100000)},
	}
	js, err := jsStringOfJSON(info)
	if err != nil {
		return nil, err
	}
	body := fmt.Sprintf(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>借款详情 %s</title>
<script src="/lender/static/app.js"></script>
<script>var info = '%s';</script></head>
<body><div id="loan-detail"></div><p><a href="/loan/contract/%s">借款协议</a></p></body></html>
`, loanID(l), js, loanID(l))
	return &page{body: []byte(body), ctype: "text/html; charset=utf-8", mod: int(l.Day)}, nil
}

// jsStringOfJSON renders v as JSON inside a single-quoted JavaScript string the way such sites
// do: slashes escaped (\/), quotes and every non-ASCII character as \uXXXX.
func jsStringOfJSON(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	text := strings.ReplaceAll(string(raw), "/", `\/`) // PHP's json_encode escapes slashes
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"' || r == '\'' || r == '<' || r == '>' || r == '&' || r >= utf8.RuneSelf:
			if r > 0xFFFF {
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}
