package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rawkafka/rawkafka/conn"
	"github.com/rawkafka/rawkafka/protocol"
)

// frame is one frame seen by conn.Config.OnFrame, copied.
type frame struct {
	dir     conn.Direction
	key     protocol.APIKey
	version int16
	b       []byte
}

// recorder keeps the frames a connection sends and receives, and writes
// the ones asked for.
type recorder struct {
	out string

	mu     sync.Mutex
	frames []frame

	written map[string]bool
	index   []string // lines of index.txt
}

func newRecorder(out string) (*recorder, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	old, err := filepath.Glob(filepath.Join(out, "*.bin"))
	if err != nil {
		return nil, err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	return &recorder{out: out, written: make(map[string]bool)}, nil
}

// onFrame is the conn.Config.OnFrame of every connection.
func (r *recorder) onFrame(dir conn.Direction, key protocol.APIKey, version int16, b []byte) {
	r.mu.Lock()
	r.frames = append(r.frames, frame{dir, key, version, append([]byte(nil), b...)})
	r.mu.Unlock()
}

// take returns the frames seen since the last take and forgets them.
func (r *recorder) take() []frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.frames
	r.frames = nil
	return f
}

// fixtureName is the file name prefix of one exchange.
func fixtureName(key protocol.APIKey, version int16, label string) string {
	name := fmt.Sprintf("%s-v%d", key, version)
	if label != "" {
		name += "-" + label
	}
	return name
}

// writePair writes a request frame and its response frame.
func (r *recorder) writePair(req, resp frame, label, desc string) error {
	if req.dir != conn.Sent || resp.dir != conn.Received || req.key != resp.key || req.version != resp.version {
		return fmt.Errorf("frames do not pair up: %s %s v%d, %s %s v%d",
			req.dir, req.key, req.version, resp.dir, resp.key, resp.version)
	}
	name := fixtureName(req.key, req.version, label)
	if r.written[name] {
		return fmt.Errorf("%s captured twice", name)
	}
	r.written[name] = true
	if err := os.WriteFile(filepath.Join(r.out, name+"-request.bin"), req.b, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.out, name+"-response.bin"), resp.b, 0o644); err != nil {
		return err
	}
	r.index = append(r.index, fmt.Sprintf("%-44s %s", name, desc))
	log.Printf("  %-44s %d + %d bytes", name, len(req.b), len(resp.b))
	return nil
}

// writeIndex writes index.txt: one line per exchange, in capture order.
func (r *recorder) writeIndex(broker string) error {
	var b strings.Builder
	b.WriteString("# Exchanges captured by internal/capture (scripts/capture-fixtures), in the order they ran.\n")
	if broker != "" {
		fmt.Fprintf(&b, "# Broker: %s\n", broker)
	}
	b.WriteString("# Each NAME has NAME-request.bin and NAME-response.bin: whole frames, size prefix included.\n")
	for _, l := range r.index {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return os.WriteFile(filepath.Join(r.out, "index.txt"), []byte(b.String()), 0o644)
}

// exchange sends req at its version on c and writes both frames. The frames
// are written even when the response does not decode, since that is what a
// fixture is for; the error is returned after.
func (s *session) exchange(ctx context.Context, c *conn.Conn, label, desc string, req protocol.Request) (protocol.Response, error) {
	s.rec.take()
	resp, err := c.DoPinned(ctx, req)
	frames := s.rec.take()
	if len(frames) == 2 {
		if werr := s.rec.writePair(frames[0], frames[1], label, desc); werr != nil {
			return nil, werr
		}
	} else if err == nil {
		err = fmt.Errorf("%s v%d: saw %d frames, want a request and a response", req.Key(), req.APIVersion(), len(frames))
	}
	if err != nil {
		return nil, err
	}
	if code := errorCodes(resp); len(code) > 0 {
		log.Printf("    error codes: %s", strings.Join(code, ", "))
	}
	return resp, nil
}

// errorCodes lists the non-zero top-level error codes of the common
// responses, for the log only.
func errorCodes(resp protocol.Response) []string {
	var codes []int16
	switch r := resp.(type) {
	case *protocol.JoinGroupResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.SyncGroupResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.HeartbeatResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.LeaveGroupResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.ConsumerGroupHeartbeatResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.SaslHandshakeResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.SaslAuthenticateResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.ListGroupsResponse:
		codes = append(codes, r.ErrorCode)
	case *protocol.CreateTopicsResponse:
		for _, t := range r.Topics {
			codes = append(codes, t.ErrorCode)
		}
	case *protocol.OffsetCommitResponse:
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				codes = append(codes, p.ErrorCode)
			}
		}
	case *protocol.FetchResponse:
		codes = append(codes, r.ErrorCode)
		for _, t := range r.Responses {
			for _, p := range t.Partitions {
				codes = append(codes, p.ErrorCode)
			}
		}
	}
	var out []string
	for _, c := range codes {
		if c != 0 {
			out = append(out, protocol.ErrorForCode(c).(*protocol.Error).Name)
		}
	}
	return out
}
