package main

import (
	"encoding/json"
	"io"
)

// writeJSON prints v as indented JSON, leaving <, > and & as they are (city names, URLs).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
