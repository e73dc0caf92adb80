package spec

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Request is how the crawl asks for one page: what a page kind's request: and paginate: make of
// a URL.
type Request struct {
	Method string
	URL    string
	Body   []byte
	Header http.Header
	// Counter is the page number, offset or cursor this request asks for ("" when the page
	// kind does not paginate, or the first page of a cursor list).
	Counter string
}

// NewRequest builds the request for u, a URL of this page kind, asking for the page counter
// says ("" = the one u names, or the first). base is the source's base URL ({base} and
// {origin} in headers).
func (p *Page) NewRequest(u *url.URL, base *url.URL, counter string) Request {
	pg := p.Paginate
	if pg != nil && counter == "" {
		counter = p.counterIn(u)
	}
	target := *u
	if pg != nil && counter != "" {
		switch pg.In {
		case "query":
			q := target.Query()
			q.Set(pg.Param, counter)
			target.RawQuery = q.Encode()
		case "path":
			if m := pg.path.FindStringSubmatchIndex(target.Path); m != nil {
				target.Path = target.Path[:m[2]] + counter + target.Path[m[3]:]
				target.RawPath = ""
			}
		}
	}
	req := Request{Method: http.MethodGet, URL: target.String(), Counter: counter}
	r := p.Request
	if r == nil {
		return req
	}
	req.Method = r.Method
	req.Header = http.Header{}
	for _, k := range sortedKeys(r.Headers) {
		req.Header.Set(k, expandBase(r.Headers[k], base))
	}
	switch {
	case r.Form != nil:
		form := url.Values{}
		for k, v := range r.Form {
			form.Set(k, expandBase(v, base))
		}
		if pg != nil && pg.In == "form" && counter != "" {
			form.Set(pg.Param, counter)
		}
		req.Body = []byte(form.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	case r.JSON != nil:
		body := make(map[string]any, len(r.JSON)+1)
		for k, v := range r.JSON {
			body[k] = v
		}
		if pg != nil && pg.In == "json" && counter != "" {
			if n, err := strconv.Atoi(counter); err == nil && pg.Cursor == "" {
				body[pg.Param] = n
			} else {
				body[pg.Param] = counter
			}
		}
		req.Body, _ = json.Marshal(body) // keys sorted: the same page is the same body
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// counterIn is the counter u (or the page kind's body) asks for, or the list's start.
func (p *Page) counterIn(u *url.URL) string {
	pg := p.Paginate
	switch pg.In {
	case "query":
		if v := u.Query().Get(pg.Param); v != "" {
			return v
		}
	case "path":
		if m := pg.path.FindStringSubmatch(u.Path); m != nil {
			return m[1]
		}
	case "form":
		if v, ok := p.Request.Form[pg.Param]; ok {
			return v
		}
	case "json":
		if v, ok := p.Request.JSON[pg.Param]; ok {
			return jsonString(v)
		}
	}
	if pg.Cursor != "" {
		return ""
	}
	return strconv.Itoa(pg.Start)
}

func expandBase(s string, base *url.URL) string {
	if base == nil || !strings.Contains(s, "{") {
		return s
	}
	origin := base.Scheme + "://" + base.Host
	return strings.NewReplacer("{base}", strings.TrimRight(base.String(), "/"), "{origin}", origin).Replace(s)
}

// NextCounter is the counter of the page after one that asked for counter and yielded items
// items, given what it said about the list (its Paging) and the largest page seen so far; ok is
// false when the list has ended: an empty page, a stated total or page count reached, or no
// new cursor.
func (p *Page) NextCounter(counter string, items, largest int, paging Paging) (string, bool) {
	pg := p.Paginate
	if pg == nil || items == 0 {
		return "", false
	}
	if pg.Cursor != "" {
		c := strings.TrimSpace(paging.Cursor)
		if c == "" || c == counter || c == "0" || c == "null" || c == "false" {
			return "", false
		}
		return c, true
	}
	n, err := strconv.Atoi(counter)
	if err != nil {
		n = pg.Start
	}
	next := n + pg.Step
	// Positions, not a running count of items: a list that shifts while paged repeats items,
	// and counting them would end it early.
	if total, err := strconv.Atoi(strings.TrimSpace(paging.Total)); err == nil {
		end := next // an offset: where the next page starts
		if pg.Step == 1 {
			end = (next - pg.Start) * max(largest, items)
		}
		if end >= total {
			return "", false
		}
	}
	if pages, err := strconv.Atoi(strings.TrimSpace(paging.Pages)); err == nil {
		if (next-pg.Start)/pg.Step+1 > pages {
			return "", false
		}
	}
	return strconv.Itoa(next), true
}
