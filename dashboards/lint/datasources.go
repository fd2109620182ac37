package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/common"
)

// provisioned maps the datasource uids Grafana is provisioned with to their types: those of
// compose/grafana/provisioning/datasources/datasources.yml (dashboards/src/grafana.ts
// DATASOURCES), plus Grafana's built-in annotation datasource.
var provisioned = map[string]string{
	"prometheus":    "prometheus",
	"jaeger":        "jaeger",
	"elasticsearch": "elasticsearch",
	"-- Grafana --": "grafana",
}

// mixed is the uid of Grafana's "-- Mixed --" datasource: each target names its own.
const mixed = "-- Mixed --"

// datasourceProblem says what is wrong with a datasource reference, or "" when it names a
// provisioned datasource.
func datasourceProblem(ref *common.DataSourceRef) string {
	if ref == nil || ref.Uid == nil || *ref.Uid == "" {
		return fmt.Sprintf("names no datasource uid: use a provisioned one (%s)", provisionedUIDs())
	}
	uid := *ref.Uid
	want, ok := provisioned[uid]
	if !ok {
		return fmt.Sprintf("datasource uid %q is not provisioned (provisioned: %s)", uid, provisionedUIDs())
	}
	if ref.Type != nil && *ref.Type != want {
		return fmt.Sprintf("datasource %q has type %q, but is provisioned as %q", uid, *ref.Type, want)
	}
	return ""
}

func provisionedUIDs() string {
	uids := make([]string, 0, len(provisioned))
	for uid := range provisioned {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	return strings.Join(uids, ", ")
}

func sameDatasource(a, b *common.DataSourceRef) bool {
	return a != nil && b != nil && a.Uid != nil && b.Uid != nil && *a.Uid == *b.Uid
}
