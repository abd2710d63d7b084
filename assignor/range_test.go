package assignor

import (
	"maps"
	"testing"
)

// assignCase is one scenario: a group and the assignment Java gives it,
// each member's partitions written in topic, then partition order.
type assignCase struct {
	name   string
	topics map[string]Topic
	group  []Member
	want   map[string]string
}

// runCases runs the cases through a, checks every result with Check and
// compares it with the want.
func runCases(t *testing.T, a Assignor, b Balance, cases []assignCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := Group{Members: c.group, Topics: c.topics}
			out, err := a.Assign(g)
			if err != nil {
				t.Fatalf("Assign: %v", err)
			}
			if err := Check(g, out, b); err != nil {
				t.Errorf("Check: %v", err)
			}
			if got := formatAll(out); !maps.Equal(got, c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
		})
	}
}

// The scenarios of Java's RangeAssignorTest (Kafka 4.x), and its rack-aware
// tests' expectations for the cases where no rack matching happens.
func TestRange(t *testing.T) {
	all3 := []string{"t1", "t2", "t3"}
	runCases(t, Range, BalancePerTopic, []assignCase{{
		name:   "one consumer, no topic",
		topics: counts(),
		group:  []Member{dyn("consumer1")},
		want:   map[string]string{"consumer1": ""},
	}, {
		name:   "one consumer, topic without metadata",
		topics: counts(),
		group:  []Member{dyn("consumer1", "topic1")},
		want:   map[string]string{"consumer1": ""},
	}, {
		name:   "one consumer, topic with zero partitions",
		topics: counts("topic1", 0),
		group:  []Member{dyn("consumer1", "topic1")},
		want:   map[string]string{"consumer1": ""},
	}, {
		name:   "one consumer, one topic",
		topics: counts("topic1", 3),
		group:  []Member{dyn("consumer1", "topic1")},
		want:   map[string]string{"consumer1": "topic1-0 topic1-1 topic1-2"},
	}, {
		name:   "only subscribed topics",
		topics: counts("topic1", 3, "other", 3),
		group:  []Member{dyn("consumer1", "topic1")},
		want:   map[string]string{"consumer1": "topic1-0 topic1-1 topic1-2"},
	}, {
		name:   "one consumer, two topics",
		topics: counts("topic1", 1, "topic2", 2),
		group:  []Member{dyn("consumer1", "topic1", "topic2")},
		want:   map[string]string{"consumer1": "topic1-0 topic2-0 topic2-1"},
	}, {
		name:   "two consumers, one partition",
		topics: counts("topic1", 1),
		group:  []Member{dyn("consumer1", "topic1"), dyn("consumer2", "topic1")},
		want:   map[string]string{"consumer1": "topic1-0", "consumer2": ""},
	}, {
		name:   "two consumers, two partitions",
		topics: counts("topic1", 2),
		group:  []Member{dyn("consumer2", "topic1"), dyn("consumer1", "topic1")},
		want:   map[string]string{"consumer1": "topic1-0", "consumer2": "topic1-1"},
	}, {
		name:   "mixed topics",
		topics: counts("topic1", 3, "topic2", 2),
		group:  []Member{dyn("consumer1", "topic1"), dyn("consumer2", "topic1", "topic2"), dyn("consumer3", "topic1")},
		want: map[string]string{
			"consumer1": "topic1-0",
			"consumer2": "topic1-1 topic2-0 topic2-1",
			"consumer3": "topic1-2",
		},
	}, {
		name:   "two consumers, two topics, six partitions (the javadoc's example)",
		topics: counts("topic1", 3, "topic2", 3),
		group:  []Member{dyn("consumer1", "topic1", "topic2"), dyn("consumer2", "topic1", "topic2")},
		want: map[string]string{
			"consumer1": "topic1-0 topic1-1 topic2-0 topic2-1",
			"consumer2": "topic1-2 topic2-2",
		},
	}, {
		name:   "two static consumers order by instance id, not member id",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			static("consumer-b", "instance1", "topic1", "topic2"),
			static("consumer-a", "instance2", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer-b": "topic1-0 topic1-1 topic2-0 topic2-1",
			"consumer-a": "topic1-2 topic2-2",
		},
	}, {
		name:   "a static consumer comes before a dynamic one",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			dyn("consumer-a", "topic1", "topic2"),
			static("consumer-b", "instance1", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer-b": "topic1-0 topic1-1 topic2-0 topic2-1",
			"consumer-a": "topic1-2 topic2-2",
		},
	}, {
		name:   "static members and one dynamic",
		topics: counts("topic1", 5, "topic2", 4),
		group: []Member{
			dyn("consumer4", "topic1", "topic2"),
			static("consumer1", "instance1", "topic1", "topic2"),
			static("consumer2", "instance2", "topic1", "topic2"),
			static("consumer3", "instance3", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer1": "topic1-0 topic1-1 topic2-0",
			"consumer2": "topic1-2 topic2-1",
			"consumer3": "topic1-3 topic2-2",
			"consumer4": "topic1-4 topic2-3",
		},
	}, {
		name:   "static members and the dynamic one replaced",
		topics: counts("topic1", 5, "topic2", 4),
		group: []Member{
			static("consumer1", "instance1", "topic1", "topic2"),
			static("consumer2", "instance2", "topic1", "topic2"),
			static("consumer3", "instance3", "topic1", "topic2"),
			dyn("consumer5", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer1": "topic1-0 topic1-1 topic2-0",
			"consumer2": "topic1-2 topic2-1",
			"consumer3": "topic1-3 topic2-2",
			"consumer5": "topic1-4 topic2-3",
		},
	}, {
		name:   "a duplicate topic in a subscription counts once",
		topics: counts("topic1", 4),
		group:  []Member{dyn("consumer1", "topic1", "topic1"), dyn("consumer2", "topic1")},
		want:   map[string]string{"consumer1": "topic1-0 topic1-1", "consumer2": "topic1-2 topic1-3"},
	}, {
		name:   "uniform subscription",
		topics: counts("t1", 6, "t2", 7, "t3", 2),
		group:  []Member{dyn("consumer0", all3...), dyn("consumer1", all3...), dyn("consumer2", all3...)},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t2-2 t3-0",
			"consumer1": "t1-2 t1-3 t2-3 t2-4 t3-1",
			"consumer2": "t1-4 t1-5 t2-5 t2-6",
		},
	}, {
		name:   "member racks without replica racks: classic range",
		topics: counts("t1", 6, "t2", 7, "t3", 2),
		group: []Member{
			{ID: "consumer0", Topics: all3, Rack: "a"},
			{ID: "consumer1", Topics: all3, Rack: "b"},
			{ID: "consumer2", Topics: all3, Rack: "c"},
		},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t2-2 t3-0",
			"consumer1": "t1-2 t1-3 t2-3 t2-4 t3-1",
			"consumer2": "t1-4 t1-5 t2-5 t2-6",
		},
	}, {
		name:   "unequal subscription",
		topics: counts("t1", 6, "t2", 7, "t3", 2),
		group:  []Member{dyn("consumer0", all3...), dyn("consumer1", all3...), dyn("consumer2", "t1", "t3")},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t2-2 t2-3 t3-0",
			"consumer1": "t1-2 t1-3 t2-4 t2-5 t2-6 t3-1",
			"consumer2": "t1-4 t1-5",
		},
	}, {
		name:   "uniform partitions",
		topics: counts("t1", 5, "t2", 5, "t3", 5),
		group:  []Member{dyn("consumer0", all3...), dyn("consumer1", all3...), dyn("consumer2", all3...)},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t3-0 t3-1",
			"consumer1": "t1-2 t1-3 t2-2 t2-3 t3-2 t3-3",
			"consumer2": "t1-4 t2-4 t3-4",
		},
	}, {
		name:   "uniform partitions, unequal subscription",
		topics: counts("t1", 5, "t2", 5, "t3", 5),
		group:  []Member{dyn("consumer0", all3...), dyn("consumer1", all3...), dyn("consumer2", "t1", "t3")},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t2-2 t3-0 t3-1",
			"consumer1": "t1-2 t1-3 t2-3 t2-4 t3-2 t3-3",
			"consumer2": "t1-4 t3-4",
		},
	}, {
		name:   "co-partitioning, two subscriber sets",
		topics: counts("t1", 6, "t2", 6, "t3", 2, "t4", 2),
		group: []Member{
			dyn("consumer0", "t1", "t2"), dyn("consumer1", "t1", "t2"),
			dyn("consumer2", "t3", "t4"), dyn("consumer3", "t3", "t4"),
		},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t1-2 t2-0 t2-1 t2-2",
			"consumer1": "t1-3 t1-4 t1-5 t2-3 t2-4 t2-5",
			"consumer2": "t3-0 t4-0",
			"consumer3": "t3-1 t4-1",
		},
	}, {
		name:   "co-partitioning, four topics",
		topics: counts("t1", 6, "t2", 6, "t3", 2, "t4", 2),
		group: []Member{
			dyn("consumer0", "t1", "t2", "t3", "t4"), dyn("consumer1", "t1", "t2", "t3", "t4"),
			dyn("consumer2", "t1", "t2", "t3", "t4"), dyn("consumer3", "t1", "t2", "t3", "t4"),
		},
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t3-0 t4-0",
			"consumer1": "t1-2 t1-3 t2-2 t2-3 t3-1 t4-1",
			"consumer2": "t1-4 t2-4",
			"consumer3": "t1-5 t2-5",
		},
	}, {
		name:   "co-partitioning, subscribed topics without metadata",
		topics: counts("t1", 6, "t2", 6, "t3", 2, "t4", 2, "t5", 4, "t6", 4),
		group: func() []Member {
			topics := []string{"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"}
			return []Member{
				{ID: "consumer0", Topics: topics, Rack: "a"},
				{ID: "consumer1", Topics: topics, Rack: "b"},
				{ID: "consumer2", Topics: topics, Rack: "c"},
			}
		}(),
		want: map[string]string{
			"consumer0": "t1-0 t1-1 t2-0 t2-1 t3-0 t4-0 t5-0 t5-1 t6-0 t6-1",
			"consumer1": "t1-2 t1-3 t2-2 t2-3 t3-1 t4-1 t5-2 t6-2",
			"consumer2": "t1-4 t1-5 t2-4 t2-5 t5-3 t6-3",
		},
	}})
}

