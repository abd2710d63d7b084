package group

import (
	"context"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// FindFromCluster is the FindFunc to use: the group's coordinator from
// cl's coordinator cache (conn.Cluster.Coordinator), on the coordination
// connection of its own, so that a JoinGroup the coordinator holds stalls
// no fetch. The Coordinator it returns tells the cache when the
// coordinator must be looked up again: a connection error, or an answer
// with NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE (conn.CoordinatorFailed),
// so that the machine's next FindCoordinator asks FindCoordinator again
// instead of getting the stale entry back.
func FindFromCluster(cl *conn.Cluster) FindFunc {
	return func(ctx context.Context, group string) (Coordinator, error) {
		cn, err := cl.Coordinator(ctx, group)
		if err != nil {
			return nil, err
		}
		return &clusterCoordinator{cl: cl, cn: cn, group: group}, nil
	}
}

// clusterCoordinator is a coordinator connection that reports its failures
// to the cluster's coordinator cache.
type clusterCoordinator struct {
	cl    *conn.Cluster
	cn    *conn.Conn
	group string
}

// Version is the connection's.
func (c *clusterCoordinator) Version(key protocol.APIKey) (int16, bool) { return c.cn.Version(key) }

// DoPinned sends req and forgets the cached coordinator when the answer or
// the failure says it moved or is gone.
func (c *clusterCoordinator) DoPinned(ctx context.Context, req protocol.Request) (protocol.Response, error) {
	resp, err := c.cn.DoPinned(ctx, req)
	if err != nil {
		c.cl.CoordinatorFailed(c.group, c.cn, err)
		return nil, err
	}
	if code := responseCode(resp); code != 0 {
		c.cl.CoordinatorFailed(c.group, c.cn, protocol.ErrorForCode(code))
	}
	return resp, nil
}

// responseCode is the top-level error code of a group response.
func responseCode(resp protocol.Response) int16 {
	switch r := resp.(type) {
	case *protocol.JoinGroupResponse:
		return r.ErrorCode
	case *protocol.SyncGroupResponse:
		return r.ErrorCode
	case *protocol.HeartbeatResponse:
		return r.ErrorCode
	case *protocol.LeaveGroupResponse:
		return r.ErrorCode
	}
	return 0
}
