package pipelines

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/scoring"
)

// chromiumPath finds a Chromium to drive: $FHI_CHROMIUM, or Debian's chromium on the PATH.
func chromiumPath() string {
	if p := os.Getenv("FHI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// fullSampleWeb serves the whole sample web with the given faults and returns collect options for
// every source, marked simulated as the CLI marks them.
func fullSampleWeb(t *testing.T, faults sampleweb.Faults) CollectOptions {
	t.Helper()
	_, opts := serveSampleWeb(t, sampleweb.Options{Seed: 1, Scale: 1, Faults: faults})
	opts.Crawl.Retry.BaseDelay = 10 * time.Millisecond
	return opts
}

// TestReportInChromium renders the report of a default run (every source, the sample web with
// hostile names) in headless Chromium, as a reader opens it from disk, and checks what a reader
// would: no script error, every chart drawn, every city's profile reachable from the ranking,
// scraped hostile names shown as text. It leaves a screenshot in the test's temp directory
// (FHI_REPORT_SHOTS=dir keeps them there instead).
func TestReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a full run in Chromium; skipped with -short")
	}
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no Chromium found: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) or set FHI_CHROMIUM")
	}
	lake := openTestLake(t)
	opts := fullSampleWeb(t, sampleweb.Faults{Hostile: true})
	if _, err := lake.RunAll(t.Context(), RunOptions{Collect: opts}); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	// A second publication with rank intervals, so the uncertainty and rank-change charts exist.
	if _, _, err := lake.Score(t.Context(), ScoreOptions{Scoring: scoring.Options{MonteCarloDraws: 200, Seed: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lake.Publish(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(lake.Root, "published", reportFile)

	shots := os.Getenv("FHI_REPORT_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()

	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx) // subscribes now: nothing the page writes is lost
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, "console: "+m.String())
				mu.Unlock()
			}
		}
	}()
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			problems = append(problems, "a dialog opened (did a scraped name run as script?): "+e.Message)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	eval := func(js string, out any) error {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			return fmt.Errorf("evaluating %.60q: %w", js, err)
		}
		b, _ := json.Marshal(v)
		return json.Unmarshal(b, out)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+reportPath), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("opening %s in Chromium: %v", reportPath, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('[data-chart]').length > 0 &&
			[...document.querySelectorAll('[data-chart]')].every(el => el.dataset.drawn === 'true')`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Errorf("waiting for the charts to draw: %v", err)
	}
	var charts, drawn, profiles, reachable int
	var hostileText, injected bool
	var bodyText string
	for _, q := range []struct {
		js  string
		out any
	}{
		{`document.querySelectorAll('[data-chart]').length`, &charts},
		// A drawn chart is an SVG with shapes in it, of a real size.
		{`[...document.querySelectorAll('[data-chart]')].filter(el => {
			const svg = el.querySelector('svg');
			return svg && svg.querySelectorAll('path, rect, circle, text').length > 5 && el.getBoundingClientRect().width > 100;
		}).length`, &drawn},
		{`document.querySelectorAll('article.profile').length`, &profiles},
		// Reachable: the city links of the ranking table name profiles that exist.
		{`new Set([...document.querySelectorAll('table.ranking a[href^="#city-"]')]
			.map(a => a.getAttribute('href').slice(1))
			.filter(id => { const el = document.getElementById(id); return el && el.matches('article.profile'); })).size`, &reachable},
		{`[...document.querySelectorAll('.oddname')].some(td => td.textContent.includes('<script>alert("xss")</script>'))`, &hostileText},
		{`document.querySelectorAll('img, main script, .oddname *').length > 0`, &injected},
		{`document.body.innerText`, &bodyText},
	} {
		if err := eval(q.js, q.out); err != nil {
			t.Fatal(err)
		}
	}
	// The whole page is taller than Chromium captures in one piece (it answers with no image):
	// the screenshot is its first screens, as a reader opening it sees them.
	shot, err := chromedp.Run(ctx, topScreenshot(80, 6000))
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	if len(shot) == 0 {
		t.Fatal("Chromium returned an empty screenshot")
	}
	shotPath := filepath.Join(shots, "report.jpg")
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shotPath)
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#city-3301")), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Errorf("scrolling to the Hangzhou profile: %v", err)
	} else if shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Errorf("taking a screenshot of the Hangzhou profile: %v", err)
	} else if err := os.WriteFile(filepath.Join(shots, "profile.png"), shot, 0o644); err != nil {
		t.Error(err)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Error(p)
	}
	// Charts: the total, three level-1 chapters, uncertainty, weights, and per city a radar and its
	// Baidu heat (no rank-change chart: both publications score the same data, so no city moved;
	// no Sobol' chart: the score run did not ask for one).
	if want := 1 + 3 + 1 + 1 + 36*2; charts != want || drawn != charts {
		t.Errorf("%d charts on the page, %d drawn; want %d, all drawn", charts, drawn, want)
	}
	if profiles != 36 || reachable != 36 {
		t.Errorf("%d city profiles, %d reachable from the ranking; want 36 and 36", profiles, reachable)
	}
	if !hostileText {
		t.Error(`the hostile name <script>alert("xss")</script>金融 is not shown as text among the names that need a look`)
	}
	if injected {
		t.Error("a scraped name became markup: the page has an img, a script inside main, or an element inside a name cell")
	}
	for _, want := range []string{"模拟数据 Simulated data", "占位权重 Placeholder weights", "第1梯队", "=SUM(A1:A9)理财", "No city's total rank changed"} {
		if !strings.Contains(bodyText, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	fmt.Fprintln(os.Stderr) // keep go test's output readable after Chromium's
}

// topScreenshot captures the top height CSS pixels of a page taller than that, as JPEG.
func topScreenshot(quality int, height float64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		q, beyond := int64(quality), true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			CaptureBeyondViewport: &beyond,
			Format:                page.CaptureScreenshotFormatJpeg,
			Quality:               &q,
			Clip:                  &page.Viewport{X: 0, Y: 0, Width: 1280, Height: height, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}
