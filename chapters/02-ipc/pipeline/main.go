// Pipeline: input → parse → validate → store. Each stage calls the next,
// found by name, and the answer (or the error) travels back up the chain.
//
//	go run ./chapters/02-ipc/pipeline
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo) }

// Record is a parsed input line.
type Record struct {
	Name string
	Age  int
}

// Errors of the stages.
var (
	ErrParse   = errors.New("parse")
	ErrInvalid = errors.New("invalid")
)

// The stages' names, typed with their messages.
var (
	Parser    = noex.Name[Parse, noex.None, Stored]("parser")
	Validator = noex.Name[Validate, noex.None, Stored]("validator")
	Store     = noex.Name[StoreCall, noex.None, StoreReply]("store")
)

// Stored is what comes back up the chain: where the record was stored.
type Stored struct {
	ID     string
	Record Record
}

// listing: pipeline-parse
// Parse asks the parser to turn "name=Alice;age=30" into a Record.
type Parse struct{ Data string }

// ParseStage parses, then forwards the record to the validator and returns
// whatever the rest of the pipeline returns.
type ParseStage struct{}

func (ParseStage) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }

func (ParseStage) HandleCall(ctx context.Context, m Parse, s struct{}) (Stored, struct{}, error) {
	rec, err := parseRecord(m.Data)
	if err != nil {
		return Stored{}, s, err
	}
	// Forward to the next stage, found by name at this call.
	stored, err := Validator.Call(ctx, Validate{Record: rec})
	return stored, s, err
}

func (ParseStage) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}

// end listing

func parseRecord(data string) (Record, error) {
	var rec Record
	var haveName, haveAge bool
	for _, field := range strings.Split(data, ";") {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return Record{}, fmt.Errorf("%w: %q is not key=value", ErrParse, field)
		}
		switch k {
		case "name":
			rec.Name, haveName = v, true
		case "age":
			age, err := strconv.Atoi(v)
			if err != nil {
				return Record{}, fmt.Errorf("%w: age %q is not a number", ErrParse, v)
			}
			rec.Age, haveAge = age, true
		default:
			return Record{}, fmt.Errorf("%w: unknown field %q", ErrParse, k)
		}
	}
	if !haveName || !haveAge {
		return Record{}, fmt.Errorf("%w: %q needs a name and an age", ErrParse, data)
	}
	return rec, nil
}

// Validate asks the validator to check a record.
type Validate struct{ Record Record }

// ValidateStage checks a record and forwards it to the store.
type ValidateStage struct{}

func (ValidateStage) Init(ctx context.Context) (struct{}, error) { return struct{}{}, nil }

func (ValidateStage) HandleCall(ctx context.Context, m Validate, s struct{}) (Stored, struct{}, error) {
	switch r := m.Record; {
	case r.Name == "":
		return Stored{}, s, fmt.Errorf("%w: empty name", ErrInvalid)
	case r.Age < 0 || r.Age > 150:
		return Stored{}, s, fmt.Errorf("%w: age %d out of range", ErrInvalid, r.Age)
	}
	r, err := Store.Call(ctx, Put(m))
	return r.Stored, s, err
}

func (ValidateStage) HandleCast(ctx context.Context, _ noex.None, s struct{}) (struct{}, error) {
	return s, nil
}

// StoreCall is Put (store a record) or List.
type StoreCall interface{ isStoreCall() }

type Put struct{ Record Record }
type List struct{}

func (Put) isStoreCall()  {}
func (List) isStoreCall() {}

// StoreReply answers Put (Stored) and List (All).
type StoreReply struct {
	Stored Stored
	All    []Stored
}

// StoreStage keeps the records, in the order they arrived.
type StoreStage struct{}

func (StoreStage) Init(ctx context.Context) ([]Stored, error) { return nil, nil }

func (StoreStage) HandleCall(ctx context.Context, m StoreCall, s []Stored) (StoreReply, []Stored, error) {
	switch m := m.(type) {
	case Put:
		st := Stored{ID: fmt.Sprintf("rec-%d", len(s)+1), Record: m.Record}
		return StoreReply{Stored: st}, append(slices.Clip(s), st), nil
	case List:
		return StoreReply{All: s}, s, nil
	}
	return StoreReply{}, s, fmt.Errorf("store: unknown call %T", m)
}

func (StoreStage) HandleCast(ctx context.Context, _ noex.None, s []Stored) ([]Stored, error) {
	return s, nil
}

func demo(ctx context.Context, out io.Writer) error {
	// listing: pipeline-usage
	if _, err := noex.Start(ctx, StoreStage{}, noex.WithName(Store.String())); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, ValidateStage{}, noex.WithName(Validator.String())); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, ParseStage{}, noex.WithName(Parser.String())); err != nil {
		return err
	}
	for _, input := range []string{"name=Alice;age=30", "name=Bob;age=-4", "garbage", "name=Carol;age=41"} {
		stored, err := Parser.Call(ctx, Parse{Data: input})
		if err != nil {
			// A stage's error comes back unchanged through every call.
			fmt.Fprintf(out, "%-20q rejected: %v\n", input, err)
			continue
		}
		fmt.Fprintf(out, "%-20q stored as %s: %+v\n", input, stored.ID, stored.Record)
	}
	// end listing
	list, err := Store.Call(ctx, List{})
	if err != nil {
		return err
	}
	for _, st := range list.All {
		fmt.Fprintf(out, "store: %s %+v\n", st.ID, st.Record)
	}
	return nil
}
