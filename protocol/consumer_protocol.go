package protocol

import "fmt"

// The embedded consumer protocol: what consumers put in JoinGroup protocol
// metadata (ConsumerProtocolSubscription) and SyncGroup assignments
// (ConsumerProtocolAssignment), and the user data of the sticky assignors.
// These are not API messages: each starts with its own int16 version and is
// never flexible. A reader reads the fields of the version it carries, or of
// the highest version it knows when the version is higher, and ignores any
// bytes after them, as Java's ConsumerProtocol does (Kafka 4.4: a negative
// version is an error, a higher one is read as v3, trailing bytes are never
// checked). A rawkafka leader so accepts every member a Java leader accepts,
// whatever client version the member runs.

// ConsumerProtocolMaxVersion is the highest version of
// ConsumerProtocolSubscription and ConsumerProtocolAssignment rawkafka knows.
const ConsumerProtocolMaxVersion = 3

// ConsumerProtocolTopicPartition is a topic and some of its partitions (the
// JSON struct TopicPartition of both ConsumerProtocolSubscription and
// ConsumerProtocolAssignment, and the sticky assignor's previous assignment).
type ConsumerProtocolTopicPartition struct {
	Topic      string
	Partitions []int32
}

// ConsumerProtocolSubscription is a consumer's JoinGroup protocol metadata,
// versions 0-3: v1 adds the partitions it owns (KIP-429), v2 its generation
// (KIP-792), v3 its rack (KIP-881).
//
// After Decode, UserData points into src.
type ConsumerProtocolSubscription struct {
	Version int16 // the version written, or read (may exceed ConsumerProtocolMaxVersion)

	Topics          []string
	UserData        []byte                           // nullable
	OwnedPartitions []ConsumerProtocolTopicPartition // v1+
	GenerationId    int32                            // v2+, default -1
	RackId          *string                          // v3+; Java reads an empty rack as none
}

// Encode appends the subscription, prefixed by its version, to dst. Fields
// the version lacks are dropped (they are all ignorable). It fails for a
// version it does not know, as it could not write that version's fields.
func (s *ConsumerProtocolSubscription) Encode(dst []byte) ([]byte, error) {
	v := s.Version
	if v < 0 || v > ConsumerProtocolMaxVersion {
		return dst, fmt.Errorf("protocol: ConsumerProtocolSubscription v%d is not supported (rawkafka writes v0-%d)", v, ConsumerProtocolMaxVersion)
	}
	w := NewWriter(dst, false)
	w.Int16(v)
	w.StringArray(s.Topics)
	w.NullableBytes(s.UserData)
	if v >= 1 {
		appendConsumerTopicPartitions(&w, s.OwnedPartitions)
	}
	if v >= 2 {
		w.Int32(s.GenerationId)
	}
	if v >= 3 {
		w.NullableString(s.RackId)
	}
	return w.B, nil
}

// Decode reads a subscription from src, setting Version to the version it
// carries. It reads the fields of that version, or of
// ConsumerProtocolMaxVersion when the version is higher, and ignores the
// bytes after them (a newer client's fields, or padding): only a negative
// version or a field cut short is an error.
func (s *ConsumerProtocolSubscription) Decode(src []byte) error {
	r := NewReader(src, false)
	v := r.Int16("Version")
	if v < 0 && r.Err() == nil {
		r.Fail("Version", fmt.Sprintf("negative version %d", v))
	}
	*s = ConsumerProtocolSubscription{Version: v, GenerationId: -1}
	s.Topics = r.StringArray("Topics")
	s.UserData = r.NullableBytes("UserData")
	if v >= 1 {
		s.OwnedPartitions = readConsumerTopicPartitions(&r, "OwnedPartitions")
	}
	if v >= 2 {
		s.GenerationId = r.Int32("GenerationId")
	}
	if v >= 3 {
		s.RackId = r.NullableString("RackId")
	}
	r.Raw("(ignored)", r.Remaining())
	return r.Finish("ConsumerProtocolSubscription", v)
}

// ConsumerProtocolAssignment is the assignment a consumer group leader sends
// a member in SyncGroup, versions 0-3 (all with the same fields).
//
// After Decode, UserData points into src.
type ConsumerProtocolAssignment struct {
	Version int16 // the version written, or read (may exceed ConsumerProtocolMaxVersion)

	AssignedPartitions []ConsumerProtocolTopicPartition
	UserData           []byte // nullable
}

