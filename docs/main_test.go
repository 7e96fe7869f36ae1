// Package docs_test checks the guides in this directory and the README:
// every link resolves inside the repository, and every Go snippet compiles.
package docs_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
