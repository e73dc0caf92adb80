package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Published set sizes, as in the 2017 report.
const (
	topTotal    = 20 // the published ranking; the next three are named candidates
	candidates  = 3
	topSubIndex = 10 // each sub-index chapter lists its top 10
	strengths   = 3  // strengths and weaknesses listed per city profile
)

// page is the template's view of a report.
type page struct {
	*Data
	Title      string
	Root       *Node
	Level1     []*Node
	Level2     []*Node
	Top        []*City
	Candidates []*City
	Chapters   []chapter
	Top10      []topTable
	Heat       heatTable
	Profiles   []profile
	Weights    []*Node
	Changes    []change
	// Compared counts the cities ranked in both this and the previous publication.
	Compared int
	// PlaceholderWeights counts the level-1/2 weights computed from placeholder judgements, and
	// PlaceholderGroups names the groups whose judgements they are.
	PlaceholderWeights int
	PlaceholderGroups  []*Node
	Indicators         []*Node
	// Method sections (build_method.go).
	FailingShapes []Shape
	SobolInputs   []sobolInputRow
	Volatile      []sobolCityRow
	charts        map[string]any
	byID          map[string]*Node
}

type chapter struct {
	Node       *Node
	ChartID    string
	Tiers      []tier
	Distinct   bool
	Top        []ranked
	Children   []*Node
	Sentence   string
	SentenceEN string
}

type tier struct {
	N      int
	Cities []string
}

type ranked struct {
	City  *City
	Score Score
}

type topTable struct {
	Node *Node
	Rows []ranked
}

type heatTable struct {
	Columns []*Node
	Rows    []heatRow
}

type heatRow struct {
	City  *City
	Cells []heatCell
}

type heatCell struct {
	Score Score
	Class string // h0 … h9
}

type profile struct {
	City *City
	// Indicators are the city's level-3 values, split in two columns for print.
	Indicators [2][]indicatorRow
	// HeatChartID, HeatPeak and HeatSecond show the city's Baidu search heat (HeatPeak nil: none).
	HeatChartID          string
	HeatPeak, HeatSecond *heatPeak
	Anchor               string
	ChartID              string
	Level1               []ranked
	Strong               []strength
	Weak                 []strength
	Total                int64
	OfCities             int
	Prev, Next           *City
	Sentence             string
	SentenceEN           string
}

type strength struct {
	Node  *Node
	Score Score
}

type change struct {
	City        *City
	Now, Before int
	Delta       int // positive: moved up
}

// anchor is the fragment of a city's profile: its code when known (ASCII digits), else its rank.
func anchor(c *City) string {
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, c.Code)
	if code == "" {
		code = fmt.Sprintf("r%d", c.Rank)
	}
	return "city-" + code
}

func build(d *Data) (*page, error) {
	p := &page{Data: d, Title: "金融科技中心指数 Fintech Hub Index", charts: map[string]any{}}
	byID := map[string]*Node{}
	p.byID = byID
	for i := range d.Nodes {
		n := &d.Nodes[i]
		byID[n.ID] = n
		switch n.Level {
		case 0:
			p.Root = n
		case 1:
			p.Level1 = append(p.Level1, n)
		case 2:
			p.Level2 = append(p.Level2, n)
		}
		if n.Level <= 2 {
			p.Weights = append(p.Weights, n)
			if n.LocalPlaceholder {
				p.PlaceholderWeights++
			}
		} else {
			p.Indicators = append(p.Indicators, n)
		}
	}
	if p.Root == nil {
		return nil, fmt.Errorf("report: the score run has no root node")
	}
	if len(d.Cities) == 0 {
		return nil, fmt.Errorf("report: the score run ranks no city")
	}
	for i := range d.Cities {
		c := &d.Cities[i]
		switch {
		case i < topTotal:
			p.Top = append(p.Top, c)
		case i < topTotal+candidates:
			p.Candidates = append(p.Candidates, c)
		}
	}
	p.totalChart()
	for _, n := range p.Level1 {
		p.Chapters = append(p.Chapters, p.chapter(n))
	}
	for _, n := range p.Level2 {
		p.Top10 = append(p.Top10, topTable{Node: n, Rows: p.ranking(n.ID, topSubIndex)})
	}
	p.heat()
	p.uncertaintyChart()
	p.changes()
	for _, g := range d.Placeholders {
		if n := byID[g]; n != nil {
			p.PlaceholderGroups = append(p.PlaceholderGroups, n)
		}
	}
	p.profiles()
	p.weightChart()
	p.method()
	return p, nil
}

