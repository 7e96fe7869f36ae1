package run_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// modules lists the modules that the packages pkgs depend on, tags given,
// as the go command resolves them ("" for the standard library).
func modules(t *testing.T, tags string, pkgs ...string) []string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	args := append([]string{"list", "-deps", "-tags", tags, "-f", "{{with .Module}}{{.Path}}{{end}}"}, pkgs...)
	out, err := exec.Command(goCmd, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var mods []string
	for _, m := range strings.Fields(string(out)) {
		if !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	slices.Sort(mods)
	return mods
}

// The examples' default build needs this module and the standard library
// only, so that a first run downloads nothing; the otlp tag brings in the
// OpenTelemetry SDK.
func TestExamplesNeedNoOtherModule(t *testing.T) {
	examples := []string{"github.com/noex-go/noex/internal/run", "github.com/noex-go/noex/chapters/02-ipc/...",
		"github.com/noex-go/noex/exercises/taskqueue/cmd/...", "github.com/noex-go/noex/solutions/taskqueue/cmd/..."}
	if got := modules(t, "", examples...); !slices.Equal(got, []string{"github.com/noex-go/noex"}) {
		t.Errorf("the examples depend on the modules %q, want only github.com/noex-go/noex", got)
	}
	if got := modules(t, "otlp", "github.com/noex-go/noex/internal/run"); !slices.Contains(got, "go.opentelemetry.io/otel/sdk") {
		t.Errorf("with -tags otlp the runner depends on %q, want the OpenTelemetry SDK among them", got)
	}
}
