package group

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rawkafka/rawkafka/assignor"
	"github.com/rawkafka/rawkafka/protocol"
)

// joinMember is a JoinGroup response member with a v3 subscription to
// topics (instance "" for a dynamic member).
func joinMember(t *testing.T, id, instance string, version int16, topics ...string) protocol.JoinGroupResponseMember {
	t.Helper()
	sub := protocol.ConsumerProtocolSubscription{Version: version, Topics: topics, GenerationId: -1}
	b, err := sub.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	m := protocol.JoinGroupResponseMember{MemberId: id, Metadata: b}
	if instance != "" {
		m.GroupInstanceId = &instance
	}
	return m
}

// decodeAssignments reads what the leader would send back into the
// assignor's form, checking the wire version.
func decodeAssignments(t *testing.T, in []protocol.SyncGroupRequestAssignment) map[string]assignor.Assignment {
	t.Helper()
	out := make(map[string]assignor.Assignment)
	for _, a := range in {
		var p protocol.ConsumerProtocolAssignment
		if err := p.Decode(a.Assignment); err != nil {
			t.Fatalf("assignment of %s: %v", a.MemberId, err)
		}
		if p.Version != 3 {
			t.Fatalf("assignment of %s at v%d, want v3 (Java writes the newest)", a.MemberId, p.Version)
		}
		out[a.MemberId] = assignor.AssignmentFromProtocol(&p)
	}
	return out
}

func TestAssignFunc(t *testing.T) {
	counts := map[string]int32{"a": 3, "b": 4, "c": 1}
	meta := func(_ context.Context, topics []string) (map[string]assignor.Topic, error) {
		if strings.Join(topics, ",") != "a,b,c,gone" {
			t.Errorf("metadata asked for %v", topics)
		}
		return fromCounts(counts), nil
	}
	members := []protocol.JoinGroupResponseMember{
		joinMember(t, "m-z", "", 3, "a", "b", "gone"),
		joinMember(t, "m-a", "", 0, "a", "b"), // an old member, subscription v0
		joinMember(t, "m-s", "static-1", 3, "a", "c"),
	}
	var logs bytes.Buffer
	for _, as := range []assignor.Assignor{assignor.Range, assignor.RoundRobin} {
		logs.Reset()
		f := NewAssignFunc([]assignor.Assignor{assignor.Range, assignor.RoundRobin}, meta, slog.New(slog.NewTextHandler(&logs, nil)))
		out, from, err := f(context.Background(), ComputeAssignment{Generation: 5, Protocol: as.Name(), Members: members})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int32{"a": 3, "b": 4, "c": 1, "gone": 0}; !maps.Equal(from, want) {
			t.Errorf("%s: assigned from %v, want %v", as.Name(), from, want)
		}
		if len(out) != 3 || out[0].MemberId != "m-z" || out[1].MemberId != "m-a" || out[2].MemberId != "m-s" {
			t.Fatalf("%s: assignments %+v, want one per member in the members' order", as.Name(), out)
		}
		got := decodeAssignments(t, out)
		// Check and the assignor itself, over the same input, agree.
		g, _, err := decodeMembers(members)
		if err != nil {
			t.Fatal(err)
		}
		group := assignor.Group{Members: g, Topics: map[string]assignor.Topic{"a": {Partitions: 3}, "b": {Partitions: 4}, "c": {Partitions: 1}}}
		if err := assignor.Check(group, got, assignor.BalancePerTopic); err != nil {
			t.Errorf("%s: %v", as.Name(), err)
		}
		want, _ := as.Assign(group)
		for id, w := range want {
			if fmtTPs(w.Partitions) != fmtTPs(got[id].Partitions) {
				t.Errorf("%s: %s got %v, the assignor gives %v", as.Name(), id, got[id].Partitions, w.Partitions)
			}
		}
		if !strings.Contains(logs.String(), "topics=[gone]") {
			t.Errorf("%s: the missing topic is not logged: %s", as.Name(), logs.String())
		}
	}
	// The static member is first in member order: with range it takes
	// a/0 (the extra partition of a).
	f := NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil)
	out, _, _ := f(context.Background(), ComputeAssignment{Protocol: "range", Members: members})
	if got := decodeAssignments(t, out)["m-s"]; fmtTPs(got.Partitions) != "[a/0 c/0]" {
		t.Errorf("static member got %v", got.Partitions)
	}
}

