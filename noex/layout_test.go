package noex

import (
	"testing"
	"unsafe"
)

// The process's layout is part of its performance (see the process type):
// at 512 bytes it is allocated without a malloc header and aligned to 64,
// so its groups of fields fall on cache lines of their own.
func TestProcessLayout(t *testing.T) {
	var p process
	if got := unsafe.Sizeof(p); got != 512 {
		t.Errorf("a process is %d bytes; want 512", got)
	}
	for _, f := range []struct {
		name string
		off  uintptr
	}{
		{"pctx (rarely written)", unsafe.Offsetof(p.pctx)},
		{"chanBusy (written as the process sends)", unsafe.Offsetof(p.chanBusy)},
		{"mbox (its tail written by senders)", unsafe.Offsetof(p.mbox)},
		{"mbox.cmu (written by the receiver)", unsafe.Offsetof(p.mbox) + unsafe.Offsetof(p.mbox.cmu)},
	} {
		if f.off%64 != 0 {
			t.Errorf("%s starts at offset %d; want a cache line's start", f.name, f.off)
		}
	}
}