// Qualified names an indicator with its group, as several groups have indicators of the same
// name (企业数量 of P2P lending and of payment): "网贷行业 · 企业数量".
func (p *page) Qualified(id string) string {
	n := p.byID[id]
	if n == nil {
		return id
	}
	if g := p.byID[n.Parent]; g != nil && n.Level == 3 {
		return g.Name + " · " + n.Name
	}
	return n.Name
}

// QualifiedEN is Qualified in English.
func (p *page) QualifiedEN(id string) string {
	n := p.byID[id]
	if n == nil {
		return id
	}
	if g := p.byID[n.Parent]; g != nil && n.Level == 3 {
		return g.NameEN + " · " + n.NameEN
	}
	return n.NameEN
}

// ranking returns the first n cities on a node, best first (ties by total rank).
func (p *page) ranking(node string, n int) []ranked {
	var out []ranked
	for i := range p.Cities {
		c := &p.Cities[i]
		if s, ok := c.Scores[node]; ok {
			out = append(out, ranked{c, s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score.Rank < out[j].Score.Rank })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func (p *page) chapter(n *Node) chapter {
	ch := chapter{Node: n, ChartID: "chart-" + safeID(n.ID)}
	for _, c := range p.Level2 {
		if c.Parent == n.ID {
			ch.Children = append(ch.Children, c)
		}
	}
	all := p.ranking(n.ID, 0)
	ch.Top = all[:min(topSubIndex, len(all))]
	lead := all[:min(topTotal, len(all))]
	scores := make([]float64, len(lead))
	for i, r := range lead {
		scores[i] = r.Score.Score
	}
	breaks := tiering(scores, tierCount)
	ch.Distinct = tiersDistinct(scores, breaks)
	tierOf := make([]int, len(lead))
	start := 0
	for t, end := range append(breaks, len(lead)) {
		var names []string
		for i := start; i < end; i++ {
			tierOf[i] = t
			names = append(names, lead[i].City.Name)
		}
		ch.Tiers = append(ch.Tiers, tier{N: t + 1, Cities: names})
		start = end
	}
	if ch.Distinct {
		ch.Sentence = "城市间" + n.Name + "分指数梯队感明显，可划分为" + fmt.Sprint(len(ch.Tiers)) + "个梯队。"
		ch.SentenceEN = fmt.Sprintf("The leading cities fall into %d distinct tiers: the gaps between tiers are at least %.0f× those within them.", len(ch.Tiers), distinctGapRatio)
	} else {
		ch.Sentence = "城市间" + n.Name + "分指数差距较小，梯队感不明显。"
		ch.SentenceEN = "Scores are close: the tiers below are natural breaks, but the gaps between them are not much larger than those within."
	}
	// The chart: every city's score, coloured by tier (grey below the published top 20).
	var names []string
	var data []any
	for i, r := range all {
		names = append(names, r.City.Name)
		colour := colourBelowTop
		if i < len(lead) {
			colour = tierColours[tierOf[i]%len(tierColours)]
		}
		data = append(data, map[string]any{"value": round1(r.Score.Score), "itemStyle": map[string]any{"color": colour}})
	}
	p.charts[ch.ChartID] = map[string]any{
		"animation": false,
		"grid":      map[string]any{"left": 40, "right": 16, "top": 24, "bottom": 64},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 60}},
		"yAxis":     map[string]any{"type": "value", "max": 100, "name": n.Name},
		"series":    []any{map[string]any{"type": "bar", "name": n.Name + " " + n.NameEN, "data": data}},
	}
	return ch
}

// Colours: tiers in the blues of the report; heat cells green (strong) to red (weak).
var (
	tierColours    = []string{"#1f4e8c", "#4a86c5", "#9cc3e6"}
	colourBelowTop = "#c8c8c8"
	levelColours   = []string{"#1f4e8c", "#2f9e6f", "#d0822c"}
)

// totalChart stacks each city's total from its level-1 contributions (weight × score) when the
// aggregation is additive — the sums match the totals — and shows plain totals otherwise.
func (p *page) totalChart() {
	names := make([]string, len(p.Cities))
	for i, c := range p.Cities {
		names[i] = c.Name
	}
	additive := len(p.Level1) > 0
	for _, c := range p.Cities {
		var sum float64
		for _, n := range p.Level1 {
			sum += n.Local * c.Scores[n.ID].Score
		}
		if math.Abs(sum-c.Scores[p.Root.ID].Score) > 0.01 {
			additive = false
		}
	}
	var series []any
	if additive {
		for k, n := range p.Level1 {
			data := make([]float64, len(p.Cities))
			for i, c := range p.Cities {
				data[i] = round1(n.Local * c.Scores[n.ID].Score)
			}
			series = append(series, map[string]any{"type": "bar", "stack": "total", "name": n.Name + " " + n.NameEN,
				"data": data, "itemStyle": map[string]any{"color": levelColours[k%len(levelColours)]}})
		}
	} else {
		data := make([]float64, len(p.Cities))
		for i, c := range p.Cities {
			data[i] = round1(c.Scores[p.Root.ID].Score)
		}
		series = append(series, map[string]any{"type": "bar", "name": p.Root.Name, "data": data, "itemStyle": map[string]any{"color": levelColours[0]}})
	}
	p.charts["chart-total"] = map[string]any{
		"animation": false,
		"legend":    map[string]any{"top": 0},
		"grid":      map[string]any{"left": 40, "right": 16, "top": 36, "bottom": 64},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 60}},
		"yAxis":     map[string]any{"type": "value", "max": 100, "name": "总指数 total"},
		"series":    series,
	}
}

