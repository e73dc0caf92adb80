package data

import (
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

// FrameworkYAML is the FHI indicator framework (3 → 16 → 39 indicators, weighting methods and
// expert scores, and each indicator's definition), parsed by scoring.ParseFramework.
//
//go:embed framework.yaml
var FrameworkYAML []byte

// Indicator is one level-3 indicator's definition in framework.yaml: what the transform computes
// and the sample web's truth reproduces.
type Indicator struct {
	ID         string   `yaml:"id"`
	Name       string   `yaml:"name"`
	NameEN     string   `yaml:"name_en"`
	Unit       string   `yaml:"unit"`
	Direction  string   `yaml:"direction"` // "" = the framework's default (benefit)
	Sources    []string `yaml:"sources"`
	Step       string   `yaml:"step"`
	Definition string   `yaml:"definition"`
}

type frameworkNode struct {
	Indicator `yaml:",inline"`
	Children  []frameworkNode `yaml:"children"`
}

// Indicators returns the indicators of the embedded framework in framework order. Only the
// definition keys are read here; scoring.ParseFramework validates the whole file.
var Indicators = sync.OnceValues(func() ([]Indicator, error) { return ParseIndicators(FrameworkYAML) })

// ParseIndicators reads the indicator definitions of a framework document.
func ParseIndicators(doc []byte) ([]Indicator, error) {
	var f struct {
		Root frameworkNode `yaml:"root"`
	}
	if err := yaml.Unmarshal(doc, &f); err != nil {
		return nil, fmt.Errorf("reading the framework's indicators: %w", err)
	}
	var out []Indicator
	var walk func(n frameworkNode)
	walk = func(n frameworkNode) {
		if len(n.Children) == 0 {
			out = append(out, n.Indicator)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(f.Root)
	return out, nil
}
