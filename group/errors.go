package group

import (
	"errors"
	"fmt"

	"github.com/rawkafka/rawkafka/protocol"
)

// ErrPollIntervalExceeded is the reason Lose gives after the Consumer did not
// poll within max.poll.interval.ms: the member left the group (a static
// member by letting its heartbeats stop) and its partitions may belong to
// another member by now.
var ErrPollIntervalExceeded = errors.New("group: max.poll.interval.ms exceeded between two polls; the member left the group and rejoins on this poll")

// fatal wraps a Kafka error that ends membership with what the member was
// doing, e.g. "group: JoinGroup: kafka: GROUP_AUTHORIZATION_FAILED (30)".
func (s *step) fatal(api protocol.APIKey, err error) error {
	if errors.Is(err, protocol.ErrFencedInstanceId) && s.m.cfg.static() {
		return fmt.Errorf("group: %s in group %q: another consumer instance is using group.instance.id %q, so this one was fenced: %w",
			api, s.m.cfg.Group, s.m.cfg.InstanceID, err)
	}
	if errors.Is(err, protocol.ErrGroupAuthorizationFailed) {
		return fmt.Errorf("group: %s: not authorized to access group %q: %w", api, s.m.cfg.Group, err)
	}
	return fmt.Errorf("group: %s in group %q: %w", api, s.m.cfg.Group, err)
}

// inconsistent is INCONSISTENT_GROUP_PROTOCOL raised by this member (KIP-559
// checks), with what was received.
func inconsistent(api protocol.APIKey, what, got, want string) error {
	e := *protocol.ErrInconsistentGroupProtocol
	e.Message = fmt.Sprintf("%s answered protocol %s %q, expected %q", api, what, got, want)
	return fmt.Errorf("group: %w", &e)
}
