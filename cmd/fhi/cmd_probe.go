package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/spf13/cobra"
)

func newProbeCmd(a *app) *cobra.Command {
	var specDir string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "probe [flags] <source> <url>",
		Short: "fetch one page and print what a source's spec extracts from it",
		Long: `Fetches one page (no retries, nothing stored) and prints as JSON which page spec it matched, the
items and keys extracted, the links followed and any problems (exit 1 when there are problems).
The request is the one a crawl sends for the page (its method, body and headers), printed on
stderr; a page robots.txt disallows is refused, as a crawl would.`,
		Example:           `  fhi probe --spec-dir my-specs p2p https://www.example.com/p2p/platforms/123`,
		Args:              exactArgs("source", "url"),
		ValidArgsFunction: completeSources,
		RunE: func(cmd *cobra.Command, args []string) error {
			cf := &crawlFlags{specDir: &specDir, configPath: &a.configPath}
			if err := cf.loadSpecs(cmd.Flags()); err != nil {
				return err
			}
			src, err := collectors.Default.Lookup(args[0])
			if err != nil {
				return usageError{err}
			}
			if src.Probe == nil {
				return fmt.Errorf("source %s is written in Go, not a spec: its parser's tests show what it extracts", src.Name)
			}
			u, err := url.Parse(args[1])
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				return usagef("%q is not an http(s) URL", args[1])
			}
			opts := collectors.DefaultOptions()
			opts.RequestTimeout = timeout
			opts.Headers = collectors.HeadersFromEnv(src.Name, os.Getenv)
			// The request as a crawl would send it (method, body, headers), once robots.txt allows it.
			sent, body, _, err := collectors.ProbeFetch(cmd.Context(), src, u, opts, nil)
			if errors.Is(err, collectors.ErrRobotsDisallowed) {
				fmt.Fprintf(a.stderr, "request not sent, robots.txt refuses it:\n%s\n", collectors.FormatRequest(sent))
			} else {
				fmt.Fprintf(a.stderr, "request sent:\n%s\n", collectors.FormatRequest(sent))
			}
			if err != nil {
				return err
			}
			p, err := src.Probe(u, body)
			if err != nil {
				return err
			}
			if err := writeJSON(a.stdout, p); err != nil {
				return err
			}
			if len(p.Problems) > 0 {
				return fmt.Errorf("%d problem(s) extracting %s (listed above)", len(p.Problems), u)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&specDir, flagSpecDir, "", "directory of edited source specs to use over the built-in ones")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "request timeout")
	return cmd
}
