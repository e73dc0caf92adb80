// Package all compiles every source into a binary through blank imports; cmd/fhi imports it.
package all

import (
	_ "github.com/fhi-index/fhi/collectors/specs"  // every declarative source (collectors/specs/*.yaml)
	_ "github.com/fhi-index/fhi/collectors/survey" // the questionnaire workbook (XLSX)
)
