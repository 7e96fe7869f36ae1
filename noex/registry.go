package noex

import (
	"slices"
	"sort"
)

// Registry maps names to processes, per runtime. A process may hold several
// names; all of them are released atomically when it ends (stop, crash or
// kill), before anyone can observe it as ended: before Stop returns, before
// monitors get [Down], before a supervisor restarts it. Lookups never return
// a process that has ended.
//
// The methods are safe for concurrent use in real mode. In deterministic
// mode call them from Run's body or a handler (or between runs). A nil
// *Registry (or a zero Registry) has no names: lookups and registrations
// fail with a [*RegistryError] wrapping [ErrNoRegistry].
type Registry struct{ rt *Runtime }

// live returns the registry's runtime, or nil for a nil or zero Registry.
func (r *Registry) live() *Runtime {
	if r == nil {
		return nil
	}
	return r.rt
}

// Registry returns the runtime's registry.
func (rt *Runtime) Registry() *Registry { return &Registry{rt: rt} }

// Register gives pid the name. It fails with [ErrInvalidName] for "", a
// [*NameTakenError] (wrapping [ErrNameTaken]) naming the holder if another
// process holds it, [ErrForeignRef] for a PID of another runtime and
// [ErrNotRunning] for a process that has ended. Registering a name a process
// already holds is a no-op.
func (r *Registry) Register(name string, pid PID) error {
	if r.live() == nil {
		return &RegistryError{Op: "register", Name: name, Err: ErrNoRegistry}
	}
	if pid.p == nil {
		return &RegistryError{Op: "register", Name: name, Err: ErrNotRunning}
	}
	if pid.p.rt != r.rt {
		return &RegistryError{Op: "register", Name: name, Err: ErrForeignRef}
	}
	return r.rt.register(name, pid.p)
}

func (rt *Runtime) register(name string, p *process) error {
	if name == "" {
		return &RegistryError{Op: "register", Name: name, Err: ErrInvalidName}
	}
	if p.root {
		return &RegistryError{Op: "register", Name: name, Err: ErrNotRunning}
	}
	rt.mu.Lock()
	p.mu.Lock()
	dead := p.status == stDead
	p.mu.Unlock()
	if dead {
		rt.mu.Unlock()
		return &RegistryError{Op: "register", Name: name, Err: ErrNotRunning}
	}
	if holder, ok := rt.names[name]; ok {
		rt.mu.Unlock()
		if holder == p {
			return nil
		}
		return &NameTakenError{Name: name, Holder: holder.pid()}
	}
	if rt.det {
		rt.sched.touchName(name, accWrite)
	}
	rt.names[name] = p
	p.names = append(p.names, name)
	if l := p.label.Load(); len(p.names) == 1 && (l == nil || !l.named) {
		p.label.Store(&procLabel{s: name, named: true})
	}
	rt.mu.Unlock()
	rt.emitf(func() Event { return Event{Kind: Registered, PID: p.pid(), Label: p.labelStr(), Name: name} })
	return nil
}

// Unregister removes the name; the process keeps running. It reports whether
// the name was registered.
func (r *Registry) Unregister(name string) bool {
	rt := r.live()
	if rt == nil {
		return false
	}
	if rt.det {
		rt.sched.touchName(name, accWrite)
	}
	rt.mu.Lock()
	p, ok := rt.names[name]
	if ok {
		delete(rt.names, name)
		p.names = slices.DeleteFunc(p.names, func(n string) bool { return n == name })
	}
	rt.mu.Unlock()
	if ok {
		rt.emitf(func() Event { return Event{Kind: Unregistered, PID: p.pid(), Label: p.labelStr(), Name: name} })
	}
	return ok
}

// Lookup returns the process holding name, or a [*RegistryError] wrapping
// [ErrNotRegistered].
func (r *Registry) Lookup(name string) (PID, error) {
	if r.live() == nil {
		return PID{}, &RegistryError{Op: "lookup", Name: name, Err: ErrNoRegistry}
	}
	p, err := r.rt.whereis(name)
	if err != nil {
		return PID{}, err
	}
	return p.pid(), nil
}

// Whereis returns the process holding name and whether there is one.
func (r *Registry) Whereis(name string) (PID, bool) {
	if r.live() == nil {
		return PID{}, false
	}
	p, err := r.rt.whereis(name)
	if err != nil {
		return PID{}, false
	}
	return p.pid(), true
}

// IsRegistered reports whether a process holds name.
func (r *Registry) IsRegistered(name string) bool {
	_, ok := r.Whereis(name)
	return ok
}

// Names returns every registered name, sorted.
func (r *Registry) Names() []string {
	if r.live() == nil {
		return nil
	}
	if r.rt.det {
		r.rt.sched.touch(resNames, 0, accRead)
	}
	r.rt.mu.Lock()
	names := make([]string, 0, len(r.rt.names))
	for n := range r.rt.names {
		names = append(names, n)
	}
	r.rt.mu.Unlock()
	sort.Strings(names)
	return names
}

// Count returns the number of registered names (not of distinct processes).
func (r *Registry) Count() int {
	if r.live() == nil {
		return 0
	}
	if r.rt.det {
		r.rt.sched.touch(resNames, 0, accRead)
	}
	r.rt.mu.Lock()
	defer r.rt.mu.Unlock()
	return len(r.rt.names)
}

// NamesOf returns the names pid holds, sorted.
func (r *Registry) NamesOf(pid PID) []string {
	if r.live() == nil || pid.p == nil || pid.p.rt != r.rt {
		return nil
	}
	r.rt.mu.Lock()
	names := slices.Clone(pid.p.names)
	r.rt.mu.Unlock()
	sort.Strings(names)
	return names
}

// LookupRef returns a typed reference to the server holding name. The types
// are checked when messages are handled. A nil r gives a [*RegistryError]
// wrapping [ErrNoRegistry].
func LookupRef[C, K, R any](r *Registry, name string) (Ref[C, K, R], error) {
	pid, err := r.Lookup(name)
	return Ref[C, K, R]{pid: pid}, err
}

func (rt *Runtime) whereis(name string) (*process, error) {
	if rt.det {
		rt.sched.touchName(name, accRead)
	}
	rt.mu.Lock()
	p, ok := rt.names[name]
	rt.mu.Unlock()
	if !ok {
		return nil, &RegistryError{Op: "lookup", Name: name, Err: ErrNotRegistered}
	}
	return p, nil
}
