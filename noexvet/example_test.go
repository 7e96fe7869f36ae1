package noexvet_test

import (
	"fmt"
	"log"

	"github.com/noex-go/noex/noexvet"
)

// Check analyzes a package and returns what it found; String gives the form
// a grader shows a student.
func ExampleCheck() {
	findings, err := noexvet.Check("testdata", "./timeuse")
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range findings[:4] {
		fmt.Printf("%-8s %s\n", f.Rule, f)
	}
	// Output:
	// time     noimport.go:19: time.Sleep blocks outside the runtime; use noex.Sleep(ctx, d)
	// time     timeuse.go:24: time.Now reads the wall clock; use noex.Now(ctx)
	// time     timeuse.go:28: time.Since reads the wall clock; use noex.Now(ctx).Sub(t)
	// time     timeuse.go:29: time.Until reads the wall clock; use t.Sub(noex.Now(ctx))
}
