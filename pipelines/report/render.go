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
	"raw": func(v *float64) string {
		if v == nil || math.IsNaN(*v) {
			return "—"
		}
		return fmt.Sprintf("%.4g", *v)
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
