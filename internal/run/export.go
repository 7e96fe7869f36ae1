package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/noex-go/noex/noex"
)

// An Exporter exports a run's trace: called before the run, it attaches to
// rt and returns the function that flushes the spans and detaches, called
// after the runtime's shutdown. otlp.Setup (package
// github.com/noex-go/noex/trace/otlp) is one.
type Exporter func(ctx context.Context, rt *noex.Runtime) (shutdown func(context.Context) error, err error)

// ErrNoExporter is wrapped by the error of a run with -otlp in a build
// without the otlp tag and with no [Config.Exporter].
var ErrNoExporter = errors.New("run: -otlp needs a build with -tags otlp")

// noExporter is the error of -otlp without an exporter: it gives the
// command that builds this example with one, with args (the example's
// arguments) when known.
func noExporter(args []string) error {
	return fmt.Errorf("%w (the OpenTelemetry SDK is left out of the examples' default build, to keep it small); run:\n  %s",
		ErrNoExporter, otlpCommand(mainPackage(), args))
}

// otlpCommand is the go run command line of package pkg with the otlp tag
// and args; without args, it adds -otlp.
func otlpCommand(pkg string, args []string) string {
	if len(args) == 0 {
		args = []string{"-otlp"}
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return "go run -tags otlp " + pkg + " " + strings.Join(quoted, " ")
}

// shellQuote quotes a for a POSIX shell when it needs it.
func shellQuote(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// mainPackage is how the running program's main package is named on a go
// command line: ./dir relative to the module's root when the current
// directory is that root (as in every command of the docs), else its import
// path, which works anywhere inside the module.
func mainPackage() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "<the example's package>"
	}
	return packageArg(bi.Path, bi.Main.Path, func(dir string) bool {
		info, err := os.Stat(dir)
		return err == nil && info.IsDir()
	})
}

// packageArg is mainPackage's rule, for the package path pkg of module mod;
// isDir reports whether a directory exists relative to the current one.
func packageArg(pkg, mod string, isDir func(string) bool) string {
	rel, ok := strings.CutPrefix(pkg, mod+"/")
	if ok && mod != "" && isDir(rel) {
		return "./" + rel
	}
	return pkg
}
