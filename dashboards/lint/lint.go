package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// Panel types that show no query results, so need no targets or datasource.
var staticPanels = []string{"text", "news", "dashlist", "alertlist", "annolist", "welcome", "gettingstarted"}

// Panel types whose values need a unit (dashboard-linter's list, plus bargauge).
var unitPanels = []string{"timeseries", "graph", "stat", "singlestat", "gauge", "bargauge", "table"}

// Grafana's custom units: `suffix:req`, `si:B`, `currency:EUR`, …
var customUnitPrefixes = []string{"prefix:", "suffix:", "si:", "count:", "currency:", "time:"}

// lintDashboard applies every rule to one dashboard file.
func lintDashboard(file string, raw []byte) linted {
	m, err := decode(raw)
	if err != nil {
		return linted{findings: []finding{{File: file, Rule: validateDist, Message: "not a dashboard JSON object: " + err.Error()}}}
	}
	l := &linter{file: file, model: m}
	for _, e := range validate(raw) {
		p, inPanel := m.panelAt(e.path)
		path := e.path
		if inPanel {
			path = strings.TrimPrefix(strings.TrimPrefix(path, p.path), ".")
		}
		message := e.message
		if path != "" {
			message = path + ": " + message
		}
		if inPanel {
			l.panel(p, validateDist, "%s", message)
		} else {
			l.dashboard(validateDist, "%s", message)
		}
	}
	vars := l.variableNames()
	for _, v := range m.variables {
		l.lintVariable(v, vars)
	}
	for _, a := range m.annotations {
		l.lintAnnotation(a, vars)
	}
	for _, p := range m.panels {
		if p.model != nil {
			l.lintPanel(p, vars)
		}
	}
	return linted{uid: m.uid, panels: len(m.panels), findings: l.findings}
}

type linter struct {
	file     string
	model    *model
	findings []finding
}

func (l *linter) add(where, panel, rule, format string, args ...any) {
	l.findings = append(l.findings, finding{
		File: l.file, Where: where, Rule: rule, Message: fmt.Sprintf(format, args...),
		dashboard: l.model.uid, panel: panel,
	})
}

func (l *linter) dashboard(rule, format string, args ...any) { l.add("", "", rule, format, args...) }

func (l *linter) panel(p panelRef, rule, format string, args ...any) {
	l.add(p.where(), p.title, rule, format, args...)
}

func (l *linter) variableNames() []string {
	names := make([]string, 0, len(l.model.variables))
	for _, v := range l.model.variables {
		names = append(names, v.Name)
	}
	return names
}

func (l *linter) lintVariable(v dashboard.VariableModel, vars []string) {
	where := fmt.Sprintf("variable %q", v.Name)
	if v.Type != dashboard.VariableTypeQuery {
		return
	}
	if problem := datasourceProblem(v.Datasource); problem != "" {
		l.add(where, "", templateDatasource, "%s", problem)
	}
	if v.Refresh == nil || *v.Refresh != dashboard.VariableRefreshOnTimeRangeChanged {
		l.add(where, "", templateReload, "set refresh to 2 (on time range change), so the values follow the time range")
	}
	if v.Datasource == nil || v.Datasource.Uid == nil || provisioned[*v.Datasource.Uid] != "prometheus" {
		return
	}
	if query := variableQuery(v); query == "" {
		l.add(where, "", templateLabelPromQL, "has no query")
	} else if problem := variableQueryProblem(query, vars); problem != "" {
		l.add(where, "", templateLabelPromQL, "%s", problem)
	}
}

// variableQuery is the query text: a string, or the `query` of Grafana's query object.
func variableQuery(v dashboard.VariableModel) string {
	if v.Query != nil && v.Query.String != nil {
		return *v.Query.String
	}
	if v.Query != nil {
		if q, ok := v.Query.Map["query"].(string); ok {
			return q
		}
	}
	if v.Definition != nil {
		return *v.Definition
	}
	return ""
}

