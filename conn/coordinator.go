package conn

import (
	"context"
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

// coordinator is one group's entry in the coordinator cache: the broker
// FindCoordinator named, or the lookup under way.
type coordinator struct {
	broker Broker
	found  bool
	lookup *lookup // the FindCoordinator in flight, nil when none
}

// lookup is one FindCoordinator, shared by everyone waiting for it.
type lookup struct {
	done   chan struct{}
	broker Broker
	err    error
}

// Coordinator returns the connection to group's coordinator, its
// coordination connection: apart from the data and fetch connections to
// the same broker (Broker, FetchBroker), so that a JoinGroup the
// coordinator holds for the rebalance timeout stalls no fetch. The coordinator is looked up once
// (FindCoordinator, asked of any broker; concurrent callers share one
// request) and cached until InvalidateCoordinator or CoordinatorFailed
// forgets it; a dial to it that fails forgets it too, since a coordinator
// that cannot be reached has often moved.
//
// Errors include COORDINATOR_NOT_AVAILABLE (protocol.ErrCoordinatorNotAvailable)
// while the group's offsets partition has no leader, and
// GROUP_AUTHORIZATION_FAILED; nothing is cached after an error.
func (c *Cluster) Coordinator(ctx context.Context, group string) (*Conn, error) {
	return c.coordinatorFor(ctx, group, forCoordination)
}

// OffsetsCoordinator is Coordinator for offset commits and lookups: a
// connection to the same coordinator (one cached lookup serves both),
// apart from the membership connection, so that a commit never waits
// behind a JoinGroup the coordinator holds for the other members. The
// coordinator accepts a commit of the current generation while the group
// prepares a rebalance, which is when a cooperative member commits what
// it keeps consuming and a member closing mid-rebalance commits at last.
func (c *Cluster) OffsetsCoordinator(ctx context.Context, group string) (*Conn, error) {
	return c.coordinatorFor(ctx, group, forOffsets)
}

func (c *Cluster) coordinatorFor(ctx context.Context, group string, p purpose) (*Conn, error) {
	b, err := c.findCoordinator(ctx, group)
	if err != nil {
		return nil, err
	}
	cfg := c.connConfigFor(c.Cached(), b.ID)
	cfg.Logger = c.log.With("coordinator", b.ID)
	cn, err := c.connectFor(ctx, slotKey{b.Addr(), p}, true, cfg)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, errClusterClosed) {
			c.forget(group, b.Addr(), err)
		}
		return nil, fmt.Errorf("conn: coordinator %d of group %q: %w", b.ID, group, err)
	}
	return cn, nil
}

// CachedCoordinator returns the broker the cache names as group's
// coordinator, without any I/O; false when none is cached (never looked up,
// forgotten, or a lookup under way). Logs use it for the coordinator's id.
func (c *Cluster) CachedCoordinator(group string) (Broker, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.coordinators[group]; e != nil && e.found {
		return e.broker, true
	}
	return Broker{}, false
}

// InvalidateCoordinator forgets group's coordinator, so that the next
// Coordinator call asks FindCoordinator again; callers that read the
// coordinator's errors themselves call it on NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE and connection failures (CoordinatorFailed does
// that test). cn is the connection the failure came from: if the cache
// already names another broker (someone invalidated first and found the new
// coordinator), that newer answer stays. A nil cn forgets in any case.
//
// The connection is left open: it is shared by every group with the same
// coordinator, and a NOT_COORDINATOR answer says nothing against it.
func (c *Cluster) InvalidateCoordinator(group string, cn *Conn) {
	addr := ""
	if cn != nil {
		addr = cn.Addr()
	}
	c.forget(group, addr, nil)
}

// CoordinatorFailed reports whether err means group's coordinator must be
// found again (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, or a
// connection-fatal *Error from cn), and in that case forgets it as
// InvalidateCoordinator does. Other errors, COORDINATOR_LOAD_IN_PROGRESS
// among them (the right coordinator, not ready yet), leave the cache alone.
func (c *Cluster) CoordinatorFailed(group string, cn *Conn, err error) bool {
	var ce *Error
	if !errors.Is(err, protocol.ErrNotCoordinator) && !errors.Is(err, protocol.ErrCoordinatorNotAvailable) && !errors.As(err, &ce) {
		return false
	}
	addr := ""
	if cn != nil {
		addr = cn.Addr()
	}
	c.forget(group, addr, err)
	return true
}

