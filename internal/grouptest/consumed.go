package grouptest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// Delivery is one (topic, partition, offset) and every time a member
// printed it.
type Delivery struct {
	TP     TopicPartition
	Offset int64
	By     []Record // in the order the harness read them
}

// First is the delivery the harness read first.
func (d Delivery) First() Record {
	first := d.By[0]
	for _, r := range d.By[1:] {
		if r.Time.Before(first.Time) {
			first = r
		}
	}
	return first
}

// Consumption is what a group consumed, compared with what was produced.
type Consumption struct {
	Produced int
	// Missing are produced ids nobody consumed, in production order.
	Missing []string
	// Duplicates are records (by topic, partition and offset) delivered
	// more than once, by one member or by several.
	Duplicates []Delivery
	// Unexpected are consumed values that are no produced id.
	Unexpected []Record
	// ByMember counts the records each member printed.
	ByMember map[string]int
}

// Consume compares the ids produced (record values) with the records the
// members printed. A record is the same record when its topic, partition
// and offset are: an id written twice by a producer retry would be two
// offsets, and is not a duplicate delivery.
func Consume(produced []string, consumed []Record) Consumption {
	c := Consumption{Produced: len(produced), ByMember: map[string]int{}}
	want := make(map[string]bool, len(produced))
	for _, id := range produced {
		want[id] = true
	}
	seen := map[string]bool{}
	type key struct {
		tp  TopicPartition
		off int64
	}
	byOffset := map[key][]Record{}
	var order []key
	for _, r := range consumed {
		c.ByMember[r.Member]++
		if !want[r.Value] {
			c.Unexpected = append(c.Unexpected, r)
		}
		seen[r.Value] = true
		k := key{r.TP(), r.Offset}
		if _, ok := byOffset[k]; !ok {
			order = append(order, k)
		}
		byOffset[k] = append(byOffset[k], r)
	}
	for _, id := range produced {
		if !seen[id] {
			c.Missing = append(c.Missing, id)
		}
	}
	for _, k := range order {
		if rs := byOffset[k]; len(rs) > 1 {
			c.Duplicates = append(c.Duplicates, Delivery{TP: k.tp, Offset: k.off, By: rs})
		}
	}
	slices.SortFunc(c.Duplicates, func(a, b Delivery) int {
		if x := compareTP(a.TP, b.TP); x != 0 {
			return x
		}
		return int(a.Offset - b.Offset)
	})
	return c
}

// AllConsumed returns an error when a produced id was not consumed or a
// consumed value was never produced. Duplicates are not errors here.
func (c Consumption) AllConsumed() error {
	var errs []error
	if len(c.Missing) > 0 {
		errs = append(errs, fmt.Errorf("%d of %d produced records never consumed: %s", len(c.Missing), c.Produced, head(c.Missing, 20)))
	}
	if len(c.Unexpected) > 0 {
		var vs []string
		for _, r := range c.Unexpected {
			vs = append(vs, fmt.Sprintf("%s@%d=%q by %s", r.TP(), r.Offset, r.Value, r.Member))
		}
		errs = append(errs, fmt.Errorf("%d consumed records were not produced: %s", len(vs), head(vs, 10)))
	}
	return errors.Join(errs...)
}

// DuplicatesAfter returns an error for every duplicate delivery that the
// death of a member does not explain: one on a partition absent from
// committed, or at an offset below committed[tp]. committed holds, for each
// partition the dead member owned, the group's committed offset read right
// after it died (CommittedOffsets): the next record to consume, so a
// restart legitimately re-delivers exactly the offsets from there up to
// what the dead member had printed. A partition the dead member owned with
// no commit at all is given as 0 (everything may come again).
func (c Consumption) DuplicatesAfter(committed map[TopicPartition]int64) error {
	var errs []error
	for _, d := range c.Duplicates {
		from, ok := committed[d.TP]
		if ok && d.Offset >= from {
			continue
		}
		var by []string
		for _, r := range d.By {
			by = append(by, r.Member)
		}
		why := "no member died owning it"
		if ok {
			why = fmt.Sprintf("below the offset %d committed when its owner died", from)
		}
		errs = append(errs, fmt.Errorf("%s@%d (%q) delivered %d times (by %s): %s", d.TP, d.Offset, d.By[0].Value, len(d.By), strings.Join(by, ", "), why))
		if len(errs) == 20 {
			errs = append(errs, errors.New("..."))
			break
		}
	}
	return errors.Join(errs...)
}

