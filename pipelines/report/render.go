package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strings"
)

var (
	//go:embed report.html.tmpl
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
	// echartsJS is Apache ECharts 6.1.0's dist/echarts.min.js as published on npm (sha256
	// b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0); see assets/LICENSE-echarts.txt.
	//go:embed assets/echarts.min.js
	echartsJS string
)

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f2":  func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"f3":  func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"pct": func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
	"f0":  func(v float64) string { return fmt.Sprintf("%.0f", v) },
	// The n variants show an undefined statistic (NaN) as a dash.
	"f2n":  nanOr("%.2f"),
	"f3n":  nanOr("%.3f"),
	"f4n":  nanOr("%.4g"),
	"pctn": func(v float64) string { return nanOr("%.1f%%")(100 * v) },
	"raw": func(v *float64) string {
		if v == nil || math.IsNaN(*v) {
			return "—"
		}
		return readable(*v)
	},
	"pval": func(p float64) string {
		switch {
		case math.IsNaN(p):
			return "—"
		case p < 0.001:
			return "<0.001"
		}
		return fmt.Sprintf("%.3f", p)
	},
	"signed": func(v int) string {
		switch {
		case v > 0:
			return fmt.Sprintf("▲%d", v)
		case v < 0:
			return fmt.Sprintf("▼%d", -v)
		}
		return "—"
	},
	"join":        strings.Join,
	"score":       func(c *City, node string) Score { return c.Scores[node] },
	"sub":         func(a, b int) int { return a - b },
	"anchorOf":    anchor,
	"heatClasses": func() []int { return []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9} },
}).Parse(pageTemplate))

// readable formats a measured value for reading, to four significant digits: large ones in 万
// (10⁴) or 亿 (10⁸), as Chinese statistics print them, never in exponent form. The exports keep
// the exact values.
func readable(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e8:
		return trimZeros(fmt.Sprintf("%.4g", v/1e8)) + "亿"
	case a >= 1e5:
		return trimZeros(fmt.Sprintf("%.4g", v/1e4)) + "万"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a == 0:
		return "0"
	}
	return trimZeros(fmt.Sprintf("%.4g", v))
}

// trimZeros drops an exponent-free number's trailing fractional zeros.
func trimZeros(s string) string {
	if strings.ContainsAny(s, "eE") || !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// nanOr formats a number with format, or a dash when it is undefined.
func nanOr(format string) func(float64) string {
	return func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "—"
		}
		return fmt.Sprintf(format, v)
	}
}

// Render returns the report page of d. The page is one file: styles, scripts and ECharts inline.
func Render(d *Data) ([]byte, error) {
	p, err := build(d)
	if err != nil {
		return nil, err
	}
	// json.Marshal escapes <, > and & (and U+2028/9), so no data can end the script element.
	charts, err := json.Marshal(p.charts)
	if err != nil {
		return nil, fmt.Errorf("encoding charts: %w", err)
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, struct {
		*page
		CSS     template.CSS
		ECharts template.JS
		App     template.JS
		Charts  template.JS
	}{p, template.CSS(pageCSS), template.JS(echartsJS), template.JS(pageJS), template.JS(charts)})
	if err != nil {
		return nil, fmt.Errorf("rendering the report: %w", err)
	}
	return b.Bytes(), nil
}
