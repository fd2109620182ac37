package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// finding is one broken rule, located by file and by panel, variable or annotation.
type finding struct {
	File string `json:"file"`
	// Where in the dashboard: `panel "Title"`, `variable "name"`, `annotation "name"`, or empty.
	Where   string `json:"where,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Why the finding is accepted, when an exclusion matched it.
	Reason string `json:"reason,omitempty"`

	dashboard string
	panel     string
}

func (f finding) String() string {
	if f.Where == "" {
		return fmt.Sprintf("%s: %s: %s", f.File, f.Rule, f.Message)
	}
	return fmt.Sprintf("%s: %s: %s: %s", f.File, f.Where, f.Rule, f.Message)
}

// linted is what one dashboard file yields.
type linted struct {
	uid      string
	panels   int
	findings []finding
}

type report struct {
	Dashboards int       `json:"dashboards"`
	Panels     int       `json:"panels"`
	Findings   []finding `json:"findings"`
	Excluded   []finding `json:"excluded"`
	Rules      []rule    `json:"rules"`

	uids map[string]bool
}

func newReport() *report {
	rules := slices.Clone(ruleSet)
	for i := range rules {
		rules[i].Applied = rules[i].NotApplied == ""
	}
	return &report{Findings: []finding{}, Excluded: []finding{}, Rules: rules, uids: map[string]bool{}}
}

func (r *report) add(d linted, excl *exclusions) {
	r.Dashboards++
	r.Panels += d.panels
	r.uids[d.uid] = true
	for _, f := range d.findings {
		if reason, ok := excl.match(f); ok {
			f.Reason = reason
			r.Excluded = append(r.Excluded, f)
		} else {
			r.Findings = append(r.Findings, f)
		}
	}
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeText prints the findings, then what was excluded or not applied, and the summary line last.
func (r *report) writeText(w io.Writer) {
	for _, f := range r.Findings {
		fmt.Fprintln(w, f)
	}
	for _, f := range r.Excluded {
		fmt.Fprintf(w, "excluded: %s (%s)\n", f, f.Reason)
	}
	var applied []string
	for _, rule := range r.Rules {
		if rule.Applied {
			applied = append(applied, rule.Name)
		} else {
			fmt.Fprintf(w, "not applied: %s: %s\n", rule.Name, rule.NotApplied)
		}
	}
	fmt.Fprintf(w, "%d dashboards, %d panels, %d findings (%d excluded); rules applied: %s\n",
		r.Dashboards, r.Panels, len(r.Findings), len(r.Excluded), strings.Join(applied, ", "))
}
