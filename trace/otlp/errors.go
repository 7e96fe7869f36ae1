package otlp

import (
	"errors"
	"fmt"
	"strings"
)

// ErrExport is wrapped by the error of the shutdown function [Setup]
// returns when spans were not exported; see [ExportError].
var ErrExport = errors.New("otlp: spans not exported")

// ErrSetup is wrapped by the errors of [Setup] itself: a nil runtime,
// options that exclude each other, an exporter that cannot be built.
var ErrSetup = errors.New("otlp: setup failed")

// ExportError reports the spans of a run that did not reach the exporter's
// destination: Failed spans were in batches the exporter returned an error
// for (connection refused, an HTTP error status, a partial success), and
// Dropped spans never reached the exporter (the batch queue was full, or
// the shutdown's context ended first). Errs are the distinct export errors,
// in the order they first occurred. It wraps [ErrExport] and each of Errs.
type ExportError struct {
	Ended   int // spans that ended
	Failed  int
	Dropped int
	Errs    []error
}

func (e *ExportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "otlp: %d of %d spans not exported", e.Failed+e.Dropped, e.Ended)
	if e.Failed > 0 && e.Dropped > 0 {
		fmt.Fprintf(&b, " (%d failed, %d dropped)", e.Failed, e.Dropped)
	} else if e.Dropped > 0 {
		b.WriteString(" (dropped before export)")
	}
	for i, err := range e.Errs {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns [ErrExport] and the export errors.
func (e *ExportError) Unwrap() []error { return append([]error{ErrExport}, e.Errs...) }
