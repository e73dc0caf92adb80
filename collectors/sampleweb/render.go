package sampleweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"sync"
	"time"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderHTML executes t with data into a fresh UTF-8 HTML page.
func renderHTML(t *template.Template, data any, mod int) (*page, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := t.Execute(buf, data); err != nil {
		return nil, err
	}
	return &page{body: bytes.Clone(buf.Bytes()), ctype: "text/html; charset=utf-8", mod: mod, html: true}, nil
}

// renderJSON encodes v as an indented-free JSON page.
func renderJSON(v any, mod int) (*page, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return &page{body: bytes.Clone(buf.Bytes()), ctype: "application/json; charset=utf-8", mod: mod}, nil
}

// layout wraps a page body template in the common HTML document.
func layout(name, body string) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{block "title" .}}{{end}}</title></head>
<body>
` + body + `
<div class="footer"><a href="/">首页</a> · 客服热线 400-000-0000</div>
</body></html>
`))
}

var funcs = template.FuncMap{
	"add":    func(a, b int) int { return a + b },
	"vcdate": func(t time.Time) string { return fmt.Sprintf("%d.%d.%d", t.Year(), t.Month(), t.Day()) },
	"cap":    func(c *Company) string { return formatWan(c.Capital, false) + "元" },
	"vol": func(v float64) string {
		if v < 0 {
			return "--"
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	},
}

// formatWan prints an amount of 万 as the sites do: "5000万" or, for whole 亿, "1亿".
func formatWan(wan float64, allowYi bool) string {
	if allowYi && wan >= 1e4 && math.Mod(wan, 1e4) == 0 {
		return strconv.FormatFloat(wan/1e4, 'f', -1, 64) + "亿"
	}
	return strconv.FormatFloat(wan, 'f', -1, 64) + "万"
}

// formatCapital prints a registered capital in one of the site forms: "5000万元", "1亿元",
// "5000万人民币", "1000万美元".
func formatCapital(c *Company, form int) string {
	if c.Currency == "美元" {
		return formatWan(c.Capital, false) + "美元"
	}
	switch form {
	case 1:
		return formatWan(c.Capital, false) + "人民币"
	case 2:
		return formatWan(c.Capital, false) + "元"
	default:
		return formatWan(c.Capital, true) + "元"
	}
}

// formatTurnover prints 万元 as "12.35亿元" (≥ 1亿) or "8650万元"; unknown (<0) is "--".
func formatTurnover(wan float64) string {
	if wan < 0 {
		return "--"
	}
	if wan >= 1e4 {
		return strconv.FormatFloat(wan/1e4, 'f', 2, 64) + "亿元"
	}
	return strconv.FormatFloat(wan, 'f', 0, 64) + "万元"
}