func (l *linter) lintAnnotation(a dashboard.AnnotationQuery, vars []string) {
	where := fmt.Sprintf("annotation %q", a.Name)
	if problem := datasourceProblem(a.Datasource); problem != "" {
		l.add(where, "", templateDatasource, "%s", problem)
	}
	if a.Expr == nil {
		return
	}
	if _, err := parsePromQL(*a.Expr, vars); err != nil {
		l.add(where, "", targetPromQL, "%v", err)
	}
}

func (l *linter) lintPanel(p panelRef, vars []string) {
	panel := p.model
	if panel.Title == nil || strings.TrimSpace(*panel.Title) == "" {
		l.panel(p, panelTitleDesc, "has no title")
	}
	if panel.Description == nil || strings.TrimSpace(*panel.Description) == "" {
		l.panel(p, panelTitleDesc, "has no description: say what it shows and how to read it")
	}
	if slices.Contains(unitPanels, panel.Type) {
		l.lintUnit(p)
	}
	if slices.Contains(staticPanels, panel.Type) {
		return
	}
	if len(panel.Targets) == 0 {
		l.panel(p, panelNoTargets, "a %s panel without targets shows nothing", panel.Type)
	}
	panelIsMixed := panel.Datasource != nil && panel.Datasource.Uid != nil && *panel.Datasource.Uid == mixed
	if !panelIsMixed {
		if problem := datasourceProblem(panel.Datasource); problem != "" {
			l.panel(p, panelDatasource, "%s", problem)
		}
	}
	for i, target := range panel.Targets {
		l.lintTarget(p, i, target, panelIsMixed, vars)
	}
}

func (l *linter) lintUnit(p panelRef) {
	var unit string
	if fc := p.model.FieldConfig; fc != nil {
		if len(fc.Defaults.Mappings) > 0 {
			return // values mapped to text need no unit (dashboard-linter's exception)
		}
		if fc.Defaults.Unit != nil {
			unit = *fc.Defaults.Unit
		}
	}
	switch {
	case unit == "":
		l.panel(p, panelUnits, "has no unit: set fieldConfig.defaults.unit (e.g. s, reqps, percentunit, short)")
	case !grafanaUnits[unit] && !slices.ContainsFunc(customUnitPrefixes, func(prefix string) bool { return strings.HasPrefix(unit, prefix) }):
		l.panel(p, panelUnits, "unit %q is not one of Grafana's units", unit)
	}
}

func (l *linter) lintTarget(p panelRef, i int, target variants.Dataquery, panelIsMixed bool, vars []string) {
	ref, refID := targetDatasource(target)
	name := refID
	if name == "" {
		name = fmt.Sprintf("#%d", i+1)
	}
	if problem := datasourceProblem(ref); problem != "" {
		l.panel(p, panelDatasource, "target %s %s", name, problem)
	} else if !panelIsMixed && !sameDatasource(ref, p.model.Datasource) {
		l.panel(p, panelDatasource, "target %s uses datasource %q, not its panel's", name, *ref.Uid)
	}
	query, ok := target.(*prometheus.Dataquery)
	if !ok {
		return
	}
	if strings.TrimSpace(query.Expr) == "" {
		l.panel(p, targetPromQL, "target %s has no expr", name)
		return
	}
	expr, err := parsePromQL(query.Expr, vars)
	if err != nil {
		l.panel(p, targetPromQL, "target %s: %v", name, err)
		return
	}
	for _, problem := range rateIntervalProblems(expr) {
		l.panel(p, targetRateInterval, "target %s: %s", name, problem)
	}
	for _, problem := range counterProblems(expr) {
		l.panel(p, targetCounterAgg, "target %s: %s", name, problem)
	}
}

// targetDatasource reads any query plugin's datasource and refId from its JSON form.
func targetDatasource(target variants.Dataquery) (*common.DataSourceRef, string) {
	var head struct {
		Datasource *common.DataSourceRef `json:"datasource"`
		RefID      string                `json:"refId"`
	}
	if raw, err := json.Marshal(target); err == nil {
		_ = json.Unmarshal(raw, &head)
	}
	return head.Datasource, head.RefID
}
