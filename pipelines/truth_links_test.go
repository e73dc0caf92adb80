package pipelines

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestLinkingPrecisionRecall crawls the registry and every source of firm records (both job sites,
// the deal list, the P2P directory, the crowdfunding and licensee lists) from a sample web at
// scale 0.1, transforms, and scores entity_links against the world's links.csv: the sites print
// company names with the region in brackets, without their legal form, with stray spaces and
// zero-width characters, deals under their brand, platforms under their brand with or without a
// credit code. Precision = correct links / links made, recall = correct links / records; the
// targets are ≥ 0.98 and ≥ 0.95 overall.
func TestLinkingPrecisionRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls seven sources")
	}
	sources := []string{"registry", "jobs", "jobs_gbk", "vc", "p2p", "crowdfunding", "licensees"}
	lake, dir := collectTruth(t, sources...)
	truth := readLinks(t, filepath.Join(dir, "links.csv"))

	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type tally struct{ records, linked, correct int }
	bySource, byMethod := map[string]*tally{}, map[string]*tally{}
	get := func(m map[string]*tally, k string) *tally {
		if m[k] == nil {
			m[k] = &tally{}
		}
		return m[k]
	}
	var all tally
	for _, src := range sources[1:] {
		// Record keys are in the raw table; the transform staged each source as raw_<source>.
		rows, err := db.Query(`SELECT r.record_key, l.company_id, coalesce(l.method, l.problem)
			FROM entity_links l JOIN raw_`+src+` r ON r.record_id = l.record_id WHERE l.source = ?`, src)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var key, how string
			var company *string
			if err := rows.Scan(&key, &company, &how); err != nil {
				t.Fatal(err)
			}
			want, ok := truth[src+"\x00"+key]
			if !ok {
				t.Errorf("%s record %s is not in links.csv", src, key)
				continue
			}
			s, m := get(bySource, src), get(byMethod, how)
			s.records++
			all.records++
			if company != nil {
				s.linked++
				m.linked++
				all.linked++
				if *company == want {
					s.correct++
					m.correct++
					all.correct++
				}
			} else {
				m.records++
			}
		}
		rows.Close()
	}
	for _, src := range sortedKeys(bySource) {
		s := bySource[src]
		t.Logf("%-12s %5d records, %5d linked, %5d correct: precision %.4f recall %.4f", src, s.records, s.linked, s.correct,
			ratio(s.correct, s.linked), ratio(s.correct, s.records))
	}
	for _, m := range sortedKeys(byMethod) {
		x := byMethod[m]
		t.Logf("method %-24s %5d linked, %5d correct, %5d unlinked", m, x.linked, x.correct, x.records)
	}
	// Unlinked records are listed by fhi quality, by source and reason.
	q, err := lake.Quality(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, r := range q {
		if r.Stage == StageTransform && strings.HasPrefix(r.Reason, "unlinked") {
			listed += int(r.Count)
		}
	}
	if unlinked := all.records - all.linked; listed != unlinked {
		t.Errorf("fhi quality lists %d unlinked records, entity_links has %d", listed, unlinked)
	}
	precision, recall := ratio(all.correct, all.linked), ratio(all.correct, all.records)
	t.Logf("overall: %d records, precision %.4f, recall %.4f", all.records, precision, recall)
	if all.records < 1000 || precision < 0.98 || recall < 0.95 {
		t.Errorf("linking precision %.4f recall %.4f over %d records, want ≥ 0.98 and ≥ 0.95", precision, recall, all.records)
	}
}

// readLinks reads the sample web's links.csv into source + "\x00" + record key → company id.
func readLinks(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs[1:] {
		out[r[0]+"\x00"+r[1]] = r[2]
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
