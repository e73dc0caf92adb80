package sampleweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// samplePaths are pages of every site used by the determinism and smoke tests.
var samplePaths = []string{
	"/", "/p2p/platforms?page=1", "/p2p/platforms?page=3", "/p2p/platforms/p00005", "/p2p/api/loans?page=2&size=100",
	"/registry/search?q=金融&page=1", "/registry/search?industry=blockchain", "/registry/companies/c000010",
	"/jobs-api/api/jobs?page=1", "/jobs-gbk/list?page=1", "/vc/deals?page=1", "/vc/deals/d00001",
	"/crowdfunding/platforms", "/crowdfunding/projects?page=1", "/licensees/payment", "/licensees/credit", "/licensees/blockchain",
	"/city/", "/city/4403/bulletin", "/city/3301/report", "/city/4403/services", "/city/credit-users", "/city/1101/baidu.json",
	"/city/1101/regulators", "/city/survey.xlsx",
}

func TestDeterminism(t *testing.T) {
	opts := Options{Seed: 7, Scale: 0.1}
	a := httptest.NewServer(NewHandler(mustWorld(t, opts), Faults{}))
	defer a.Close()
	b := httptest.NewServer(NewHandler(mustWorld(t, opts), Faults{}))
	defer b.Close()
	c := httptest.NewServer(NewHandler(mustWorld(t, Options{Seed: 8, Scale: 0.1}), Faults{}))
	defer c.Close()
	differs := 0
	for _, p := range samplePaths {
		ra, rb, rc := get(t, a.URL+p), get(t, b.URL+p), get(t, c.URL+p)
		if ra.status != http.StatusOK {
			t.Errorf("GET %s: status %d", p, ra.status)
			continue
		}
		if !bytes.Equal(ra.body, rb.body) || ra.header.Get("ETag") != rb.header.Get("ETag") {
			t.Errorf("GET %s: same options, different pages", p)
		}
		if !bytes.Equal(ra.body, rc.body) {
			differs++
		}
	}
	if differs < len(samplePaths)/2 {
		t.Errorf("a different seed changed only %d of %d pages", differs, len(samplePaths))
	}
}

func mustWorld(t testing.TB, opts Options) *World {
	t.Helper()
	w, err := NewWorld(opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestJobsGBK(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 0.1})
	rows := 0
	url := srv.URL + "/jobs-gbk/list?page=1"
	forms := map[string]bool{}
	for url != "" {
		res := get(t, url)
		if ct := res.header.Get("Content-Type"); ct != "text/html; charset=GBK" {
			t.Fatalf("Content-Type = %q", ct)
		}
		if bytes.Contains(res.body, []byte("职位")) {
			t.Fatal("GBK page contains UTF-8 text")
		}
		utf, err := simplifiedchinese.GBK.NewDecoder().Bytes(res.body)
		if err != nil {
			t.Fatal(err)
		}
		d := doc(t, utf)
		sel := d.Find("tr.job")
		rows += sel.Length()
		sel.Find("td.salary").Each(func(_ int, s *goquery.Selection) {
			txt := s.Text()
			switch {
			case strings.HasSuffix(txt, "万/月"):
				forms["万/月"] = true
			case strings.HasSuffix(txt, "千/月"):
				forms["千/月"] = true
			case strings.HasSuffix(txt, "万/年"):
				forms["万/年"] = true
			case txt == "面议":
				forms["面议"] = true
			}
		})
		if !strings.Contains(sel.First().Find("td.location").Text(), "-") {
			t.Errorf("location %q lacks the district", sel.First().Find("td.location").Text())
		}
		next, ok := d.Find("a.next").Attr("href")
		url = ""
		if ok {
			url = srv.URL + next
		}
	}
	want := w.Counts()["jobs-gbk/jobs"]
	if rows != want {
		t.Errorf("GBK rows = %d, want %d", rows, want)
	}
	if len(forms) != 4 {
		t.Errorf("salary forms seen = %v, want all four", forms)
	}
}

func TestJSONAPIs(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 0.1})
	tests := []struct {
		path, key string
		want      int
	}{
		{"/p2p/api/loans?size=100&page=", "loans", len(w.Loans)},
		{"/jobs-api/api/jobs?size=100&page=", "jobs", w.Counts()["jobs-api/jobs"]},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			seen := map[string]bool{}
			for page := 1; ; page++ {
				res := get(t, fmt.Sprintf("%s%s%d", srv.URL, tt.path, page))
				if res.status == http.StatusNotFound {
					break
				}
				var body map[string]json.RawMessage
				if err := json.Unmarshal(res.body, &body); err != nil {
					t.Fatal(err)
				}
				var items []map[string]any
				json.Unmarshal(body[tt.key], &items)
				if len(items) == 0 {
					t.Fatalf("page %d empty", page)
				}
				for _, it := range items {
					seen[it["id"].(string)] = true
				}
			}
			if len(seen) != tt.want {
				t.Errorf("distinct %s = %d, want %d", tt.key, len(seen), tt.want)
			}
		})
	}
	if res := get(t, srv.URL+"/p2p/api/loans?size=1000"); res.status != http.StatusBadRequest {
		t.Errorf("size=1000: status %d, want 400", res.status)
	}
}

