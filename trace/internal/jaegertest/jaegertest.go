package jaegertest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Version is the Jaeger release the binary is built from.
const Version = "v1.76.0"

// Environment variables read by Start.
const (
	// EnvBin names the Jaeger binary to run, overriding the cache path.
	EnvBin = "NOEX_JAEGER_BIN"
	// EnvCache is the cache directory of .ci/jaeger.sh; the binary is
	// $NOEX_JAEGER_CACHE/jaeger.
	EnvCache = "NOEX_JAEGER_CACHE"
	// EnvRequire, when "1", turns a missing binary into a test failure
	// instead of a skip (CI sets it).
	EnvRequire = "NOEX_REQUIRE_JAEGER"
)

const (
	healthTimeout = 30 * time.Second
	stopTimeout   = 10 * time.Second
	pollInterval  = 20 * time.Millisecond
	startAttempts = 3
	buildHint     = "build it once with: bash .ci/jaeger.sh build (6 to 12 minutes cold), or set " + EnvBin
)

//go:embed jaeger-ci.yaml
var config []byte

// Jaeger is a running Jaeger process started by Start. Its methods may be
// called from several goroutines.
type Jaeger struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed when cmd.Wait has returned
	waitErr error         // valid once exited is closed

	otlpHTTP, otlpGRPC, query, queryGRPC, health int

	client *http.Client
}

// Start runs a Jaeger for the test and stops it in tb.Cleanup: SIGINT, then
// SIGKILL if it has not exited within 10 s. Start returns once Jaeger's
// health endpoint reports healthy.
//
// If the binary is missing, Start calls tb.Skipf, or tb.Fatalf when
// NOEX_REQUIRE_JAEGER=1; both messages say how to build it.
func Start(tb testing.TB) *Jaeger {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("jaegertest: %v (%s=1)", err, EnvRequire)
		}
		tb.Skipf("jaegertest: %v", err)
	}

	dir := tb.TempDir()
	cfgPath := filepath.Join(dir, "jaeger-ci.yaml")
	if err := os.WriteFile(cfgPath, config, 0o644); err != nil {
		tb.Fatalf("jaegertest: %v", err)
	}

	// The ports are picked by the kernel and released before Jaeger binds
	// them, so another process may take one in between; retry on that.
	for attempt := 1; ; attempt++ {
		j, err := start(tb, bin, cfgPath, filepath.Join(dir, fmt.Sprintf("jaeger-%d.log", attempt)))
		if err == nil {
			return j
		}
		if attempt < startAttempts && errors.Is(err, errAddrInUse) {
			tb.Logf("jaegertest: attempt %d failed, retrying with other ports: %v", attempt, err)
			continue
		}
		tb.Fatalf("jaegertest: %v", err)
	}
}

// Binary returns the path of the Jaeger binary: $NOEX_JAEGER_BIN if set,
// else the cache path of .ci/jaeger.sh. The error says how to build it.
func Binary() (string, error) {
	bin := os.Getenv(EnvBin)
	if bin == "" {
		p, err := CachePath()
		if err != nil {
			return "", fmt.Errorf("no Jaeger binary: %v; %s", err, buildHint)
		}
		bin = p
	}
	fi, err := os.Stat(bin)
	if err != nil {
		return "", fmt.Errorf("no Jaeger binary at %s; %s", bin, buildHint)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file; %s", bin, buildHint)
	}
	return bin, nil
}

// CachePath returns where .ci/jaeger.sh build puts the binary:
// ${NOEX_JAEGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/noex/jaeger-v1.76.0}/jaeger.
func CachePath() (string, error) {
	dir := os.Getenv(EnvCache)
	if dir == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			base = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(base, "noex", "jaeger-"+Version)
	}
	return filepath.Join(dir, "jaeger"), nil
}

var errAddrInUse = errors.New("address already in use")

