// corpus: escape — a handler reads a file each time it starts.
package corpus

import (
	"context"
	"os"
	"strings"

	"github.com/noex-go/noex/noex"
)

type Configured struct{ Path string }

func (c Configured) Init(ctx context.Context) ([]string, error) {
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(data), "\n"), nil
}

func (Configured) HandleCall(ctx context.Context, i int, lines []string) (string, []string, error) {
	return lines[i], lines, nil
}

func (Configured) HandleCast(ctx context.Context, _ noex.None, lines []string) ([]string, error) {
	return lines, nil
}
