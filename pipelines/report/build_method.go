package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fhi-index/fhi/scoring"
)

// heatPeakGap is how many weeks apart a second high of Baidu heat must be from the peak to count
// as a peak of its own (the 2017 report names e.g. Beijing's highs in March's third and June's
// fourth week); nearer weeks belong to the same burst of attention.
const heatPeakGap = 4

// heatPeak is a week of highest search heat.
type heatPeak struct {
	HeatWeek
	Label, LabelEN string // 2017年3月第3周 / week 3 of March 2017
}

// indicatorRow is one level-3 indicator of a city profile.
type indicatorRow struct {
	Node  *Node
	Score Score
}

// sobolInputRow is one uncertain choice of the Sobol' analysis, named for readers.
type sobolInputRow struct {
	SobolInput
	Label, LabelEN string
	Choices        string
}

// sobolCityRow is one city whose rank varies most.
type sobolCityRow struct {
	SobolCity
	RankSD float64
	// Driver is the choice with the largest total index for this city.
	Driver                *sobolInputRow
	DriverFirst, DriverST float64
}

// sobolLabels name the uncertain choices of scoring.Sobol (scoring/sobol.go).
var sobolLabels = map[string][2]string{
	scoring.SobolChoiceWeights:       {"层次分析法权重（扰动判断）", "AHP weights (perturbed judgements)"},
	scoring.SobolChoicePCA:           {"三级权重：主成分或等权", "level-3 weights: PCA or equal"},
	scoring.SobolChoiceNormalisation: {"标准化方法", "normalisation"},
	scoring.SobolChoiceAggregation:   {"加总方法", "aggregation"},
	scoring.SobolChoiceTreatment:     {"异常值处理", "outlier treatment"},
	scoring.SobolChoiceImputation:    {"缺失值处理", "imputation"},
}

// method derives the views of the method sections: failing shapes, Sobol' rows and chart.
func (p *page) method() {
	for _, s := range p.Shapes {
		if s.Fails {
			p.FailingShapes = append(p.FailingShapes, s)
		}
	}
	if p.Sobol == nil {
		return
	}
	for _, in := range p.Sobol.Inputs {
		r := sobolInputRow{SobolInput: in, Label: in.Name, LabelEN: in.Name}
		if l, ok := sobolLabels[in.Name]; ok {
			r.Label, r.LabelEN = l[0], l[1]
		}
		if len(in.Alternatives) > 4 {
			r.Choices = fmt.Sprintf("%d alternatives", len(in.Alternatives))
		} else {
			r.Choices = strings.Join(in.Alternatives, ", ")
		}
		p.SobolInputs = append(p.SobolInputs, r)
	}
	for _, c := range p.Sobol.Volatile {
		r := sobolCityRow{SobolCity: c, RankSD: math.Sqrt(c.RankVariance)}
		best := -1
		for i, st := range c.Total {
			if i < len(p.SobolInputs) && !math.IsNaN(st) && (best < 0 || st > c.Total[best]) {
				best = i
			}
		}
		if best >= 0 {
			r.Driver, r.DriverFirst, r.DriverST = &p.SobolInputs[best], c.First[best], c.Total[best]
		}
		p.Volatile = append(p.Volatile, r)
	}
	var names []string
	var first, total []any
	for _, r := range p.SobolInputs {
		names = append(names, r.Label)
		first = append(first, jsonNumber(r.MeanFirst))
		total = append(total, jsonNumber(r.MeanTotal))
	}
	p.charts["chart-sobol"] = map[string]any{
		"animation": false,
		"legend":    map[string]any{"top": 0},
		"grid":      map[string]any{"left": 48, "right": 16, "top": 36, "bottom": 48},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0}},
		"yAxis":     map[string]any{"type": "value", "min": 0, "name": "指数 index"},
		"series": []any{
			map[string]any{"type": "bar", "name": "一阶指数 first-order S", "data": first, "itemStyle": map[string]any{"color": "#4a86c5"}},
			map[string]any{"type": "bar", "name": "总效应指数 total ST", "data": total, "itemStyle": map[string]any{"color": "#1f4e8c"}},
		},
	}
}

// jsonNumber rounds v for a chart, and makes an undefined index a gap (JSON has no NaN).
func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return round4(v)
}

// heatPeaks finds the week of highest heat and the highest week at least heatPeakGap weeks from
// it; second is nil when no week is that far away.
func heatPeaks(weeks []HeatWeek) (peak, second *heatPeak) {
	top := -1
	for i, w := range weeks {
		if top < 0 || w.Value > weeks[top].Value {
			top = i
		}
	}
	if top < 0 {
		return nil, nil
	}
	next := -1
	for i, w := range weeks {
		if gap := weeks[top].Week.Sub(w.Week); gap < heatPeakGap*7*24*time.Hour && gap > -heatPeakGap*7*24*time.Hour {
			continue
		}
		if next < 0 || w.Value > weeks[next].Value {
			next = i
		}
	}
	peak = labelWeek(weeks[top])
	if next >= 0 {
		second = labelWeek(weeks[next])
	}
	return peak, second
}

// labelWeek names a week as the 2017 report does: the month and which of its weeks (a week
// belongs to the month of its first day).
func labelWeek(w HeatWeek) *heatPeak {
	d := w.Week
	n := (d.Day()-1)/7 + 1
	return &heatPeak{HeatWeek: w,
		Label:   fmt.Sprintf("%d年%d月第%d周", d.Year(), int(d.Month()), n),
		LabelEN: fmt.Sprintf("week %d of %s %d", n, d.Month(), d.Year())}
}

// heatChart draws a city's weekly heat with its peaks marked.
func (p *page) heatChart(id string, weeks []HeatWeek, peaks ...*heatPeak) {
	var days []string
	var values []float64
	for _, w := range weeks {
		days = append(days, w.Week.Format("2006-01-02"))
		values = append(values, round1(w.Value))
	}
	var marks []any
	for k, pk := range peaks {
		if pk == nil {
			continue
		}
		name := "峰值 peak"
		if k > 0 {
			name = "次高 second high"
		}
		marks = append(marks, map[string]any{"name": name, "coord": []any{pk.Week.Format("2006-01-02"), round1(pk.Value)}, "value": round1(pk.Value)})
	}
	p.charts[id] = map[string]any{
		"animation": false,
		"grid":      map[string]any{"left": 44, "right": 12, "top": 28, "bottom": 24},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": days, "axisLabel": map[string]any{"fontSize": 10}},
		"yAxis":     map[string]any{"type": "value", "name": "指数 index", "nameTextStyle": map[string]any{"fontSize": 10}, "axisLabel": map[string]any{"fontSize": 10}},
		"series": []any{map[string]any{"type": "line", "name": "百度热点 Baidu heat", "data": values, "symbol": "none",
			"lineStyle": map[string]any{"width": 1.5, "color": "#1f4e8c"}, "itemStyle": map[string]any{"color": "#1f4e8c"},
			"areaStyle": map[string]any{"opacity": 0.12},
			"markPoint": map[string]any{"symbolSize": 36, "data": marks, "label": map[string]any{"fontSize": 9}, "itemStyle": map[string]any{"color": "#d0822c"}}}},
	}
}
