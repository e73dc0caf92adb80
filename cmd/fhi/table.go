package main

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"
)

// printLeft prints left-aligned columns measured in terminal cells.
func printLeft(w io.Writer, header []string, rows [][]string) {
	widths := columnWidths(header, rows)
	for _, r := range append([][]string{header}, rows...) {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-cells(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

func columnWidths(header []string, rows [][]string) []int {
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], cells(c))
		}
	}
	return widths
}

// printAligned prints right-aligned columns measured in terminal cells, so Chinese city names (two
// cells per character) line up — text/tabwriter counts them as one.
func printAligned(w io.Writer, header []string, rows [][]string) {
	widths := columnWidths(header, rows)
	for _, r := range append([][]string{header}, rows...) {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(strings.Repeat(" ", widths[i]-cells(c)))
			b.WriteString(c)
		}
		fmt.Fprintln(w, b.String())
	}
}

// cells is the display width of s: East Asian wide and fullwidth runes take two cells.
func cells(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
