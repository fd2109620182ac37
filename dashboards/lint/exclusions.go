package main

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// exclusion accepts the findings of one rule on one panel, for a stated reason
// (dashboard-linter's `.lint` exclusions, one reason per entry).
type exclusion struct {
	Rule      string `yaml:"rule"`
	Dashboard string `yaml:"dashboard"` // uid
	Panel     string `yaml:"panel"`     // title
	Reason    string `yaml:"reason"`
	used      bool
}

type exclusions struct {
	file    string
	entries []*exclusion
}

func loadExclusions(file string) (*exclusions, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read --config %s: %w", file, err)
	}
	var doc struct {
		Exclusions []*exclusion `yaml:"exclusions"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("--config %s: %w", file, err)
	}
	for i, e := range doc.Exclusions {
		if e.Rule == "" || e.Dashboard == "" || e.Panel == "" || e.Reason == "" {
			return nil, fmt.Errorf("--config %s: exclusion %d needs rule, dashboard (uid), panel (title) and reason", file, i+1)
		}
		if !knownRule(e.Rule) {
			return nil, fmt.Errorf("--config %s: exclusion %d: unknown rule %q", file, i+1, e.Rule)
		}
	}
	return &exclusions{file: file, entries: doc.Exclusions}, nil
}

func (x *exclusions) match(f finding) (string, bool) {
	if x == nil {
		return "", false
	}
	for _, e := range x.entries {
		if e.Rule == f.Rule && e.Dashboard == f.dashboard && e.Panel == f.panel {
			e.used = true
			return e.Reason, true
		}
	}
	return "", false
}

// unused reports exclusions for linted dashboards that matched nothing: they would hide a future finding.
func (x *exclusions) unused(linted map[string]bool) []finding {
	var out []finding
	for _, e := range x.entries {
		if !e.used && linted[e.Dashboard] {
			out = append(out, finding{
				File:    x.file,
				Rule:    e.Rule,
				Message: fmt.Sprintf("the exclusion for %s / panel %q matches no finding: remove it", e.Dashboard, e.Panel),
			})
		}
	}
	return out
}
