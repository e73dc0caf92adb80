// Command fhi computes the Fintech Hub Index: it crawls the sources into a lake of Parquet and WARC
// files, transforms them into per-city metrics in DuckDB, scores them by the 2017 report's method
// and publishes the ranking. Run `fhi help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
