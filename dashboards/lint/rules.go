package main

// rule is one rule of grafana/dashboard-linter (plus validate-dist), as applied here.
type rule struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Applied     bool   `json:"applied"`
	// Why the rule does not fit the lab, when it is not applied.
	NotApplied string `json:"notApplied,omitempty"`
}

const (
	validateDist         = "validate-dist"
	templateDatasource   = "template-datasource-rule"
	templateLabelPromQL  = "template-label-promql-rule"
	templateReload       = "template-on-time-change-reload-rule"
	panelDatasource      = "panel-datasource-rule"
	panelTitleDesc       = "panel-title-description-rule"
	panelUnits           = "panel-units-rule"
	panelNoTargets       = "panel-no-targets-rule"
	targetPromQL         = "target-promql-rule"
	targetRateInterval   = "target-rate-interval-rule"
	targetCounterAgg     = "target-counter-agg-rule"
	oneJobNotApplied     = "every service is scraped under the one job \"faultline\" (labelled `service`), one instance each, so job and instance select nothing; dashboards select services by the `application` label of their metrics"
	requiredNotApplied   = "a per-project list the lab does not need: the rules above already cover what every query must use"
	logqlNotApplied      = "the lab has no Loki datasource: logs panels query Elasticsearch (Lucene), which has no parser here"
	uneditableNotApplied = "the lab's dashboards are provisioned from files and meant to be explored in place; edits are never saved back"
)

var ruleSet = []rule{
	{Name: validateDist, Description: "The dashboard decodes strictly into Grafana's typed dashboard model (grafana-foundation-sdk, core panel and query plugins): no unknown field, no wrong type, no missing required field."},
	{Name: templateDatasource, Description: "Adapted: datasources are provisioned with fixed uids, so there is no $datasource variable; every template variable and annotation queries a provisioned datasource (uid and type)."},
	{Name: "template-job-rule", Description: "Checks that the dashboard has a templated job.", NotApplied: oneJobNotApplied},
	{Name: "template-instance-rule", Description: "Checks that the dashboard has a templated instance.", NotApplied: oneJobNotApplied},
	{Name: templateLabelPromQL, Description: "Every label_values(), query_result() variable query is valid PromQL with a valid label name."},
	{Name: templateReload, Description: "Query variables refresh on time range change."},
	{Name: "template-required-variables-rule", Description: "Checks that the dashboard has the configured variables.", NotApplied: requiredNotApplied},
	{Name: "template-uneditable-rule", Description: "Checks that the dashboard is not editable.", NotApplied: uneditableNotApplied},
	{Name: panelDatasource, Description: "Adapted: every panel and target uses a provisioned datasource (uid and type), and each target the datasource of its panel."},
	{Name: panelTitleDesc, Description: "Every panel has a title and a description."},
	{Name: panelUnits, Description: "Every timeseries, stat, gauge, bargauge and table panel has a valid Grafana unit, unless it maps values to text."},
	{Name: panelNoTargets, Description: "Every panel that shows data has at least one target."},
	{Name: targetPromQL, Description: "Every Prometheus target and annotation parses with the Prometheus parser, after expanding Grafana's variables ($__rate_interval, $__interval, $__range, the dashboard's own); an unknown variable is a finding."},
	{Name: targetRateInterval, Description: "rate, irate and increase take [$__rate_interval]; increase may also take [$__range] (the total over the selected time range)."},
	{Name: "target-job-rule", Description: "Checks that every PromQL query has a job matcher.", NotApplied: oneJobNotApplied},
	{Name: "target-instance-rule", Description: "Checks that every PromQL query has an instance matcher.", NotApplied: oneJobNotApplied},
	{Name: "target-required-matchers-rule", Description: "Checks that every PromQL query has the configured matchers.", NotApplied: requiredNotApplied},
	{Name: targetCounterAgg, Description: "Counters (names ending in _total, _count, _sum, _bucket) appear only as the range of rate, irate, increase or resets."},
	{Name: "target-logql-rule", Description: "Checks that each Loki target is valid LogQL.", NotApplied: logqlNotApplied},
	{Name: "target-logql-auto-rule", Description: "Checks that each Loki target uses $__auto.", NotApplied: logqlNotApplied},
}

func knownRule(name string) bool {
	for _, r := range ruleSet {
		if r.Name == name {
			return true
		}
	}
	return false
}
