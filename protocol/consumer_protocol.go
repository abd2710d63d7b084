package protocol

import (
	"encoding/binary"
	"fmt"
	"slices"
)

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
// After Decode, UserData points into src; the owned partitions of all
// topics share one backing array. After DecodeNames or DecodeFlat, Topics
// and the topic names may also be shared with the other subscriptions
// decoded with the same TopicNames: none of them may be changed.
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
func (s *ConsumerProtocolSubscription) Decode(src []byte) error { return s.DecodeNames(src, nil) }

// DecodeNames is Decode with the topic names kept in names, for a leader
// that decodes every member's subscription: a Topics list equal to the one
// names saw last is that same slice, and each name one string however many
// subscriptions carry it. A nil names is Decode.
func (s *ConsumerProtocolSubscription) DecodeNames(src []byte, names *TopicNames) error {
	_, err := s.decode(src, names, false)
	return err
}

// DecodeFlat is DecodeNames for a leader that wants the owned partitions
// flat, as an assignor reads them: it leaves OwnedPartitions nil and
// returns them one TopicPartition a partition, in the order of the data
// (nil for none; nil too on an error).
func (s *ConsumerProtocolSubscription) DecodeFlat(src []byte, names *TopicNames) ([]TopicPartition, error) {
	return s.decode(src, names, true)
}

// decode is DecodeNames, or with flat DecodeFlat.
func (s *ConsumerProtocolSubscription) decode(src []byte, names *TopicNames, flat bool) ([]TopicPartition, error) {
	r := NewReader(src, false)
	v := r.Int16("Version")
	if v < 0 && r.Err() == nil {
		r.Fail("Version", fmt.Sprintf("negative version %d", v))
	}
	*s = ConsumerProtocolSubscription{Version: v, GenerationId: -1}
	s.Topics = names.readTopics(&r, "Topics")
	s.UserData = r.NullableBytes("UserData")
	var owned []TopicPartition
	switch {
	case v >= 1 && flat:
		owned = readFlatTopicPartitions(&r, "OwnedPartitions", names)
	case v >= 1:
		s.OwnedPartitions = readConsumerTopicPartitions(&r, "OwnedPartitions", names)
	}
	if v >= 2 {
		s.GenerationId = r.Int32("GenerationId")
	}
	if v >= 3 {
		s.RackId = r.NullableString("RackId")
	}
	r.Raw("(ignored)", r.Remaining())
	if err := r.Finish("ConsumerProtocolSubscription", v); err != nil {
		return nil, err
	}
	return owned, nil
}

// ConsumerProtocolAssignment is the assignment a consumer group leader sends
// a member in SyncGroup, versions 0-3 (all with the same fields).
//
// After Decode, UserData points into src, and the partitions of all topics
// share one backing array.
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
	w := NewWriter(slices.Grow(dst, 2+consumerTopicPartitionsSize(a.AssignedPartitions)+4+len(a.UserData)), false)
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
	a.AssignedPartitions = readConsumerTopicPartitions(&r, "AssignedPartitions", nil)
	a.UserData = r.NullableBytes("UserData")
	r.Raw("(ignored)", r.Remaining())
	return r.Finish("ConsumerProtocolAssignment", v)
}

// consumerTopicPartitionsSize is the length of tps as
// appendConsumerTopicPartitions writes it, to grow a buffer once.
func consumerTopicPartitionsSize(tps []ConsumerProtocolTopicPartition) int {
	n := 4
	for i := range tps {
		n += 2 + len(tps[i].Topic) + 4 + 4*len(tps[i].Partitions)
	}
	return n
}

// appendConsumerTopicPartitions writes [topic string, partitions [int32]].
func appendConsumerTopicPartitions(w *Writer, tps []ConsumerProtocolTopicPartition) {
	w.ArrayLen(len(tps))
	for i := range tps {
		w.String(tps[i].Topic)
		w.Int32Array(tps[i].Partitions)
	}
}