func (p *page) heat() {
	p.Heat.Columns = p.Level2
	for i := range p.Cities {
		c := &p.Cities[i]
		row := heatRow{City: c}
		for _, n := range p.Level2 {
			s := c.Scores[n.ID]
			row.Cells = append(row.Cells, heatCell{Score: s, Class: fmt.Sprintf("h%d", min(9, max(0, int(s.Score/10))))})
		}
		p.Heat.Rows = append(p.Heat.Rows, row)
	}
}

// uncertaintyChart draws the Monte Carlo 5–95% rank interval of every city as an error bar
// around its median rank (report.js draws the bars of the custom series "errorbar").
func (p *page) uncertaintyChart() {
	if p.Draws == 0 {
		return
	}
	var names []string
	var bars, medians, base []any
	for i, c := range p.Cities {
		names = append(names, c.Name)
		bars = append(bars, []any{i, c.P05Rank, c.P95Rank})
		medians = append(medians, c.MedianRank)
		base = append(base, c.Rank)
	}
	p.charts["chart-uncertainty"] = map[string]any{
		"animation": false,
		"legend":    map[string]any{"top": 0},
		"grid":      map[string]any{"left": 40, "right": 16, "top": 36, "bottom": 64},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 60}},
		"yAxis":     map[string]any{"type": "value", "inverse": true, "min": 1, "max": len(p.Cities), "name": "排名 rank"},
		"series": []any{
			map[string]any{"type": "custom", "id": "errorbar", "name": "5–95% 区间 interval", "data": bars, "itemStyle": map[string]any{"color": "#4a86c5"}, "encode": map[string]any{"x": 0, "y": []int{1, 2}}},
			map[string]any{"type": "scatter", "name": "中位数 median", "data": medians, "symbolSize": 7, "itemStyle": map[string]any{"color": "#1f4e8c"}},
			map[string]any{"type": "scatter", "name": "本次排名 published rank", "data": base, "symbol": "diamond", "symbolSize": 7, "itemStyle": map[string]any{"color": "#d0822c"}},
		},
	}
}

