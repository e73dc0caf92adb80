package spec

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAssignedJSON(t *testing.T) {
	tests := []struct {
		name, src, v, want string
	}{
		{"var object", `var x = {"a": 1};`, "x", `{"a": 1}`},
		{"window global", `window.__SEARCH_RESULT__ = {"list":[{"s":"1-2万\/月"}]}</script>`, "window.__SEARCH_RESULT__", `{"list":[{"s":"1-2万\/月"}]}`},
		{"let array", "let arr = [\n {\"id\": 1},\n {\"id\": 2}\n];", "arr", "[\n {\"id\": 1},\n {\"id\": 2}\n]"},
		{"escaped JSON in a single-quoted string", `var listData = '{\u0022loans\u0022:[{\u0022id\u0022:7,\u0022t\u0022:\u0022\u8f66\u8d37\u0022}]}';`, "listData",
			`{"loans":[{"id":7,"t":"车贷"}]}`},
		{"JSON.parse of a string", `var info = JSON.parse('{"city":"\u6210\u90fd","note":"it\'s"}');`, "info", `{"city":"成都","note":"it's"}`},
		{"JavaScript literal", `var cfg = {a: 'x', "b": [1, 2,], c: undefined, d: !0, // note
 e: 1e3,};`, "cfg", `{"a":"x","b":[1,2],"c":null,"d":true,"e":1e3}`},
		{"a comparison first, then the assignment", `if (x == 1) {}; x = [3]`, "x", `[3]`},
		{"a longer name is not the name", `var xs = [1]; var x = [2];`, "x", `[2]`},
		{"brackets inside strings", `var x = {"a": "}]{", 'b': '\''}`, "x", `{"a": "}]{", 'b': '\''}`},
		{"a number", `var total = 42;`, "total", `42`},
		{"surrogate pair", `var x = '"\ud83d\ude00"'`, "x", `"😀"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := assignedJSON(tt.src, assignment(tt.v), tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, string(got), tt.want) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	for _, src := range []string{`var y = 1`, `var x = {"a": `, `var x = 'unterminated`, `var x = function() {}`} {
		if _, err := assignedJSON(src, assignment("x"), "x"); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
}

// jsonEqual compares JSON texts by value; the wants of lenient literals are written as JSON.
func jsonEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("result is not JSON: %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		if lit, err2 := jsLiteralToJSON(want); err2 == nil {
			_ = json.Unmarshal(lit, &w)
		} else {
			t.Fatalf("want is not JSON: %s: %v", want, err)
		}
	}
	return cmp.Equal(g, w)
}

func TestUnwrapJSONP(t *testing.T) {
	for _, body := range []string{`jQuery1123({"a":[1]});`, `/**/ cb({"a":[1]})`, `typeof cb === 'function' && cb({"a":[1]});`, `window.cb ( {"a":[1]} )`} {
		got, ok := unwrapJSONP([]byte(body))
		if !ok || !jsonEqual(t, string(got), `{"a":[1]}`) {
			t.Errorf("%s: got %s %v", body, got, ok)
		}
	}
	if _, ok := unwrapJSONP([]byte(`<html>`)); ok {
		t.Error("HTML taken for JSONP")
	}
}

const scriptSpec = `
source: loans
start: ['loan/list?page=1']
allowed_hosts: ['*.loans.test']
pages:
  - name: list
    match: '^/loan/list$'
    format: json
    script: script
    var: listData
    paginate: {param: page, pages: totalPage}
    follow:
      - {select: 'data.list', url: '/loan/{loanId}', carry: {title: title, list_page: 'query:page'}}
    items:
      select: data.list
      key: '{loan_id}'
      fields: {loan_id: loanId, amount: amount, region: 'doc:region', page: 'query:page'}
  - name: loan
    match: '^/loan/[0-9]+$'
    format: json
    script: 'script:not([src])'
    var: info
    items:
      select: ''
      key: '{loan_id}'
      required: [loan_id, city]
      fields: {loan_id: loanId, city: borrower.city, title: 'parent:title', from_page: 'parent:list_page'}
`

func TestExtractScriptData(t *testing.T) {
	s, err := Parse("loans.yaml", []byte(scriptSpec))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://www.loans.test/loan/list?page=2")
	list := `<html><head><script src="/app.js"></script><script>
var totalPage = 9;
var listData = '{\u0022region\u0022:\u0022\u5168\u56fd\u0022,\u0022totalPage\u0022:3,\u0022data\u0022:{\u0022list\u0022:[{\u0022loanId\u0022:101,\u0022title\u0022:\u0022\u8f66\u8d37 1-2\u4e07\\/\u6708\u0022,\u0022amount\u0022:50000.00}]}}';
</script></head><body></body></html>`
	ex, err := s.PageFor("/loan/list").Extract(Input{URL: u, Body: []byte(list)})
	if err != nil || ex.Err() != nil {
		t.Fatal(err, ex.Err())
	}
	wantItems := []Item{{Key: "101", Fields: map[string]string{"loan_id": "101", "amount": "50000.00", "region": "全国", "page": "2"}}}
	if diff := cmp.Diff(wantItems, ex.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	wantLinks := []Link{{URL: "http://www.loans.test/loan/101", Carry: map[string]string{"title": "车贷 1-2万/月", "list_page": "2"}}}
	if diff := cmp.Diff(wantLinks, ex.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if ex.Paging.Pages != "3" {
		t.Errorf("paging %+v: want the pages of the data, not of another script variable", ex.Paging)
	}

	du, _ := url.Parse("http://detail.loans.test/loan/101")
	detail := `<script>var info = JSON.parse('{"loanId":101,"borrower":{"city":"\u6210\u90fd"}}');</script>`
	ex, err = s.PageFor("/loan/101").Extract(Input{URL: du, Body: []byte(detail), Parent: wantLinks[0].Carry})
	if err != nil || ex.Err() != nil {
		t.Fatal(err, ex.Err())
	}
	want := map[string]string{"loan_id": "101", "city": "成都", "title": "车贷 1-2万/月", "from_page": "2"}
	if len(ex.Items) != 1 || !cmp.Equal(ex.Items[0].Fields, want) {
		t.Errorf("detail items %+v, want %v", ex.Items, want)
	}
	ex, _ = s.PageFor("/loan/101").Extract(Input{URL: du, Body: []byte(`<script>var other = 1;</script>`)})
	if !errors.Is(ex.Err(), ErrLayout) || !strings.Contains(ex.Err().Error(), "no such assignment to info") {
		t.Errorf("page without the variable: %v", ex.Err())
	}
}

func TestExtractHTMLDocumentAndCase(t *testing.T) {
	s, err := Parse("jobs.yaml", []byte(`
source: jobs
start: [list]
pages:
  - name: list
    match: '^/list$'
    follow:
      - {select: 'li.job', link: 'a.title', carry: {city: 'doc:h2.city', salary: span.salary}}
    items:
      select: 'li.job[data-positionId]'
      key: '{id}'
      fields: {id: '@data-positionId', city: 'doc:h2.city', kd: 'query:kd', salary: span.salary}
`))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://jobs.test/list?kd=%E9%87%91%E8%9E%8D")
	body := `<html><head><base href="http://detail.jobs.test/"></head><body><h2 class="city">杭州</h2><ul>
<li class="job" data-positionId="P1"><a class="title" href="job/P1.html">x</a><span class="salary">15k-25k</span></li>
<li class="job" data-positionId="P2"><span class="salary">面议</span></li></ul></body></html>`
	ex, err := s.PageFor("/list").Extract(Input{URL: u, Body: []byte(body)})
	if err != nil || ex.Err() != nil {
		t.Fatal(err, ex.Err())
	}
	want := []Item{
		{Key: "P1", Fields: map[string]string{"id": "P1", "city": "杭州", "kd": "金融", "salary": "15k-25k"}},
		{Key: "P2", Fields: map[string]string{"id": "P2", "city": "杭州", "kd": "金融", "salary": "面议"}},
	}
	if diff := cmp.Diff(want, ex.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	wantLinks := []Link{{URL: "http://detail.jobs.test/job/P1.html", Carry: map[string]string{"city": "杭州", "salary": "15k-25k"}}}
	if diff := cmp.Diff(wantLinks, ex.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestURLFieldSeesMatchPath(t *testing.T) {
	s, err := Parse("c.yaml", []byte(`
source: c
start: ['/']
pages:
  - name: bulletin
    match: '^/([0-9]+)/bulletin$'
    items: {select: body, key: '{code}', fields: {code: 'url:^/([0-9]+)/bulletin$'}}
`))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://s.test/city/3301/bulletin")
	ex, _ := s.PageFor("/3301/bulletin").Extract(Input{URL: u, Path: "/3301/bulletin", Body: []byte(`<body>x</body>`)})
	if len(ex.Items) != 1 || ex.Items[0].Key != "3301" {
		t.Errorf("url: anchored like match: %+v %v", ex.Items, ex.Err())
	}
}

func TestRequestsAndPagination(t *testing.T) {
	s, err := Parse("ajax.yaml", []byte(`
source: ajax
start: ['jobs/positionAjax.json?city=all']
pages:
  - name: positions
    match: '^/jobs/positionAjax\.json$'
    format: json
    request:
      form: {first: 'false', kd: 金融, size: '60'}
      headers: {Referer: '{base}/jobs/list', X-Requested-With: XMLHttpRequest, Origin: '{origin}'}
    paginate: {param: start, in: form, start: 0, step: 60, total: content.totalCount}
    items: {select: content.result, key: '{id}', fields: {id: positionId}}
  - name: pathlist
    match: '^/list/[0-9]+\.html$'
    paginate: {param: '/list/([0-9]+)\.html$', in: path}
    items: {select: li, key: '{id}', fields: {id: '@id'}}
  - name: cursor
    match: '^/feed$'
    format: json
    request: {json: {limit: 20}}
    paginate: {param: after, in: json, cursor: paging.next}
    items: {select: data, key: '{id}', fields: {id: id}}
`))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://jobs.test/jobs-api")
	u, _ := url.Parse("http://jobs.test/jobs-api/jobs/positionAjax.json?city=all")
	p := s.PageFor("/jobs/positionAjax.json")
	r := p.NewRequest(u, base, "")
	if r.Method != "POST" || string(r.Body) != "first=false&kd=%E9%87%91%E8%9E%8D&size=60&start=0" || r.Counter != "0" {
		t.Errorf("first request %s %s (counter %s)", r.Method, r.Body, r.Counter)
	}
	if r.Header.Get("Referer") != "http://jobs.test/jobs-api/jobs/list" || r.Header.Get("Origin") != "http://jobs.test" ||
		r.Header.Get("X-Requested-With") != "XMLHttpRequest" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Errorf("headers %v", r.Header)
	}
	steps := []struct {
		counter string
		items   int
		total   string
		next    string
		ok      bool
	}{
		{"0", 60, "130", "60", true},
		{"60", 60, "130", "120", true},
		{"120", 10, "130", "", false}, // the next offset would start past the total
		{"0", 0, "", "", false},       // an empty page ends the list
		{"0", 60, "", "60", true},     // no total: keep going until an empty page or a 404
	}
	for _, st := range steps {
		next, ok := p.NextCounter(st.counter, st.items, 60, Paging{Total: st.total})
		if next != st.next || ok != st.ok {
			t.Errorf("after %s (%d items, total %q): %q %v, want %q %v", st.counter, st.items, st.total, next, ok, st.next, st.ok)
		}
	}
	pl := s.PageFor("/list/1.html")
	pu, _ := url.Parse("http://s.test/list/1.html")
	next, _ := pl.NextCounter(pl.NewRequest(pu, nil, "").Counter, 5, 5, Paging{})
	if got := pl.NewRequest(pu, nil, next).URL; got != "http://s.test/list/2.html" {
		t.Errorf("page in the path: %s", got)
	}
	cp := s.PageFor("/feed")
	fu, _ := url.Parse("http://s.test/feed")
	if r := cp.NewRequest(fu, nil, ""); string(r.Body) != `{"limit":20}` {
		t.Errorf("first cursor request %s", r.Body)
	}
	ex, _ := cp.Extract(Input{URL: fu, Body: []byte(`{"data":[{"id":1}],"paging":{"next":"tok2"}}`)})
	c, ok := cp.NextCounter("", len(ex.Items), 1, ex.Paging)
	if r := cp.NewRequest(fu, nil, c); !ok || string(r.Body) != `{"after":"tok2","limit":20}` {
		t.Errorf("cursor request %s %v", r.Body, ok)
	}
	if _, ok := cp.NextCounter("tok2", 1, 1, Paging{Cursor: "tok2"}); ok {
		t.Error("a repeated cursor did not end the list")
	}
}

func TestParseReportsEveryCompileError(t *testing.T) {
	_, err := Parse("broken.yaml", []byte(`
source: broken
start: [x]
charset: klingon
allowed_hosts: ['http://x.test/']
pages:
  - name: list
    match: '^/x$'
    require: 'div[class='
    follow: ['a:nth-child(']
    items:
      select: 'tr..row'
      key: '{a}'
      fields: {a: 'td.a@', b: 'td.b | re:(unclosed', c: 'url:[', d: 'parent:Bad'}
  - name: api
    match: '^/api$'
    format: json
    var: '1bad'
    paginate: {param: p, in: form, total: 'data..total'}
    items: {select: 'data[0]', key: '{a}', fields: {a: 'a.*b'}}
`))
	if !errors.Is(err, ErrSpec) {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{
		"charset: unknown character set", "allowed_hosts[0]: must be a host name",
		`pages[0].require: invalid CSS selector "div[class="`, `pages[0].follow[0].select: invalid CSS selector`,
		`pages[0].items.select: invalid CSS selector "tr..row"`, `pages[0].items.fields.a: "td.a@": @ needs an attribute name`,
		"pages[0].items.fields.b: | re: needs a regular expression", "pages[0].items.fields.c: url: needs a regular expression",
		"pages[0].items.fields.d: parent: needs the name", "pages[1].var: must be a JavaScript name",
		"pages[1].paginate.in: form needs a request with a form body", `pages[1].paginate.total: invalid JSON path "data..total"`,
		`pages[1].items.select: invalid JSON path "data[0]"`, `pages[1].items.fields.a: invalid JSON path "a.*b"`,
	} {
		if !strings.Contains(err.Error(), "broken.yaml: "+want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// FuzzScriptData feeds arbitrary script text to the JavaScript data readers: no panic, and
// whatever they return is valid JSON.
func FuzzScriptData(f *testing.F) {
	for _, s := range []string{
		`var listData = '{\u0022a\u0022:[1,2]}';`, `window.__X__ = {a: 'b', c: [1,],}`, `let arr = [{"x": "1-2万\/月"}]`,
		`var info = JSON.parse('{"k":"\x41"}')`, `cb({"a":1})`, `var x = "\ud83d"`, `var x = {/* c */ "a": 1}`, `var x = '\u{1F600}'`,
	} {
		f.Add(s)
	}
	re := assignment("x")
	f.Fuzz(func(t *testing.T, src string) {
		for _, name := range []string{"x", "listData", "window.__X__", "arr", "info"} {
			r := re
			if name != "x" {
				r = assignment(name)
			}
			if v, err := assignedJSON(src, r, name); err == nil && !json.Valid(v) {
				t.Fatalf("assignedJSON(%q) = %q: not JSON", src, v)
			}
		}
		if v, ok := unwrapJSONP([]byte(src)); ok && !json.Valid(v) {
			t.Fatalf("unwrapJSONP(%q) = %q: not JSON", src, v)
		}
		if v, err := jsLiteralToJSON(src); err == nil && !json.Valid(v) {
			t.Fatalf("jsLiteralToJSON(%q) = %q: not JSON", src, v)
		}
	})
}
