// Command faultline-dashlint lints Grafana dashboard JSON files with the rule set of
// github.com/grafana/dashboard-linter, adapted to the Faultline lab.
//
// Each file is decoded strictly into Grafana's typed dashboard model
// (github.com/grafana/grafana-foundation-sdk/go/dashboard, with the core panel and query
// plugins), and every Prometheus expression is parsed by the parser of the Prometheus
// release the lab runs (github.com/prometheus/prometheus/promql/parser).
//
//	faultline-dashlint [--json] [--config exclusions.yml] FILE...
//
// Exit status: 0 without findings, 1 with findings, 2 on a usage error.
package main

//go:generate go run gen_units.go
