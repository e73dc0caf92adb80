package spec

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goodSpec = `
source: demo
site: demo
start: [list]
pages:
  - name: list
    match: '^/list$'
    follow: [a.next]
  - name: item
    match: '^/items/'
    items:
      select: div.item
      key: '{kind}/{id}'
      required: [id]
      fields:
        id: '@data-id'
        title: h1
        kind: 'url:/items/([a-z]+)/'
        fixed: 'const:yes'
        link: a.more@href
        slug: 'a.more@href | re:^/(\w+)$'
`

func TestParseRejectsBadSpecs(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // every problem is reported, each with its key path
	}{
		{"unknown key", "source: x\nstart: [a]\nsurce: y\npages: []\n", []string{"field surce not found"}},
		{"many problems at once", `
source: Bad-Name
pages:
  - match: '('
    format: xml
    items:
      key: '{nope}'
      required: [gone]
      fields: {ok: h1, url: 'url:no-group', cut: 'h1 | re:nogroup'}
`, []string{"source: must be a lowercase name", "start: needs at least one URL", "pages[0].name: is required",
			"pages[0].match: must be a regular expression", "pages[0].format: must be html or json",
			`pages[0].items.key: names unknown field "nope"`, `pages[0].items.required: names unknown field "gone"`,
			"pages[0].items.fields.url: url: needs a regular expression with a capture group",
			"pages[0].items.fields.cut: | re: needs a regular expression with a capture group"}},
		{"no items anywhere", "source: x\nstart: [a]\npages:\n  - {name: l, match: '^/'}\n", []string{"no page has items"}},
		{"paginate without items", "source: x\nstart: [a]\npages:\n  - {name: l, match: '^/', paginate: {param: p}}\n  - {name: i, match: '^/i', items: {key: '{a}', fields: {a: b}}}\n",
			[]string{"pages[0].paginate: needs items or follow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml))
			if !errors.Is(err, ErrSpec) {
				t.Fatalf("got %v, want an ErrSpec", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestExtractHTML(t *testing.T) {
	s, err := Parse("demo.yaml", []byte(goodSpec))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Fields(); !cmp.Equal(got, []string{"id", "title", "kind", "fixed", "link", "slug"}) {
		t.Errorf("Fields() = %v, want document order", got)
	}
	u, _ := url.Parse("http://s.test/demo/items/bank/1")
	page := s.PageFor("/items/bank/1")
	ex, err := page.Extract(Input{URL: u, Path: "/items/bank/1", Body: []byte(`
<div class="item" data-id="7"><h1>  第一
  项 </h1><a class="more" href="/x">more</a></div>
<div class="item" data-id=""><h1>no id</h1></div>
<div class="item" data-id="8"><h1>--</h1></div>`)})
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Key: "bank/7", Fields: map[string]string{"id": "7", "title": "第一 项", "kind": "bank", "fixed": "yes", "link": "/x", "slug": "x"}},
		{Key: "bank/8", Fields: map[string]string{"id": "8", "kind": "bank", "fixed": "yes"}},
	}
	if diff := cmp.Diff(want, ex.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if len(ex.Problems) != 1 || !errors.Is(ex.Problems[0], ErrLayout) || !strings.Contains(ex.Problems[0].Error(), "item 2 lacks required field id") {
		t.Errorf("problems %v, want item 2 reported", ex.Problems)
	}
	if s.PageFor("/other") != nil {
		t.Error("PageFor matched an undescribed path")
	}
}

func TestExtractJSON(t *testing.T) {
	s, err := Parse("api.yaml", []byte(`
source: api
start: ['api?page=1']
pages:
  - name: api
    match: '^/api$'
    format: json
    paginate: {param: page}
    items:
      select: data.list
      key: '{id}'
      fields: {id: id, amount: amount, city: borrower.city, tags: tags}
  - name: embedded
    match: '^/page$'
    format: json
    script: 'script#data'
    items: {select: '', key: '{id}', fields: {id: id}}
`))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://s.test/api?page=3")
	ex, err := s.PageFor("/api").Extract(Input{URL: u, Body: []byte(`{"data":{"list":[{"id":1,"amount":120000.50,"borrower":{"city":"成都"},"tags":["车贷"]},{"id":2,"amount":null}]}}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Key: "1", Fields: map[string]string{"id": "1", "amount": "120000.50", "city": "成都", "tags": `["车贷"]`}},
		{Key: "2", Fields: map[string]string{"id": "2"}},
	}
	if diff := cmp.Diff(want, ex.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	api := s.PageFor("/api")
	next, ok := api.NextCounter(api.NewRequest(u, nil, "").Counter, 2, 2, Paging{})
	if got := api.NewRequest(u, nil, next).URL; !ok || got != "http://s.test/api?page=4" {
		t.Errorf("next page = %s, %v", got, ok)
	}
	ex, _ = s.PageFor("/page").Extract(Input{URL: u, Body: []byte(`<html><script id="data">{"id":"x9"}</script></html>`)})
	if len(ex.Items) != 1 || ex.Items[0].Key != "x9" {
		t.Errorf("JSON in a script: %+v", ex)
	}
	ex, _ = s.PageFor("/api").Extract(Input{URL: u, Body: []byte(`<html>not json`)})
	if !errors.Is(ex.Err(), ErrLayout) {
		t.Errorf("non-JSON body: %v, want ErrLayout", ex.Err())
	}
}
