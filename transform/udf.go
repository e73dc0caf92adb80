package transform

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"golang.org/x/text/unicode/norm"
)

// nfkcFunc is fhi_nfkc(VARCHAR) → VARCHAR: Unicode NFKC normalisation (full-width Latin letters,
// digits and brackets to ASCII, the ideographic space to a space, compatibility forms such as ①
// to their plain form). DuckDB has only NFC, and real pages mix both widths.
type nfkcFunc struct{}

func (nfkcFunc) Config() duckdb.ScalarFuncConfig {
	varchar, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{varchar}, ResultTypeInfo: varchar}
}

func (nfkcFunc) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		s, _ := values[0].(string)
		return norm.NFKC.String(s), nil
	}}
}

// registerFunctions adds fhi's Go functions to the connection the steps run on. A database that
// already has them (a second run in the same process) keeps them.
func registerFunctions(conn *sql.Conn) error {
	if err := duckdb.RegisterScalarUDF(conn, "fhi_nfkc", nfkcFunc{}); err != nil && !strings.Contains(err.Error(), "already") {
		return fmt.Errorf("registering fhi_nfkc: %w", err)
	}
	return nil
}
