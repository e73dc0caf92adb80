package main

import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/nlnwa/gowarc/v3"
	_ "go.yaml.in/yaml/v3"
	_ "gonum.org/v1/gonum/mat"
	_ "github.com/google/go-cmp/cmp"
	_ "golang.org/x/text/encoding/simplifiedchinese"
)

func main() {}