// As Java's testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges:
// static members keep their partitions when the coordinator gives them new
// member ids.
func TestRangeStaticMembersKeepPartitionsAcrossMemberIds(t *testing.T) {
	testStaticKeep(t, Range, map[string]string{
		"instance1": "topic1-0 topic1-1 topic2-0 topic2-1",
		"instance2": "topic1-2 topic1-3 topic2-2 topic2-3",
		"instance3": "topic1-4 topic2-4",
	})
}

// testStaticKeep assigns topic1 and topic2 (five partitions each) to three
// static members, then again after two of them got new member ids, and
// wants the same assignment by instance id both times.
func testStaticKeep(t *testing.T, a Assignor, want map[string]string) {
	t.Helper()
	topics := counts("topic1", 5, "topic2", 5)
	before := []Member{
		static("consumer1", "instance1", "topic1", "topic2"),
		static("consumer2", "instance2", "topic1", "topic2"),
		static("consumer3", "instance3", "topic1", "topic2"),
	}
	after := []Member{
		static("consumer1", "instance1", "topic1", "topic2"),
		static("consumer5", "instance2", "topic1", "topic2"),
		static("consumer4", "instance3", "topic1", "topic2"),
	}
	for _, members := range [][]Member{before, after} {
		out, err := a.Assign(Group{Members: members, Topics: topics})
		if err != nil {
			t.Fatal(err)
		}
		got := make(map[string]string)
		for _, m := range members {
			got[m.InstanceID] = format(out[m.ID].Partitions)
		}
		if !maps.Equal(got, want) {
			t.Errorf("members %v:\ngot  %v\nwant %v", members, got, want)
		}
	}
}
