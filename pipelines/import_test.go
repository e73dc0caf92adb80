package pipelines

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestImportCSV(t *testing.T) {
	lake := openTestLake(t)
	file := filepath.Join(t.TempDir(), "yearbook.csv")
	csvText := "\ufeffcity,gdp_yi,note\n杭州,12556,\n北京,28000,首都\n上海,30133,a,extra\n,,\n"
	if err := os.WriteFile(file, []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := lake.Import(t.Context(), ImportOptions{Source: "yearbook", File: file, Key: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 2 {
		t.Errorf("got %d rows, want 2 (one ragged row quarantined, one blank skipped)", m.Rows)
	}
	var failures []collectors.Failure
	b, _ := os.ReadFile(filepath.Join(lake.RawDir("yearbook", m.RunID), "failures.json"))
	if err := json.Unmarshal(b, &failures); err != nil || len(failures) != 1 || !strings.Contains(failures[0].Error, "row 4: has 4 cells") {
		t.Errorf("failures %+v (%v), want row 4 quarantined", failures, err)
	}
	files, _ := lake.rawFiles(m)
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	var url, sha, warc, gdp string
	var offset int64
	if err := db.QueryRow(`SELECT url, body_sha256, warc_file, warc_offset, gdp_yi FROM read_parquet(?) WHERE record_key = '北京'`, files).Scan(&url, &sha, &warc, &offset, &gdp); err != nil {
		t.Fatal(err)
	}
	archived, err := os.ReadFile(filepath.Join(lake.ArchiveDir("yearbook"), warc))
	if err != nil || string(archived) != csvText || offset != 3 || gdp != "28000" || !strings.HasPrefix(url, "file://") || len(sha) != 64 {
		t.Errorf("lineage url=%s sha=%s warc=%s offset=%d gdp=%s; archived copy equal: %v", url, sha, warc, offset, gdp, string(archived) == csvText)
	}
	// An imported source is an input of the next transform like any crawl.
	inputs, err := lake.transformInputs(TransformOptions{})
	if err != nil || len(inputs) != 1 || inputs[0].Source != "yearbook" {
		t.Errorf("transform inputs %+v (%v), want the import", inputs, err)
	}
}

func TestImportXLSX(t *testing.T) {
	lake := openTestLake(t)
	f := excelize.NewFile()
	_ = f.SetSheetName("Sheet1", "问卷")
	for i, row := range [][]any{{"编号", "城市", "了解程度(分)"}, {"q1", "杭州", 4}, {"q2", "上海", 5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow("问卷", cell, &row)
	}
	file := filepath.Join(t.TempDir(), "survey.xlsx")
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	m, err := lake.Import(t.Context(), ImportOptions{Source: "survey_export", File: file, Key: "编号"})
	if err != nil || m.Rows != 2 {
		t.Fatalf("import: %v, %d rows", err, m.Rows)
	}
}

func TestImportRejects(t *testing.T) {
	lake := openTestLake(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		opts ImportOptions
		want string
	}{
		{"bad source name", ImportOptions{Source: "../x", File: write("a.csv", "a\n1\n")}, "not a valid source name"},
		{"crawled source name", ImportOptions{Source: "p2p", File: write("b.csv", "a\n1\n")}, "import with --as p2p"},
		{"missing file", ImportOptions{Source: "x", File: filepath.Join(dir, "none.csv")}, "no such file"},
		{"wrong type", ImportOptions{Source: "x", File: write("c.txt", "a\n1\n")}, "want a .csv or .xlsx"},
		{"header only", ImportOptions{Source: "x", File: write("d.csv", "a,b\n")}, "no data rows"},
		{"empty header cell", ImportOptions{Source: "x", File: write("e.csv", "a,,c\n1,2,3\n")}, "header column 2 is empty"},
		{"reserved column", ImportOptions{Source: "x", File: write("f.csv", "record_id\n1\n")}, "repeated or reserved"},
		{"unknown key", ImportOptions{Source: "x", File: write("g.csv", "a\n1\n"), Key: "id"}, `no column "id"`},
		{"broken xlsx", ImportOptions{Source: "x", File: write("h.xlsx", "not a zip")}, "reading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lake.Import(t.Context(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if parts, _ := filepath.Glob(filepath.Join(lake.Root, "raw", "*", "run=*")); len(parts) != 0 {
		t.Errorf("failed imports left partitions: %v", parts)
	}
}

// gbk encodes s as Chinese Excel saves a CSV.
func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportAsCrawledSourceGBK files a bought P2P directory — a GBK CSV with its own Chinese
// column names — as the p2p source through a column mapping, and checks that the next transform
// cleans its rows like a crawl's (places, statuses, money) and that short, long and duplicate-key
// rows are listed in failures.json, each with the row's lineage.
func TestImportAsCrawledSourceGBK(t *testing.T) {
	lake := openTestLake(t)
	dir := t.TempDir()
	csvText := "平台编号,平台名称,所在地,注册地,注册资本,运营状态,备注\r\n" +
		"A1,钱汇贷,浙江|杭州,西湖区文三路90号,5000万元,正常,\r\n" +
		"A2,鑫融网,广东|深圳,南山区科技园,1000万美元,normal,外资\r\n" +
		"A3,宝利金融,吉林|长春,朝阳区人民大街,1亿元,停业或转型,\r\n" +
		"A4,短行,北京\r\n" + // short
		"A5,长行,北京,朝阳区,1亿元,正常,,多一格\r\n" + // long
		"A2,重复,上海,浦东新区,1亿元,正常,\r\n" + // duplicate key
		"A6,问题多,上海,浦东新区张江路,数千万,跑路,\r\n"
	file := filepath.Join(dir, "网贷平台名录.csv")
	if err := os.WriteFile(file, gbk(t, csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := lake.Import(t.Context(), ImportOptions{As: "p2p", File: file, Key: "平台编号",
		Map: map[string]string{"platform_id": "平台编号", "name": "平台名称", "location": "所在地", "address": "注册地",
			"registered_capital": "注册资本", "status": "运营状态"}})
	if err != nil {
		t.Fatal(err)
	}
	rep := ReadImportReport(m)
	if m.Source != "p2p" || m.Rows != 4 || rep == nil || rep.Failures != 3 || rep.Encoding != "gb18030 (detected)" {
		t.Fatalf("import: source %s, %d rows, report %+v; want p2p, 4 rows, 3 failures, GB18030 detected", m.Source, m.Rows, rep)
	}
	var failures []collectors.Failure
	b, _ := os.ReadFile(filepath.Join(lake.RawDir("p2p", m.RunID), "failures.json"))
	if err := json.Unmarshal(b, &failures); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, f := range failures {
		reasons = append(reasons, fmt.Sprintf("%d %s", f.WARCOffset, f.Error))
	}
	want := []string{"5 row 5: has 3 cells, the header 7 (a short row)", "6 row 6: has 8 cells, the header 7 (a long row)",
		`7 row 7: repeats key "A2" of row 3 (a duplicate-key row)`}
	if strings.Join(reasons, "|") != strings.Join(want, "|") {
		t.Errorf("failures %q, want %q", reasons, want)
	}

	if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
		t.Fatal(err)
	}
	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]string{}
	rows, err := db.Query(`SELECT c.platform_id, concat_ws(' ', c.city_name, c.place_method, c.status, c.operating, c.registered_capital_yuan::BIGINT, r.备注)
		FROM clean_p2p_platforms c JOIN raw_p2p r USING (record_id) ORDER BY c.platform_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		got[id] = s
	}
	wantRows := map[string]string{
		"A1": "杭州 county+context operating true 50000000",
		"A2": "深圳 county+context operating true 67518000 外资",
		"A3": "长春 county+context closed false 100000000",
		"A6": "上海 county+context problem false 50000000",
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("cleaned rows\n%v\nwant\n%v", got, wantRows)
	}
	var firms float64
	if err := db.QueryRow(`SELECT value FROM metrics WHERE indicator = 'industry.p2p.firms' AND city = '杭州'`).Scan(&firms); err != nil || firms != 1 {
		t.Errorf("industry.p2p.firms 杭州 = %g (%v), want 1 from the imported row", firms, err)
	}
	// Lineage: each cleaned row leads to the archived file and its row number.
	var warc string
	var offset int64
	if err := db.QueryRow(`SELECT warc_file, warc_offset FROM raw_p2p WHERE platform_id = 'A6'`).Scan(&warc, &offset); err != nil || offset != 8 ||
		!strings.HasSuffix(warc, "-import.csv") {
		t.Errorf("lineage of A6: %s row %d (%v), want the archived copy, row 8", warc, offset, err)
	}
}

// TestImportEncodings decodes CSV files as Chinese Excel, other tools and people save them, and
// refuses what is not valid text rather than storing it.
func TestImportEncodings(t *testing.T) {
	const text = "城市,人口\n杭州,919\n"
	utf16 := func(s string) []byte {
		b, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		return b
	}
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	tests := []struct {
		name     string
		data     []byte
		encoding string
		want     string // encoding reported, or an error's text
		ok       bool
	}{
		{"utf-8", []byte(text), "", "utf-8", true},
		{"utf-8 with BOM", append([]byte("\ufeff"), text...), "", "utf-8", true},
		{"GBK detected", gbk(t, text), "", "gb18030 (detected)", true},
		{"GB18030 named", gb18030, "gb18030", "gb18030", true},
		{"GBK named", gbk(t, text), "GBK", "gbk", true},
		{"UTF-16 with BOM", utf16(text), "", "utf-16 (byte-order mark)", true},
		{"GBK read as UTF-8", gbk(t, text), "utf-8", "not valid UTF-8", false},
		{"not text", []byte("城市,人口\n\xff\xff\xff,1\n"), "", "neither UTF-8 nor GBK", false},
		{"unknown name", []byte(text), "latin1", "unknown encoding", false},
	}
	lake := openTestLake(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "t.csv")
			if err := os.WriteFile(file, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := lake.Import(t.Context(), ImportOptions{Source: fmt.Sprintf("enc%d", i), File: file, Encoding: tt.encoding})
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want an error saying %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep := ReadImportReport(m); rep == nil || rep.Encoding != tt.want || rep.Columns[0] != "城市" {
				t.Errorf("report %+v, want encoding %q and column 城市", rep, tt.want)
			}
		})
	}
}

// TestImportMappingRejects names every mistake of a column mapping at once, before writing.
func TestImportMappingRejects(t *testing.T) {
	lake := openTestLake(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(file, []byte("平台名称,注册地\n钱汇贷,杭州\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mapFile := filepath.Join(dir, "map.yaml")
	if err := os.WriteFile(mapFile, []byte("name: 平台名称\naddress: 注册地\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts ImportOptions
		want string
	}{
		{"unknown field", ImportOptions{As: "p2p", File: file, Map: map[string]string{"nom": "平台名称"}}, "nom is not a field of p2p"},
		{"missing column", ImportOptions{As: "p2p", File: file, Map: map[string]string{"name": "名称"}}, `the file has no column "名称"`},
		{"one column twice", ImportOptions{As: "p2p", File: file, Map: map[string]string{"name": "平台名称", "address": "平台名称"}}, "mapped to both"},
		{"nothing mapped", ImportOptions{As: "p2p", File: file}, "no column maps to a field of p2p"},
		{"map without --as", ImportOptions{Source: "mine", File: file, Map: map[string]string{"name": "平台名称"}}, "needs --as"},
		{"unknown source", ImportOptions{As: "nosuch", File: file}, "unknown source"},
		{"other name", ImportOptions{Source: "vc", As: "p2p", File: file}, "files the rows under p2p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := lake.Import(t.Context(), tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
	// A mapping file works like --map.
	m, err := lake.Import(t.Context(), ImportOptions{As: "p2p", File: file, MapFile: mapFile})
	if err != nil || m.Rows != 1 {
		t.Fatalf("import with a mapping file: %v", err)
	}
	if rep := ReadImportReport(m); rep.Mapping["name"] != "平台名称" || rep.Mapping["address"] != "注册地" {
		t.Errorf("mapping %v, want name=平台名称 address=注册地", rep.Mapping)
	}
}
