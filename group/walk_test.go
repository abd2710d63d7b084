package group

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// TestRandomWalks drives members with random but plausible event sequences
// and checks, after every step, what the package promises the Consumer:
// every assignment change is reported exactly once (Assign only adds
// partitions not held, Revoke and Lose only remove partitions held, and
// what is held is what the member owns); eager never joins while holding
// partitions, nor joins or leaves before the RevokeDone of a revoke; heartbeats only go out from a generation; terminal states
// own nothing.
//
// Cooperative walks (TestRandomWalksCooperative) check instead that a join
// while holding partitions holds only subscribed topics within a valid
// generation, that no partition is assigned while its revoke awaits its
// RevokeDone, and that a SyncGroup never revokes or loses a partition it
// keeps: at most one owner per partition as far as this member can know.
func TestRandomWalks(t *testing.T) { randomWalks(t, testConfig) }

// TestRandomWalksCooperative runs the random walks with a cooperative
// member (see TestRandomWalks).
func TestRandomWalksCooperative(t *testing.T) { randomWalks(t, coopConfig) }

// TestRandomWalksMixed runs the random walks with a member offering a
// cooperative and an eager assignor ([coop-range, range], as the default
// [cooperative-sticky, range]) whose every JoinGroup answer selects one of
// them at random: the protocol changes between generations in both
// directions, and the checks follow the generation's protocol.
func TestRandomWalksMixed(t *testing.T) { randomWalks(t, mixedConfig) }

func mixedConfig() Config {
	c := testConfig()
	c.Assignors = []assignor.Assignor{coopRange{}, assignor.Range}
	return c
}

// selectAny makes a JoinGroup answer select either assignor of
// mixedConfig, and a SyncGroup answer name the member's selection.
func selectAny(rng *rand.Rand, m Member, ev Event) Event {
	switch r := ev.(type) {
	case JoinResponse:
		if r.ProtocolName != nil {
			r.ProtocolName = str([]string{"coop-range", "range"}[rng.IntN(2)])
		}
		return r
	case SyncResponse:
		if r.ProtocolName != nil && m.Protocol() != "" {
			r.ProtocolName = str(m.Protocol())
		}
		return r
	}
	return ev
}