// RedeliveredAfterDeath is DuplicatesAfter and more: every duplicate must
// also have been delivered first by dead, the member that died (a record
// it printed but had not committed, which its successor printed again).
func (c Consumption) RedeliveredAfterDeath(dead string, committed map[TopicPartition]int64) error {
	errs := []error{c.DuplicatesAfter(committed)}
	bad := 0
	for _, d := range c.Duplicates {
		first := d.First()
		if first.Member == dead {
			continue
		}
		if bad++; bad <= 20 {
			errs = append(errs, fmt.Errorf("%s@%d (%q) delivered first by %s, not by %s that died", d.TP, d.Offset, first.Value, first.Member, dead))
		}
	}
	return errors.Join(errs...)
}

// Summary is one line for t.Log.
func (c Consumption) Summary() string {
	return fmt.Sprintf("produced %d, missing %d %s, delivered twice or more %d, unexpected %d, by member %v",
		c.Produced, len(c.Missing), head(c.Missing, 10), len(c.Duplicates), len(c.Unexpected), c.ByMember)
}

func head(s []string, n int) string {
	if len(s) > n {
		return strings.Join(s[:n], " ") + fmt.Sprintf(" ... (%d more)", len(s)-n)
	}
	return strings.Join(s, " ")
}

// AllRecords is the records of every member, member by member.
func AllRecords(members ...Member) []Record {
	var out []Record
	for _, m := range members {
		out = append(out, m.Records()...)
	}
	return out
}

// CommittedOffsets reads group's committed offsets of partitions from the
// group coordinator (FindCoordinator, then OffsetFetch v7, with rawkafka's
// conn and protocol: milliseconds, no JVM, well within the dead member's
// session; TestCommittedOffsets checks it against offsets the Java
// kafka-consumer-groups tool wrote). A partition without a commit maps to
// 0. It fails the test on any error.
//
// Read it right after Kill: the dead member cannot commit any more, and no
// other member owns its partitions before its session expires. A commit
// the dead member had sent just before the signal may still land; wait a
// few hundred milliseconds after Kill to let it.
func CommittedOffsets(t testing.TB, brokers, group string, partitions []TopicPartition) map[TopicPartition]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := committedOffsets(ctx, brokers, group, partitions)
	if err != nil {
		t.Fatalf("grouptest: committed offsets of %s: %v", group, err)
	}
	return out
}

