package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// schemaError is one place where the JSON departs from Grafana's typed model.
type schemaError struct {
	path    string // e.g. `panels[3].options.legend.calcs`; empty for the whole file
	message string
}

// validate decodes the dashboard strictly: unknown fields, wrong types and missing required
// fields are errors. The SDK's strict panel decoder reads `fieldConfig` leniently (all but
// `custom`), so each panel's fieldConfig is decoded strictly once more.
func validate(raw []byte) []schemaError {
	var d dashboard.Dashboard
	errs := schemaErrors("", d.UnmarshalJSONStrict(raw))
	errs = append(errs, schemaErrors("", d.Validate())...)
	var shell struct {
		Panels []json.RawMessage `json:"panels"`
	}
	_ = json.Unmarshal(raw, &shell) // a wrong type here is already a strict-decode error
	walkPanels(shell.Panels, "panels", func(path string, raw json.RawMessage) {
		var p struct {
			FieldConfig json.RawMessage `json:"fieldConfig"`
		}
		if json.Unmarshal(raw, &p) != nil || p.FieldConfig == nil {
			return
		}
		var fc dashboard.FieldConfigSource
		errs = append(errs, schemaErrors(path+".fieldConfig", fc.UnmarshalJSONStrict(p.FieldConfig))...)
	})
	errs = dedupe(errs)
	// The SDK reports unexpected fields in map order.
	slices.SortStableFunc(errs, func(a, b schemaError) int { return strings.Compare(a.path, b.path) })
	return errs
}

func schemaErrors(prefix string, err error) []schemaError {
	if err == nil {
		return nil
	}
	join := func(path string) string {
		switch {
		case prefix == "":
			return path
		case path == "":
			return prefix
		}
		return prefix + "." + path
	}
	var build cog.BuildErrors
	if errors.As(err, &build) {
		out := make([]schemaError, 0, len(build))
		for _, e := range build {
			out = append(out, schemaError{join(withoutTypeName(e.Path, e.Message)), e.Message})
		}
		return out
	}
	return []schemaError{{prefix, err.Error()}}
}

// withoutTypeName drops the Go type name the SDK appends to the path of an unexpected field
// (`fieldConfig.defaults.FieldConfig`), leaving the JSON path.
func withoutTypeName(path, message string) string {
	if !strings.HasPrefix(message, "unexpected field") {
		return path
	}
	parent, last := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, last = path[:i], path[i+1:]
	}
	if last != "" && unicode.IsUpper(rune(last[0])) {
		return parent
	}
	return path
}

func dedupe(errs []schemaError) []schemaError {
	seen := map[schemaError]bool{}
	out := errs[:0]
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// walkPanels calls fn for every non-row panel, rows' nested panels included, with its JSON path.
func walkPanels(panels []json.RawMessage, path string, fn func(path string, raw json.RawMessage)) {
	for i, raw := range panels {
		at := path + "[" + strconv.Itoa(i) + "]"
		var head struct {
			Type   string            `json:"type"`
			Panels []json.RawMessage `json:"panels"`
		}
		_ = json.Unmarshal(raw, &head)
		if head.Type == "row" {
			walkPanels(head.Panels, at+".panels", fn)
			continue
		}
		fn(at, raw)
	}
}

// panelRef is one panel as the rules see it.
type panelRef struct {
	path  string
	title string
	// The panel in Grafana's typed model, or nil when even the lenient decoder refused it
	// (validate-dist reports why).
	model *dashboard.Panel
}

func (p panelRef) where() string {
	if p.title == "" {
		return "panel at " + p.path
	}
	return fmt.Sprintf("panel %q", p.title)
}

// model is the dashboard as the rules see it: each part decoded on its own with the SDK's
// lenient decoders, so one broken panel does not hide the others from the rules.
type model struct {
	uid         string
	panels      []panelRef
	variables   []dashboard.VariableModel
	annotations []dashboard.AnnotationQuery
}

func decode(raw []byte) (*model, error) {
	var shell struct {
		UID         json.RawMessage                  `json:"uid"`
		Panels      []json.RawMessage                `json:"panels"`
		Templating  struct{ List []json.RawMessage } `json:"templating"`
		Annotations struct{ List []json.RawMessage } `json:"annotations"`
	}
	if err := json.Unmarshal(raw, &shell); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return nil, err
		}
	}
	m := &model{}
	_ = json.Unmarshal(shell.UID, &m.uid)
	walkPanels(shell.Panels, "panels", func(path string, raw json.RawMessage) {
		var head struct {
			Title string `json:"title"`
		}
		_ = json.Unmarshal(raw, &head)
		ref := panelRef{path: path, title: head.Title, model: &dashboard.Panel{}}
		if json.Unmarshal(raw, ref.model) != nil {
			ref.model = nil
		}
		m.panels = append(m.panels, ref)
	})
	for _, raw := range shell.Templating.List {
		var v dashboard.VariableModel
		if json.Unmarshal(raw, &v) == nil {
			m.variables = append(m.variables, v)
		}
	}
	for _, raw := range shell.Annotations.List {
		var a dashboard.AnnotationQuery
		if json.Unmarshal(raw, &a) == nil {
			m.annotations = append(m.annotations, a)
		}
	}
	return m, nil
}

var panelPath = regexp.MustCompile(`^panels\[\d+\](?:\.panels\[\d+\])?`)

// panelAt finds the panel a schema error path points into.
func (m *model) panelAt(path string) (panelRef, bool) {
	prefix := panelPath.FindString(path)
	for _, p := range m.panels {
		if prefix != "" && p.path == prefix {
			return p, true
		}
	}
	return panelRef{}, false
}
