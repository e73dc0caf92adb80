package data

import _ "embed"

// JudgementsFile is the name framework.yaml gives its AHP judgements file.
const JudgementsFile = "ahp_judgements.yaml"

// JudgementsYAML holds the AHP judgements of the framework's level-1 and level-2 groups with their
// provenance (the shipped ones are placeholders), parsed with FrameworkYAML by
// scoring.ParseFramework(FrameworkYAML, JudgementsYAML).
//
//go:embed ahp_judgements.yaml
var JudgementsYAML []byte
