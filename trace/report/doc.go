// Package report writes the report of a noex run as one self-contained
// HTML page ([Write]): one lane per process, an arrow from each send to its
// receipt, the virtual time, the scheduler's decisions with the
// alternatives it did not take, the details of any event on click, a
// slider and keys to step through the run, and the command that replays
// it. The page loads nothing: its CSS, SVG and script are inline, so it
// opens from disk, from a CI artifact or from a mail.
//
// The examples write one with -html FILE; the test kit writes one for each
// failing test (noextest.WithReport, or the -noex.html flag). For a failed
// run, [Run].FailedAt names the failing event and the page highlights its
// causal slice ([CausalSlice]): the chain of handlings and messages that
// led to it, found through [noex.Event].Parent.
//
// # The page
//
// Rows are events, in the order the runtime performed them (the number on
// the left is the event's Seq, the time its virtual time since the first
// event); lanes are processes, named by their first registered name. A
// call is a solid blue arrow, a cast a dashed green one, an info message
// amber, a reply purple and dotted, a start grey; a message dropped ends
// in red; a message never received is a short dotted stub. A message
// overtaken by another crosses it. Grey bars show a process handling a
// message. A purple ◆ after an event is a decision of the deterministic
// scheduler ([noex.Decision], recorded with
// [noex.Runtime.ObserveDecisions]): the filled circle is the step it took,
// the hollow ones the steps it could have taken instead.
//
// Keys: ← and → (or j and k) step the cursor, Home and End jump to the
// ends, [ and ] to the previous and next decision, f to the failing event,
// s dims everything outside the causal slice. Events after the cursor
// fade, so stepping replays the run.
//
// The package depends on the standard library and noex only, so that the
// test kit can use it.
package report