// AppendConsumerProtocolAssignment appends to dst the
// ConsumerProtocolAssignment of version v that carries parts and userData,
// straight from the flat list: each run of consecutive partitions of one
// topic is one entry, in the order of parts, so parts sorted by topic give
// the bytes ConsumerProtocolAssignment.Encode gives for them grouped by
// topic. The bytes are counted first and dst grown once.
func AppendConsumerProtocolAssignment(dst []byte, v int16, parts []TopicPartition, userData []byte) ([]byte, error) {
	if v < 0 || v > ConsumerProtocolMaxVersion {
		return dst, fmt.Errorf("protocol: ConsumerProtocolAssignment v%d is not supported (rawkafka writes v0-%d)", v, ConsumerProtocolMaxVersion)
	}
	size, entries := consumerProtocolAssignmentLen(parts, userData)
	w := NewWriter(slices.Grow(dst, size), false)
	w.Int16(v)
	w.ArrayLen(entries)
	for i := 0; i < len(parts); {
		j := i + 1
		for j < len(parts) && parts[j].Topic == parts[i].Topic {
			j++
		}
		w.String(parts[i].Topic)
		w.ArrayLen(j - i)
		for _, tp := range parts[i:j] {
			w.Int32(tp.Partition)
		}
		i = j
	}
	w.NullableBytes(userData)
	return w.B, nil
}

// ConsumerProtocolAssignmentLen is the length of what
// AppendConsumerProtocolAssignment writes for parts and userData (the same
// at every version), so that a leader can encode every member's
// assignment into one buffer.
func ConsumerProtocolAssignmentLen(parts []TopicPartition, userData []byte) int {
	size, _ := consumerProtocolAssignmentLen(parts, userData)
	return size
}

// consumerProtocolAssignmentLen is ConsumerProtocolAssignmentLen and the
// number of topic entries: one per run of partitions of one topic.
func consumerProtocolAssignmentLen(parts []TopicPartition, userData []byte) (size, entries int) {
	size = 2 + 4 + 4*len(parts) + 4 + len(userData)
	for i := range parts {
		if i == 0 || parts[i].Topic != parts[i-1].Topic {
			size += 2 + len(parts[i].Topic) + 4
			entries++
		}
	}
	return size, entries
}

// countConsumerTopicPartitions is the number of partitions in the n
// entries of [topic string, partitions [int32]] that r is at, for one
// backing array for all of them. It only looks ahead (r does not move):
// it stops at the first length that does not fit, where reading them will
// fail. The consumer protocol is never flexible, so the lengths are fixed
// width.
func countConsumerTopicPartitions(r *Reader, n int) int {
	b := r.buf[r.off:]
	total := 0
	for range n {
		if len(b) < 2 {
			break
		}
		l := int(int16(binary.BigEndian.Uint16(b)))
		if l < 0 || len(b)-2-4 < l {
			break
		}
		b = b[2+l:]
		k := int(int32(binary.BigEndian.Uint32(b)))
		if k < 0 || (len(b)-4)/4 < k {
			break
		}
		b = b[4+4*k:]
		total += k
	}
	return total
}

// readConsumerTopicPartition reads one [topic string, partitions [int32]]
// entry and returns the topic's bytes and the partitions' (4 a
// partition), both pointing into r's buffer. An entry that fits is read
// in one step, without a call per field; any other goes through the
// Reader field by field, for its error.
func readConsumerTopicPartition(r *Reader) (topic, partitions []byte) {
	if b := r.buf[r.off:]; r.err == nil && len(b) >= 6 {
		if l := int(int16(binary.BigEndian.Uint16(b))); l >= 0 && len(b)-6 >= l {
			if k := int(int32(binary.BigEndian.Uint32(b[2+l:]))); k >= 0 && (len(b)-6-l)/4 >= k {
				r.off += 6 + l + 4*k
				return b[2 : 2+l : 2+l], b[6+l : 6+l+4*k : 6+l+4*k]
			}
		}
	}
	topic = r.stringSpan("Topic")
	k := r.ArrayLen("Partitions", 4)
	if r.err != nil {
		return topic, nil
	}
	return topic, r.span("Partitions", 4*k)
}

