package group

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rawkafka/rawkafka/protocol"
)

// Coordinator is a connection to the group coordinator, as the driver
// needs it. *conn.Conn satisfies it; so will conn's cached coordinator.
type Coordinator interface {
	// Version returns the version of key to send, the highest both sides
	// support; false when there is none.
	Version(key protocol.APIKey) (int16, bool)
	// DoPinned sends req at its version and returns the decoded response;
	// an error means no response (Kafka error codes are in the response).
	DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error)
}

// FindFunc looks up the coordinator of group (FindCoordinator) and returns
// a connection to it. A Kafka error in the answer is returned as a
// *protocol.Error, so that GROUP_AUTHORIZATION_FAILED can be told apart.
type FindFunc func(ctx context.Context, group string) (Coordinator, error)

// AssignFunc runs the leader's assignor (a.Protocol) over the members'
// subscriptions, fetching whatever metadata it needs, and returns the
// encoded assignments and the partition counts it assigned from (with
// a.SkipAssignment, only the counts). NewAssignFunc is the one to use; a
// test may script its own.
type AssignFunc func(ctx context.Context, a ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error)

// DriverConfig is what a Driver needs besides the Member.
type DriverConfig struct {
	// Find looks up the coordinator (for FindCoordinator).
	Find FindFunc
	// Assign runs the assignor when this member leads (ComputeAssignment).
	Assign AssignFunc
	// RequestTimeout is request.timeout.ms (default 30s); JoinGroup waits
	// up to the rebalance timeout plus 5s when that is longer, as in Java.
	RequestTimeout time.Duration
	// Now is the clock (default time.Now); the Member never reads it.
	Now func() time.Time
	// Logger receives membership changes (default: discard).
	Logger *slog.Logger
	// Observe, when set, is called on Run's goroutine after every step
	// with the event, the actions it returned (before any is performed or
	// queued for the Consumer) and the member after it: for tracing, and
	// for the Consumer's rebalance timeline (Member.Trigger). It must not
	// block, and must not modify the actions.
	Observe func(ev Event, acts []Action, m Member)
}

// Driver is the one goroutine (Run) that owns a Member: it steps it with
// the Consumer's events, the answers of the requests it sends and its
// timer, and performs the actions. Requests run each in a goroutine of
// their own and report back to Run; the listener's actions (Revoke,
// Assign, Lose, CommitBeforeRevoke, Fail) are queued for the Consumer,
// which takes them inside Poll and answers Revoke and Lose with RevokeDone.
type Driver struct {
	cfg   DriverConfig
	m     Member
	in    chan Event
	res   chan result
	done  chan struct{}
	coord Coordinator
	wg    sync.WaitGroup
	err   error

	hbSent time.Time // when the heartbeat in flight went out (Run's goroutine), for its debug line

	mu      sync.Mutex
	pending []Action
	ready   chan struct{}
	snap    Member // d.m after the last step, for Member
}

type result struct {
	ev    Event
	coord Coordinator // with CoordinatorFound
}

// NewDriver returns a driver for m (an Idle Member, from New).
func NewDriver(m Member, cfg DriverConfig) *Driver {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Driver{
		cfg:   cfg,
		m:     m,
		in:    make(chan Event, 16),
		res:   make(chan result, 16),
		done:  make(chan struct{}),
		ready: make(chan struct{}, 1),
		snap:  m,
	}
}

// Send gives the machine an event from the Consumer (Poll,
// SubscriptionChanged, MetadataChanged, RevokeDone, Close). It returns
// false when Run has ended.
func (d *Driver) Send(ev Event) bool {
	select {
	case d.in <- ev:
		return true
	case <-d.done:
		return false
	}
}

// Ready is signaled when listener actions wait in Take; a poll loop can
// select on it to wake for group events.
func (d *Driver) Ready() <-chan struct{} { return d.ready }

// Take returns the listener actions queued since the last Take, in order.
func (d *Driver) Take() []Action {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.pending
	d.pending = nil
	return p
}

// Member returns the member as it was after the last step: its state,
// member id and generation (for the Consumer's commits, which carry
// them), owned partitions. It is a copy, safe to read from any goroutine;
// it may be one step behind Run.
func (d *Driver) Member() Member {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.snap
}

// Done is closed when Run has returned.
func (d *Driver) Done() <-chan struct{} { return d.done }

