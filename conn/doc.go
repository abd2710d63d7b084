// Package conn is rawkafka's only code that touches sockets: one broker
// connection (Conn) and the cluster view built on top of it (Cluster).
//
// A Conn is dialed with Dial: TCP, optional TLS, ApiVersions negotiation and
// optional SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 over SaslHandshake v1 and
// SaslAuthenticate). It then carries many requests at once, matched to their
// responses by correlation id: one writer at a time, one reader goroutine.
//
// Errors come in two kinds, as in golang.org/x/net/http2:
//
//   - *Error is connection-fatal: the socket is closed and every request
//     waiting on it fails at once with the same *Error. It names the broker and,
//     for peers that are not Kafka brokers, the likely cause. It unwraps to the
//     underlying net or io error and to the package's sentinels (ErrClosed,
//     ErrIdle, ErrNotKafka, ErrResponseTooLarge, ErrAuth).
//   - Everything else concerns one request: the caller's context ending, a
//     request the broker's version range cannot carry, a response that does
//     not decode, and, inside responses, Kafka error codes (protocol.Error),
//     which the caller reads from the response. The connection stays usable.
//
// Cluster keeps a metadata cache and Conns to brokers, opened on demand,
// reused, and redialed with exponential backoff: one per broker for data
// (metadata, fetches, offset lookups) and another, to group coordinators,
// for group and commit traffic, because a broker answers one request per
// connection at a time and a JoinGroup it holds for the rebalance timeout
// must not stall the fetches to it. Coordinator caches each group's
// FindCoordinator answer until a caller reports it stale
// (InvalidateCoordinator, CoordinatorFailed).
//
// The topics a refresh asks for (the interest) grow with every Metadata call
// and can be replaced (SetTopics) or switched to all topics (SetAllTopics)
// at runtime; a Watcher (Watch) reports partition counts that change between
// refreshes, topics appearing and disappearing, the events that make a group
// rebalance.
package conn