// readConsumerTopicPartitions reads [topic string, partitions [int32]],
// the partitions of all topics in one backing array, the topic names from
// names.
func readConsumerTopicPartitions(r *Reader, field string, names *TopicNames) []ConsumerProtocolTopicPartition {
	n := r.ArrayLen(field, 6) // a string and an array length at least
	if r.Err() != nil {
		return nil
	}
	all := make([]int32, countConsumerTopicPartitions(r, n))
	tps := make([]ConsumerProtocolTopicPartition, n)
	names.startEntries()
	for i := range tps {
		topic, b := readConsumerTopicPartition(r)
		tps[i].Topic = names.entry(i, topic)
		k := len(b) / 4
		if r.err != nil || k > len(all) {
			continue
		}
		p := all[:k:k]
		all = all[k:]
		for j := range p {
			p[j] = int32(binary.BigEndian.Uint32(b[4*j:]))
		}
		tps[i].Partitions = p
	}
	names.endEntries()
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
	w := NewWriter(slices.Grow(dst, consumerTopicPartitionsSize(d.PreviousAssignment)+4), false)
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
	d.PreviousAssignment = readConsumerTopicPartitions(&r, "PreviousAssignment", nil)
	d.Generation = readStickyGeneration(&r)
	if err := r.Finish("StickyAssignorUserData", 1); err != nil {
		d.PreviousAssignment, d.Generation = nil, -1
		return err
	}
	return nil
}

// StickyAssignorUserDataPartitions reads sticky assignor user data as
// StickyAssignorUserData.Decode does, and returns the previous assignment
// flat, one TopicPartition a partition in the order of the data (nil for
// none), and its generation; the topic names come from names (nil for a
// string each). A leader reads every member's user data so, without a
// list of topics per member. On an error it returns nil and -1.
func StickyAssignorUserDataPartitions(src []byte, names *TopicNames) ([]TopicPartition, int32, error) {
	if len(src) == 0 {
		return nil, -1, nil
	}
	r := NewReader(src, false)
	out := readFlatTopicPartitions(&r, "PreviousAssignment", names)
	gen := readStickyGeneration(&r)
	if err := r.Finish("StickyAssignorUserData", 1); err != nil {
		return nil, -1, err
	}
	return out, gen, nil
}

// StickyAssignorUserDataEach reads sticky assignor user data as
// StickyAssignorUserData.Decode does, without building the previous
// assignment: it calls each with every entry of it in order, the topic's
// name and its partitions (four bytes each, big-endian), both pointing
// into src, and returns the generation. A leader that keeps its own form
// of every member's claims reads them so, with nothing allocated. On an
// error it returns -1 and the error, each having been called for the
// entries before it, which the caller must discard.
func StickyAssignorUserDataEach(src []byte, each func(topic, partitions []byte)) (int32, error) {
	if len(src) == 0 {
		return -1, nil
	}
	r := NewReader(src, false)
	n := r.ArrayLen("PreviousAssignment", 6)
	for range n {
		topic, b := readConsumerTopicPartition(&r)
		if r.err != nil {
			break
		}
		each(topic, b)
	}
	gen := readStickyGeneration(&r)
	if err := r.Finish("StickyAssignorUserData", 1); err != nil {
		return -1, err
	}
	return gen, nil
}

// readFlatTopicPartitions reads [topic string, partitions [int32]] into
// one TopicPartition a partition (nil for none), the topic names from
// names.
func readFlatTopicPartitions(r *Reader, field string, names *TopicNames) []TopicPartition {
	n := r.ArrayLen(field, 6)
	if r.err != nil {
		return nil
	}
	var out []TopicPartition
	if total := countConsumerTopicPartitions(r, n); total > 0 {
		out = make([]TopicPartition, 0, total)
	}
	names.startEntries()
	for i := range n {
		name, b := readConsumerTopicPartition(r)
		topic := names.entry(i, name)
		for j := 0; j+4 <= len(b); j += 4 {
			out = append(out, TopicPartition{Topic: topic, Partition: int32(binary.BigEndian.Uint32(b[j:]))})
		}
	}
	names.endEntries()
	return out
}

// readStickyGeneration reads what follows the previous assignment in
// sticky assignor user data: the generation when four bytes follow (v1),
// else -1 (v0), and anything after it is ignored.
func readStickyGeneration(r *Reader) int32 {
	gen := int32(-1)
	if r.Err() == nil && r.Remaining() >= 4 {
		gen = r.Int32("Generation")
	}
	r.Raw("(ignored)", r.Remaining())
	return gen
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
