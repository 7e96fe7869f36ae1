// Command notpath does everything the analyzer reports on the
// deterministic path, but outside it: nothing is reported.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"sync"
	"time"
)

// Server has handler-like names, but not the shape of a Behavior.
type Server struct{}

func (Server) HandleCall(msg string) string { time.Sleep(time.Millisecond); return msg } // want HandleCall:"calls time.Sleep"

func (Server) HandleCast(msg string) { fmt.Println(time.Now(), msg) } // want HandleCast:"calls time.Now"

func main() {
	var wg sync.WaitGroup
	ch := make(chan int, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch <- rand.Intn(10)
	}()
	wg.Wait()
	m := map[string]int{"a": <-ch}
	for k, v := range m {
		fmt.Println(k, v)
	}
	data, _ := os.ReadFile("/dev/null")
	fmt.Println(len(data), time.Since(time.Now()))
	Server{}.HandleCast(Server{}.HandleCall("x"))
}
