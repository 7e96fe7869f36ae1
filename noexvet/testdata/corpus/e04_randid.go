// corpus: escape — task ids drawn from math/rand's global source.
package corpus

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/noex-go/noex/noex"
)

type IDMaker struct{}

func (IDMaker) Init(ctx context.Context) ([]string, error) { return nil, nil }

func (IDMaker) HandleCall(ctx context.Context, payload string, ids []string) (string, []string, error) {
	id := fmt.Sprintf("task-%06d", rand.Intn(1000000))
	return id, append(ids, id), nil
}

func (IDMaker) HandleCast(ctx context.Context, _ noex.None, ids []string) ([]string, error) {
	return ids, nil
}
