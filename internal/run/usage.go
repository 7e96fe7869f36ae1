package run

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// exclusive lists the flags that contradict each other, with the reason
// printed when both are given; the usage line shows a pair marked choice as
// alternatives ([-seed N | -real]). A flag added later joins by a line here.
var exclusive = []struct {
	a, b, why string
	choice    bool
}{
	{"seed", "real", "-seed chooses a deterministic run, -real runs in real mode, which has no seed", true},
	{"mermaid", "events", "-mermaid prints only the Mermaid diagram, so that it can be piped to a renderer", false},
	{"mermaid", "diagram", "-mermaid prints only the Mermaid diagram, so that it can be piped to a renderer", false},
	{"step", "real", "-step is for deterministic mode: you are its scheduler", false},
	{"schedule", "real", "-schedule replays a deterministic run", false},
	{"challenge", "real", "-challenge is for deterministic mode: you are its scheduler", false},
	{"step", "schedule", "-step lets you choose the run, -schedule replays one; give one of them", false},
	{"explore", "real", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "step", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "schedule", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "challenge", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "events", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "diagram", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "mermaid", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "html", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
	{"explore", "otlp", "-explore runs the example many times and shows no run; replay the schedule it prints to see one", false},
}

// validate checks what fs.Parse accepted: no argument other than flags
// (an example takes none), and no two flags that contradict each other.
func validate(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		arg := fs.Arg(0)
		name, _, _ := strings.Cut(arg, "=")
		if f := fs.Lookup(name); f != nil {
			return fmt.Errorf("unexpected argument %q: flags start with a dash (-%s)", arg, arg)
		}
		return fmt.Errorf("unexpected argument %q: an example takes only flags", arg)
	}
	set := map[string]bool{} // given, and a switch not given as false
	fs.Visit(func(f *flag.Flag) {
		b, isBool := f.Value.(interface{ IsBoolFlag() bool })
		v := f.Value.String()
		set[f.Name] = !(isBool && b.IsBoolFlag() && (v == "false" || v == ""))
	})
	for _, x := range exclusive {
		if set[x.a] && set[x.b] {
			return fmt.Errorf("-%s and -%s exclude each other: %s", x.a, x.b, x.why)
		}
	}
	return nil
}

// usageLine is the one-line synopsis of fs, for example
// "usage: counter [-seed N | -real] [-diagram] [-events]": the alternatives
// first, then every other flag of fs in alphabetical order.
func usageLine(fs *flag.FlagSet) string {
	var parts []string
	done := map[string]bool{}
	for _, x := range exclusive {
		a, b := fs.Lookup(x.a), fs.Lookup(x.b)
		if x.choice && a != nil && b != nil && !done[x.a] && !done[x.b] {
			parts = append(parts, "["+synopsis(a)+" | "+synopsis(b)+"]")
			done[x.a], done[x.b] = true, true
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !done[f.Name] {
			parts = append(parts, "["+synopsis(f)+"]")
		}
	})
	return "usage: " + fs.Name() + " " + strings.Join(parts, " ")
}

// synopsis is a flag as the usage line shows it: -name, or -name VALUE.
func synopsis(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "-" + f.Name
	}
	name, _ := flag.UnquoteUsage(f)
	if name == "" {
		name = "value"
	}
	return "-" + f.Name + " " + name
}

// usageError reports a bad command line on w: the problem, the synopsis, and
// where the full list of flags is.
func usageError(w io.Writer, fs *flag.FlagSet, err error) {
	fmt.Fprintf(w, "%s: %v\n%s\n(%s -h describes every flag)\n", fs.Name(), err, usageLine(fs), fs.Name())
}

// help prints the synopsis and every flag with its description on w.
func help(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, usageLine(fs))
	fs.SetOutput(w)
	fs.PrintDefaults()
}
