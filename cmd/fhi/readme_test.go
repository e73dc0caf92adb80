package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/pipelines"
)

// readmeExample is one fhi command line from a shell block of README.md.
type readmeExample struct {
	line int
	text string
	args []string // after "fhi"
}

// readmeExamples returns every fhi invocation in README.md's ```sh blocks: `fhi …`, `./fhi …` and
// `go run ./cmd/fhi …`, also inside `a && b` chains and crontab lines. Comments, redirections and
// environment assignments are dropped.
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExample
	inSh := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inSh = !inSh && (trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell")
			continue
		case !inSh:
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Errorf("README.md:%d: %v: %s", n, err, line)
			continue
		}
		for _, cmd := range splitCommands(words) {
			if args, ok := fhiArgs(cmd); ok {
				out = append(out, readmeExample{line: n, text: trimmed, args: args})
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d fhi examples in README.md: is the extraction broken?", len(out))
	}
	return out
}

// shellWords splits a line as sh does for simple commands: quotes group, backslash escapes, an
// unquoted # starting a word begins a comment. Operators (&&, ||, ;, |, >, >>, 2>&1) are words.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && i+1 < len(rs) {
				i++
				cur.WriteRune(rs[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			inWord = true
		case unicode.IsSpace(r):
			flush()
		case r == '#' && !inWord:
			flush()
			return words, nil
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errUnclosedQuote
	}
	flush()
	return words, nil
}

var errUnclosedQuote = stubError("unclosed quote")

// splitCommands cuts words at &&, ||, ; and |, dropping redirections.
func splitCommands(words []string) [][]string {
	var out [][]string
	var cur []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "&&" || w == "||" || w == ";" || w == "|":
			out = append(out, cur)
			cur = nil
		case w == ">" || w == ">>" || w == "<":
			i++ // and its target
		case strings.HasPrefix(w, ">") || strings.HasPrefix(w, "2>") || strings.HasPrefix(w, "1>"):
		default:
			cur = append(cur, w)
		}
	}
	return append(out, cur)
}

// fhiArgs finds an fhi invocation in one simple command: its arguments after the program.
func fhiArgs(words []string) ([]string, bool) {
	for i, w := range words {
		switch {
		case w == "fhi" || w == "./fhi":
			return words[i+1:], true
		case w == "go" && i+2 < len(words) && words[i+1] == "run" && words[i+2] == "./cmd/fhi":
			return words[i+3:], true
		}
	}
	return nil, false
}

// TestReadmeExamplesParse checks every fhi command line in README.md against the real command
// tree: the command exists, every flag is known and its value parses, the arguments fit — so no
// example fails with a usage error as written.
func TestReadmeExamplesParse(t *testing.T) {
	for _, ex := range readmeExamples(t) {
		root := newRootCmd(&app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
		cmd, rest, err := root.Find(ex.args)
		if err == nil && cmd != root {
			err = cmd.ParseFlags(rest)
		}
		if err == nil {
			if cmd.Args != nil {
				err = cmd.Args(cmd, cmd.Flags().Args())
			} else if len(ex.args) > 0 && cmd == root {
				err = usagef("not a command")
			}
		}
		if err != nil {
			t.Errorf("README.md:%d: %s\n\t%v", ex.line, ex.text, err)
		}
	}
}

// TestReadmeExamplesRun runs every fhi example of README.md as written, against a small sample-web
// lake: https://www.example.com/<site>/… is the sample web's site, run ids like
// collect-20261126T020000Z-ab12 are the lake's newest run of that stage, --lake and FHI_LAKE point
// at the test's lake, output directories at temporary ones, crawls are scaled down and real-site
// politeness delays shortened to 10ms (the sample web is our own loopback server). Long-running
// commands (schedule, sampleweb) are stopped after a moment. No example may be a usage error or an
// internal error; reading commands must succeed.
func TestReadmeExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every README example (about a minute)")
	}
	examples := readmeExamples(t)
	tmp := t.TempDir()
	lake := filepath.Join(tmp, "lake")
	if code, out, errOut := fhi(t, "run", "--lake", lake, "--scale", "0.05"); code != exitOK {
		t.Fatalf("preparing the lake: exit %d\n%s\n%s", code, out, errOut)
	}
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sites := map[string]string{}
	for _, s := range srv.Sites() {
		sites[s.Name] = s.BaseURL
	}
	specDir := filepath.Join(tmp, "my-specs")
	if err := os.MkdirAll(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Examples naming a Redis frontier get a real redis-server, started for the first of them.
	var redis *frontiertest.Server
	redisURL := func() string {
		if redis == nil {
			redis = frontiertest.Start(t, frontiertest.Options{})
		}
		return redis.URL()
	}
	_, noRedis := frontiertest.Binary()
	for _, ex := range examples {
		if noRedis != nil && slices.Contains(ex.args, "--frontier") {
			t.Run(strings.Join(ex.args, "_"), func(t *testing.T) {
				t.Skipf("needs redis-server (Debian: apt-get install -y redis-server): %v", noRedis)
			})
			continue
		}
		args := readmeSubstitute(t, ex.args, lake, tmp, sites, redisURL)
		t.Run(strings.Join(ex.args, "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			// Commands that serve until stopped get a moment, then the signal a user would send.
			if len(args) > 0 && (args[0] == "schedule" || args[0] == "worker" || args[0] == "sampleweb" && (len(args) == 1 || args[1] != "truth")) {
				var cancelLong context.CancelFunc
				ctx, cancelLong = context.WithTimeout(ctx, 1500*time.Millisecond)
				defer cancelLong()
			}
			var out, errOut bytes.Buffer
			code := run(ctx, args, &out, &errOut)
			if code == exitUsage || strings.Contains(errOut.String(), "internal error") {
				t.Fatalf("README.md:%d: %s\nran as fhi %s: exit %d\n%s", ex.line, ex.text, strings.Join(args, " "), code, errOut.String())
			}
			if code != exitOK && code != exitLosses {
				t.Errorf("README.md:%d: %s\nran as fhi %s: exit %d\n%s", ex.line, ex.text, strings.Join(args, " "), code, errOut.String())
			}
		})
	}
}

