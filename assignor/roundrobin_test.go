package assignor

import "testing"

// The scenarios of Java's RoundRobinAssignorTest (Kafka 4.x) and the
// examples of RoundRobinAssignor's javadoc.
func TestRoundRobin(t *testing.T) {
	runCases(t, RoundRobin, BalancePerTopic|BalanceTotal, []assignCase{{
		name:   "one consumer, no topic",
		topics: counts(),
		group:  []Member{dyn("consumer")},
		want:   map[string]string{"consumer": ""},
	}, {
		name:   "one consumer, topic without metadata",
		topics: counts(),
		group:  []Member{dyn("consumer", "topic")},
		want:   map[string]string{"consumer": ""},
	}, {
		name:   "no members",
		topics: counts("topic", 3),
		group:  nil,
		want:   map[string]string{},
	}, {
		name:   "one consumer, one topic",
		topics: counts("topic", 3),
		group:  []Member{dyn("consumer", "topic")},
		want:   map[string]string{"consumer": "topic-0 topic-1 topic-2"},
	}, {
		name:   "only subscribed topics",
		topics: counts("topic", 3, "other", 3),
		group:  []Member{dyn("consumer", "topic")},
		want:   map[string]string{"consumer": "topic-0 topic-1 topic-2"},
	}, {
		name:   "one consumer, two topics",
		topics: counts("topic1", 1, "topic2", 2),
		group:  []Member{dyn("consumer", "topic1", "topic2")},
		want:   map[string]string{"consumer": "topic1-0 topic2-0 topic2-1"},
	}, {
		name:   "two consumers, one partition",
		topics: counts("topic", 1),
		group:  []Member{dyn("consumer2", "topic"), dyn("consumer1", "topic")},
		want:   map[string]string{"consumer1": "topic-0", "consumer2": ""},
	}, {
		name:   "two consumers, two partitions",
		topics: counts("topic", 2),
		group:  []Member{dyn("consumer1", "topic"), dyn("consumer2", "topic")},
		want:   map[string]string{"consumer1": "topic-0", "consumer2": "topic-1"},
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
		name:   "two dynamic consumers, two topics, six partitions",
		topics: counts("topic1", 3, "topic2", 3),
		group:  []Member{dyn("consumer1", "topic1", "topic2"), dyn("consumer2", "topic1", "topic2")},
		want: map[string]string{
			"consumer1": "topic1-0 topic1-2 topic2-1",
			"consumer2": "topic1-1 topic2-0 topic2-2",
		},
	}, {
		name:   "two static consumers order by instance id, not member id",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			static("consumer-b", "instance1", "topic1", "topic2"),
			static("consumer-a", "instance2", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer-b": "topic1-0 topic1-2 topic2-1",
			"consumer-a": "topic1-1 topic2-0 topic2-2",
		},
	}, {
		name:   "a static consumer comes before a dynamic one",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			dyn("consumer-a", "topic1", "topic2"),
			static("consumer-b", "instance1", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer-b": "topic1-0 topic1-2 topic2-1",
			"consumer-a": "topic1-1 topic2-0 topic2-2",
		},
	}, {
		name:   "static members and one dynamic",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			static("consumer1", "instance1", "topic1", "topic2"),
			static("consumer2", "instance2", "topic1", "topic2"),
			static("consumer3", "instance3", "topic1", "topic2"),
			dyn("consumer4", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer1": "topic1-0 topic2-1",
			"consumer2": "topic1-1 topic2-2",
			"consumer3": "topic1-2",
			"consumer4": "topic2-0",
		},
	}, {
		name:   "static members and the dynamic one replaced",
		topics: counts("topic1", 3, "topic2", 3),
		group: []Member{
			dyn("consumer5", "topic1", "topic2"),
			static("consumer3", "instance3", "topic1", "topic2"),
			static("consumer2", "instance2", "topic1", "topic2"),
			static("consumer1", "instance1", "topic1", "topic2"),
		},
		want: map[string]string{
			"consumer1": "topic1-0 topic2-1",
			"consumer2": "topic1-1 topic2-2",
			"consumer3": "topic1-2",
			"consumer5": "topic2-0",
		},
	}, {
		name:   "the javadoc's example",
		topics: counts("t0", 3, "t1", 3),
		group:  []Member{dyn("C0", "t0", "t1"), dyn("C1", "t0", "t1")},
		want:   map[string]string{"C0": "t0-0 t0-2 t1-1", "C1": "t0-1 t1-0 t1-2"},
	}, {
		name:   "the javadoc's unequal subscriptions",
		topics: counts("t0", 1, "t1", 2, "t2", 3),
		group:  []Member{dyn("C0", "t0"), dyn("C1", "t0", "t1"), dyn("C2", "t0", "t1", "t2")},
		want:   map[string]string{"C0": "t0-0", "C1": "t1-0", "C2": "t1-1 t2-0 t2-1 t2-2"},
	}, {
		// C1 and C2 subscribe alike, yet C1 gets two partitions and C2
		// none: each topic starts where the last one stopped, and b (C3's
		// alone) moves the iterator past C2 and back to C1. Balance in total
		// holds only when all subscriptions are equal.
		name:   "a topic of one member shifts the others",
		topics: counts("a", 1, "b", 1, "c", 1),
		group:  []Member{dyn("C1", "a", "c"), dyn("C2", "a", "c"), dyn("C3", "b")},
		want:   map[string]string{"C1": "a-0 c-0", "C2": "", "C3": "b-0"},
	}})
}

// As Java's testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges.
func TestRoundRobinStaticMembersKeepPartitionsAcrossMemberIds(t *testing.T) {
	testStaticKeep(t, RoundRobin, map[string]string{
		"instance1": "topic1-0 topic1-3 topic2-1 topic2-4",
		"instance2": "topic1-1 topic1-4 topic2-2",
		"instance3": "topic1-2 topic2-0 topic2-3",
	})
}
