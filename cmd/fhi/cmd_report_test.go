package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/xuri/excelize/v2"
)

func TestReportAndExports(t *testing.T) {
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	if code, out, errOut := fhi(t, "run", "--lake", lake, "--scale", "0.2", "--sources", "p2p"); code != exitOK {
		t.Fatalf("fhi run exited %d\n%s\n%s", code, out, errOut)
	}
	page := filepath.Join(dir, "report.html")
	if code, _, errOut := fhi(t, "report", "--lake", lake, "-o", page); code != exitOK {
		t.Fatalf("fhi report exited %d: %s", code, errOut)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "模拟数据 Simulated data") || !strings.Contains(string(b), "echarts") {
		t.Errorf("fhi report wrote no simulated-data banner or no ECharts (%v)", err)
	}
	code, out, errOut := fhi(t, "scores", "--lake", lake, "--format", "csv", "--bom")
	if code != exitOK || !strings.HasPrefix(out, string(pipelines.UTF8BOM)+"rank,city,total") {
		t.Errorf("fhi scores --bom: exit %d, output starts %.20q: %s", code, out, errOut)
	}
	code, out, errOut = fhi(t, "scores", "--lake", lake, "--format", "csv", "--level", "3", "--raw")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil || !strings.HasSuffix(recs[0][4], "_raw") {
		t.Errorf("fhi scores --level 3 --raw: exit %d (%v), header %v: %s", code, err, recs, errOut)
	}
	if code, _, errOut := fhi(t, "scores", "--lake", lake, "--raw"); code != exitUsage {
		t.Errorf("--raw without --level 3: exit %d, want %d: %s", code, exitUsage, errOut)
	}
	code, out, errOut = fhi(t, "scores", "--lake", lake, "--format", "xlsx")
	if code != exitOK {
		t.Fatalf("fhi scores --format xlsx exited %d: %s", code, errOut)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatalf("the xlsx does not reopen: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 5 {
		t.Errorf("xlsx sheets %v, want five", sheets)
	}
}