func randomWalks(t *testing.T, config func() Config) {
	walks, steps := 400, 60
	if testing.Short() {
		walks = 50
	}
	toEager, toCoop := 0, 0 // the mixed walks' protocol changes, joined owning partitions or not
	for w := range walks {
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		cfg := config()
		mixed := len(cfg.Assignors) > 1
		coop := !mixed && cfg.Assignors[0].Name() == "coop-range"
		if rng.IntN(2) == 0 {
			cfg.InstanceID = "i1"
		}
		if rng.IntN(2) == 0 {
			cfg.BackoffJitter, cfg.Seed = 0, uint64(w)+1 // the default jitter, reproducibly
		}
		m := newMember(t, cfg)
		held := map[protocol.TopicPartition]bool{}
		waiting := false                              // a Revoke or Lose awaits its RevokeDone
		pending := map[protocol.TopicPartition]bool{} // revoked or lost, RevokeDone not yet seen
		now := 0
		type entry struct {
			before, after State
			ev            Event
			acts          []Action
		}
		var log []entry
		for range steps {
			now += rng.IntN(4000)
			if rng.IntN(30) == 0 {
				now += 60000 // a long pause: poll interval, session
			}
			ev := randomEvent(rng, m, at(now))
			switch {
			case coop:
				ev = asCoop(ev)
			case mixed:
				ev = selectAny(rng, m, ev)
			}
			before := m.State()
			// A revoke is incremental when the generation is cooperative,
			// and the one a SyncGroup makes before its Assign in any
			// generation (in the round that moves to an eager assignor, the
			// member joined keeping partitions); a rejoin the SyncGroup
			// calls for after its Assign follows the new generation.
			r, isSync := ev.(SyncResponse)
			synced := isSync && r.Err == nil && before == AwaitingSync
			// kept: what a successful SyncGroup assigns that is held already.
			kept := map[protocol.TopicPartition]bool{}
			if r, ok := ev.(SyncResponse); ok && r.Err == nil && before == AwaitingSync {
				var a protocol.ConsumerProtocolAssignment
				if a.Decode(r.Assignment) == nil {
					for _, tp := range flatten(a.AssignedPartitions) {
						// A kept partition of a topic no longer subscribed
						// is revoked at once, rightly.
						_, subscribed := slices.BinarySearch(m.Topics(), tp.Topic)
						kept[tp] = held[tp] && subscribed
					}
				}
			}
			next, acts := m.Step(ev)
			log = append(log, entry{before, next.State(), ev, acts})
			fail := func(format string, args ...any) {
				var b strings.Builder
				for _, e := range log {
					fmt.Fprintf(&b, "%s + %T%+v -> %s %v\n", e.before, e.ev, e.ev, e.after, describeAll(e.acts))
				}
				t.Fatalf("walk %d: %s\n%s", w, fmt.Sprintf(format, args...), b.String())
			}
			if _, done := ev.(RevokeDone); done && before == Revoking {
				waiting = false
				clear(pending)
			}
			assigned := false
			for _, a := range acts {
				switch a.(type) {
				case Assign:
					assigned = true
				case Revoke, Lose:
					waiting = !next.State().Terminal()
				case SendJoin, SendLeave:
					if waiting {
						fail("%T before RevokeDone", a)
					}
				}
				switch a := a.(type) {
				case Assign:
					for _, tp := range a.Partitions {
						if held[tp] {
							fail("assigned %s twice", tp)
						}
						if pending[tp] {
							fail("assigned %s while its revoke awaits RevokeDone", tp)
						}
						held[tp] = true
					}
				case Revoke:
					incremental := next.Rebalance() == assignor.Cooperative || (synced && !assigned)
					if a.Incremental != (incremental && !next.State().Terminal() && !next.closing) {
						fail("revoke with Incremental=%v", a.Incremental)
					}
					for _, tp := range a.Partitions {
						if !held[tp] {
							fail("revoked %s, not held", tp)
						}
						// An eager rejoin after the Assign gives up all.
						if kept[tp] && !(assigned && next.Rebalance() == assignor.Eager) {
							fail("revoked %s, which the SyncGroup keeps", tp)
						}
						delete(held, tp)
						pending[tp] = true
					}
				case Lose:
					for _, tp := range a.Partitions {
						if !held[tp] {
							fail("lost %s, not held", tp)
						}
						if kept[tp] {
							fail("lost %s, which the SyncGroup keeps", tp)
						}
						delete(held, tp)
						pending[tp] = true
					}
				case SendJoin:
					switch {
					case next.Rebalance() == assignor.Eager && len(held) > 0:
						fail("eager join while holding %v", held)
					case len(held) > 0 && (next.Generation() < 0 || a.MemberID == ""):
						fail("cooperative join holding %v without a generation", held)
					}
					for tp := range held {
						if _, ok := slices.BinarySearch(next.Topics(), tp.Topic); !ok {
							fail("join holding %s, not subscribed", tp)
						}
					}
				case SendHeartbeat:
					if a.Generation < 0 || a.MemberID == "" {
						fail("heartbeat outside a generation: %+v", a)
					}
				}
			}
			owned := next.Owned()
			if len(owned) != len(held) {
				fail("holds %v, owns %v", held, owned)
			}
			for _, tp := range owned {
				if !held[tp] {
					fail("owns %s, not held", tp)
				}
			}
			if waiting && next.State() != Revoking && !next.State().Terminal() {
				fail("waits for RevokeDone in %s", next.State())
			}
			if next.State().Terminal() && len(owned) > 0 {
				fail("%s owns %v", next.State(), owned)
			}
			if _, ok := ev.(JoinResponse); ok && m.Rebalance() != next.Rebalance() {
				switch {
				case next.Rebalance() == assignor.Eager && len(held) > 0:
					toEager++
				case next.Rebalance() == assignor.Cooperative:
					toCoop++
				}
			}
			m = next
		}
	}
	if len(config().Assignors) > 1 {
		t.Logf("protocol changes: %d cooperative to eager holding partitions, %d to cooperative", toEager, toCoop)
		if toEager == 0 || toCoop == 0 {
			t.Fatalf("the mixed walks changed protocol %d times to eager holding partitions, %d to cooperative: both cases must be walked", toEager, toCoop)
		}
	}
}

