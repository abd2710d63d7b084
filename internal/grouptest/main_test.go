package grouptest

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	RemoveRawconsumeBinary()
	os.Exit(code)
}