// Encode appends the assignment, prefixed by its version, to dst. It fails
// for a version it does not know.
func (a *ConsumerProtocolAssignment) Encode(dst []byte) ([]byte, error) {
	v := a.Version
	if v < 0 || v > ConsumerProtocolMaxVersion {
		return dst, fmt.Errorf("protocol: ConsumerProtocolAssignment v%d is not supported (rawkafka writes v0-%d)", v, ConsumerProtocolMaxVersion)
	}
	w := NewWriter(dst, false)
	w.Int16(v)
	appendConsumerTopicPartitions(&w, a.AssignedPartitions)
	w.NullableBytes(a.UserData)
	return w.B, nil
}

// Decode reads an assignment from src, setting Version to the version it
// carries, and ignores the bytes after the fields rawkafka knows, whatever
// the version (see ConsumerProtocolSubscription.Decode).
func (a *ConsumerProtocolAssignment) Decode(src []byte) error {
	r := NewReader(src, false)
	v := r.Int16("Version")
	if v < 0 && r.Err() == nil {
		r.Fail("Version", fmt.Sprintf("negative version %d", v))
	}
	*a = ConsumerProtocolAssignment{Version: v}
	a.AssignedPartitions = readConsumerTopicPartitions(&r, "AssignedPartitions")
	a.UserData = r.NullableBytes("UserData")
	r.Raw("(ignored)", r.Remaining())
	return r.Finish("ConsumerProtocolAssignment", v)
}

// appendConsumerTopicPartitions writes [topic string, partitions [int32]].
func appendConsumerTopicPartitions(w *Writer, tps []ConsumerProtocolTopicPartition) {
	w.ArrayLen(len(tps))
	for i := range tps {
		w.String(tps[i].Topic)
		w.Int32Array(tps[i].Partitions)
	}
}

// readConsumerTopicPartitions reads [topic string, partitions [int32]].
func readConsumerTopicPartitions(r *Reader, field string) []ConsumerProtocolTopicPartition {
	n := r.ArrayLen(field, 6) // a string and an array length at least
	if r.Err() != nil {
		return nil
	}
	tps := make([]ConsumerProtocolTopicPartition, n)
	for i := range tps {
		tps[i].Topic = r.String("Topic")
		tps[i].Partitions = r.Int32Array("Partitions")
	}
	return tps
}

// StickyAssignorUserData is the user data the eager "sticky" assignor puts in
// its subscription: the member's previous assignment and, from its v1, the
// generation of that assignment. It has no version prefix: v0 is the
// assignment alone, v1 appends an int32 generation.
//
// With subscription v2+ the owned partitions and generation come from the
// subscription itself; this data matters for members that send v0/v1.
type StickyAssignorUserData struct {
	PreviousAssignment []ConsumerProtocolTopicPartition
	Generation         int32 // -1 (no generation) when the data is v0
}

// Encode appends the user data to dst in its v1 layout, as the Java
// StickyAssignor writes it.
func (d *StickyAssignorUserData) Encode(dst []byte) []byte {
	w := NewWriter(dst, false)
	appendConsumerTopicPartitions(&w, d.PreviousAssignment)
	w.Int32(d.Generation)
	return w.B
}

// Decode reads sticky assignor user data of v1 or v0 from src. Like the Java
// StickyAssignor it reads v1 when four bytes follow the assignment, v0
// (Generation -1) otherwise, and ignores anything after; empty src is no
// previous assignment.
func (d *StickyAssignorUserData) Decode(src []byte) error {
	d.PreviousAssignment, d.Generation = nil, -1
	if len(src) == 0 {
		return nil
	}
	r := NewReader(src, false)
	d.PreviousAssignment = readConsumerTopicPartitions(&r, "PreviousAssignment")
	if r.Err() == nil && r.Remaining() >= 4 {
		d.Generation = r.Int32("Generation")
	}
	r.Raw("(ignored)", r.Remaining())
	if err := r.Finish("StickyAssignorUserData", 1); err != nil {
		d.PreviousAssignment, d.Generation = nil, -1
		return err
	}
	return nil
}

// CooperativeStickyAssignorUserData is the user data of the
// "cooperative-sticky" assignor: the member's generation, an int32 with no
// version prefix. With subscription v2+ the subscription's GenerationId is
// used instead.
type CooperativeStickyAssignorUserData struct {
	Generation int32
}

// Encode appends the user data to dst.
func (d *CooperativeStickyAssignorUserData) Encode(dst []byte) []byte {
	w := NewWriter(dst, false)
	w.Int32(d.Generation)
	return w.B
}

// Decode reads the user data from src; bytes after the generation are
// ignored. On an error Generation is -1, which is what the Java assignor
// assumes for data it cannot read.
func (d *CooperativeStickyAssignorUserData) Decode(src []byte) error {
	r := NewReader(src, false)
	d.Generation = r.Int32("Generation")
	r.Raw("(ignored)", r.Remaining())
	if err := r.Finish("CooperativeStickyAssignorUserData", 0); err != nil {
		d.Generation = -1
		return err
	}
	return nil
}
