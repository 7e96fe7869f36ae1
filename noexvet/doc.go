// Package noexvet is a static analyzer that finds escapes from noex's
// deterministic runtime before they run.
package noexvet
