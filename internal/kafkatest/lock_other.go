//go:build !unix

package kafkatest

// lockFile does nothing where flock is unavailable.
func lockFile(string) (func(), error) { return func() {}, nil }
