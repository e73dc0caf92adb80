package pipelines

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLineage(t *testing.T) {
	lake := openTestLake(t)
	if _, err := lake.RunAll(t.Context(), RunOptions{Collect: startSampleWeb(t, 0.2), AllowPartial: true}); err != nil {
		t.Fatal(err)
	}
	r, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms", Limit: 5, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.RecordsAvailable || r.Metric == nil || int64(*r.Metric) != r.RecordCount || len(r.Records) != 5 {
		t.Fatalf("got available=%v metric=%v count=%d records=%d; want the firm count equal to its records and 5 listed",
			r.RecordsAvailable, r.Metric, r.RecordCount, len(r.Records))
	}
	if n := len(r.Weights); n != 4 || r.Weights[0].Node != "industry.p2p.firms" || r.Weights[n-1].Node != "total" {
		t.Errorf("weight path %+v, want indicator → group → level 1 → total", r.Weights)
	}
	for _, row := range r.Records {
		if row.Verified == nil || !*row.Verified || row.URL == "" || row.CollectRun == "" {
			t.Errorf("record %+v: want verified bytes and full lineage", row)
		}
	}

	t.Run("tampered archive fails verification", func(t *testing.T) {
		row := r.Records[0]
		path := lake.Abs(row.WARCFile)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		orig := append([]byte(nil), b...)
		b[row.WARCOffset+200] ^= 0xff
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, orig, 0o644)
		again, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms", Limit: 1, Verify: true})
		if err != nil {
			t.Fatal(err)
		}
		if v := again.Records[0].Verified; v == nil || *v {
			t.Error("a corrupted archive record still verified")
		}
	})

	t.Run("errors", func(t *testing.T) {
		if _, err := lake.Lineage(t.Context(), LineageQuery{City: "火星", Indicator: "industry.p2p.firms"}); !errors.Is(err, ErrNoLineage) {
			t.Errorf("unknown city: %v, want ErrNoLineage", err)
		}
		if _, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry"}); !errors.Is(err, ErrNoLineage) {
			t.Errorf("a group, not an indicator: %v, want ErrNoLineage", err)
		}
		if _, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms", ScoreRun: "score-nope"}); !errors.Is(err, ErrRunNotFound) {
			t.Errorf("unknown run: %v, want ErrRunNotFound", err)
		}
	})

	t.Run("a replaced transform run keeps its lineage", func(t *testing.T) {
		if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
			t.Fatal(err)
		}
		old, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms", Limit: 3, Verify: true})
		if err != nil {
			t.Fatal(err)
		}
		if !old.RecordsAvailable || len(old.Records) != 3 || old.TransformRun != r.TransformRun {
			t.Errorf("lineage of a replaced transform run: available=%v, %d records listed, run %s", old.RecordsAvailable, len(old.Records), old.TransformRun)
		}
		if err := os.RemoveAll(filepath.Join(lake.Root, "lineage", "transform="+r.TransformRun)); err != nil {
			t.Fatal(err)
		}
		gone, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms"})
		if err != nil || gone.RecordsAvailable || len(gone.Records) != 0 || gone.RecordCount == 0 {
			t.Errorf("lineage without its file: %v, available=%v, %d records", err, gone.RecordsAvailable, len(gone.Records))
		}
	})
}