// Run starts membership with topics and runs until the member is Closed
// (after Close) or ctx ends. It returns the member's fatal error, if it
// failed, or ctx's error.
func (d *Driver) Run(ctx context.Context, topics []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		d.wg.Wait()
		close(d.done)
	}()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	d.step(ctx, timer, Start{Now: d.cfg.Now(), Topics: topics})
	for d.m.State() != Closed {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-d.in:
			d.step(ctx, timer, withNow(ev, d.cfg.Now()))
		case r := <-d.res:
			if r.coord != nil {
				d.coord = r.coord
			}
			d.step(ctx, timer, r.ev)
		case <-timer.C:
			d.step(ctx, timer, Tick{Now: d.cfg.Now()})
		}
	}
	return d.err
}

// withNow stamps an event from the Consumer that came without a time.
func withNow(ev Event, now time.Time) Event {
	if e, ok := ev.(stampable); ok {
		return e.stamp(now)
	}
	return ev
}

func (d *Driver) step(ctx context.Context, timer *time.Timer, ev Event) {
	before := d.m.State()
	var acts []Action
	d.m, acts = d.m.Step(ev)
	d.mu.Lock()
	d.snap = d.m
	d.mu.Unlock()
	if d.cfg.Observe != nil {
		d.cfg.Observe(ev, acts, d.m)
	}
	d.logHeartbeat(ev)
	if after := d.m.State(); after != before {
		d.cfg.Logger.Debug("group: state", "group", d.m.cfg.Group, "member_id", d.m.MemberID(),
			"generation", d.m.Generation(), "from", before.String(), "to", after.String())
	}
	for _, a := range acts {
		d.perform(ctx, timer, a)
	}
}

// logHeartbeat writes a DEBUG line for each heartbeat's answer or failure
// (the Java client and librdkafka log theirs at debug level too): with the
// round trip, it shows a member's cadence and when it heard of a
// rebalance, which the coordinator's log shows only from its side.
func (d *Driver) logHeartbeat(ev Event) {
	switch ev := ev.(type) {
	case HeartbeatResponse:
		attrs := []any{"group", d.m.cfg.Group, "member_id", ev.MemberID, "generation", ev.Generation,
			"rtt", ev.Now.Sub(d.hbSent).Round(time.Microsecond)}
		if ev.Err != nil {
			attrs = append(attrs, "err", ev.Err)
		}
		d.cfg.Logger.Debug("group: heartbeat", attrs...)
	case RequestFailed:
		if ev.API == protocol.KeyHeartbeat {
			d.cfg.Logger.Debug("group: heartbeat failed", "group", d.m.cfg.Group, "member_id", d.m.MemberID(),
				"generation", d.m.Generation(), "err", ev.Err)
		}
	}
}

func (d *Driver) perform(ctx context.Context, timer *time.Timer, a Action) {
	switch a := a.(type) {
	case ScheduleTimer:
		timer.Stop()
		if !a.At.IsZero() {
			timer.Reset(max(a.At.Sub(d.cfg.Now()), 0))
		}
	case FindCoordinator:
		d.coord = nil
		d.goDo(ctx, d.cfg.RequestTimeout, func(ctx context.Context) result {
			c, err := d.cfg.Find(ctx, a.Group)
			if err != nil {
				return result{ev: CoordinatorFailed{Now: d.cfg.Now(), Err: err}}
			}
			return result{ev: CoordinatorFound{Now: d.cfg.Now()}, coord: c}
		})
	case SendJoin:
		timeout := max(d.cfg.RequestTimeout, a.RebalanceTimeout+5*time.Second)
		d.request(ctx, timeout, protocol.KeyJoinGroup, a.InstanceID != "", 5, func(v int16) (protocol.Request, error) {
			return joinRequest(a, v)
		}, func(now time.Time, r protocol.Response) Event {
			return joinEvent(now, r.(*protocol.JoinGroupResponse))
		})
	case ComputeAssignment:
		assign := d.cfg.Assign
		if assign == nil && a.SkipAssignment {
			// Nothing to assign; the machine watches what it knows.
			assign = func(context.Context, ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
				return nil, nil, nil
			}
		}
		if assign == nil {
			assign = func(context.Context, ComputeAssignment) ([]protocol.SyncGroupRequestAssignment, map[string]int32, error) {
				return nil, nil, errors.New("group: this member leads the group but has no AssignFunc")
			}
		}
		d.goDo(ctx, d.cfg.RequestTimeout, func(ctx context.Context) result {
			as, counts, err := assign(ctx, a)
			return result{ev: AssignmentComputed{Now: d.cfg.Now(), Generation: a.Generation, Assignments: as, PartitionCounts: counts, Err: err}}
		})
	case SendSync:
		d.request(ctx, d.cfg.RequestTimeout, protocol.KeySyncGroup, a.InstanceID != "", 3, func(v int16) (protocol.Request, error) {
			return syncRequest(a, v), nil
		}, func(now time.Time, r protocol.Response) Event {
			return syncEvent(now, a.Generation, r.(*protocol.SyncGroupResponse))
		})
	case SendHeartbeat:
		d.hbSent = d.cfg.Now()
		d.request(ctx, d.cfg.RequestTimeout, protocol.KeyHeartbeat, a.InstanceID != "", 3, func(v int16) (protocol.Request, error) {
			return heartbeatRequest(a, v), nil
		}, func(now time.Time, r protocol.Response) Event {
			return HeartbeatResponse{Now: now, Generation: a.Generation, MemberID: a.MemberID, Err: protocol.ErrorForCode(r.(*protocol.HeartbeatResponse).ErrorCode)}
		})
	case SendLeave:
		// Leaving by instance id needs v3; a static member on an older
		// broker cannot leave, which the machine treats as done.
		d.request(ctx, d.cfg.RequestTimeout, protocol.KeyLeaveGroup, a.InstanceID != "", 3, func(v int16) (protocol.Request, error) {
			return leaveRequest(a, v), nil
		}, func(now time.Time, r protocol.Response) Event {
			return LeaveResponse{Now: now, Err: leaveError(r.(*protocol.LeaveGroupResponse))}
		})
	case Fail:
		d.err = a.Err
		d.cfg.Logger.Warn("group: membership failed", "group", d.m.cfg.Group, "member_id", d.m.MemberID(), "err", a.Err)
		d.queue(a)
	default: // Revoke, Assign, Lose, CommitBeforeRevoke: the Consumer's
		d.queue(a)
	}
}

