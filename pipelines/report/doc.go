// Package report renders the published Fintech Hub Index as one self-contained HTML file, laid
// out as the 2017 report was: the total ranking, a chapter per level-1 sub-index with its tiers
// (梯队), the top 10 of every level-2 sub-index, a heat map of the 16 level-2 scores, one profile
// per city, the weights and the method, rank uncertainty, rank changes and data quality.
//
// The page needs no network: Apache ECharts (assets/echarts.min.js, the unmodified file of the npm
// package echarts 6.1.0, Apache-2.0, licence beside it) is embedded into the binary and inlined
// into the page. ECharts was chosen over static SVG from gonum/plot because it has the chart
// kinds the report needs ready-made — radar, sunburst, error bars through custom series — and
// its SVG renderer keeps charts vector-sharp when the page is printed to PDF; the price is about
// 1.1 MB of script per report, under the size of one city photo.
//
// Every value reaches the page through html/template, and chart data through json.Marshal (which
// escapes <, > and &), so a scraped name is always text, never markup or script. Render is pure:
// it takes a Data value built by package pipelines from the lake and returns the page.
//
// Adding a section: put its data on Data (or derive it in build), add a {{define}} block to
// report.html.tmpl and list it in sections; a chart is a chartSpec added through addChart.
package report
