package main

import (
	"fmt"
	"slices"
	"time"
)

func ms(d time.Duration) string { return fmt.Sprintf("%d", d.Milliseconds()) }

func printRun(n int, r result) {
	fmt.Printf("run %d: join: generation %d -> %d; OnRevoked from %s to %s ms, all OnAssigned %s ms, all members fetching %s ms, all partitions %s ms, new member's first record %s ms; longest partition gap %s ms (in the 3 s before: %s ms; record timestamp to Poll %s ms, between timestamps %s ms, slowest produce ack %s ms)\n",
		n, r.genBefore, r.genAfter, ms(r.firstRevoked), ms(r.lastRevoked), ms(r.allAssigned), ms(r.allFetching), ms(r.allParts), ms(r.newFirst), ms(r.joinGap), ms(r.steadyGap), ms(r.steadyLatency), ms(r.steadyMade), ms(r.steadyAck))
	fmt.Printf("run %d: static restart: Close %s ms; New to OnAssigned %s ms, to first record %s ms; generation %d -> %d; OnRevoked elsewhere %d; longest gap of its partitions %s ms\n",
		n, ms(r.staticClose), ms(r.staticAssign), ms(r.staticFirst), r.staticGenPre, r.staticGenPost, r.othersRevoked, ms(r.staticGap))
}

func printSummary(rs []result) {
	rows := []struct {
		name string
		get  func(result) time.Duration
	}{
		{"join: Subscribe to the first old member's OnRevoked (it stops fetching)", func(r result) time.Duration { return r.firstRevoked }},
		{"join: Subscribe to the last old member's OnRevoked", func(r result) time.Duration { return r.lastRevoked }},
		{"join: Subscribe to every member's OnAssigned", func(r result) time.Duration { return r.allAssigned }},
		{"join: Subscribe to every member fetching again", func(r result) time.Duration { return r.allFetching }},
		{"join: the stall: the first OnRevoked to every member fetching again", func(r result) time.Duration { return r.allFetching - r.firstRevoked }},
		{"join: Subscribe to every partition's first record after that", func(r result) time.Duration { return r.allParts }},
		{"join: Subscribe to the new member's first record", func(r result) time.Duration { return r.newFirst }},
		{"join: longest partition without a record", func(r result) time.Duration { return r.joinGap }},
		{"steady: longest partition without a record (3 s before the join)", func(r result) time.Duration { return r.steadyGap }},
		{"steady: longest from a record's timestamp to its Poll (3 s before the join)", func(r result) time.Duration { return r.steadyLatency }},
		{"static restart: Close", func(r result) time.Duration { return r.staticClose }},
		{"static restart: New to OnAssigned", func(r result) time.Duration { return r.staticAssign }},
		{"static restart: New to first record", func(r result) time.Duration { return r.staticFirst }},
		{"static restart: longest gap of its partitions, from Close", func(r result) time.Duration { return r.staticGap }},
	}
	fmt.Printf("\n| %d runs | median ms | min ms | max ms |\n|---|--:|--:|--:|\n", len(rs))
	for _, row := range rows {
		var ds []time.Duration
		for _, r := range rs {
			ds = append(ds, row.get(r))
		}
		slices.Sort(ds)
		fmt.Printf("| %s | %s | %s | %s |\n", row.name, ms(median(ds)), ms(ds[0]), ms(ds[len(ds)-1]))
	}
	same, revokes := 0, 0
	for _, r := range rs {
		if r.staticGenPre == r.staticGenPost {
			same++
		}
		revokes += r.othersRevoked
	}
	fmt.Printf("\nstatic restart: generation unchanged in %d of %d runs; OnRevoked of the other members during the restarts: %d\n", same, len(rs), revokes)
}

func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
