package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// cmdProbe implements "fhi probe <source> <url>": fetch one page and print what the source's
// extractors pull from it, to fix a spec against a changed page. Nothing is written to the lake.
func cmdProbe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("probe", "probe [--spec-dir DIR] <source> <url>",
		"Fetches one page (no retries, nothing stored) and prints as JSON which page spec it matched,\nthe items and keys extracted, the links followed and any problems.", stderr)
	cf := &crawlFlags{specDir: fs.String("spec-dir", "", "directory of edited source specs to use over the built-in ones")}
	timeout := fs.Duration("timeout", 30*time.Second, "request timeout")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	if err := cf.loadSpecs(fs); err != nil {
		return fail(stderr, "probe", err)
	}
	src, err := collectors.Default.Lookup(fs.Arg(0))
	if err != nil {
		return fail(stderr, "probe", err)
	}
	if src.Probe == nil {
		return fail(stderr, "probe", fmt.Errorf("source %s is written in Go, not a spec: its parser's tests show what it extracts", src.Name))
	}
	u, err := url.Parse(fs.Arg(1))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		fmt.Fprintf(stderr, "fhi probe: %q is not an http(s) URL\n", fs.Arg(1))
		return exitUsage
	}
	opts := collectors.DefaultOptions()
	opts.RequestTimeout = *timeout
	opts.Headers = collectors.HeadersFromEnv(src.Name, os.Getenv)
	// The request as a crawl would send it (method, body, headers), after robots.txt said yes.
	sent, body, _, err := collectors.ProbeFetch(ctx, src, u, opts, nil)
	if errors.Is(err, collectors.ErrRobotsDisallowed) {
		fmt.Fprintf(stderr, "request not sent, robots.txt refuses it:\n%s\n", collectors.FormatRequest(sent))
	} else {
		fmt.Fprintf(stderr, "request sent:\n%s\n", collectors.FormatRequest(sent))
	}
	if err != nil {
		return fail(stderr, "probe", err)
	}
	p, err := src.Probe(u, body)
	if err != nil {
		return fail(stderr, "probe", err)
	}
	if err := writeJSON(stdout, p); err != nil {
		return fail(stderr, "probe", err)
	}
	if len(p.Problems) > 0 {
		return exitError
	}
	return exitOK
}
