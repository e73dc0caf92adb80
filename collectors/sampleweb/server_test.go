package sampleweb

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

var (
	worldCache   = map[Options]*World{}
	worldCacheMu sync.Mutex
)

// testWorld builds (once per options) a world for tests.
func testWorld(t testing.TB, opts Options) *World {
	t.Helper()
	worldCacheMu.Lock()
	defer worldCacheMu.Unlock()
	if w, ok := worldCache[opts]; ok {
		return w
	}
	w, err := NewWorld(opts)
	if err != nil {
		t.Fatalf("NewWorld(%+v): %v", opts, err)
	}
	worldCache[opts] = w
	return w
}

// testServer serves a world through httptest.
func testServer(t testing.TB, opts Options) (*httptest.Server, *World) {
	t.Helper()
	w := testWorld(t, opts)
	srv := httptest.NewServer(NewHandler(w, opts.Faults))
	t.Cleanup(srv.Close)
	return srv, w
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func get(t testing.TB, url string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	return response{res.StatusCode, res.Header, b}
}

func doc(t testing.TB, body []byte) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type dirRow struct{ id, name, city, status string }

// crawlDirectory pages through the P2P directory following a.next and returns every row.
func crawlDirectory(t testing.TB, base string) []dirRow {
	t.Helper()
	var rows []dirRow
	url := base + "/p2p/platforms?page=1"
	for page := 1; ; page++ {
		res := get(t, url)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", url, res.status)
		}
		d := doc(t, res.body)
		if got := d.Find("div.pager span.current").Text(); got != fmt.Sprint(page) {
			t.Fatalf("page %d: current = %q", page, got)
		}
		d.Find("table.platforms tr.platform:not(.promoted)").Each(func(_ int, s *goquery.Selection) {
			a := s.Find("td.name a")
			href, _ := a.Attr("href")
			rows = append(rows, dirRow{strings.TrimPrefix(href, "/p2p/platforms/"), a.Text(), s.Find("td.city").Text(), s.Find("td.status").Text()})
		})
		next, ok := d.Find("div.pager a.next").Attr("href")
		if !ok {
			return rows
		}
		if want := fmt.Sprintf("/p2p/platforms?page=%d", page+1); next != want {
			t.Fatalf("page %d: next = %q, want %q", page, next, want)
		}
		url = base + next
	}
}

func TestP2PDirectory(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 1})
	rows := crawlDirectory(t, srv.URL)
	if got, want := len(rows), len(w.bySector[sectorP2P]); got != want {
		t.Fatalf("directory rows = %d, want %d", got, want)
	}
	sample := map[string]bool{}
	for _, c := range w.SampleCities() {
		sample[c.Name] = true
	}
	operating, outside, seen := 0, 0, map[string]bool{}
	statuses := map[string]int{}
	for _, r := range rows {
		if seen[r.id] {
			t.Errorf("platform %s listed twice", r.id)
		}
		seen[r.id] = true
		statuses[r.status]++
		if !sample[r.city] {
			outside++
			continue
		}
		if w.firmByID[r.id].Operating() {
			operating++
			if r.status != w.firmByID[r.id].StatusText() {
				t.Errorf("%s: status %q, want %q", r.id, r.status, w.firmByID[r.id].StatusText())
			}
		}
	}
	if operating != operatingP2P {
		t.Errorf("operating platforms in sample cities = %d, want %d", operating, operatingP2P)
	}
	if outside == 0 || outside > len(rows)/20 {
		t.Errorf("platforms outside the sample cities = %d, want a few", outside)
	}
	for _, s := range []string{"正常", "normal", "停业", "停业或转型", "问题", "问题平台", "跑路"} {
		if statuses[s] == 0 {
			t.Errorf("statuses = %v, want every spelling the real directories print, %s among them", statuses, s)
		}
	}
	pages := (len(rows) + p2pPageSize - 1) / p2pPageSize
	if res := get(t, fmt.Sprintf("%s/p2p/platforms?page=%d", srv.URL, pages+1)); res.status != http.StatusNotFound {
		t.Errorf("page past the end: status %d, want 404", res.status)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if res := get(t, srv.URL+"/p2p/platforms?page="+bad); res.status != http.StatusNotFound {
			t.Errorf("page=%s: status %d, want 404", bad, res.status)
		}
	}
}

