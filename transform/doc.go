// Package transform turns raw Parquet records into cleaned tables and per-city metrics in DuckDB.
//
// The work is SQL: numbered steps in sql/ (embedded), run in file order inside one transaction, so a
// failed or interrupted transform leaves the previous tables untouched. Before the steps run, the
// runner loads the reference data (sample cities, prefecture-level divisions) and stages each
// source's raw Parquet files as a table raw_<source>. A step declares the sources it reads in a
// header line ("-- requires: p2p"); a step whose sources have no data is skipped and reported, and
// the indicators it would have produced are simply absent (the score stage reports them as
// without data, never as zero).
//
// Every step writes its indicators into the metrics table (indicator, city_code, city, value,
// n_records) and, for lineage, the records behind each value into metric_records. Cleaned tables keep
// each row's record_id and collect run, so any value can be followed back to the archived response.
// Rows that cannot be cleaned (an address that maps to no city, an unparseable amount) go to the
// quarantine table with a reason.
//
// Current-state tables are replaced on every run, so running the transform twice on the same
// inputs leaves identical tables; metric_history keeps each run's metrics under its run id for the
// score stage and for audits.
package transform
