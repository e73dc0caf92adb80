// Package data holds fhi's committed reference data — the sample cities, China's administrative
// divisions, city GDP and the real spread of P2P platforms — embedded so the binary needs no files.
package data

import (
	"embed"
	"encoding/csv"
	"fmt"
)

// FS holds every reference file under its name in this directory, e.g. "divisions/areas.csv".
//
//go:embed *.csv divisions/*.csv
var FS embed.FS

// City is one sample city of the index.
type City struct {
	Code     string // NBS prefecture code; municipalities use their 市辖区 code (北京 1101)
	Name     string // short Chinese name without 市, e.g. 杭州
	NameEN   string
	Province string // full province name, e.g. 浙江省
	Kind     string // municipality, provincial_capital or separately_planned
}

// Cities returns the sample cities in file order.
func Cities() ([]City, error) {
	rows, err := ReadCSV("cities.csv")
	if err != nil {
		return nil, err
	}
	cities := make([]City, 0, len(rows))
	for _, r := range rows {
		cities = append(cities, City{Code: r["code"], Name: r["name"], NameEN: r["name_en"], Province: r["province"], Kind: r["kind"]})
	}
	return cities, nil
}

// ReadCSV reads an embedded CSV file with a header row into one map per row.
func ReadCSV(name string) ([]map[string]string, error) {
	f, err := FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("opening data/%s: %w", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading data/%s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("reading data/%s: no header row", name)
	}
	header := recs[0]
	rows := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