// forget drops group's cached coordinator if it is at addr ("" for any).
func (c *Cluster) forget(group, addr string, cause error) {
	c.mu.Lock()
	e := c.coordinators[group]
	if e == nil || !e.found || (addr != "" && e.broker.Addr() != addr) {
		c.mu.Unlock()
		return
	}
	b := e.broker
	if e.lookup == nil {
		delete(c.coordinators, group)
	} else {
		e.found = false
	}
	c.mu.Unlock()
	c.log.Info("coordinator forgotten; it will be looked up again", "group", group, "coordinator", b.ID, "addr", b.Addr(), "err", cause)
}

// findCoordinator returns group's cached coordinator or looks it up.
func (c *Cluster) findCoordinator(ctx context.Context, group string) (Broker, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Broker{}, errClusterClosed
	}
	e := c.coordinators[group]
	if e == nil {
		e = &coordinator{}
		c.coordinators[group] = e
	}
	if e.found {
		b := e.broker
		c.mu.Unlock()
		return b, nil
	}
	l := e.lookup
	if l == nil {
		l = &lookup{done: make(chan struct{})}
		e.lookup = l
		c.wg.Add(1)
		// The lookup belongs to the cluster, not to this caller: a caller
		// that gives up does not waste it for the others.
		go c.lookupCoordinator(group, e, l)
	}
	c.mu.Unlock()
	select {
	case <-l.done:
		return l.broker, l.err
	case <-ctx.Done():
		return Broker{}, ctx.Err()
	}
}

func (c *Cluster) lookupCoordinator(group string, e *coordinator, l *lookup) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.RequestTimeout)
	defer cancel()
	b, err := c.askCoordinator(ctx, group)
	c.mu.Lock()
	e.lookup = nil
	if err == nil {
		e.broker, e.found = b, true
	} else if !e.found && c.coordinators[group] == e {
		delete(c.coordinators, group)
	}
	l.broker, l.err = b, err
	close(l.done)
	c.mu.Unlock()
	if err != nil {
		c.log.Debug("coordinator lookup failed", "group", group, "err", err)
	} else {
		c.log.Info("coordinator found", "group", group, "coordinator", b.ID, "addr", b.Addr())
	}
}

// askCoordinator sends FindCoordinator for group to any broker, over a
// coordination connection: on a data connection it could wait behind a
// slow metadata or offset request at a moment, a coordinator
// move, when the group is waiting for the answer. The coordinator's address
// comes from the answer, not from the metadata, which may not list it yet.
func (c *Cluster) askCoordinator(ctx context.Context, group string) (Broker, error) {
	cn, err := c.anyFor(ctx, forCoordination)
	if err != nil {
		return Broker{}, err
	}
	v, ok := cn.Version(protocol.KeyFindCoordinator)
	if !ok {
		return Broker{}, cn.unsupported(protocol.KeyFindCoordinator)
	}
	req := &protocol.FindCoordinatorRequest{Version: v, KeyType: protocol.CoordinatorGroup}
	if v >= 4 {
		req.CoordinatorKeys = []string{group}
	} else {
		req.CoordinatorKey = group
	}
	resp, err := cn.DoPinned(ctx, req)
	if err != nil {
		return Broker{}, err
	}
	r := resp.(*protocol.FindCoordinatorResponse)
	b := Broker{ID: r.NodeId, Host: r.Host, Port: r.Port}
	code, msg := r.ErrorCode, r.ErrorMessage
	if v >= 4 {
		if len(r.Coordinators) != 1 || r.Coordinators[0].Key != group {
			return Broker{}, fmt.Errorf("conn: FindCoordinator v%d from %s answered for %d keys, not for group %q alone", v, cn.Addr(), len(r.Coordinators), group)
		}
		k := r.Coordinators[0]
		b = Broker{ID: k.NodeId, Host: k.Host, Port: k.Port}
		code, msg = k.ErrorCode, k.ErrorMessage
	}
	if err := protocol.ErrorWithMessage(code, msg); err != nil {
		return Broker{}, fmt.Errorf("conn: coordinator of group %q: %w", group, err)
	}
	if b.ID < 0 || b.Host == "" || b.Port <= 0 {
		return Broker{}, fmt.Errorf("conn: coordinator of group %q: FindCoordinator named no broker (node %d at %s:%d): %w", group, b.ID, b.Host, b.Port, protocol.ErrCoordinatorNotAvailable)
	}
	return b, nil
}