func start(tb testing.TB, bin, cfgPath, logPath string) (*Jaeger, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	// Jaeger writes to a file, not a pipe: exec then starts no copying
	// goroutines, and the log outlives a crashed process.
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own copy

	j := &Jaeger{
		logPath:   logPath,
		exited:    make(chan struct{}),
		otlpHTTP:  ports[0],
		otlpGRPC:  ports[1],
		query:     ports[2],
		queryGRPC: ports[3],
		health:    ports[4],
		// A transport of its own, so that Cleanup can close its idle
		// connections and leave no goroutines behind.
		client: &http.Client{Transport: &http.Transport{
			Proxy:               nil, // loopback only, whatever HTTP_PROXY says
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
		}},
	}
	cmd := exec.Command(bin, "--config", cfgPath)
	cmd.Env = append(os.Environ(),
		"JAEGER_OTLP_HTTP_PORT="+strconv.Itoa(j.otlpHTTP),
		"JAEGER_OTLP_GRPC_PORT="+strconv.Itoa(j.otlpGRPC),
		"JAEGER_QUERY_PORT="+strconv.Itoa(j.query),
		"JAEGER_QUERY_GRPC_PORT="+strconv.Itoa(j.queryGRPC),
		"JAEGER_HEALTH_PORT="+strconv.Itoa(j.health),
		"JAEGER_UI_ASSETS=",
	)
	if os.Getenv("JAEGER_LOG_LEVEL") == "" {
		cmd.Env = append(cmd.Env, "JAEGER_LOG_LEVEL=warn")
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	j.cmd = cmd
	// The only goroutine of this package; it ends when the process does,
	// and neither a failed start nor Cleanup returns before that.
	go func() {
		j.waitErr = cmd.Wait()
		close(j.exited)
	}()

	began := time.Now()
	if err := j.waitHealthy(); err != nil {
		j.cmd.Process.Kill()
		<-j.exited
		j.client.CloseIdleConnections()
		return nil, err
	}
	tb.Cleanup(func() { j.stop(tb) })
	tb.Logf("jaegertest: jaeger healthy after %v: OTLP/HTTP %s, query %s",
		time.Since(began).Round(time.Millisecond), j.OTLPEndpoint(), j.QueryURL())
	return j, nil
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("picking a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (j *Jaeger) waitHealthy() error {
	url := fmt.Sprintf("http://127.0.0.1:%d/status", j.health)
	deadline := time.Now().Add(healthTimeout)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-j.exited:
			log := j.log()
			err := fmt.Errorf("jaeger exited before it was healthy (%v); its output:\n%s", j.waitErr, log)
			if strings.Contains(log, "address already in use") {
				err = fmt.Errorf("%w: %w", errAddrInUse, err)
			}
			return err
		case <-timer.C:
		}
		if j.healthy(url) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jaeger not healthy at %s after %v; its output:\n%s", url, healthTimeout, j.log())
		}
		timer.Reset(pollInterval)
	}
}

func (j *Jaeger) healthy(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop runs in tb.Cleanup. When it returns, the process has exited and the
// goroutine waiting for it has ended.
func (j *Jaeger) stop(tb testing.TB) {
	defer j.client.CloseIdleConnections()
	select {
	case <-j.exited:
		// Died on its own during the test.
		if !tb.Failed() {
			tb.Errorf("jaegertest: jaeger exited during the test (%v); its output:\n%s", j.waitErr, j.log())
		}
		return
	default:
	}
	if err := j.cmd.Process.Signal(os.Interrupt); err != nil {
		j.cmd.Process.Kill()
	}
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-j.exited:
		return
	case <-timer.C:
	}
	tb.Errorf("jaegertest: jaeger did not exit within %v of SIGINT; killing it; its output:\n%s", stopTimeout, j.log())
	j.cmd.Process.Kill()
	<-j.exited
}

func (j *Jaeger) log() string {
	b, err := os.ReadFile(j.logPath)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", j.logPath, err)
	}
	if len(b) == 0 {
		return "(no output)"
	}
	return string(b)
}

// OTLPEndpoint is the base URL of the OTLP/HTTP receiver, for example
// "http://127.0.0.1:43187"; traces go to OTLPEndpoint()+"/v1/traces". It is
// a value for OTEL_EXPORTER_OTLP_ENDPOINT, or for otlptracehttp's
// WithEndpointURL.
func (j *Jaeger) OTLPEndpoint() string {
	return "http://127.0.0.1:" + strconv.Itoa(j.otlpHTTP)
}

// OTLPGRPCEndpoint is the host:port of the OTLP/gRPC receiver (plain text).
func (j *Jaeger) OTLPGRPCEndpoint() string {
	return "127.0.0.1:" + strconv.Itoa(j.otlpGRPC)
}

// QueryURL is the base URL of Jaeger's query service: the API v1 under
// /api, API v3 under /api/v3, and the UI page at /.
func (j *Jaeger) QueryURL() string {
	return "http://127.0.0.1:" + strconv.Itoa(j.query)
}

// Log returns what Jaeger has written to stdout and stderr so far.
func (j *Jaeger) Log() string {
	return j.log()
}
