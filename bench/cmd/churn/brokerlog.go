package main

import (
	"bufio"
	"os"
	"strings"
	"time"
)

// rebalanceLogged returns the time of the first "Preparing to rebalance
// group G" line of -broker-log at or after after whose reason contains
// reason. Kafka's log has millisecond times in the machine's zone, the
// one time.Local has.
func rebalanceLogged(group string, after time.Time, reason string) (time.Time, bool) {
	if *brokerLog == "" {
		return time.Time{}, false
	}
	f, err := os.Open(*brokerLog)
	if err != nil {
		return time.Time{}, false
	}
	defer f.Close()
	want := "Preparing to rebalance group " + group + " in state"
	// A logged millisecond holds instants up to 1 ms after it.
	from := after.Add(-time.Millisecond)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, want) || !strings.Contains(line, reason) || len(line) < 25 || line[0] != '[' {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[1:24], time.Local)
		if err == nil && !at.Before(from) {
			return at, true
		}
	}
	return time.Time{}, false
}

// coordinatorAfter returns the time from t0 to the coordinator's
// rebalance of group for reason, -1 when the log does not show it.
func coordinatorAfter(group string, t0 time.Time, reason string) time.Duration {
	at, ok := rebalanceLogged(group, t0, reason)
	if !ok {
		return -1
	}
	return at.Sub(t0)
}
