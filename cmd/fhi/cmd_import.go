package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newImportCmd(a *app) *cobra.Command {
	var opts pipelines.ImportOptions
	cmd := &cobra.Command{
		Use:   "import [flags] <source> <file.csv|file.xlsx>  |  import --as <source> [--map field=column,…] <file>",
		Short: "file a CSV or XLSX (a bought directory, a survey export, a yearbook table) into the lake as a source",
		Long: `Files the rows of a CSV or XLSX file as a collect run. Each row keeps its lineage: the file's path
and SHA-256, a copy in the archive and its row number.

Under a name of your own the rows become a new source, which an SQL step of --sql-dir reads with
"-- requires: <source>". With --as they are filed as a run of a crawled source (p2p, vc, jobs, …):
--map names the file's column for each of the source's fields (a field whose column has its own
name needs no entry; --map-file is a YAML file of field: column lines), the other columns are kept
too, and the next transform cleans the rows with the source's steps, as its latest run.

A CSV in GBK or GB18030 (Chinese Excel's default), UTF-16 or UTF-8 is detected, or named by
--encoding; a file that is not valid text is refused, never stored. Rows that are short, long or
repeat an earlier row's --key are set aside and listed in the run's failures.json (exit 3).`,
		Example: `  fhi import --key 城市 yearbook yearbook-2017.xlsx
  fhi import --as p2p --key 平台编号 --map platform_id=平台编号,name=平台名称,location=所在地,address=注册地,status=运营状态 网贷平台名录.csv
  fhi import --as p2p --map-file p2p-columns.yaml --encoding gb18030 directory.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.As != "" && len(args) == 1:
				return nil
			case opts.As != "" && len(args) == 2 && args[0] != opts.As:
				return usagef("--as %s files the rows under %s: give only the file, or %s as the source", opts.As, opts.As, opts.As)
			case len(args) == 2:
				return nil
			}
			return usagef("want <source> <file>, or --as <source> <file>; got %d argument(s)", len(args))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[len(args)-1]
			if len(args) == 2 {
				opts.Source = args[0]
			}
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			m, err := lake.Import(cmd.Context(), opts)
			if err != nil {
				return err
			}
			rep := pipelines.ReadImportReport(m)
			fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%d records", m.RunID, m.Source, m.Status, m.Rows)
			if rep != nil {
				fmt.Fprintf(a.stdout, " (%s)", rep.Encoding)
			}
			fmt.Fprintln(a.stdout)
			if rep != nil && rep.Failures > 0 {
				return importLosses(fmt.Sprintf("succeeded with losses: %d rows set aside (short, long or a repeated key), listed in %s", rep.Failures, rep.FailureLog))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Sheet, "sheet", "", "xlsx: sheet to read (default: the first)")
	f.StringVar(&opts.Key, "key", "", "column holding each row's natural key (default: the row number); a repeated key is set aside")
	f.StringVar(&opts.As, "as", "", "file the rows as a run of this crawled source (fhi sources lists them)")
	f.StringToStringVar(&opts.Map, "map", nil, "with --as: field=column pairs naming the file's column for each of the source's fields")
	f.StringVar(&opts.MapFile, "map-file", "", "with --as: YAML file of field: column lines (--map entries win)")
	f.StringVar(&opts.Encoding, "encoding", "", "CSV encoding: utf-8, gbk, gb18030 or utf-16 (default: detected)")
	_ = cmd.RegisterFlagCompletionFunc("as", completeSources)
	return cmd
}

// importLosses is an import that filed its good rows and set others aside: exit 3.
type importLosses string

func (e importLosses) Error() string        { return string(e) }
func (e importLosses) Is(target error) bool { return target == pipelines.ErrSucceededWithLosses }
