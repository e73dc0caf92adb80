package data

import _ "embed"

// FrameworkYAML is the FHI indicator framework (3 → 16 → 39 indicators, weighting methods and
// expert scores), parsed by scoring.ParseFramework.
//
//go:embed framework.yaml
var FrameworkYAML []byte
