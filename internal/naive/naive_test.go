package naive_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/noex-go/noex/internal/naive"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServer(t *testing.T) {
	reqs, stop := naive.Start(4)
	defer stop()
	reqs <- naive.Req{N: 2}
	if got := naive.Call(reqs, 3); got != 5 {
		t.Errorf("the sum after 2 and 3 is %d, want 5", got)
	}
}

func TestBus(t *testing.T) {
	var exact, wild, all int
	b := naive.StartBus([]naive.Sub{
		naive.NewSub("a.b", func(any, string) { exact++ }),
		naive.NewSub("a.*", func(any, string) { wild++; panic("a handler's panic does not end the bus") }),
		naive.NewSub("*", func(any, string) { all++ }),
	}, 8)
	defer b.Stop()
	b.PublishWait("a.b", 3)
	b.PublishWait("a.b.c", 2)
	if exact != 3 || wild != 3 || all != 5 {
		t.Errorf("deliveries: a.b %d, a.* %d, * %d; want 3, 3, 5", exact, wild, all)
	}
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, topic string
		want           bool
	}{
		{"a.b", "a.b", true}, {"a.b", "a.c", false},
		{"a.*", "a.b", true}, {"a.*", "a.b.c", false}, {"a.*", "a", false},
		{"*.b", "x.b", true}, {"*", "anything.at.all", true}, {"a", "a.b", false},
	} {
		if got := naive.Match(c.pattern, naive.SplitPattern(c.pattern), c.topic); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.topic, got, c.want)
		}
	}
}
