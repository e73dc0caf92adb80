package data

import (
	"fmt"
	"math"
	"strconv"
	"sync"
)

// rates holds currency_rates.csv: currency → year → yuan per unit.
var rates = sync.OnceValues(func() (map[string]map[int]float64, error) {
	rows, err := ReadCSV("currency_rates.csv")
	if err != nil {
		return nil, err
	}
	out := map[string]map[int]float64{}
	for i, r := range rows {
		y, err1 := strconv.Atoi(r["year"])
		x, err2 := strconv.ParseFloat(r["cny_per_unit"], 64)
		if err1 != nil || err2 != nil || x <= 0 {
			return nil, fmt.Errorf("reading data/currency_rates.csv line %d: bad year or rate", i+2)
		}
		if out[r["currency"]] == nil {
			out[r["currency"]] = map[int]float64{}
		}
		out[r["currency"]][y] = x
	}
	return out, nil
})

// Rate returns yuan per unit of an ISO 4217 currency in year, by the rule the transform's
// fhi_rate states: the year's yearly average, else the nearest year's (the later on a tie); CNY
// is 1. ok is false for a currency the table lacks.
func Rate(currency string, year int) (rate float64, ok bool) {
	if currency == "CNY" {
		return 1, true
	}
	all, err := rates()
	if err != nil {
		return 0, false
	}
	best, bestYear := 0.0, 0
	for y, x := range all[currency] {
		d, bd := math.Abs(float64(y-year)), math.Abs(float64(bestYear-year))
		if best == 0 || d < bd || (d == bd && y > bestYear) {
			best, bestYear = x, y
		}
	}
	return best, best > 0
}

// AmountPhrase is one row of amount_phrases.csv.
type AmountPhrase struct {
	Phrase, Kind     string  // Kind: vague or undisclosed
	ValueWan, LowWan float64 // conventional value and low end, 万; NaN when empty
	HighWan          float64 // high end, 万; NaN = unbounded
	Note             string
}

// AmountPhrases returns the vague and undisclosed amount phrases with their conventions.
func AmountPhrases() (map[string]AmountPhrase, error) {
	rows, err := ReadCSV("amount_phrases.csv")
	if err != nil {
		return nil, err
	}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return x
	}
	out := map[string]AmountPhrase{}
	for _, r := range rows {
		out[r["phrase"]] = AmountPhrase{Phrase: r["phrase"], Kind: r["kind"], ValueWan: num(r["value_wan"]),
			LowWan: num(r["low_wan"]), HighWan: num(r["high_wan"]), Note: r["note"]}
	}
	return out, nil
}
