package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	promodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// Grafana's built-in variables expand to durations nobody writes by hand, so that after
// parsing the rate-interval rule can tell `[$__rate_interval]` from a fixed `[1m]`.
const (
	rateInterval = 60001 * time.Millisecond
	interval     = 15001 * time.Millisecond
	timeRange    = 1800001 * time.Millisecond
)

var builtins = map[string]string{
	"__rate_interval":    "60001ms",
	"__rate_interval_ms": "60001",
	"__interval":         "15001ms",
	"__interval_ms":      "15001",
	"__range":            "1800001ms",
	"__range_ms":         "1800001",
	"__range_s":          "1800",
	"__from":             "1700000000000",
	"__to":               "1700001800001",
}

// $name, ${name}, ${name:format} and [[name]]; names start with a letter or _, so `$1` in
// label_replace stays as it is.
var variableRef = regexp.MustCompile(`\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]`)

// expand replaces Grafana's built-in variables as above and the dashboard's own variables by
// `.+` (they select label values), returning the names it does not know.
func expand(expr string, dashboardVars []string) (string, []string) {
	var unknown []string
	out := variableRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := variableRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if value, ok := builtins[name]; ok {
			return value
		}
		if slices.Contains(dashboardVars, name) {
			return ".+"
		}
		unknown = append(unknown, "$"+name)
		return ref
	})
	return out, unknown
}

// parsePromQL expands and parses a Grafana Prometheus expression.
func parsePromQL(expr string, dashboardVars []string) (parser.Expr, error) {
	expanded, unknown := expand(expr, dashboardVars)
	if len(unknown) > 0 {
		return nil, fmt.Errorf("uses %s, which is neither a Grafana variable nor one of this dashboard's", strings.Join(unknown, ", "))
	}
	parsed, err := parser.ParseExpr(expanded)
	if err != nil {
		return nil, fmt.Errorf("invalid PromQL %q: %w", expr, err)
	}
	return parsed, nil
}

var rateFuncs = []string{"rate", "irate", "increase"}

// rateIntervalProblems lists every rate, irate or increase whose range is not $__rate_interval
// (or $__range under increase).
func rateIntervalProblems(expr parser.Expr) []string {
	var out []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		call, ok := node.(*parser.Call)
		if !ok || !slices.Contains(rateFuncs, call.Func.Name) || len(call.Args) == 0 {
			return nil
		}
		var rng time.Duration
		var inner parser.Expr
		var step string
		switch arg := call.Args[0].(type) {
		case *parser.MatrixSelector:
			rng, inner = arg.Range, arg.VectorSelector
		case *parser.SubqueryExpr:
			rng, inner, step = arg.Range, arg.Expr, ":…"
		default:
			return nil
		}
		if rng == rateInterval || (rng == timeRange && call.Func.Name == "increase") {
			return nil
		}
		out = append(out, fmt.Sprintf("%s(%s[%s%s]) should use [$__rate_interval]", call.Func.Name, shortName(inner), showRange(rng), step))
		return nil
	})
	return out
}

func showRange(d time.Duration) string {
	switch d {
	case interval:
		return "$__interval"
	case timeRange:
		return "$__range"
	}
	return promodel.Duration(d).String()
}

func shortName(e parser.Expr) string {
	if vs, ok := e.(*parser.VectorSelector); ok && vs.Name != "" {
		return vs.Name
	}
	return "…"
}

var counterSuffixes = []string{"_total", "_count", "_sum", "_bucket"}

// counterFuncs may take a counter's range: they account for counter resets.
var counterFuncs = []string{"rate", "irate", "increase", "resets"}

// counterProblems lists counters used other than as the range of rate, irate, increase or resets:
// a raw counter only grows and resets on restart, so its value means nothing on a graph.
func counterProblems(expr parser.Expr) []string {
	var out []string
	parser.Inspect(expr, func(node parser.Node, path []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok || !isCounter(vs.Name) {
			return nil
		}
		if n := len(path); n >= 2 {
			_, ranged := path[n-1].(*parser.MatrixSelector)
			if _, sub := path[n-1].(*parser.SubqueryExpr); sub {
				ranged = true
			}
			if call, ok := path[n-2].(*parser.Call); ranged && ok && slices.Contains(counterFuncs, call.Func.Name) {
				return nil
			}
		}
		out = append(out, fmt.Sprintf("counter %s is not inside rate, irate, increase or resets", vs.Name))
		return nil
	})
	return out
}

func isCounter(name string) bool {
	for _, suffix := range counterSuffixes {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// labelValues matches Grafana's Prometheus variable queries.
var (
	labelValues = regexp.MustCompile(`^\s*label_values\(\s*(?:(.*?)\s*,\s*)?([^,()\s]+)\s*\)\s*$`)
	queryResult = regexp.MustCompile(`^\s*query_result\((.*)\)\s*$`)
	otherQuery  = regexp.MustCompile(`^\s*(?:label_names|metrics)\(.*\)\s*$`)
)

// variableQueryProblem checks a Prometheus template variable query; "" when it is valid.
func variableQueryProblem(query string, dashboardVars []string) string {
	if m := labelValues.FindStringSubmatch(query); m != nil {
		if !promodel.LabelName(m[2]).IsValid() {
			return fmt.Sprintf("%q: %q is not a valid label name", query, m[2])
		}
		if m[1] == "" {
			return ""
		}
		selector, unknown := expand(m[1], dashboardVars)
		if len(unknown) > 0 {
			return fmt.Sprintf("%q uses unknown variables %s", query, strings.Join(unknown, ", "))
		}
		if _, err := parser.ParseMetricSelector(selector); err != nil {
			return fmt.Sprintf("%q: invalid series selector: %v", query, err)
		}
		return ""
	}
	if m := queryResult.FindStringSubmatch(query); m != nil {
		if _, err := parsePromQL(m[1], dashboardVars); err != nil {
			return fmt.Sprintf("%q: %v", query, err)
		}
		return ""
	}
	if otherQuery.MatchString(query) {
		return ""
	}
	return fmt.Sprintf("%q is not a Prometheus variable query (label_values, label_names, metrics, query_result)", query)
}
