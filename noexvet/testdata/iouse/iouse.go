// Package iouse holds the cases of the I/O rule: network, file and process
// I/O in handlers.
package iouse

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Fetcher is a Behavior that does I/O in its handlers.
type Fetcher struct{ Dir string }

func (f Fetcher) Init(ctx context.Context) ([]byte, error) { // want Init:"calls os.ReadFile"
	return os.ReadFile(filepath.Join(f.Dir, "state")) // want `^os\.ReadFile does file I/O, which the runtime neither schedules nor replays; do it outside the handlers and bring the result in as a message$`
}

func (f Fetcher) HandleCall(ctx context.Context, url string, st []byte) (int, []byte, error) { // want HandleCall:"calls http.Get"
	resp, err := http.Get(url) // want `^http\.Get does network I/O`
	if err != nil {
		return 0, st, err
	}
	defer resp.Body.Close()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil) // building a request is not I/O
	if _, err := http.DefaultClient.Do(req); err != nil {      // want `^http\.Client\.Do does network I/O`
		return 0, st, err
	}
	conn, err := net.Dial("tcp", "127.0.0.1:1") // want `^net\.Dial does network I/O`
	if err == nil {
		conn.Write(st) // want `^net\.Conn\.Write does network I/O`
	}
	return resp.StatusCode, st, nil
}

func (f Fetcher) HandleCast(ctx context.Context, line string, st []byte) ([]byte, error) { // want HandleCast:"calls os.Create"
	out, err := os.Create(filepath.Join(f.Dir, "log")) // want `^os\.Create does file I/O`
	if err != nil {
		return st, err
	}
	out.WriteString(line)            // want `^os\.File\.WriteString does file I/O`
	_ = out.Name()                   // an *os.File's name is not I/O
	err = exec.Command("true").Run() // want `^exec\.Cmd\.Run does process I/O`
	return st, err
}

// HandleInfo uses what does no I/O: nothing to report.
func (f Fetcher) HandleInfo(ctx context.Context, msg any, st []byte) ([]byte, error) {
	_ = os.Getenv("HOME")
	_ = strings.ToUpper(filepath.Base(f.Dir))
	_, _, _ = net.SplitHostPort("127.0.0.1:1")
	return st, nil
}