func (p *page) changes() {
	if p.PreviousScoreRun == "" {
		return
	}
	var names []string
	var data []any
	for i := range p.Cities {
		c := &p.Cities[i]
		if c.PreviousRank == 0 {
			continue
		}
		p.Compared++
		ch := change{City: c, Now: c.Rank, Before: c.PreviousRank, Delta: c.PreviousRank - c.Rank}
		if ch.Delta == 0 {
			continue // the table and chart list the cities that moved
		}
		p.Changes = append(p.Changes, ch)
		names = append(names, c.Name)
		colour := "#2f9e6f"
		if ch.Delta < 0 {
			colour = "#c0392b"
		}
		data = append(data, map[string]any{"value": ch.Delta, "itemStyle": map[string]any{"color": colour}})
	}
	if len(p.Changes) == 0 {
		return
	}
	p.charts["chart-changes"] = map[string]any{
		"animation": false,
		"grid":      map[string]any{"left": 40, "right": 16, "top": 24, "bottom": 64},
		"tooltip":   map[string]any{"trigger": "axis"},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 60}},
		"yAxis":     map[string]any{"type": "value", "name": "名次变化 places up", "minInterval": 1},
		"series":    []any{map[string]any{"type": "bar", "name": "名次变化 rank change", "data": data}},
	}
}

func (p *page) profiles() {
	medians := map[string]float64{}
	for _, n := range p.Level2 {
		var v []float64
		for _, c := range p.Cities {
			if s, ok := c.Scores[n.ID]; ok {
				v = append(v, s.Score)
			}
		}
		medians[n.ID] = median(v)
	}
	for i := range p.Cities {
		c := &p.Cities[i]
		pr := profile{City: c, Anchor: anchor(c), ChartID: "chart-radar-" + anchor(c), OfCities: len(p.Cities)}
		if i > 0 {
			pr.Prev = &p.Cities[i-1]
		}
		if i+1 < len(p.Cities) {
			pr.Next = &p.Cities[i+1]
		}
		for _, n := range p.Level1 {
			pr.Level1 = append(pr.Level1, ranked{c, c.Scores[n.ID]})
		}
		var ss []strength
		for _, n := range p.Level2 {
			if s, ok := c.Scores[n.ID]; ok {
				ss = append(ss, strength{n, s})
			}
		}
		sort.SliceStable(ss, func(a, b int) bool {
			if ss[a].Score.Rank != ss[b].Score.Rank {
				return ss[a].Score.Rank < ss[b].Score.Rank
			}
			return ss[a].Score.Score > ss[b].Score.Score
		})
		k := min(strengths, len(ss)/2)
		pr.Strong = ss[:k]
		for j := len(ss) - 1; j >= len(ss)-k; j-- {
			pr.Weak = append(pr.Weak, ss[j])
		}
		for _, r := range c.Records {
			pr.Total += r.Count
		}
		var rows []indicatorRow
		for _, n := range p.Indicators {
			if s, ok := c.Scores[n.ID]; ok {
				rows = append(rows, indicatorRow{n, s})
			}
		}
		half := (len(rows) + 1) / 2
		pr.Indicators = [2][]indicatorRow{rows[:half], rows[half:]}
		if len(c.Heat) > 0 {
			pr.HeatChartID = "chart-heat-" + anchor(c)
			pr.HeatPeak, pr.HeatSecond = heatPeaks(c.Heat)
			p.heatChart(pr.HeatChartID, c.Heat, pr.HeatPeak, pr.HeatSecond)
		}
		total := c.Scores[p.Root.ID]
		pr.Sentence = fmt.Sprintf("%s在%d个城市中总指数排名第%d（%.1f分）", c.Name, len(p.Cities), c.Rank, total.Score)
		pr.SentenceEN = fmt.Sprintf("%s ranks %s of %d cities on the total (%.1f)", nameEN(c), ordinal(c.Rank), len(p.Cities), total.Score)
		if len(pr.Strong) > 0 {
			pr.Sentence += "，" + pr.Strong[0].Node.Name + "表现最突出（第" + fmt.Sprint(pr.Strong[0].Score.Rank) + "名）"
			pr.SentenceEN += fmt.Sprintf("; strongest in %s (%s)", pr.Strong[0].Node.NameEN, ordinal(pr.Strong[0].Score.Rank))
		}
		if len(pr.Weak) > 0 {
			pr.Sentence += "，" + pr.Weak[0].Node.Name + "相对薄弱（第" + fmt.Sprint(pr.Weak[0].Score.Rank) + "名）"
			pr.SentenceEN += fmt.Sprintf(", weakest in %s (%s)", pr.Weak[0].Node.NameEN, ordinal(pr.Weak[0].Score.Rank))
		}
		pr.Sentence += "。"
		pr.SentenceEN += "."
		p.Profiles = append(p.Profiles, pr)
		p.radarChart(pr.ChartID, c, medians)
	}
}

