package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func msOf(d time.Duration) string { return fmt.Sprintf("%d", d.Milliseconds()) }

func printResult(r result) {
	fmt.Printf("%s %s run %d %s: unaffected members %d, revoking %d; revoked and kept %d; unmoved %d, longest gap %s ms (p%d from %+d ms); moved %d, fetched again after %s ms; pause %s ms; coordinator %s ms\n",
		r.Client, r.Strategy, r.Run, r.Event, r.Unaffected, r.Revoking, r.RevokedKept, r.Unmoved, msOf(r.Gap), r.GapPartition, r.GapFrom.Milliseconds(), r.Moved, msOf(r.Refetched), msOf(r.Pause), msOf(r.Coordinator))
}

// spread is "median (min-max)" in ms.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return ""
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	n := len(ds)
	med := ds[n/2]
	if n%2 == 0 {
		med = (ds[n/2-1] + ds[n/2]) / 2
	}
	if n == 1 {
		return msOf(med)
	}
	return fmt.Sprintf("%s (%s-%s)", msOf(med), msOf(ds[0]), msOf(ds[n-1]))
}

// printTable prints one row per client, strategy and event: medians and
// ranges over the runs that got that far.
func printTable(configs []config, rs []result) {
	fmt.Println("| client | strategy | event | runs | unaffected members revoking | partitions revoked and kept | partitions moved | longest gap, unmoved partitions (ms) | moved partitions fetched again (ms) | whole-group pause (ms) | to the coordinator's rebalance / kill: eviction to first callback (ms) |")
	fmt.Println("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range configs {
		for _, ev := range []string{"join", "leave", "kill"} {
			var gap, ref, pause, coord, moved []time.Duration
			unaffected, revoking, kept, n := 0, 0, 0, 0
			for _, r := range rs {
				if r.Client != c.client || r.Strategy != c.strategy || r.Event != ev {
					continue
				}
				n++
				unaffected += r.Unaffected
				revoking += r.Revoking
				kept += r.RevokedKept
				gap = append(gap, r.Gap)
				ref = append(ref, r.Refetched)
				pause = append(pause, r.Pause)
				moved = append(moved, time.Duration(r.Moved)*time.Millisecond)
				if r.Coordinator >= 0 {
					coord = append(coord, r.Coordinator)
				}
			}
			if n == 0 {
				continue
			}
			p := ""
			if c.eager() {
				p = spread(pause)
			}
			fmt.Printf("| %s | %s | %s | %d | %d of %d | %d | %s | %s | %s | %s | %s |\n",
				c.client, c.strategy, ev, n, revoking, unaffected, kept, strings.TrimSuffix(spread(moved), ""), spread(gap), spread(ref), p, spread(coord))
		}
	}
}