func TestP2PDetail(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 0.2})
	forms := map[string]int{}
	for _, p := range w.bySector[sectorP2P] {
		res := get(t, srv.URL+"/p2p/platforms/"+p.ID)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: status %d", p.ID, res.status)
		}
		d := doc(t, res.body)
		div := d.Find("div.platform")
		if id, _ := div.Attr("data-id"); id != p.ID {
			t.Fatalf("data-id = %q, want %q", id, p.ID)
		}
		if got := div.Find("h1.name").Text(); got != p.Name {
			t.Errorf("%s: name = %q, want %q", p.ID, got, p.Name)
		}
		addr := div.Find("td.address").Text()
		loc := div.Find("td.location").Text()
		if !strings.Contains(addr, p.City.Name) && !strings.Contains(loc, p.City.Name) {
			t.Errorf("%s: address %q and location %q lack city %s", p.ID, addr, loc, p.City.Name)
		}
		switch {
		case !strings.Contains(addr, p.City.Name):
			forms["district only or former city"]++
		case strings.Contains(addr, " "):
			forms["spaced"]++
		case strings.HasPrefix(addr, p.City.Province):
			forms["province"]++
		case strings.HasPrefix(addr, p.City.Name+"市"):
			forms["city市"]++
		case strings.HasPrefix(addr, p.City.Name):
			forms["city"]++
		default:
			forms["short province"]++
		}
		capital := div.Find("td.capital").Text()
		for _, suf := range []string{"万元", "亿元", "万人民币", "万美元", "--"} {
			if strings.HasSuffix(capital, suf) {
				forms[suf]++
			}
		}
		turnover := div.Find("td.turnover").Text()
		if turnover != "--" && !strings.HasSuffix(turnover, "亿元") && !strings.HasSuffix(turnover, "万元") {
			t.Errorf("%s: turnover %q", p.ID, turnover)
		}
		if _, err := time.Parse("2006-01-02", div.Find("td.online").Text()); err != nil {
			t.Errorf("%s: online: %v", p.ID, err)
		}
		if got := div.Find("td.status").Text(); got != p.StatusText() {
			t.Errorf("%s: status %q, want %q", p.ID, got, p.StatusText())
		}
		if strings.Contains(loc, "|") {
			forms["省|市"]++
		}
	}
	for _, f := range []string{"province", "city市", "city", "short province", "district only or former city", "spaced", "省|市",
		"万元", "亿元", "万人民币", "万美元", "--"} {
		if forms[f] == 0 {
			t.Errorf("no page shows form %q (forms: %v)", f, forms)
		}
	}
	if res := get(t, srv.URL+"/p2p/platforms/p99999"); res.status != http.StatusNotFound {
		t.Errorf("unknown platform: status %d, want 404", res.status)
	}
}

func TestHostileNamesEscaped(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 0.1, Faults: Faults{Hostile: true}})
	var found int
	for _, p := range w.bySector[sectorP2P] {
		if !strings.ContainsAny(p.Name, `<'"&`) {
			continue
		}
		found++
		res := get(t, srv.URL+"/p2p/platforms/"+p.ID)
		if strings.Contains(string(res.body), "<script>") || strings.Contains(string(res.body), "<img") {
			t.Errorf("%s: unescaped hostile name in page", p.ID)
		}
		if got := doc(t, res.body).Find("h1.name").Text(); got != p.Name {
			t.Errorf("%s: name = %q, want %q", p.ID, got, p.Name)
		}
	}
	if found == 0 {
		t.Fatal("no hostile names in a hostile world")
	}
}

func TestRobots(t *testing.T) {
	srv, _ := testServer(t, Options{Seed: 1, Scale: 0.1})
	res := get(t, srv.URL+"/robots.txt")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("robots.txt: status %d, type %q", res.status, res.header.Get("Content-Type"))
	}
	for _, dis := range []string{"Disallow: /p2p/admin/", "Disallow: /registry/export"} {
		if !strings.Contains(string(res.body), dis) {
			t.Errorf("robots.txt lacks %q", dis)
		}
	}
	// a listed page links to a disallowed path, so crawlers' obedience can be tested
	list := get(t, srv.URL+"/p2p/platforms?page=1")
	if !strings.Contains(string(list.body), `href="/p2p/admin/`) {
		t.Error("directory page has no link to /p2p/admin/")
	}
	if res := get(t, srv.URL+"/p2p/admin/audit"); res.status != http.StatusForbidden {
		t.Errorf("admin page: status %d, want 403", res.status)
	}
}

