package assignor

import (
	"errors"
	"fmt"
)

// The Java class names partition.assignment.strategy takes (the Java client
// accepts only class names; librdkafka and rawkafka also take the protocol
// names).
const (
	RangeClass             = "org.apache.kafka.clients.consumer.RangeAssignor"
	RoundRobinClass        = "org.apache.kafka.clients.consumer.RoundRobinAssignor"
	StickyClass            = "org.apache.kafka.clients.consumer.StickyAssignor"
	CooperativeStickyClass = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
)

// ByName returns the assignor a partition.assignment.strategy entry names:
// a protocol name ("range", "roundrobin", "sticky", "cooperative-sticky")
// or a Java class name, exactly (case matters, as in Java's class loading;
// the caller trims the entries of a comma-separated list). Any other name
// fails with ErrUnknown.
func ByName(name string) (Assignor, error) {
	switch name {
	case "range", RangeClass:
		return Range, nil
	case "roundrobin", RoundRobinClass:
		return RoundRobin, nil
	case "sticky", StickyClass:
		return Sticky, nil
	case "cooperative-sticky", CooperativeStickyClass:
		return CooperativeSticky, nil
	}
	return nil, fmt.Errorf("%w %q (want range, roundrobin, sticky, cooperative-sticky or their Java class names)", ErrUnknown, name)
}

// ByNames returns the assignors of a partition.assignment.strategy list, in
// its order (the order of preference sent in JoinGroup). As in Java, two
// entries naming one strategy (say "range" and its class name) are an
// error, and so is an empty list.
func ByNames(names []string) ([]Assignor, error) {
	if len(names) == 0 {
		return nil, errors.New("assignor: no strategy given")
	}
	out := make([]Assignor, 0, len(names))
	seen := make(map[string]string, len(names))
	for _, name := range names {
		a, err := ByName(name)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[a.Name()]; dup {
			return nil, fmt.Errorf("assignor: %q and %q are both the %q assignor", prev, name, a.Name())
		}
		seen[a.Name()] = name
		out = append(out, a)
	}
	return out, nil
}