func TestSitesSmoke(t *testing.T) {
	srv, _ := testServer(t, Options{Seed: 1, Scale: 0.1, Faults: Faults{Malformed: true}})
	for _, p := range samplePaths {
		res := get(t, srv.URL+p)
		if res.status != http.StatusOK || len(res.body) == 0 || res.header.Get("ETag") == "" {
			t.Errorf("GET %s: status %d, %d bytes, ETag %q", p, res.status, len(res.body), res.header.Get("ETag"))
		}
	}
	if res := get(t, srv.URL+"/city/9999/bulletin"); res.status != http.StatusNotFound {
		t.Errorf("unknown city: %d", res.status)
	}
	xl := get(t, srv.URL+"/city/survey.xlsx")
	if !bytes.HasPrefix(xl.body, []byte("PK")) {
		t.Error("survey.xlsx is not a zip")
	}
}

func TestDayEvolution(t *testing.T) {
	w0 := testWorld(t, Options{Seed: 1, Scale: 0.1})
	w3 := testWorld(t, Options{Seed: 1, Scale: 0.1, Day: 3})
	if len(w3.Loans) <= len(w0.Loans) || len(w3.Jobs) <= len(w0.Jobs) {
		t.Fatalf("day 3 has %d loans and %d jobs, day 0 %d and %d", len(w3.Loans), len(w3.Jobs), len(w0.Loans), len(w0.Jobs))
	}
	s0 := httptest.NewServer(NewHandler(w0, Faults{}))
	defer s0.Close()
	s3 := httptest.NewServer(NewHandler(w3, Faults{}))
	defer s3.Close()
	// the first loan page is unchanged: same ETag and Last-Modified, 304 on revalidation
	a, b := get(t, s0.URL+"/p2p/api/loans?page=1"), get(t, s3.URL+"/p2p/api/loans?page=1")
	if a.header.Get("ETag") != b.header.Get("ETag") || a.header.Get("Last-Modified") != b.header.Get("Last-Modified") {
		t.Error("unchanged first loan page changed validators")
	}
	if res := get(t, s3.URL+"/p2p/api/loans?page=1", "If-None-Match", a.header.Get("ETag")); res.status != http.StatusNotModified {
		t.Errorf("revalidating an unchanged page: %d, want 304", res.status)
	}
	// closed platforms: their detail pages change, with a later Last-Modified
	closed := 0
	for i, p := range w0.bySector[sectorP2P] {
		q := w3.bySector[sectorP2P][i]
		if p.Status == q.Status {
			continue
		}
		closed++
		ra, rb := get(t, s0.URL+"/p2p/platforms/"+p.ID), get(t, s3.URL+"/p2p/platforms/"+p.ID)
		if ra.header.Get("ETag") == rb.header.Get("ETag") || ra.header.Get("Last-Modified") == rb.header.Get("Last-Modified") {
			t.Errorf("%s changed status but not its validators", p.ID)
		}
	}
	if closed == 0 {
		t.Error("no platform closed in 3 days")
	}
}

func TestWriteTruth(t *testing.T) {
	w := testWorld(t, Options{Seed: 1, Scale: 0.1})
	dir := t.TempDir()
	if err := w.WriteTruth(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "indicators.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 37 {
		t.Errorf("indicators.csv has %d lines, want 37", len(lines))
	}
	if got := len(strings.Split(lines[0], ",")); got != 40 {
		t.Errorf("indicators.csv has %d columns, want 40", got)
	}
	var counts map[string]int
	cb, _ := os.ReadFile(filepath.Join(dir, "counts.json"))
	if err := json.Unmarshal(cb, &counts); err != nil {
		t.Fatal(err)
	}
	if counts["p2p/loans"] != len(w.Loans) {
		t.Errorf("counts p2p/loans = %d, want %d", counts["p2p/loans"], len(w.Loans))
	}
	for _, f := range []string{"platforms.csv", "firms.csv", "companies.csv", "jobs.csv", "deals.csv", "loans.csv", "projects.csv", "survey.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	tmp, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(tmp) > 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestPublishedFigures(t *testing.T) {
	w := testWorld(t, Options{Seed: 1, Scale: 1})
	ind := w.Indicators()
	if got := ind["深圳"]["experience.payment.online_payment"]; got != 107 {
		t.Errorf("Shenzhen city services = %v, want 107 (FHI2017.md §5)", got)
	}
	if got := ind["杭州"]["experience.credit.penetration"]; got < 6.535 || got > 6.545 {
		t.Errorf("Hangzhou credit penetration = %.3f%%, want 6.54%%", got)
	}
	sum, n := map[string]float64{}, map[string]float64{}
	for i := range w.Loans {
		sum[w.Loans[i].City.Name] += float64(w.Loans[i].Amount)
		n[w.Loans[i].City.Name]++
	}
	for city, want := range publishedLoanSize {
		if got := sum[city] / n[city]; got < want-1 || got > want+1 {
			t.Errorf("%s average loan = %.0f, want %.0f (FHI2017.md §5)", city, got, want)
		}
	}
	for city, want := range publishedSalary {
		var s, k float64
		for _, j := range w.Jobs {
			if m, ok := j.MonthlyMid(); ok && j.City.Name == city {
				s += m
				k++
			}
		}
		if got := s / k; got < want*0.995 || got > want*1.005 {
			t.Errorf("%s mean salary = %.2f, want %.2f ± 0.5%%", city, got, want)
		}
	}
	c := w.Counts()
	for s, want := range map[string]int{"p2p": 2253, "crowdfunding": 247, "payment": 248, "credit": 133, "blockchain": 72} {
		if c["operating/"+s] != want {
			t.Errorf("operating %s = %d, want %d", s, c["operating/"+s], want)
		}
	}
	if c["jobs-api/jobs"]+c["jobs-gbk/jobs"] < 30000 || c["vc/deals"] < 700 || c["p2p/loans"]+c["crowdfunding/projects"] < 200000 || c["city/survey"] < 2500 {
		t.Errorf("volumes below FHI2017.md §3: %v", c)
	}
}