func TestAssignFuncFails(t *testing.T) {
	meta := func(context.Context, []string) (map[string]assignor.Topic, error) {
		return fromCounts(map[string]int32{"a": 1}), nil
	}
	good := joinMember(t, "m1", "", 3, "a")
	for _, tc := range []struct {
		name    string
		f       AssignFunc
		a       ComputeAssignment
		wantErr string
	}{
		{"unknown protocol", NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil),
			ComputeAssignment{Protocol: "roundrobin", Members: []protocol.JoinGroupResponseMember{good}}, `chose assignor "roundrobin"`},
		{"bad subscription", NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil),
			ComputeAssignment{Protocol: "range", Members: []protocol.JoinGroupResponseMember{good, {MemberId: "m2", Metadata: []byte{0, 3, 0}}}}, `the subscription of member "m2"`},
		{"duplicate member", NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil),
			ComputeAssignment{Protocol: "range", Members: []protocol.JoinGroupResponseMember{good, good}}, `assignor "range"`},
		{"no metadata func", NewAssignFunc([]assignor.Assignor{assignor.Range}, nil, nil),
			ComputeAssignment{Protocol: "range", Members: []protocol.JoinGroupResponseMember{good}}, "no MetadataFunc"},
	} {
		if _, _, err := tc.f(context.Background(), tc.a); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

// TestAssignFuncRetriesMetadata: a metadata failure is retried until ctx
// ends, and then it is the error.
func TestAssignFuncRetriesMetadata(t *testing.T) {
	var calls atomic.Int32
	broken := errors.New("no broker reachable")
	meta := func(context.Context, []string) (map[string]assignor.Topic, error) {
		if calls.Add(1) < 3 {
			return nil, broken
		}
		return fromCounts(map[string]int32{"a": 2}), nil
	}
	f := NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil)
	a := ComputeAssignment{Protocol: "range", Members: []protocol.JoinGroupResponseMember{joinMember(t, "m1", "", 3, "a")}}
	out, _, err := f(context.Background(), a)
	if err != nil || calls.Load() != 3 || fmtTPs(decodeAssignments(t, out)["m1"].Partitions) != "[a/0 a/1]" {
		t.Fatalf("%v after %d calls", err, calls.Load())
	}
	f = NewAssignFunc([]assignor.Assignor{assignor.Range}, func(context.Context, []string) (map[string]assignor.Topic, error) { return nil, broken }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, _, err := f(ctx, a); !errors.Is(err, broken) {
		t.Fatalf("%v", err)
	}
}

// TestLeaderWatchesWhatItAssignedFrom: with the counts NewAssignFunc
// returns (0 for a subscribed topic that does not exist), the leader
// rejoins when that topic is created or an assigned topic is deleted, and
// not when nothing it assigned from changed.
func TestLeaderWatchesWhatItAssignedFrom(t *testing.T) {
	leader := func() Member {
		m := reach(newMember(t, testConfig()), Start{Now: t0, Topics: []string{"a", "gone"}}, CoordinatorFound{Now: t0},
			joinOK(t0, "m1", 1, "m1"),
			AssignmentComputed{Now: t0, Generation: 1, PartitionCounts: map[string]int32{"a": 2, "gone": 0}},
			syncOK(t0, 1, "a/0 a/1"))
		if m.State() != Stable || !m.Leader() || !maps.Equal(m.AssignedFrom(), map[string]int32{"a": 2, "gone": 0}) {
			t.Fatalf("%s leader=%v from %v", m.State(), m.Leader(), m.AssignedFrom())
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		counts map[string]int32
		rejoin bool
	}{
		{"unchanged, the missing topic left out", map[string]int32{"a": 2, "other": 7}, false},
		{"unchanged, the missing topic at 0", map[string]int32{"a": 2, "gone": 0}, false},
		{"the missing topic is created", map[string]int32{"a": 2, "gone": 1}, true},
		{"an assigned topic is deleted", map[string]int32{"a": 0}, true},
		{"only other topics known", map[string]int32{"other": 1}, false},
		{"an assigned topic grows", map[string]int32{"a": 3}, true},
	} {
		m, _ := leader().Step(MetadataChanged{Now: at(10), PartitionCounts: tc.counts})
		if got := m.State() == Revoking; got != tc.rejoin {
			t.Errorf("%s: %s, rejoin %v want %v", tc.name, m.State(), got, tc.rejoin)
		}
	}
}

// TestAssignFuncSkip: a static leader told to skip the assignment
// (KIP-814) only counts the group's topics, whatever its assignors.
func TestAssignFuncSkip(t *testing.T) {
	meta := func(context.Context, []string) (map[string]assignor.Topic, error) {
		return fromCounts(map[string]int32{"a": 2}), nil
	}
	f := NewAssignFunc([]assignor.Assignor{assignor.Range}, meta, nil)
	out, counts, err := f(context.Background(), ComputeAssignment{Protocol: "other", SkipAssignment: true,
		Members: []protocol.JoinGroupResponseMember{joinMember(t, "m1", "i1", 3, "a"), joinMember(t, "m2", "i2", 3, "b")}})
	if err != nil || out != nil || !maps.Equal(counts, map[string]int32{"a": 2, "b": 0}) {
		t.Fatalf("%v %v %v", out, counts, err)
	}
}
