package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
)

const usage = `usage: faultline-dashlint [--json] [--config exclusions.yml] FILE...

Lints Grafana dashboard JSON files with the rules of grafana/dashboard-linter, adapted to the lab.
  --json           print the report as JSON
  --config FILE    exclusions, each with its reason (see dashboards/lint/exclusions.yml)
Exit status: 0 without findings, 1 with findings, 2 on a usage error.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake in how the command was called: exit 2 with a hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

type options struct {
	json   bool
	config string
	files  []string
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err == nil {
		var report *report
		report, err = lintAll(opts)
		if err == nil {
			if opts.json {
				err = report.writeJSON(stdout)
			} else {
				report.writeText(stdout)
			}
			if err == nil && len(report.Findings) > 0 {
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "faultline-dashlint: %v\n", err)
		var usage usageError
		if errors.As(err, &usage) {
			return 2
		}
		return 1
	}
	return 0
}

var errHelp = errors.New("help")

// parseArgs accepts flags before, between and after the files.
func parseArgs(args []string) (options, error) {
	var opts options
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		switch name {
		case "-h", "-help", "--help":
			return opts, errHelp
		case "-json", "--json":
			opts.json = true
		case "-config", "--config":
			if !hasValue {
				if i+1 == len(args) {
					return opts, usageError{"--config needs a file: --config dashboards/lint/exclusions.yml"}
				}
				i++
				value = args[i]
			}
			opts.config = value
		default:
			if strings.HasPrefix(arg, "-") {
				return opts, usageError{fmt.Sprintf("unknown flag %s (run faultline-dashlint --help)", arg)}
			}
			opts.files = append(opts.files, arg)
		}
	}
	if len(opts.files) == 0 {
		return opts, usageError{"no dashboard files given: pass one or more, e.g. faultline-dashlint dashboards/grafana/*.json"}
	}
	return opts, nil
}

func lintAll(opts options) (*report, error) {
	plugins.RegisterDefaultPlugins()
	var excl *exclusions
	if opts.config != "" {
		var err error
		if excl, err = loadExclusions(opts.config); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	r := newReport()
	for _, file := range opts.files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError{fmt.Sprintf("cannot read %s: %v", file, errors.Unwrap(err))}
		}
		d := lintDashboard(file, raw)
		r.add(d, excl)
	}
	if excl != nil {
		r.Findings = append(r.Findings, excl.unused(r.uids)...)
	}
	return r, nil
}