func TestConditionalGet(t *testing.T) {
	srv, _ := testServer(t, Options{Seed: 1, Scale: 0.1})
	url := srv.URL + "/p2p/platforms/p00001"
	first := get(t, url)
	etag, lm := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" || lm == "" || first.header.Get("Set-Cookie") == "" {
		t.Fatalf("headers: ETag %q, Last-Modified %q, Set-Cookie %q", etag, lm, first.header.Get("Set-Cookie"))
	}
	tests := []struct {
		name string
		hdr  []string
		want int
	}{
		{"matching etag", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"weak etag", []string{"If-None-Match", "W/" + etag}, http.StatusNotModified},
		{"other etag", []string{"If-None-Match", `"0000"`}, http.StatusOK},
		{"since last-modified", []string{"If-Modified-Since", lm}, http.StatusNotModified},
		{"since earlier", []string{"If-Modified-Since", baseDate.AddDate(0, 0, -1).Format(http.TimeFormat)}, http.StatusOK},
		{"etag wins over date", []string{"If-None-Match", `"0000"`, "If-Modified-Since", lm}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, url, tt.hdr...)
			if res.status != tt.want {
				t.Errorf("status = %d, want %d", res.status, tt.want)
			}
			if res.status == http.StatusNotModified && len(res.body) != 0 {
				t.Errorf("304 with a body of %d bytes", len(res.body))
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	srv, _ := testServer(t, Options{Seed: 1, Scale: 0.1, Faults: Faults{RateLimit: 20}})
	var limited response
	for range 60 {
		res := get(t, srv.URL+"/p2p/platforms?page=1")
		if res.status == http.StatusTooManyRequests {
			limited = res
			break
		}
	}
	if limited.status != http.StatusTooManyRequests {
		t.Fatal("60 quick requests at ratelimit=20: no 429")
	}
	if ra := limited.header.Get("Retry-After"); ra == "" {
		t.Error("429 without Retry-After")
	}
	time.Sleep(1100 * time.Millisecond)
	if res := get(t, srv.URL+"/p2p/platforms?page=1"); res.status != http.StatusOK {
		t.Errorf("after waiting: status %d, want 200", res.status)
	}
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec    string
		want    Faults
		wantErr bool
	}{
		{"", Faults{}, false},
		{"5xx=0.05,slow=0.01,drop=0.01,ratelimit=200,malformed,hostile,shift",
			Faults{ServerErrorRate: 0.05, SlowRate: 0.01, DropRate: 0.01, RateLimit: 200, Malformed: true, Hostile: true, Shift: true}, false},
		{"slow=0.5,slowdelay=250ms", Faults{SlowRate: 0.5, SlowDelay: 250 * time.Millisecond}, false},
		{"malformed=false", Faults{}, false},
		{"5xx", Faults{}, true},
		{"5xx=2", Faults{}, true},
		{"teapot", Faults{}, true},
		{"ratelimit=-1", Faults{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseFaults(tt.spec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFaults(%q) error = %v, want error %v", tt.spec, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFaults(%q) mismatch (-want +got):\n%s", tt.spec, diff)
			}
			if err == nil {
				again, err := ParseFaults(got.String())
				if err != nil || again != got {
					t.Errorf("round trip via %q: %+v, %v", got.String(), again, err)
				}
			}
		})
	}
}

func TestShiftFault(t *testing.T) {
	srv, w := testServer(t, Options{Seed: 1, Scale: 0.2, Faults: Faults{Shift: true}})
	rows := crawlDirectory(t, srv.URL)
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.id]++
	}
	dups := 0
	for _, n := range seen {
		if n > 1 {
			dups++
		}
	}
	if dups == 0 {
		t.Error("shift fault: no platform seen on two pages")
	}
	if len(seen) != len(w.bySector[sectorP2P]) {
		t.Errorf("shift fault lost platforms: saw %d distinct, want %d", len(seen), len(w.bySector[sectorP2P]))
	}
}

func TestServerStart(t *testing.T) {
	s, err := Start("127.0.0.1:0", Options{Seed: 1, Scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sites := s.Sites()
	if len(sites) != len(siteList) {
		t.Fatalf("Sites() = %+v", sites)
	}
	hosts := map[string]bool{}
	for _, st := range sites {
		for _, h := range st.Hosts {
			if hosts[h] {
				t.Errorf("host %s serves two sites", h)
			}
			hosts[h] = true
		}
		if !strings.HasPrefix(st.BaseURL, "http://"+st.Hosts[0]+"/") {
			t.Errorf("site %s: base URL %s is not on its first host %v", st.Name, st.BaseURL, st.Hosts)
		}
	}
	p2p, _ := s.Site("p2p")
	registry, _ := s.Site("registry")
	for _, c := range []struct {
		url  string
		code int
		has  string
	}{
		{p2p.BaseURL + "/platforms?page=1", http.StatusOK, "table class=\"platforms\""},
		{"http://" + p2p.Hosts[0] + "/registry/search", http.StatusNotFound, ""}, // a host serves its own site only
		{"http://" + p2p.Hosts[0] + "/robots.txt", http.StatusOK, "Disallow: /p2p/admin/"},
		{"http://" + registry.Hosts[0] + "/robots.txt", http.StatusOK, "Disallow: /registry/export"},
		{s.URL() + "/p2p/platforms?page=1", http.StatusOK, ""}, // the index host serves every site, as one host would
	} {
		res := get(t, c.url)
		if res.status != c.code || !strings.Contains(string(res.body), c.has) {
			t.Errorf("%s: status %d, want %d with %q", c.url, res.status, c.code, c.has)
		}
	}
	if r := get(t, "http://"+registry.Hosts[0]+"/robots.txt"); strings.Contains(string(r.body), "/p2p/admin/") {
		t.Error("the registry host's robots.txt has the p2p host's rules")
	}
	if s.World() == nil {
		t.Error("World() = nil")
	}
}
