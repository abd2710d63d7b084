package main

import "time"

// waitUntil checks cond every 20 ms until it holds (true) or timeout has
// passed (false); the caller reports the timeout, with what it knows.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
	return true
}
