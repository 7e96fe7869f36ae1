// Notification system: all three mechanisms together. A router finds the
// channel handler for each notification through the Registry, calls it
// directly, and publishes a "notification.sent.<channel>" event on the
// EventBus, which an analytics service counts.
//
//	go run ./chapters/02-ipc/notifications            # transcript
//	go run ./chapters/02-ipc/notifications -diagram   # and a sequence diagram
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/noex-go/noex/internal/run"
	"github.com/noex-go/noex/noex"
)

func main() { run.Main(demo, report) }

// listing: notifications-types
// Channel is how a notification is delivered.
type Channel string

const (
	Email Channel = "email"
	SMS   Channel = "sms"
	Push  Channel = "push"
)

// Notification is one message to one user.
type Notification struct {
	ID, UserID  string
	Channel     Channel
	Title, Body string
	Priority    string // "low", "normal" or "high"
}

// Sent is published on "notification.sent.<channel>".
type Sent struct{ NotificationID, UserID string }

// EventBus is the bus's registered name.
var EventBus = noex.BusName("event-bus")

// end listing

// listing: notifications-router
// RouterName is the router's registered name.
var RouterName = noex.Name[Send, noex.None, bool]("notification-router")

// Send asks the router to deliver a notification; the reply says whether
// it was delivered.
type Send struct{ Notification Notification }

// Router finds the channel handler by name and calls it directly. Its
// state counts the notifications delivered.
type Router struct{ out io.Writer }

func (r Router) Init(ctx context.Context) (int, error) { return 0, nil }

func (r Router) HandleCall(ctx context.Context, m Send, sent int) (bool, int, error) {
	n := m.Notification
	// A direct call to the channel handler, found by name in the Registry
	// at this call: a restarted handler is found under the same name.
	delivered, err := ChannelName(n.Channel).Call(ctx, Deliver{Notification: n})
	if errors.Is(err, noex.ErrNotRegistered) || errors.Is(err, noex.ErrNotRunning) {
		fmt.Fprintf(r.out, "No handler for channel: %s\n", n.Channel)
		return false, sent, nil
	}
	if err != nil {
		return false, sent, err
	}
	if !delivered.OK {
		return false, sent, nil
	}
	// Tell whoever is interested; the router does not know who that is.
	topic := "notification.sent." + string(n.Channel)
	if err := noex.Publish(ctx, EventBus, topic, Sent{NotificationID: n.ID, UserID: n.UserID}); err != nil {
		fmt.Fprintf(r.out, "Delivered, but not published: %v\n", err)
	}
	return true, sent + 1, nil
}

func (r Router) HandleCast(ctx context.Context, _ noex.None, sent int) (int, error) { return sent, nil }

// end listing

// listing: notifications-channel
// ChannelName is the registered name of a channel's handler, such as
// "channel-email".
func ChannelName(c Channel) noex.Name[ChannelCall, noex.None, ChannelReply] {
	return noex.Name[ChannelCall, noex.None, ChannelReply]("channel-" + string(c))
}

// ChannelCall is Deliver or GetStats.
type ChannelCall interface{ isChannelCall() }

type Deliver struct{ Notification Notification }
type GetStats struct{}

func (Deliver) isChannelCall()  {}
func (GetStats) isChannelCall() {}

// ChannelStats counts deliveries.
type ChannelStats struct{ Delivered, Failed int }

// ChannelReply answers Deliver (OK) and GetStats (Stats).
type ChannelReply struct {
	OK    bool
	Stats ChannelStats
}

// ChannelHandler delivers notifications over one channel, taking Latency
// (on the runtime's clock) for each.
type ChannelHandler struct {
	Channel Channel
	Latency time.Duration
	out     io.Writer
}

func (h ChannelHandler) Init(ctx context.Context) (ChannelStats, error) { return ChannelStats{}, nil }

func (h ChannelHandler) HandleCall(ctx context.Context, msg ChannelCall, s ChannelStats) (ChannelReply, ChannelStats, error) {
	switch m := msg.(type) {
	case Deliver:
		if h.deliver(ctx, m.Notification) {
			s.Delivered++
			return ChannelReply{OK: true}, s, nil
		}
		s.Failed++
		return ChannelReply{OK: false}, s, nil
	case GetStats:
		return ChannelReply{Stats: s}, s, nil
	}
	return ChannelReply{}, s, fmt.Errorf("%s: unknown call %T", h.Channel, msg)
}

func (h ChannelHandler) HandleCast(ctx context.Context, _ noex.None, s ChannelStats) (ChannelStats, error) {
	return s, nil
}

