// Package golden compares a test's output with a golden file, or rewrites
// the file when the test runs with its package's -update flag. Each test
// package keeps its own -update flag (what it rewrites differs from package
// to package) and passes its value to [Check].
package golden
