package noextest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/noex-go/noex/noex"
	"github.com/noex-go/noex/noextest"
)

func TestReportOfAFailingTest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	f := runFake("TestCrash/sub case", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithSeed(3), noextest.WithReport(dir))
		rt.Run(func(ctx context.Context) error {
			c, err := startCounter(ctx, "counter")
			if err != nil {
				return err
			}
			other, err := startCounter(ctx, "other")
			if err != nil {
				return err
			}
			// Two servers with mail: the scheduler decides who goes first.
			if err := noex.Cast(ctx, other, any(inc{By: 1})); err != nil {
				return err
			}
			return noex.Cast(ctx, c, any(boom{}))
		})
	})
	if !f.Failed() {
		t.Fatal("an unexpected crash did not fail the test")
	}
	file := filepath.Join(dir, "TestCrash__sub_case.html")
	wantContains(t, "the log", f.logText(), "[noex] run report: "+file)
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, "the report", string(page),
		"<title>TestCrash/sub case · noex run report</title>",
		`go test -run &#39;^TestCrash$/^sub case$&#39; -noex.seed=3`,
		"unexpected crash",
		`class="failed focus"`,
		`data-name="counter"`,
		`class="decision"`)
}

func TestNoReportForAPassingTest(t *testing.T) {
	dir := t.TempDir()
	f := runFake("TestFine", func(ft *fakeT) {
		rt := noextest.New(ft, noextest.WithReport(dir))
		rt.Run(func(ctx context.Context) error {
			c, err := startCounter(ctx, "")
			if err != nil {
				return err
			}
			return noex.Stop(ctx, c, nil)
		})
	})
	if f.Failed() {
		t.Fatalf("the test failed: %s", f.errText())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a passing test wrote %d reports", len(entries))
	}
	if strings.Contains(f.logText(), "run report") {
		t.Errorf("a passing test logged a report: %s", f.logText())
	}
}