// deliver simulates the delivery: some latency, then a line of output.
func (h ChannelHandler) deliver(ctx context.Context, n Notification) bool {
	if err := noex.Sleep(ctx, h.Latency); err != nil {
		return false
	}
	fmt.Fprintf(h.out, "[%s] Delivered to %s: %s\n", strings.ToUpper(string(h.Channel)), n.UserID, n.Title)
	return true
}

// end listing

// listing: notifications-analytics
// AnalyticsName is the analytics service's registered name.
var AnalyticsName = noex.Name[GetCounts, noex.None, map[Channel]int]("analytics")

// GetCounts asks analytics for the notifications sent, by channel.
type GetCounts struct{}

// Analytics counts the "notification.sent.*" events, by channel, in its
// own state: the events arrive in its mailbox (HandleInfo).
type Analytics struct{ out io.Writer }

func (a Analytics) Init(ctx context.Context) (map[Channel]int, error) {
	if _, err := noex.SubscribeMailbox(ctx, EventBus, "notification.sent.*"); err != nil {
		return nil, err
	}
	return map[Channel]int{}, nil
}

func (a Analytics) HandleInfo(ctx context.Context, msg any, byChannel map[Channel]int) (map[Channel]int, error) {
	p, ok := msg.(noex.Publication)
	if !ok {
		return byChannel, nil
	}
	channel := Channel(strings.Split(p.Topic, ".")[2])
	fmt.Fprintf(a.out, "[Analytics] Notification sent via %s\n", channel)
	byChannel = maps.Clone(byChannel)
	byChannel[channel]++
	return byChannel, nil
}

func (a Analytics) HandleCall(ctx context.Context, _ GetCounts, byChannel map[Channel]int) (map[Channel]int, map[Channel]int, error) {
	return byChannel, byChannel, nil
}

func (a Analytics) HandleCast(ctx context.Context, _ noex.None, byChannel map[Channel]int) (map[Channel]int, error) {
	return byChannel, nil
}

// end listing

// listing: notifications-start
// startNotificationSystem starts the bus, the channel handlers under a
// one_for_one supervisor, then the router and analytics.
func startNotificationSystem(ctx context.Context, out io.Writer, latency time.Duration) error {
	if _, err := noex.StartBus(ctx, noex.WithName(EventBus.String())); err != nil {
		return err
	}
	var children []noex.ChildSpec
	for _, c := range []Channel{Email, SMS, Push} {
		name := ChannelName(c).String()
		children = append(children, noex.ServerChild(name,
			ChannelHandler{Channel: c, Latency: latency, out: out}, noex.WithName(name)))
	}
	sup := noex.SupervisorSpec{Strategy: noex.OneForOne, Children: children}
	if _, err := noex.StartSupervisor(ctx, sup, noex.WithName("channels")); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, Router{out: out}, noex.WithName(RouterName.String())); err != nil {
		return err
	}
	if _, err := noex.Start(ctx, Analytics{out: out}, noex.WithName(AnalyticsName.String())); err != nil {
		return err
	}
	fmt.Fprintln(out, "Notification system started")
	return nil
}

// end listing

// notifications are the demo's two notifications.
var notifications = []Notification{
	{ID: "n1", UserID: "user-1", Channel: Email, Title: "Welcome!", Body: "Thanks for signing up.", Priority: "normal"},
	{ID: "n2", UserID: "user-1", Channel: Push, Title: "New message", Body: "You have a new message.", Priority: "high"},
}

func demo(ctx context.Context, out io.Writer) error {
	return sendAll(ctx, out, 10*time.Millisecond)
}

// sendAll starts the system with the given channel latency and sends the
// notifications, one after the other.
func sendAll(ctx context.Context, out io.Writer, latency time.Duration) error {
	// listing: notifications-usage
	if err := startNotificationSystem(ctx, out, latency); err != nil {
		return err
	}
	for _, n := range notifications {
		if _, err := RouterName.Call(ctx, Send{Notification: n}); err != nil {
			return err
		}
	}
	// end listing
	return nil
}

// report runs once every event has been handled (the runner waits until
// the system is quiescent between phases) and shows the state the
// services keep.
func report(ctx context.Context, out io.Writer) error {
	counts, err := AnalyticsName.Call(ctx, GetCounts{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "analytics: %v\n", counts)
	for _, c := range []Channel{Email, SMS, Push} {
		r, err := ChannelName(c).Call(ctx, GetStats{})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "channel-%s: %+v\n", c, r.Stats)
	}
	return nil
}
