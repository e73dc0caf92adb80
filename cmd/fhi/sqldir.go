package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

const flagSQLDir = "sql-dir"

// addSQLDirFlag declares --sql-dir, the analysts' SQL directory of the stages that transform.
func addSQLDirFlag(fs *pflag.FlagSet) *string {
	return fs.String(flagSQLDir, "", "directory of NNN_name.sql steps and reference CSVs laid over the built-in ones (default: the config's transform.sql_dir)")
}

// sqlDir is the SQL directory to transform with: --sql-dir, else the config's transform.sql_dir,
// else none.
func (a *app) sqlDir(flag string) (string, error) {
	if flag != "" {
		if fi, err := os.Stat(flag); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("--%s %s: not a directory", flagSQLDir, flag)
		}
		return flag, nil
	}
	if a.configPath == "" {
		return "", nil
	}
	c, err := loadConfig(a.configPath)
	if err != nil {
		return "", err
	}
	return c.Transform.SQLDir, nil
}
