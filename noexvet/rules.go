package noexvet

import (
	"go/types"
	"strings"
)

// The rules, as reported in [Finding.Rule] and in the Category of each
// diagnostic.
const (
	// RuleTime: the wall clock (time.Now, time.Sleep, timers and tickers,
	// context deadlines).
	RuleTime = "time"
	// RuleRand: global randomness (math/rand, math/rand/v2, crypto/rand).
	RuleRand = "rand"
	// RuleGoroutine: a go statement.
	RuleGoroutine = "goroutine"
	// RuleChannel: a channel send, receive, range or select.
	RuleChannel = "channel"
	// RuleSync: a wait on a sync primitive (Mutex, RWMutex, WaitGroup, Cond,
	// Once).
	RuleSync = "sync"
	// RuleMapOrder: a range over a map whose order reaches a send, output or
	// an order that outlives the loop.
	RuleMapOrder = "maporder"
	// RuleIO: network, file or process I/O.
	RuleIO = "io"
	// RuleIgnore: a //noexvet:ignore directive without a reason, or a
	// //noexvet:root directive on something other than a function type.
	RuleIgnore = "ignore"
)

// fixKind says which mechanical rewrite a call takes.
type fixKind uint8

const (
	fixNone  fixKind = iota
	fixSleep         // time.Sleep(d) → noex.Sleep(ctx, d)
	fixNow           // time.Now() → noex.Now(ctx)
	fixSince         // time.Since(t) → noex.Now(ctx).Sub(t)
	fixUntil         // time.Until(t) → t.Sub(noex.Now(ctx))
	fixRand          // rand.X(…) → noex.Rand(ctx).Y(…)
)

// escapeRule describes one kind of escape: what it is, how it reads in a
// chain of calls, and what to use instead.
type escapeRule struct {
	rule   string  // one of the Rule constants
	what   string  // the construct, as written: "time.Sleep", "go statement"
	action string  // the escape in a chain: "calls time.Sleep"
	msg    string  // the full message: what, why, and the replacement
	fix    fixKind // the mechanical fix, if any
	method string  // for fixRand: the method of math/rand/v2's *Rand
}

// timeRules are the functions of package time that read or wait on the
// wall clock, keyed by name.
var timeRules = map[string]struct {
	why, use string
	fix      fixKind
}{
	"Now":       {"reads the wall clock", "noex.Now(ctx)", fixNow},
	"Since":     {"reads the wall clock", "noex.Now(ctx).Sub(t)", fixSince},
	"Until":     {"reads the wall clock", "t.Sub(noex.Now(ctx))", fixUntil},
	"Sleep":     {"blocks outside the runtime", "noex.Sleep(ctx, d)", fixSleep},
	"After":     {"waits on the wall clock", "noex.SendAfter(ctx, to, msg, d) and take msg in HandleInfo", fixNone},
	"Tick":      {"ticks on the wall clock", "noex.SendAfter(ctx, to, msg, d) and set the next one in HandleInfo", fixNone},
	"NewTicker": {"ticks on the wall clock", "noex.SendAfter(ctx, to, msg, d) and set the next one in HandleInfo", fixNone},
	"NewTimer":  {"waits on the wall clock", "noex.SendAfter(ctx, to, msg, d) and take msg in HandleInfo", fixNone},
	"AfterFunc": {"runs f on the wall clock, in a goroutine the runtime does not schedule", "noex.SendAfter(ctx, to, msg, d) and take msg in HandleInfo", fixNone},
}

// randV1 maps the global functions of math/rand to the method of math/rand/v2's
// *Rand (what noex.Rand returns) that replaces it; "" means there is none.
var randV1 = map[string]string{
	"Int": "Int", "Intn": "IntN", "Int31": "Int32", "Int31n": "Int32N",
	"Int63": "Int64", "Int63n": "Int64N", "Uint32": "Uint32", "Uint64": "Uint64",
	"Float32": "Float32", "Float64": "Float64", "Perm": "Perm", "Shuffle": "Shuffle",
	"ExpFloat64": "ExpFloat64", "NormFloat64": "NormFloat64",
	"Read": "", "Seed": "",
}

