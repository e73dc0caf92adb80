// Package survey collects the fintech user questionnaire, published by the city site as one XLSX
// workbook (/city/survey.xlsx): sheet 问卷, a header row 编号, 城市, 年龄段, 职业, 是否使用网贷,
// 区块链了解程度, 了解程度(分), then one row per response. A spec cannot read a workbook, so this
// source is Go: parse.go turns the workbook's bytes into rows (pure, tested on saved files),
// collect.go fetches it through the crawl engine and emits one record per response keyed by 编号.
//
// A workbook without the sheet or with a different header is quarantined whole: the columns would
// be guessed otherwise. A row without 编号, or repeating one, is reported and skipped; its
// neighbours are kept. Values stay the raw cell text; the transform casts 了解程度(分).
package survey