var runIDPattern = regexp.MustCompile(`^(collect|transform|score|publish)-\d{8}T\d{6}Z-[0-9a-f]{4}$`)

// readmeSubstitute maps an example's placeholders onto the test's lake, sample web, temp dir and
// Redis. A coordinator whose workers run on other machines gets two local ones.
func readmeSubstitute(t *testing.T, args []string, lake, tmp string, sites map[string]string, redisURL func() string) []string {
	t.Helper()
	out := make([]string, 0, len(args)+4)
	hasLake, hasScale, hasSite, hasDelay, hasFrontier, hasWorkers := false, false, false, false, false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--delay" && i+1 < len(args):
			out = append(out, a, "10ms")
			i++
			hasDelay = true
			continue
		case a == "--site":
			hasSite = true
		case a == "--lake" && i+1 < len(args):
			out = append(out, a, lake)
			i++
			hasLake = true
			continue
		case a == "--scale":
			hasScale = true
		case a == "--frontier" && i+1 < len(args):
			out = append(out, a, redisURL())
			i++
			hasFrontier = true
			continue
		case a == "--workers":
			hasWorkers = true
		case strings.HasPrefix(a, "/tmp/"):
			a = filepath.Join(tmp, strings.TrimPrefix(a, "/tmp/"))
		case a == "my-specs":
			a = filepath.Join(tmp, "my-specs")
		case strings.HasPrefix(a, "scoring/testdata/") || strings.HasPrefix(a, "examples/") || strings.HasPrefix(a, "data/"):
			a = filepath.Join("..", "..", a) // repository paths, from this package's directory
		case runIDPattern.MatchString(a):
			a = newestRun(t, lake, strings.SplitN(a, "-", 2)[0])
		}
		if i := strings.Index(a, "https://www.example.com/"); i >= 0 {
			rest := a[i+len("https://www.example.com/"):]
			site, path, _ := strings.Cut(rest, "/")
			base, ok := sites[site]
			if !ok {
				t.Fatalf("README example names sample site %q, which the sample web does not serve", site)
			}
			a = a[:i] + strings.TrimRight(base+"/"+path, "/")
		}
		out = append(out, a)
	}
	if len(out) > 0 && !hasLake {
		out = append(out, "--lake", lake)
	}
	if len(out) > 0 && (out[0] == "run" || out[0] == "collect" || out[0] == "schedule") && !hasScale {
		out = append(out, "--scale", "0.05")
	}
	if hasSite && !hasDelay {
		out = append(out, "--delay", "10ms")
	}
	if hasFrontier && !hasWorkers && (out[0] == "run" || out[0] == "collect") {
		out = append(out, "--workers", "2")
	}
	if hasFrontier {
		// The distributed examples start a lake of their own, as on a new machine: the test lake's
		// runs at other scales would trip the health gate.
		for i := range out[:len(out)-1] {
			if out[i] == "--lake" {
				out[i+1] = filepath.Join(tmp, "distributed-lake")
			}
		}
	}
	return out
}

// newestRun is the id of the lake's newest successful run of stage.
func newestRun(t *testing.T, lake, stage string) string {
	t.Helper()
	l, err := pipelines.OpenLake(lake)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m, err := l.LatestRun(stage, "")
	if err != nil || m == nil {
		t.Fatalf("no %s run in the test lake: %v", stage, err)
	}
	return m.RunID
}
