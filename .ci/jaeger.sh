#!/usr/bin/env bash
# Build, locate, start and stop a local Jaeger (v1.76.0, the v2 all-in-one
# binary) for the end-to-end tracing tests and for running the chapter
# examples against Jaeger. Everything listens on 127.0.0.1 only.
#
#   bash .ci/jaeger.sh build   build once into the cache (6-12 min cold)
#   bash .ci/jaeger.sh path    print the cached binary's path
#   bash .ci/jaeger.sh start   start it in the background on loopback
#   bash .ci/jaeger.sh stop    stop it (SIGINT)
#
# Environment:
#   NOEX_JAEGER_CACHE      cache dir (default ${XDG_CACHE_HOME:-$HOME/.cache}/noex/jaeger-v1.76.0)
#   NOEX_JAEGER_BIN        binary to use for start (default: the cached one)
#   NOEX_JAEGER_RUN_DIR    pid/log dir for start/stop (default ${TMPDIR:-/tmp}/noex-jaeger-$UID)
#   NOEX_JAEGER_LOCK       "mkdir" to lock builds with a directory even where
#                          flock(1) exists (the fallback; for tests)
#
# One build at a time per cache: a second build waits for the first (with
# flock(1) if available, else a lock directory) and then reuses its binary.
#   JAEGER_OTLP_HTTP_PORT  (4318)   JAEGER_OTLP_GRPC_PORT  (4317)
#   JAEGER_QUERY_PORT      (16686)  JAEGER_QUERY_GRPC_PORT (16685)
#   JAEGER_HEALTH_PORT     (13133)  JAEGER_LOG_LEVEL       (warn)
#   JAEGER_UI_ASSETS       optional directory of UI assets to serve
set -euo pipefail

readonly JAEGER_VERSION=v1.76.0
readonly JAEGER_PKG=github.com/jaegertracing/jaeger/cmd/jaeger

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
moddir=$root/trace/internal/jaegerbin
config=$moddir/jaeger-ci.yaml
cache=${NOEX_JAEGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/noex/jaeger-$JAEGER_VERSION}
cached_bin=$cache/jaeger
rundir=${NOEX_JAEGER_RUN_DIR:-${TMPDIR:-/tmp}/noex-jaeger-$(id -u)}
pidfile=$rundir/jaeger.pid
logfile=$rundir/jaeger.log

: "${JAEGER_OTLP_HTTP_PORT:=4318}"
: "${JAEGER_OTLP_GRPC_PORT:=4317}"
: "${JAEGER_QUERY_PORT:=16686}"
: "${JAEGER_QUERY_GRPC_PORT:=16685}"
: "${JAEGER_HEALTH_PORT:=13133}"
export JAEGER_OTLP_HTTP_PORT JAEGER_OTLP_GRPC_PORT JAEGER_QUERY_PORT \
	JAEGER_QUERY_GRPC_PORT JAEGER_HEALTH_PORT