func (p *page) radarChart(id string, c *City, medians map[string]float64) {
	var indicators []any
	var mine, med []float64
	for _, n := range p.Level2 {
		indicators = append(indicators, map[string]any{"name": n.Name, "max": 100})
		mine = append(mine, round1(c.Scores[n.ID].Score))
		med = append(med, round1(medians[n.ID]))
	}
	p.charts[id] = map[string]any{
		"animation": false,
		"legend":    map[string]any{"bottom": 0},
		"tooltip":   map[string]any{},
		"radar":     map[string]any{"indicator": indicators, "radius": "62%", "axisName": map[string]any{"color": "#333", "fontSize": 11}},
		"series": []any{map[string]any{"type": "radar", "data": []any{
			map[string]any{"name": c.Name, "value": mine, "areaStyle": map[string]any{"opacity": 0.25}, "itemStyle": map[string]any{"color": "#1f4e8c"}},
			map[string]any{"name": "中位数 median", "value": med, "symbol": "none", "lineStyle": map[string]any{"type": "dashed", "width": 1.5}, "itemStyle": map[string]any{"color": "#d0822c"}},
		}}},
	}
}

// weightChart shows the effective weights of levels 1 and 2 as a sunburst.
func (p *page) weightChart() {
	var data []any
	for k, n1 := range p.Level1 {
		var children []any
		for _, n2 := range p.Level2 {
			if n2.Parent == n1.ID {
				children = append(children, map[string]any{"name": n2.Name, "value": round4(n2.Effective)})
			}
		}
		data = append(data, map[string]any{"name": n1.Name, "children": children, "itemStyle": map[string]any{"color": levelColours[k%len(levelColours)]}})
	}
	p.charts["chart-weights"] = map[string]any{
		"animation": false,
		"tooltip":   map[string]any{},
		"series": []any{map[string]any{"type": "sunburst", "data": data, "radius": []string{"12%", "95%"}, "sort": nil,
			"label": map[string]any{"fontSize": 11, "minAngle": 8}, "levels": []any{map[string]any{}, map[string]any{"label": map[string]any{"rotate": 0, "fontSize": 13}}, map[string]any{"label": map[string]any{"rotate": "radial"}}}}},
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

func nameEN(c *City) string {
	if c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// safeID keeps a node id usable in a DOM id (ids are ASCII with dots).
func safeID(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' {
			return r
		}
		return '-'
	}, id)
}
