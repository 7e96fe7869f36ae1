// Package protoconflict lets hollywood and protoactor-go be linked into one
// program. Both register a protobuf file "actor.proto" declaring the
// message actor.PID, and the protobuf runtime panics at the second
// registration unless the environment variable
// GOLANG_PROTOBUF_REGISTRATION_CONFLICT says otherwise. This package sets it
// to "ignore" (unless it is set already) in its init, which runs before
// theirs: since Go 1.21 packages are initialized in the order of their
// import paths, each as soon as its imports are, and this one imports only
// os, which the protobuf registry itself imports, while its path sorts
// before every package of google.golang.org/protobuf. The second
// registration is then skipped; neither peer needs the global registry to
// pass messages inside one process.
package protoconflict

import "os"

func init() {
	const env = "GOLANG_PROTOBUF_REGISTRATION_CONFLICT"
	if os.Getenv(env) == "" {
		_ = os.Setenv(env, "ignore")
	}
}