// randV2 maps the global functions of math/rand/v2 likewise.
var randV2 = map[string]string{
	"Int": "Int", "IntN": "IntN", "Int32": "Int32", "Int32N": "Int32N",
	"Int64": "Int64", "Int64N": "Int64N", "Uint": "Uint", "UintN": "UintN",
	"Uint32": "Uint32", "Uint32N": "Uint32N", "Uint64": "Uint64", "Uint64N": "Uint64N",
	"Float32": "Float32", "Float64": "Float64", "Perm": "Perm", "Shuffle": "Shuffle",
	"ExpFloat64": "ExpFloat64", "NormFloat64": "NormFloat64", "N": "",
}

// syncRules are the waits of package sync, keyed by the method's full name.
var syncRules = map[string]struct{ what, use string }{
	"(*sync.Mutex).Lock":    {"sync.Mutex.Lock", "keep the state in one process and reach it with noex.Call"},
	"(*sync.RWMutex).Lock":  {"sync.RWMutex.Lock", "keep the state in one process and reach it with noex.Call"},
	"(*sync.RWMutex).RLock": {"sync.RWMutex.RLock", "keep the state in one process and reach it with noex.Call"},
	"(*sync.WaitGroup).Wait": {"sync.WaitGroup.Wait",
		"wait for replies with noex.Call, or for ends with noex.Monitor"},
	"(*sync.Cond).Wait": {"sync.Cond.Wait", "wait for a message in HandleInfo"},
	"(*sync.Once).Do":   {"sync.Once.Do", "do one-time setup in Init"},
}

// ioFuncs are the package-level functions that do I/O, keyed by package
// path; a nil set means every function of the package.
var ioFuncs = map[string]map[string]bool{
	"os": set("Open", "OpenFile", "Create", "CreateTemp", "ReadFile", "WriteFile",
		"ReadDir", "Remove", "RemoveAll", "Rename", "Mkdir", "MkdirAll", "MkdirTemp",
		"Stat", "Lstat", "Chdir", "Chmod", "Chown", "Chtimes", "Truncate", "Link",
		"Symlink", "Readlink", "StartProcess", "Pipe", "CopyFS", "DirFS"),
	"io/ioutil": set("ReadFile", "WriteFile", "ReadDir", "TempFile", "TempDir"),
	"net": set("Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix",
		"Listen", "ListenPacket", "ListenTCP", "ListenUDP", "ListenIP", "ListenUnix",
		"ListenUnixgram", "ListenMulticastUDP", "LookupAddr", "LookupCNAME", "LookupHost",
		"LookupIP", "LookupMX", "LookupNS", "LookupPort", "LookupSRV", "LookupTXT",
		"ResolveTCPAddr", "ResolveUDPAddr", "ResolveIPAddr", "ResolveUnixAddr",
		"FileConn", "FileListener", "FilePacketConn"),
	"net/http": set("Get", "Head", "Post", "PostForm", "ListenAndServe",
		"ListenAndServeTLS", "Serve", "ServeTLS"),
	"net/rpc":  nil,
	"net/smtp": nil,
}

// ioTypes are the types whose methods do I/O, keyed by package path.
var ioTypes = map[string]map[string]bool{
	"os":       set("File"),
	"os/exec":  set("Cmd"),
	"net":      set("Conn", "PacketConn", "Listener", "TCPConn", "UDPConn", "IPConn", "UnixConn", "TCPListener", "UnixListener", "Dialer", "ListenConfig", "Resolver"),
	"net/http": set("Client", "Server", "Transport", "RoundTripper"),
}

