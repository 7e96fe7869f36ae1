package grader

import (
	"reflect"
	"slices"
	"strings"

	"github.com/noex-go/noex/noex"
)

// This file holds the queries on event logs the checks share: which task
// ids a message mentions, and who is who.

func isWorker(label string) bool { return strings.HasPrefix(label, workerPrefix) }

var (
	noexPkg         = reflect.TypeFor[noex.PID]().PkgPath()
	publicationType = reflect.TypeFor[noex.Publication]()
)

// stringsIn returns every string a message holds: in its fields, elements
// and map entries, through pointers and interfaces, exported or not, in the
// order found. The runtime's own values (PIDs, refs, the bus's messages) are
// skipped, except a [noex.Publication], whose message is searched. It is how
// the grader finds a task id in a message whatever the student named its
// types and fields.
func stringsIn(msg any) []string {
	var out []string
	if msg != nil {
		walk(reflect.ValueOf(msg), 0, &out)
	}
	return out
}

const (
	maxDepth = 8    // how deep walk goes: messages are small, cycles are cut
	maxElems = 1024 // how many elements of one slice or map walk looks at
)

func walk(v reflect.Value, depth int, out *[]string) {
	if depth > maxDepth || !v.IsValid() {
		return
	}
	if t := v.Type(); t.PkgPath() == noexPkg && t != publicationType {
		return
	}
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), depth+1, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			walk(v.Field(i), depth+1, out)
		}
	case reflect.Slice, reflect.Array:
		for i := range min(v.Len(), maxElems) {
			walk(v.Index(i), depth+1, out)
		}
	case reflect.Map:
		it := v.MapRange()
		for n := 0; n < maxElems && it.Next(); n++ {
			walk(it.Key(), depth+1, out)
			walk(it.Value(), depth+1, out)
		}
	}
}

// idsIn returns the task ids (members of ids) that msg mentions, each once,
// in the order found.
func idsIn(msg any, ids map[string]bool) []string {
	var found []string
	for _, s := range stringsIn(msg) {
		if ids[s] && !slices.Contains(found, s) {
			found = append(found, s)
		}
	}
	return found
}