# Messages go to stderr, so that $(bash .ci/jaeger.sh build) is just the path.
say() { printf 'jaeger.sh: %s\n' "$*" >&2; }
die() {
	printf 'jaeger.sh: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# lock_build waits until no other build holds this cache's lock, then holds
# it until the script exits. With flock(1), the lock is $cache/.build.lock,
# held by an open descriptor (lockfd), so the kernel releases it however the
# script ends. Without it, the lock is the directory $cache/.build.lock.d,
# made atomically by mkdir and holding the owner's pid; the EXIT trap removes
# it, and a lock whose owner is no longer alive is taken over.
lock_build() {
	local lockfile=$cache/.build.lock owner waiting=
	if [[ ${NOEX_JAEGER_LOCK:-} != mkdir ]] && command -v flock >/dev/null; then
		exec {lockfd}>"$lockfile"
		if ! flock -n "$lockfd"; then
			say "another build of jaeger is running in $cache; waiting for it (flock $lockfile)"
			flock "$lockfd"
		fi
		return
	fi
	until mkdir "$lockfile.d" 2>/dev/null; do
		owner=$(cat "$lockfile.d/pid" 2>/dev/null || true)
		if [[ -n $owner ]] && ! kill -0 "$owner" 2>/dev/null &&
			[[ $(cat "$lockfile.d/pid" 2>/dev/null || true) == "$owner" ]]; then
			say "taking over the lock of build $owner, which is no longer running"
			rm -rf "$lockfile.d"
			continue
		fi
		if [[ -z $waiting ]]; then
			say "another build of jaeger is running in $cache; waiting for it (lock directory $lockfile.d)"
			waiting=1
		fi
		sleep 1
	done
	lockdir=$lockfile.d
	echo $$ >"$lockdir/pid"
}

cmd_build() {
	if [[ -x $cached_bin ]]; then
		say "using cached jaeger at $cached_bin"
		echo "$cached_bin"
		return
	fi
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$cache"
	# tmp, ticker and lockdir are global: the EXIT trap runs after this
	# function.
	tmp= ticker= lockdir= lockfd=
	trap 'rm -f "${tmp:-}"; [[ -z ${ticker:-} ]] || kill "$ticker" 2>/dev/null || true; [[ -z ${lockdir:-} ]] || rm -rf "$lockdir"' EXIT
	trap 'exit 130' INT TERM
	lock_build
	if [[ -x $cached_bin ]]; then
		say "the other build is done; using cached jaeger at $cached_bin"
		echo "$cached_bin"
		return
	fi
	say "building jaeger $JAEGER_VERSION from $moddir"
	say "a cold build downloads ~1.2 GB of module source and compiles for 6 to 12 minutes on 2 cores; it is done once and cached"
	local start
	# Build into a temporary file beside the cached binary and rename it at
	# the end, so an interrupted build never leaves a broken cached binary.
	tmp=$(mktemp "$cache/.jaeger.XXXXXX")
	start=$SECONDS

	say "step 1/2: downloading modules"
	(cd "$moddir" && GOWORK=off GOFLAGS=-mod=readonly go list -deps "$JAEGER_PKG" >/dev/null)
	say "step 1/2 done after $((SECONDS - start))s"

	say "step 2/2: compiling (go build -ldflags='-s -w'); progress every 60s"
	(
		# sleep holds no inherited descriptors: killing this subshell must
		# not leave an orphan keeping a caller's output pipe open, nor the
		# build lock held.
		[[ -z $lockfd ]] || exec {lockfd}>&-
		while sleep 60 >/dev/null 2>&1; do
			say "still compiling, $((SECONDS - start))s elapsed"
		done
	) &
	ticker=$!
	(cd "$moddir" && GOWORK=off GOFLAGS=-mod=readonly \
		go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$tmp" "$JAEGER_PKG")
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	ticker=

	chmod 0755 "$tmp"
	mv -f "$tmp" "$cached_bin"
	tmp=
	say "built in $((SECONDS - start))s, $(du -h "$cached_bin" | cut -f1)"
	echo "$cached_bin"
}

cmd_path() {
	if [[ ! -x $cached_bin ]]; then
		die "jaeger is not built yet (looked for $cached_bin); run: bash .ci/jaeger.sh build"
	fi
	echo "$cached_bin"
}

# alive PID: the process exists and is not a zombie (a started Jaeger is
# re-parented to init once this script exits, and some inits reap late).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n $st && $st != Z* ]]
}

running_pid() {
	local pid
	[[ -f $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	# A stale pid file may name a recycled pid: only claim our own process.
	[[ $(ps -p "$pid" -o args= 2>/dev/null) == *"--config $config"* ]] || return 1
	echo "$pid"
}

healthy() {
	curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" 2>/dev/null
}

cmd_start() {
	local bin=${NOEX_JAEGER_BIN:-$cached_bin} pid
	[[ -x $bin ]] || die "no jaeger binary at $bin; run: bash .ci/jaeger.sh build"
	command -v curl >/dev/null || die "curl is needed to poll the health endpoint"
	if pid=$(running_pid); then
		die "jaeger is already running (pid $pid, pid file $pidfile); run: bash .ci/jaeger.sh stop"
	fi
	if healthy; then
		die "something already answers on 127.0.0.1:$JAEGER_HEALTH_PORT/status (another Jaeger?); stop it or set JAEGER_HEALTH_PORT and the other ports"
	fi
	mkdir -p "$rundir"
	say "starting $bin --config $config (log: $logfile)"
	nohup "$bin" --config "$config" </dev/null >"$logfile" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"

	local deadline=$((SECONDS + 30))
	until healthy; do
		if ! alive "$pid"; then
			rm -f "$pidfile"
			tail -n 20 "$logfile" >&2 || true
			die "jaeger exited during start-up (ports in use? see $logfile)"
		fi
		if ((SECONDS >= deadline)); then
			kill -INT "$pid" 2>/dev/null || true
			rm -f "$pidfile"
			tail -n 20 "$logfile" >&2 || true
			die "jaeger not healthy after 30s on 127.0.0.1:$JAEGER_HEALTH_PORT (see $logfile)"
		fi
		sleep 0.1
	done
	say "jaeger is up, pid $pid"
	say "UI and API v1: http://127.0.0.1:$JAEGER_QUERY_PORT  (e.g. /api/services, /api/traces/<id>)"
	say "OTLP/HTTP:     OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT"
	say "OTLP/gRPC:     127.0.0.1:$JAEGER_OTLP_GRPC_PORT"
	say "stop with:     bash .ci/jaeger.sh stop"
}

cmd_stop() {
	local pid
	if ! pid=$(running_pid); then
		rm -f "$pidfile"
		say "jaeger is not running (no live pid in $pidfile)"
		return
	fi
	say "stopping jaeger (pid $pid) with SIGINT"
	kill -INT "$pid"
	local deadline=$((SECONDS + 10))
	while alive "$pid"; do
		if ((SECONDS >= deadline)); then
			say "still running after 10s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	rm -f "$pidfile"
	say "stopped"
}

case ${1:-} in
build) cmd_build ;;
path) cmd_path ;;
start) cmd_start ;;
stop) cmd_stop ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
