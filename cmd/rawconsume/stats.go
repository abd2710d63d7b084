package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
)

// rebalanceStats is -G --stats (and -d): each rebalance's record, printed
// to stderr when it completes. kcat has no such output; its users read
// stderr lines starting with "% ", so the record is one such line and one
// more, indented, per partition:
//
//	% Group g rebalance: cause rebalance in progress (heartbeat), generation 5 -> 6, memberid m, follower, cooperative (cooperative-sticky): join 12 ms (1 JoinGroup), sync 3 ms, total 17 ms; revoked 1, lost 0, assigned 0, kept 2; complete
//	%   t [0] kept: longest fetch gap 260 ms
//	%   t [2] revoked: 42 ms from its last fetch to the revoke
func formatRebalance(group string, r rawkafka.Rebalance) string {
	var b strings.Builder
	role := "follower"
	if r.Leader {
		role = "leader"
	}
	joins := "JoinGroups"
	if r.JoinGroups == 1 {
		joins = "JoinGroup"
	}
	fmt.Fprintf(&b, "%% Group %s rebalance: cause %s, generation %d -> %d, memberid %s, %s, %s (%s): join %s (%d %s), sync %s, total %s; revoked %d, lost %d, assigned %d, kept %d; ",
		group, r.Cause, r.GenerationBefore, r.GenerationAfter, r.MemberID, role, r.Protocol, r.Assignor,
		millis(r.JoinTime()), r.JoinGroups, joins, millis(r.SyncTime()), millis(r.Total()),
		len(r.Revoked), len(r.Lost), len(r.Assigned), len(r.Kept))
	if r.Complete {
		b.WriteString("complete")
		if !r.Applied.IsZero() {
			fmt.Fprintf(&b, " %s after the assignment", millis(r.Completed.Sub(r.Applied)))
		}
	} else {
		fmt.Fprintf(&b, "incomplete: %d partition(s) never fetched", len(r.Waiting))
		if r.Applied.IsZero() {
			b.WriteString(", the assignment never came")
		}
	}
	b.WriteByte('\n')
	for _, s := range r.Stalls {
		fmt.Fprintf(&b, "%%   %s [%d] %s: ", s.Topic, s.Partition, s.Change)
		switch {
		case s.Waiting:
			fmt.Fprintf(&b, "not fetched yet, %s without a fetch", millis(s.Stall))
		case s.Change == rawkafka.PartitionKept:
			fmt.Fprintf(&b, "longest fetch gap %s", millis(s.Stall))
		case s.Change == rawkafka.PartitionAssigned:
			fmt.Fprintf(&b, "first fetch %s after the trigger", millis(s.Stall))
		case s.Change == rawkafka.PartitionLost:
			fmt.Fprintf(&b, "%s from its last fetch to the loss", millis(s.Stall))
		default:
			fmt.Fprintf(&b, "%s from its last fetch to the revoke", millis(s.Stall))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// millis writes d in whole milliseconds, as kcat's "for %d ms".
func millis(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

// printRebalances returns the listener's OnTimeline for --stats and -d:
// it writes each record to w.
func printRebalances(group string, w io.Writer) func(*rawkafka.Consumer, rawkafka.Rebalance) {
	return func(_ *rawkafka.Consumer, r rawkafka.Rebalance) {
		io.WriteString(w, formatRebalance(group, r))
	}
}
