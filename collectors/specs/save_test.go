package specs

import (
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

var savePages = flag.Bool("save-pages", false, "rewrite the sample-web saved pages under testdata/pages (seed 1, scale 0.05)")

// TestSavePages rewrites, with -save-pages, the saved pages of the script-data shapes from a
// sample web: the bytes exactly as the site serves them (GBK stays GBK).
func TestSavePages(t *testing.T) {
	if !*savePages {
		t.Skip("run with -save-pages to rewrite the saved pages")
	}
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	site := func(name string) string { s, _ := srv.Site(name); return s.BaseURL }
	referer := site("jobs-api") + "/jobs/list_%E9%87%91%E8%9E%8D"
	pages := []struct{ file, method, url, body, referer string }{
		{"jobs_ajax_page1.json", "POST", site("jobs-api") + "/jobs/positionAjax.json?needAddtionalResult=false", "first=false&kd=%E9%87%91%E8%9E%8D&size=5&start=0", referer},
		{"jobs_ajax_last.json", "POST", site("jobs-api") + "/jobs/positionAjax.json?needAddtionalResult=false", "first=false&kd=%E9%87%91%E8%9E%8D&size=5&start=890", referer},
		{"jobs_ajax_refused.json", "POST", site("jobs-api") + "/jobs/positionAjax.json?needAddtionalResult=false", "first=false&kd=%E9%87%91%E8%9E%8D&size=5&start=0", ""},
		{"jobs_gbk_search.html", "GET", site("jobs-gbk") + "/search/1.html", "", ""},
		{"vc_list_state.html", "GET", site("vc") + "/deals?page=1", "", ""},
		{"baidu_heat_weeks.jsonp", "GET", site("city") + "/3301/baidu.jsonp?callback=jQuery17209_3301", "", ""},
		{"lender_list.html", "GET", site("lender") + "/loan/list?page=1", "", ""},
		{"lender_loan.html", "GET", "http://127.0.0.11:" + strings.Split(srv.URL(), ":")[2] + "/loan/L0000140", "", ""},
	}
	for _, p := range pages {
		req, _ := http.NewRequest(p.method, p.url, strings.NewReader(p.body))
		if p.method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if p.referer != "" {
			req.Header.Set("Referer", p.referer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p.url, res.StatusCode)
		}
		// Addresses of the day's server would make the goldens change every run.
		host := func(name string) string { u, _ := url.Parse(site(name)); return u.Host }
		port := strings.Split(srv.URL(), ":")[2]
		b = []byte(strings.NewReplacer(host("lender"), "www.lender.test", "127.0.0.11:"+port, "loan.lender.test",
			host("jobs-gbk"), "search.jobs.test").Replace(string(b)))
		if err := os.WriteFile(filepath.Join("testdata", "pages", p.file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
