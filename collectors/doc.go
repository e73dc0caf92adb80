// Package collectors is fhi's plug-in API for sources and its shared crawl engine.
//
// A source registers a [Source] (its name, the raw fields it extracts and a constructor) from an
// init function; cmd/fhi compiles the sources in through one package of blank imports
// (collectors/all). Most sources are declarative specs (collectors/spec, collectors/specs/*.yaml);
// Go is for what a spec cannot express (collectors/survey reads an XLSX download). A [Collector] crawls its site through a [Crawl], which wraps a colly collector
// whose every request and response is written to a WARC archive before any callback sees it, and
// hands each extracted item to [Crawl.Emit]. Emit attaches the lineage of the response the item came
// from (URL, fetch time, status, body hash, WARC file and offset) and passes it to a [RecordWriter],
// normally a [ParquetSink].
//
// Raw records keep field values exactly as the page shows them ("5000万元", "杭州市西湖区…"):
// cleaning belongs to the transform stage, so a changed cleaning rule never needs a re-crawl.
//
// The same transport replays archived responses (Options.Replay: a resumed or re-parsed run) and
// sends conditional requests for pages a previous run archived (Options.Revalidate: a nightly
// incremental run), so every record's lineage points at bytes in the archive either way.
//
// This package knows nothing of the lake's layout: the pipelines package hands it directories.
package collectors
