package assignor_test

import (
	"fmt"

	"github.com/rawkafka/rawkafka/assignor"
)

// The example of Java's RangeAssignor javadoc, and what roundrobin makes of it.
func Example() {
	g := assignor.Group{
		Topics: map[string]assignor.Topic{"t0": {Partitions: 3}, "t1": {Partitions: 3}},
		Members: []assignor.Member{
			{ID: "C1", Topics: []string{"t0", "t1"}, Generation: -1},
			{ID: "C0", Topics: []string{"t0", "t1"}, Generation: -1},
		},
	}
	for _, name := range []string{"range", "org.apache.kafka.clients.consumer.RoundRobinAssignor"} {
		a, err := assignor.ByName(name)
		if err != nil {
			panic(err)
		}
		out, err := a.Assign(g)
		if err != nil {
			panic(err)
		}
		if err := assignor.Check(g, out, assignor.BalancePerTopic); err != nil {
			panic(err)
		}
		fmt.Println(a.Name(), "C0:", out["C0"].Partitions, "C1:", out["C1"].Partitions)
	}
	p, _ := assignor.RebalanceProtocolOf([]assignor.Assignor{assignor.Range, assignor.RoundRobin})
	chosen, _ := assignor.SelectProtocol([][]string{{"roundrobin", "range"}, {"range"}})
	fmt.Println(p, chosen)
	// Output:
	// range C0: [t0/0 t0/1 t1/0 t1/1] C1: [t0/2 t1/2]
	// roundrobin C0: [t0/0 t0/2 t1/1] C1: [t0/1 t1/0 t1/2]
	// eager range
}