// ioMethods restricts ioTypes to the methods that do I/O, for the types
// that also have methods that do not (an *os.File's Name or Fd).
var ioMethods = map[string]map[string]bool{
	"os.File": set("Read", "ReadAt", "ReadDir", "Readdir", "Readdirnames", "ReadFrom",
		"Write", "WriteAt", "WriteString", "WriteTo", "Seek", "Sync", "Truncate", "Stat", "Chdir"),
	"os/exec.Cmd": set("Run", "Start", "Wait", "Output", "CombinedOutput"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// funcRule returns the rule that a use of fn breaks, or nil. name is the
// name of fn's package in the file that uses it ("rand" for math/rand).
func funcRule(fn *types.Func) *escapeRule {
	fn = fn.Origin()
	pkg := fn.Pkg()
	if pkg == nil {
		return nil
	}
	path := pkg.Path()
	sig, _ := fn.Type().(*types.Signature)
	recv := sig.Recv()
	if recv == nil {
		return pkgFuncRule(path, pkg.Name(), fn.Name())
	}
	// A method: find the named type it belongs to.
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	if !ok {
		return nil
	}
	tname := named.Obj().Name()
	if r, ok := syncRules[fn.FullName()]; ok {
		return &escapeRule{
			rule:   RuleSync,
			what:   r.what,
			action: "calls " + r.what,
			msg:    r.what + " blocks outside the runtime; " + r.use,
		}
	}
	if types, ok := ioTypes[path]; ok && types[tname] {
		if only, ok := ioMethods[path+"."+tname]; ok && !only[fn.Name()] {
			return nil
		}
		what := pkg.Name() + "." + tname + "." + fn.Name()
		return ioRule(path, what)
	}
	return nil
}

// pkgFuncRule returns the rule broken by the package-level function
// path.name, or nil. pkgName is the package's name.
func pkgFuncRule(path, pkgName, name string) *escapeRule {
	what := pkgName + "." + name
	switch path {
	case "time":
		r, ok := timeRules[name]
		if !ok {
			return nil
		}
		return &escapeRule{
			rule:   RuleTime,
			what:   what,
			action: "calls " + what,
			msg:    what + " " + r.why + "; use " + r.use,
			fix:    r.fix,
		}
	case "math/rand", "math/rand/v2":
		table := randV1
		if path == "math/rand/v2" {
			table = randV2
		}
		method, ok := table[name]
		if !ok {
			return nil // New, NewSource, NewPCG…: a source the code seeds itself
		}
		r := &escapeRule{rule: RuleRand, what: what, action: "calls " + what}
		if method == "" {
			r.msg = what + " uses the global source, which no seed replays; use noex.Rand(ctx)"
			return r
		}
		r.msg = what + " uses the global source, which no seed replays; use noex.Rand(ctx)." + method
		r.fix, r.method = fixRand, method
		return r
	case "context":
		switch name {
		case "WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause":
			return &escapeRule{
				rule:   RuleTime,
				what:   what,
				action: "calls " + what,
				msg:    what + " sets a deadline on the wall clock; bound the call with noex.WithTimeout(d)",
			}
		}
		return nil
	case "crypto/rand":
		return &escapeRule{
			rule:   RuleRand,
			what:   "crypto/rand." + name,
			action: "calls crypto/rand." + name,
			msg:    "crypto/rand." + name + " differs on every run and no seed replays it; use noex.Rand(ctx)",
		}
	}
	if names, ok := ioFuncs[path]; ok && (names == nil || names[name]) {
		return ioRule(path, what)
	}
	return nil
}

func ioRule(path, what string) *escapeRule {
	kind := "file I/O"
	switch {
	case path == "os/exec":
		kind = "process I/O"
	case path == "net" || strings.HasPrefix(path, "net/"):
		kind = "network I/O"
	case path == "os" && (strings.HasSuffix(what, "StartProcess") || strings.HasSuffix(what, "Pipe")):
		kind = "process I/O"
	}
	return &escapeRule{
		rule:   RuleIO,
		what:   what,
		action: "calls " + what,
		msg: what + " does " + kind + ", which the runtime neither schedules nor replays; " +
			"do it outside the handlers and bring the result in as a message",
	}
}

// The rules for statements and operators.
var (
	goRule = escapeRule{
		rule: RuleGoroutine, what: "go statement", action: "starts a goroutine",
		msg: "go statement starts a goroutine the runtime does not schedule; " +
			"start a process (noex.Start) or send a message (noex.Send, noex.SendAfter)",
	}
	sendRule = escapeRule{
		rule: RuleChannel, what: "channel send", action: "sends on a channel",
		msg: "channel send blocks outside the runtime; send a message instead (noex.Send, noex.Cast)",
	}
	recvRule = escapeRule{
		rule: RuleChannel, what: "channel receive", action: "receives from a channel",
		msg: "channel receive blocks outside the runtime; take messages in HandleInfo, or ask with noex.Call",
	}
	rangeChanRule = escapeRule{
		rule: RuleChannel, what: "range over a channel", action: "ranges over a channel",
		msg: "range over a channel blocks outside the runtime; take messages in HandleInfo, or ask with noex.Call",
	}
	selectRule = escapeRule{
		rule: RuleChannel, what: "select statement", action: "selects on channels",
		msg: "select waits outside the runtime; take messages in HandleInfo, and use noex.SendAfter for timeouts",
	}
)
