package report_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/noex-go/noex/trace/report"
)

var update = flag.Bool("update", false, "rewrite the report screenshots under docs/images")

// The reports the browser test opens: three chapter examples, run as a
// student runs them (go run ... -html FILE), and the report of a failure.
// The screenshots in the docs are taken from them.
var screens = []struct {
	name    string // the screenshot is docs/images/report-<name>.png
	example string // a chapter example, or "" for the failure report
	lanes   []string
	cursor  int  // the event the screenshot shows selected (1-based)
	next    bool // the screenshot shows the next decision after the cursor instead
}{
	{"notifications", "./chapters/02-ipc/notifications", []string{"main", "event-bus", "channels", "channels.guard",
		"channel-email", "channel-sms", "channel-push", "notification-router", "analytics"}, 40, false},
	{"pipeline", "./chapters/02-ipc/pipeline", []string{"main", "store", "validator", "parser"}, 24, false},
	{"fanout", "./chapters/02-ipc/fanout", []string{"main", "event-bus", "email", "analytics", "webhook"}, 30, true},
	{"failure", "", []string{"main", "worker", "router"}, 0, false},
}

const (
	moduleRoot = "../.."
	imagesDir  = "../../docs/images"
	// envRequire makes a missing browser fail the test (CI sets it).
	envRequire = "NOEX_REQUIRE_BROWSER"
	// envBrowser names the Chromium binary to use.
	envBrowser = "NOEX_CHROMIUM"
)

func screenshotPath(name string) string {
	return filepath.Join(imagesDir, "report-"+name+".png")
}

// TestReportScreenshotsExist keeps the pictures the docs show.
func TestReportScreenshotsExist(t *testing.T) {
	for _, s := range screens {
		b, err := os.ReadFile(screenshotPath(s.name))
		if err != nil {
			t.Errorf("%v (regenerate with: go test ./trace/report -run TestReportScreens -update)", err)
			continue
		}
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 10_000 {
			t.Errorf("%s is not a screenshot (%d bytes)", screenshotPath(s.name), len(b))
		}
	}
}

// findBrowser returns the Chromium to drive, or skips the test with a hint
// (fails it under NOEX_REQUIRE_BROWSER=1).
func findBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envBrowser); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (install it with: apt-get install -y chromium; or set " + envBrowser + " to its path)"
	if os.Getenv(envRequire) == "1" {
		t.Fatalf("%s; %s=1 requires the browser test", msg, envRequire)
	}
	t.Skip(msg)
	return ""
}

// TestReportScreens opens reports in a headless Chromium, checks that each
// loads without a console error or a request off the disk, that it has the
// expected lanes and arrows, and that stepping moves the cursor; it saves
// a screenshot of each (under docs/images with -update).
func TestReportScreens(t *testing.T) {
	browser := findBrowser(t)
	if testing.Short() {
		t.Skip("opens a browser; not in -short mode")
	}
	dir := t.TempDir()
	pages := buildReports(t, dir)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1440, 900),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil { // start the browser
		t.Fatalf("starting %s: %v", browser, err)
	}
	for _, s := range screens {
		t.Run(s.name, func(t *testing.T) {
			tab, cancel := chromedp.NewContext(browserCtx)
			defer cancel()
			checkPage(t, tab, pages[s.name], s.lanes, s.cursor, s.next, s.name)
		})
	}
}

// buildReports writes the report of each screen into dir: the examples are
// built once and run with -html; the failure report is written here.
func buildReports(t *testing.T, dir string) map[string]string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	var pkgs []string
	for _, s := range screens {
		if s.example != "" {
			pkgs = append(pkgs, s.example)
		}
	}
	build := exec.Command("go", append([]string{"build", "-o", bin + string(filepath.Separator)}, pkgs...)...)
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", pkgs, err, out)
	}
	pages := map[string]string{}
	for _, s := range screens {
		file := filepath.Join(dir, s.name+".html")
		pages[s.name] = file
		if s.example == "" {
			evs := record(t, 1, jobs)
			fail, _ := report.FirstFailure(evs)
			err := report.WriteFile(file, report.Run{Title: "TestJobs", Events: evs, Deterministic: true, Seed: 1,
				Replay: "go test -run '^TestJobs$' -noex.seed=1", Failure: "noextest: unexpected crash: worker bug", FailedAt: fail.Seq})
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		run := exec.Command(filepath.Join(bin, filepath.Base(s.example)), "-html", file)
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("%s -html: %v\n%s", s.example, err, out)
		}
	}
	return pages
}

