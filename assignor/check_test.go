package assignor

import (
	"strings"
	"testing"

	"github.com/rawkafka/rawkafka/protocol"
)

func tp(topic string, p int32) protocol.TopicPartition {
	return protocol.TopicPartition{Topic: topic, Partition: p}
}

// Check must catch every kind of broken assignment.
func TestCheckCatches(t *testing.T) {
	g := Group{
		Topics:  counts("a", 2, "b", 1, "other", 1),
		Members: []Member{dyn("m1", "a", "b"), dyn("m2", "a")},
	}
	good := func() map[string]Assignment {
		return map[string]Assignment{
			"m1": {Partitions: []protocol.TopicPartition{tp("a", 0), tp("b", 0)}},
			"m2": {Partitions: []protocol.TopicPartition{tp("a", 1)}},
		}
	}
	if err := Check(g, good(), BalancePerTopic); err != nil {
		t.Fatalf("a good assignment: %v", err)
	}
	cases := []struct {
		name   string
		g      Group
		mutate func(map[string]Assignment)
		b      Balance
		want   string
	}{
		{"a partition left out", g, func(o map[string]Assignment) {
			o["m2"] = Assignment{}
		}, 0, "a/1 is not assigned"},
		{"a partition twice", g, func(o map[string]Assignment) {
			o["m2"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 1), tp("a", 0)}}
		}, 0, "a/0 is assigned twice"},
		{"a partition twice to one member", g, func(o map[string]Assignment) {
			o["m2"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 1), tp("a", 1)}}
		}, 0, "a/1 is assigned twice"},
		{"to a member not subscribed", g, func(o map[string]Assignment) {
			o["m1"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 0)}}
			o["m2"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 1), tp("b", 0)}}
		}, 0, `"m2" got b/0 without subscribing`},
		{"an unsubscribed topic", g, func(o map[string]Assignment) {
			o["m1"] = Assignment{Partitions: append(o["m1"].Partitions, tp("other", 0))}
		}, 0, `"m1" got other/0 without subscribing`},
		{"a partition that does not exist", g, func(o map[string]Assignment) {
			o["m1"] = Assignment{Partitions: append(o["m1"].Partitions, tp("a", 2))}
		}, 0, "a/2, which does not exist"},
		{"a topic that does not exist", g, func(o map[string]Assignment) {
			o["m1"] = Assignment{Partitions: append(o["m1"].Partitions, tp("nope", 0))}
		}, 0, "nope/0, which does not exist"},
		{"a member missing", g, func(o map[string]Assignment) {
			delete(o, "m2")
			o["m1"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 0), tp("a", 1), tp("b", 0)}}
		}, 0, `member "m2" has no assignment`},
		{"a stranger", g, func(o map[string]Assignment) {
			o["m3"] = Assignment{}
		}, 0, `assignment for "m3", who is not a member`},
		{"a duplicate member", Group{Topics: g.Topics, Members: append(g.Members, dyn("m1", "a"))}, func(map[string]Assignment) {},
			0, `member "m1" appears twice`},
		{"unbalanced in a topic", g, func(o map[string]Assignment) {
			o["m1"] = Assignment{Partitions: []protocol.TopicPartition{tp("a", 0), tp("a", 1), tp("b", 0)}}
			o["m2"] = Assignment{}
		}, BalancePerTopic, `topic a unbalanced: "m1" has 2, "m2" has 0`},
	}
	for _, c := range cases {
		out := good()
		c.mutate(out)
		err := Check(c.g, out, c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check = %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func TestCheckTotalBalance(t *testing.T) {
	topics := counts("a", 2, "b", 2)
	// Range's assignment: balanced per topic, not in total.
	out := map[string]Assignment{
		"m1": {Partitions: []protocol.TopicPartition{tp("a", 0), tp("b", 0)}},
		"m2": {Partitions: []protocol.TopicPartition{tp("a", 1), tp("b", 1)}},
		"m3": {},
	}
	same := Group{Topics: topics, Members: []Member{dyn("m1", "a", "b"), dyn("m2", "a", "b"), dyn("m3", "b", "a")}}
	if err := Check(same, out, BalancePerTopic); err != nil {
		t.Errorf("per topic: %v", err)
	}
	if err := Check(same, out, BalanceTotal); err == nil || !strings.Contains(err.Error(), "all partitions unbalanced") {
		t.Errorf("in total, equal subscriptions: %v, want unbalanced", err)
	}
	// With unequal subscriptions there is no total rule.
	unequal := Group{Topics: topics, Members: []Member{dyn("m1", "a", "b"), dyn("m2", "a", "b"), dyn("m3", "b")}}
	if err := Check(unequal, out, BalanceTotal); err != nil {
		t.Errorf("in total, unequal subscriptions: %v", err)
	}
}

func TestCheckBoundsItsReport(t *testing.T) {
	g := Group{Topics: counts("a", 100), Members: []Member{dyn("m", "a")}}
	err := Check(g, map[string]Assignment{"m": {}}, 0)
	if err == nil || !strings.Contains(err.Error(), "and 90 more") {
		t.Errorf("Check = %v, want ten problems and 90 more", err)
	}
}
