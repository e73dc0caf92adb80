package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

func TestProbe(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	code, out, errOut := fhi(t, "probe", "p2p", srv.URL()+"/p2p/platforms?page=1")
	var list collectors.Probe
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || list.Page != "list" || len(list.Links) < 2 {
		t.Fatalf("probe of a list page: exit %d, %+v\n%s", code, list, errOut)
	}
	platform := ""
	for _, l := range list.Links {
		if strings.Contains(l, "/platforms/") && platform == "" {
			platform = l // the first links are promoted entries that redirect away
		}
	}
	code, out, errOut = fhi(t, "probe", "p2p", platform)
	var detail collectors.Probe
	if code != exitOK || json.Unmarshal([]byte(out), &detail) != nil || len(detail.Items) != 1 || detail.Items[0]["name"] == "" {
		t.Fatalf("probe of a platform page: exit %d, %+v\n%s", code, detail, errOut)
	}

	jobs, _ := srv.Site("jobs-api")
	code, out, errOut = fhi(t, "probe", "jobs", jobs.BaseURL+"/jobs/positionAjax.json?needAddtionalResult=false")
	var ajax collectors.Probe
	if code != exitOK || json.Unmarshal([]byte(out), &ajax) != nil || len(ajax.Items) != 100 ||
		!strings.Contains(errOut, "POST "+jobs.BaseURL) || !strings.Contains(errOut, "Referer: "+jobs.BaseURL+"/jobs/list_") || !strings.Contains(errOut, "start=0") {
		t.Errorf("probe of the POST API: exit %d, %d items\n%s", code, len(ajax.Items), errOut)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown source", []string{"probe", "nosuch", srv.URL()}, exitUsage, "unknown source"},
		{"not a url", []string{"probe", "p2p", "file:///etc/passwd"}, exitUsage, "not an http(s) URL"},
		{"page the spec does not describe", []string{"probe", "p2p", srv.URL() + "/city/"}, exitError, "no page of spec p2p matches"},
		{"missing page", []string{"probe", "p2p", srv.URL() + "/p2p/platforms/nope"}, exitError, "HTTP 404"},
		{"a page of another site", []string{"probe", "p2p", srv.URL() + "/licensees/payment"}, exitError, "no page of spec p2p matches"},
		{"robots.txt disallows it", []string{"probe", "p2p", srv.URL() + "/p2p/admin/platforms/p00001"}, exitError, "robots.txt disallows /p2p/admin/platforms/p00001"},
		{"a redirect", []string{"probe", "p2p", srv.URL() + "/p2p/go/ad1"}, exitError, "no page of spec p2p matches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := fhi(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("got exit %d and %q, want exit %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}