func committedOffsets(ctx context.Context, brokers, group string, partitions []TopicPartition) (map[TopicPartition]int64, error) {
	cl, err := conn.NewCluster(conn.ClusterConfig{Bootstrap: strings.Split(brokers, ",")})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	boot, err := cl.Any(ctx)
	if err != nil {
		return nil, err
	}
	var coordinator int32
	for {
		resp, err := boot.DoPinned(ctx, &protocol.FindCoordinatorRequest{Version: 3, CoordinatorKey: group, KeyType: protocol.CoordinatorGroup})
		if err != nil {
			return nil, err
		}
		fc := resp.(*protocol.FindCoordinatorResponse)
		if err := protocol.ErrorWithMessage(fc.ErrorCode, fc.ErrorMessage); err == nil {
			coordinator = fc.NodeId
			break
		} else if !errors.Is(err, protocol.ErrCoordinatorNotAvailable) {
			return nil, fmt.Errorf("find coordinator: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	cn, err := cl.Broker(ctx, coordinator)
	if err != nil {
		return nil, err
	}
	byTopic := map[string][]int32{}
	var topics []string
	for _, tp := range partitions {
		if _, ok := byTopic[tp.Topic]; !ok {
			topics = append(topics, tp.Topic)
		}
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	req := &protocol.OffsetFetchRequest{Version: 7, GroupId: group, RequireStable: true}
	for _, tn := range topics {
		req.Topics = append(req.Topics, protocol.OffsetFetchRequestTopic{Name: tn, PartitionIndexes: byTopic[tn]})
	}
	for {
		resp, err := cn.DoPinned(ctx, req)
		if err != nil {
			return nil, err
		}
		of := resp.(*protocol.OffsetFetchResponse)
		err = protocol.ErrorForCode(of.ErrorCode)
		out := map[TopicPartition]int64{}
		for _, tr := range of.Topics {
			for _, pr := range tr.Partitions {
				if e := protocol.ErrorForCode(pr.ErrorCode); e != nil && err == nil {
					err = fmt.Errorf("%s/%d: %w", tr.Name, pr.PartitionIndex, e)
				}
				out[TopicPartition{tr.Name, pr.PartitionIndex}] = max(pr.CommittedOffset, 0)
			}
		}
		if err == nil {
			return out, nil
		}
		// RequireStable: a pending transactional commit, or the coordinator loading.
		if !errors.Is(err, protocol.ErrUnstableOffsetCommit) && !errors.Is(err, protocol.ErrCoordinatorLoadInProgress) {
			return nil, fmt.Errorf("offset fetch: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// WaitCommitted waits until group has committed an offset above 0 for at
// least one of partitions: a kill after it tests re-delivery from a real
// commit, not from the start.
func WaitCommitted(t testing.TB, timeout time.Duration, brokers, group string, partitions []TopicPartition) map[TopicPartition]int64 {
	t.Helper()
	var last map[TopicPartition]int64
	WaitFor(t, timeout, fmt.Sprintf("a commit of group %s on %v", group, partitions), func() bool {
		last = CommittedOffsets(t, brokers, group, partitions)
		for _, o := range last {
			if o > 0 {
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("committed: %v", last) })
	return last
}

// UncommittedAtRevoke returns the records m printed of a partition after
// the first sign of a rebalance round (its first JoinSent event since its
// last ownership change) and before it revoked that partition in that
// round, when more ownership events came after the revoke (not the revoke
// at its close, which commits).
//
// This is the Java console consumer in the cooperative protocol: when it
// learns of a rebalance it commits automatically once, before it sends
// JoinGroup (if that commit is still in flight when the poll's time is up,
// the poll hands out more records and the next one sends JoinGroup without
// committing again), keeps consuming its partitions through the
// rebalance, and revokes those that move after SyncGroup without
// committing (it has no rebalance listener to do it), so their next owner
// starts from that commit and delivers those records a second time. Only
// kinds that report JoinSent (Java) return anything.
func UncommittedAtRevoke(m Member) []Record {
	evs := m.Events()
	var out []Record
	recs := m.Records()
	for i, e := range evs {
		if e.Type != Revoked || i == len(evs)-1 || ownedAtEnd(evs, i) {
			continue
		}
		// The first sign of this round: no other ownership change between
		// it and the revoke. (An eager member revokes before it sends
		// JoinGroup, having committed: no window.)
		from := -1
	back:
		for j := i - 1; j >= 0; j-- {
			switch evs[j].Type {
			case JoinSent:
				from = evs[j].Seq
			case Assigned, Revoked, Lost:
				break back
			}
		}
		if from < 0 {
			continue
		}
		for _, r := range recs {
			if r.Seq > from && r.Seq < e.Seq && slices.Contains(e.Partitions, r.TP()) {
				out = append(out, r)
			}
		}
	}
	return out
}

// ownedAtEnd reports whether evs[i] is the member's last ownership change
// (its close): nothing but Exited after it.
func ownedAtEnd(evs []OwnershipEvent, i int) bool {
	for _, e := range evs[i+1:] {
		if e.Type == Assigned || e.Type == Revoked || e.Type == Lost {
			return false
		}
	}
	return true
}

// Excluding returns c without the duplicate deliveries whose first
// delivery is one of first (same member, partition and offset), and how
// many it took out: duplicates a client's documented behaviour explains
// (UncommittedAtRevoke), so that the checks on the rest stay strict.
func (c Consumption) Excluding(first []Record) (Consumption, int) {
	type key struct {
		member string
		tp     TopicPartition
		off    int64
	}
	skip := map[key]bool{}
	for _, r := range first {
		skip[key{r.Member, r.TP(), r.Offset}] = true
	}
	out := c
	out.Duplicates = nil
	n := 0
	for _, d := range c.Duplicates {
		if f := d.First(); skip[key{f.Member, f.TP(), f.Offset}] {
			n++
			continue
		}
		out.Duplicates = append(out.Duplicates, d)
	}
	return out, n
}