func (d *Driver) queue(a Action) {
	d.mu.Lock()
	d.pending = append(d.pending, a)
	d.mu.Unlock()
	select {
	case d.ready <- struct{}{}:
	default:
	}
}

// goDo runs f in a goroutine with a timeout and reports its result to Run.
func (d *Driver) goDo(ctx context.Context, timeout time.Duration, f func(context.Context) result) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		r := f(rctx)
		select {
		case d.res <- r:
		case <-ctx.Done():
		}
	}()
}

// errNoVersion is the answer the machine gets when the coordinator cannot
// take a request at all, or not with group.instance.id: fatal, as Java's
// UNSUPPORTED_VERSION ("unset group.instance.id and retry").
func errNoVersion(key protocol.APIKey, v int16, ok bool) error {
	e := *protocol.ErrUnsupportedVersion
	if !ok {
		e.Message = fmt.Sprintf("the coordinator does not support %s", key)
	} else {
		e.Message = fmt.Sprintf("the coordinator's %s v%d cannot carry group.instance.id", key, v)
	}
	return &e
}

// request sends one coordinator request built at the connection's
// version. static and minStatic: a static member needs at least that
// version. answer turns the response into the machine's event; no
// response becomes RequestFailed.
func (d *Driver) request(ctx context.Context, timeout time.Duration, key protocol.APIKey, static bool, minStatic int16,
	build func(v int16) (protocol.Request, error), answer func(time.Time, protocol.Response) Event) {
	c := d.coord
	gen, member := d.m.generation, d.m.memberID // read here, on Run's goroutine
	if c == nil {
		d.goDo(ctx, 0, func(context.Context) result {
			return result{ev: RequestFailed{Now: d.cfg.Now(), API: key, Err: errors.New("group: no coordinator connection")}}
		})
		return
	}
	d.goDo(ctx, timeout, func(ctx context.Context) result {
		v, ok := c.Version(key)
		if !ok || (static && v < minStatic) {
			return result{ev: unsupported(d.cfg.Now(), key, gen, member, errNoVersion(key, v, ok))}
		}
		req, err := build(v)
		if err != nil {
			return result{ev: RequestFailed{Now: d.cfg.Now(), API: key, Err: err}}
		}
		resp, err := c.DoPinned(ctx, req)
		if err != nil {
			return result{ev: RequestFailed{Now: d.cfg.Now(), API: key, Err: err}}
		}
		return result{ev: answer(d.cfg.Now(), resp)}
	})
}

// unsupported is the event for a request the coordinator cannot take.
func unsupported(now time.Time, key protocol.APIKey, gen int32, member string, err error) Event {
	switch key {
	case protocol.KeyJoinGroup:
		return JoinResponse{Now: now, Err: err, Generation: noGeneration}
	case protocol.KeySyncGroup:
		return SyncResponse{Now: now, Err: err, Generation: gen}
	case protocol.KeyHeartbeat:
		return HeartbeatResponse{Now: now, Err: err, Generation: gen, MemberID: member}
	case protocol.KeyLeaveGroup:
		return LeaveResponse{Now: now, Err: err}
	}
	return RequestFailed{Now: now, API: key, Err: err}
}