// checkPage opens file in the tab and checks it; name names the screenshot.
func checkPage(t *testing.T, tab context.Context, file string, lanes []string, cursor int, next bool, name string) {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	note := func(s string) { mu.Lock(); problems = append(problems, s); mu.Unlock() }
	err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				note(fmt.Sprintf("console.%s", ev.Type))
			}
		case *runtime.EventExceptionThrown:
			note("exception: " + ev.ExceptionDetails.Text + " " + exceptionText(ev.ExceptionDetails))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				note("log error: " + ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				note("request off the disk: " + u)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, struct{}{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS("#diagram"))); err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}

	// Lanes: one per process, named, in the order processes start.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#lanes .lane")).map(g => g.dataset.name)`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, lanes) {
		t.Errorf("lanes %q, want %q", got, lanes)
	}
	if n := eval(`document.querySelectorAll("#head .lane-name").length`); n != len(lanes) {
		t.Errorf("%d lane names in the header, want %d", n, len(lanes))
	}
	// Arrows: at least one per message sent, each from one lane to another.
	html, _ := os.ReadFile(file)
	sends := strings.Count(string(html), `class="ev k-sent`)
	arrows := eval(`document.querySelectorAll("#arrows path.arrow").length`)
	if arrows < sends || sends == 0 {
		t.Errorf("%d arrows for %d messages sent", arrows, sends)
	}
	if n := eval(`Array.from(document.querySelectorAll("#arrows path.arrow")).filter(a => a.getTotalLength() > 0).length`); n != arrows {
		t.Errorf("%d of %d arrows have a length", n, arrows)
	}
	events := eval(`JSON.parse(document.getElementById("run-data").textContent).events.length`)
	if n := eval(`document.querySelectorAll("#events .ev").length`); n != events || n == 0 {
		t.Errorf("%d event marks for %d events", n, events)
	}

	// Stepping moves the cursor, by key and by button.
	start := eval(`+document.getElementById("cursor").value`)
	y0 := eval(`+document.getElementById("cursor-line").getAttribute("y1")`)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
		t.Fatal(err)
	}
	if at := eval(`+document.getElementById("cursor").value`); at != start-2 {
		t.Errorf("two ← moved the cursor from %d to %d, want %d", start, at, start-2)
	}
	if y := eval(`+document.getElementById("cursor-line").getAttribute("y1")`); y >= y0 {
		t.Errorf("the cursor line did not move up: y %d → %d", y0, y)
	}
	if n := eval(`document.querySelectorAll("#events .ev.future").length`); n != events-(start-2) {
		t.Errorf("%d events after the cursor are faded, want %d", n, events-(start-2))
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Home)); err != nil {
		t.Fatal(err)
	}
	if at := eval(`+document.getElementById("cursor").value`); at != 0 {
		t.Errorf("Home put the cursor at %d, want 0", at)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#next"))); err != nil {
		t.Fatal(err)
	}
	if at := eval(`+document.getElementById("cursor").value`); at != 1 {
		t.Errorf("the ▶ button put the cursor at %d, want 1", at)
	}
	// A click on an event shows its details.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#events .ev[data-i="1"] circle`))); err != nil {
		t.Fatal(err)
	}
	seq := eval(`JSON.parse(document.getElementById("run-data").textContent).events[1].seq`)
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#details h2").textContent`))
	if err != nil || !strings.HasPrefix(title, fmt.Sprintf("#%d ", seq)) {
		t.Errorf("details after a click: %q, %v; want event #%d", title, err, seq)
	}
	failedAt := eval(`JSON.parse(document.getElementById("run-data").textContent).failedAt`)
	if failedAt >= 0 {
		// f jumps to the failure; its slice is marked.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("f")); err != nil {
			t.Fatal(err)
		}
		if at := eval(`+document.getElementById("cursor").value`); at != failedAt+1 {
			t.Errorf("f put the cursor at %d, want %d", at, failedAt+1)
		}
		if n := eval(`document.querySelectorAll("#events .ev.in-slice").length`); n < 2 {
			t.Errorf("%d events in the causal slice", n)
		}
	}

	// The screenshot: a step in the middle of the run, selected, or the
	// decision after it.
	if cursor > 0 {
		js := fmt.Sprintf(`(() => { const s = document.getElementById("cursor"); s.value = %d; s.dispatchEvent(new Event("input")); return 0 })()`, cursor)
		eval(js)
	}
	if next {
		decisions := eval(`document.querySelectorAll("#decisions .decision").length`)
		if decisions == 0 {
			t.Fatal("no decision to show")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("]")); err != nil {
			t.Fatal(err)
		}
		title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#details h2").textContent`))
		if err != nil || !strings.HasPrefix(title, "Decision ") {
			t.Errorf("] should show the next decision, the details say %q (%v)", title, err)
		}
		if n := eval(`document.querySelectorAll("#details li.alt").length`); n == 0 {
			t.Error("the decision lists no step not taken")
		}
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), name+".png")
	if *update {
		out = screenshotPath(name)
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("%s: %s", filepath.Base(file), p)
	}
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return ""
}
