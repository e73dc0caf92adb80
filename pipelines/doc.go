// Package pipelines runs fhi's stages — collect → transform → score → publish — over a lake, and is
// the only package that knows the lake's layout:
//
//	<lake>/raw/<source>/run=<run_id>/part-NNNNN.parquet   raw records with lineage columns
//	<lake>/raw/<source>/run=<run_id>/failures.json        the run's failed and quarantined URLs
//	<lake>/raw/<source>/run=<run_id>/pages.json           URL → archived response (incremental runs start here)
//	<lake>/archive/<source>/<run_id>-NNNNN.warc.gz        every request and response (WARC 1.1)
//	<lake>/fhi.duckdb                                     staging, cleaned, metric and score tables
//	<lake>/lineage/transform=<run_id>/metric_records.parquet   the records behind every metric value
//	<lake>/lineage/transform=<run_id>/{quarantine,unlinked,baidu_heat_weeks}.parquet   the run's
//	                                                      set-aside rows, unlinked firms, weekly heat
//	<lake>/runs/<run_id>.json                             one manifest per stage run
//	<lake>/published/scores.{csv,json}, report.html       the published scores
//
// Every stage is idempotent, writes atomically (a temporary directory or file renamed into place; one
// DuckDB transaction) and records a manifest. A stage run alone reads the latest successful run of
// the stage before it, or the run named with FromRun. A raw partition only appears under its final
// name once the collect run has written everything, so a killed collect leaves nothing a later stage
// would read.
//
// Files by role. Stages: collect.go (and distributed.go, worker.go, crawlplan.go for a crawl shared
// through a frontier), transform.go, score.go, publish.go (with report*.go and export*.go, the files
// it writes), import.go, prune.go; run.go and schedule.go chain them; coverage.go says which sources
// a run needs. The lake itself: lake.go, manifest.go, db.go, losses.go, provenance.go,
// lineage_events.go (OpenLineage). Read side, never writing: status.go, quality.go, lineage.go,
// diff.go, query.go.
package pipelines
