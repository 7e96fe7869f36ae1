// Package broken does not compile: Check reports it as a load error.
package broken

var n int = "not a number"
