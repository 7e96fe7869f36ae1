package bugbench

import (
	"context"
	"fmt"

	"github.com/noex-go/noex/noex"
)

// A database server is started, registered, and configured afterwards by
// a cast from the process that started it. A client that finds it by name
// in between sends it a query that can arrive before the configuration:
// the query runs on a database without a connection. This is the classic
// use-before-initialisation order violation (Mozilla's mThread bug, PCT's
// depth-1 example).

type configure struct{ DSN string }

type query struct{ SQL string }

// database answers queries on the connection it was configured with.
// Configured is the DSN it starts with (the fix); empty, it waits for a
// configure cast.
type database struct{ configured string }

var databaseName = noex.Name[query, configure, string]("db")

func (d database) Init(context.Context) (string, error) { return d.configured, nil }

func (database) HandleCast(_ context.Context, c configure, _ string) (string, error) {
	return c.DSN, nil
}

func (database) HandleCall(_ context.Context, q query, dsn string) (string, string, error) {
	if dsn == "" {
		return "no connection", dsn, nil
	}
	return fmt.Sprintf("%s on %s: ok", q.SQL, dsn), dsn, nil
}

func orderViolation() Kernel {
	return Kernel{
		Name:   "order-violation",
		Title:  "a client uses a server before the server is configured",
		Source: "classic order violation (use before initialisation)",
		Depth:  1,
		Why:    "the database handles the client's query before main's configure",
		Buggy:  orderViolationProgram(false),
		Fixed:  orderViolationProgram(true),
	}
}

func orderViolationProgram(configureAtStart bool) Program {
	const dsn = "postgres://orders"
	return func(ctx context.Context, rt *noex.Runtime) error {
		var client actorRef
		return runThenCheck(ctx, rt, func(ctx context.Context) error {
			var cfg string
			if configureAtStart {
				cfg = dsn
			}
			db, err := noex.Start(ctx, database{configured: cfg}, noex.WithName(databaseName.String()))
			if err != nil {
				return err
			}
			client, err = startActor(ctx, "client", func(ctx context.Context) (string, error) {
				return noex.Call(ctx, databaseName, query{SQL: "select 1"})
			})
			if err != nil {
				return err
			}
			if err := kickAll(ctx, client); err != nil {
				return err
			}
			if configureAtStart {
				return nil
			}
			return noex.Cast(ctx, db, configure{DSN: dsn})
		}, func(ctx context.Context) error {
			answer, err := valueOf(ctx, client)
			if err != nil {
				return err
			}
			if answer == "no connection" {
				return violation("the client's query ran before the database was configured: %q", answer)
			}
			return nil
		})
	}
}