// randomEvent picks an event, mostly one that fits the member's state, with
// the member's own generation and id most of the time.
func randomEvent(rng *rand.Rand, m Member, now time.Time) Event {
	gen, member := m.Generation(), m.MemberID()
	if rng.IntN(5) == 0 {
		gen, member = gen-1, "old"
	}
	errs := []error{nil, nil, nil, protocol.ErrRebalanceInProgress, protocol.ErrUnknownMemberId, protocol.ErrIllegalGeneration,
		protocol.ErrNotCoordinator, protocol.ErrCoordinatorNotAvailable, protocol.ErrCoordinatorLoadInProgress,
		protocol.ErrMemberIdRequired}
	kerr := errs[rng.IntN(len(errs))]
	switch rng.IntN(60) {
	case 0:
		kerr = protocol.ErrGroupAuthorizationFailed
	case 1:
		kerr = protocol.ErrFencedInstanceId
	}
	parts := slices.Concat(tps("a/0 a/1 a/2 b/0")[:rng.IntN(4)])
	pick := rng.IntN(16)
	if rng.IntN(2) == 0 { // the happy path of the state, half the time
		switch m.State() {
		case Idle:
			pick = 0
		case FindingCoordinator:
			pick = 1
		case Joining:
			pick, kerr = 3, nil
		case Assigning:
			pick = 4
		case AwaitingSync:
			pick, kerr, gen = 5, nil, m.Generation()
		case Revoking:
			pick = 15
		case Stable:
			pick = []int{6, 10, 12}[rng.IntN(3)]
		}
	}
	switch pick {
	case 0:
		return Start{Now: now, Topics: []string{"a", "b"}}
	case 1:
		return CoordinatorFound{Now: now}
	case 2:
		return CoordinatorFailed{Now: now, Err: kerr}
	case 3:
		leader := "m1"
		id := []string{"m1", "m2"}[rng.IntN(2)]
		r := joinOK(now, id, gen+1+int32(rng.IntN(2)), leader)
		if kerr != nil && rng.IntN(2) == 0 {
			r = JoinResponse{Now: now, Err: kerr, MemberID: "m3", Generation: -1}
		}
		return r
	case 4:
		return AssignmentComputed{Now: now, Generation: gen, PartitionCounts: map[string]int32{"a": 3}}
	case 5:
		r := syncOK(now, gen, strings.Join(strings.Fields(fmtTPs(parts)[1:len(fmtTPs(parts))-1]), " "))
		if kerr != nil && rng.IntN(2) == 0 {
			r.Err = kerr
		}
		return r
	case 6, 7:
		return HeartbeatResponse{Now: now, Generation: gen, MemberID: member, Err: kerr}
	case 8:
		return LeaveResponse{Now: now, Err: kerr}
	case 9:
		apis := []protocol.APIKey{protocol.KeyFindCoordinator, protocol.KeyJoinGroup, protocol.KeySyncGroup, protocol.KeyHeartbeat, protocol.KeyLeaveGroup}
		return RequestFailed{Now: now, API: apis[rng.IntN(len(apis))]}
	case 10, 11:
		return Tick{Now: now}
	case 12:
		return Poll{Now: now}
	case 13:
		return SubscriptionChanged{Now: now, Topics: [][]string{{"a"}, {"a", "b"}, {"b"}}[rng.IntN(3)]}
	case 14:
		if rng.IntN(20) == 0 {
			return Close{Now: now, Leave: LeaveMode(rng.IntN(3))}
		}
		return MetadataChanged{Now: now, PartitionCounts: map[string]int32{"a": int32(2 + rng.IntN(2))}}
	default:
		return RevokeDone{Now: now}
	}
}
