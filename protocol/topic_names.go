package protocol

// TopicNames keeps one string for each topic name that many consumer
// protocol messages repeat. A group leader decodes every member's
// subscription, and 2,000 members subscribed to the same 500 topics are a
// million copies of 500 names; decoded with one TopicNames they are 500
// strings, and the members' Topics lists, when equal to the one decoded
// before, one slice.
//
// A TopicNames holds the names it has seen (never the input buffers) and
// is for one goroutine at a time. The zero value is ready to use; nil
// means no sharing (every name its own string, as Decode makes them).
type TopicNames struct {
	known map[string]string
	// topics is the Topics list of the last subscription decoded, which
	// the next is compared with first.
	topics []string
	// entries holds the topics of the last list of topic-partitions
	// decoded, by position: the next list's i-th topic is tried against
	// its i-th before the map.
	entries []string
	next    []string
}

// name is the string of topic name b.
func (n *TopicNames) name(b []byte) string {
	if n == nil {
		return string(b)
	}
	if s, ok := n.known[string(b)]; ok {
		return s
	}
	if n.known == nil {
		n.known = make(map[string]string)
	}
	s := string(b)
	n.known[s] = s
	return s
}

// entry is the string of the topic name b of the i-th entry of a list of
// topic-partitions, tried against the i-th entry of the list before.
func (n *TopicNames) entry(i int, b []byte) string {
	if n == nil {
		return string(b)
	}
	var s string
	if i < len(n.entries) && n.entries[i] == string(b) {
		s = n.entries[i]
	} else {
		s = n.name(b)
	}
	n.next = append(n.next, s)
	return s
}

// startEntries and endEntries bracket the decoding of one list of
// topic-partitions: the list decoded becomes the one the next is tried
// against.
func (n *TopicNames) startEntries() {
	if n != nil {
		n.next = n.next[:0]
	}
}

func (n *TopicNames) endEntries() {
	if n != nil {
		n.entries, n.next = n.next, n.entries
	}
}

// readTopics reads the Topics array of a subscription. With names, a list
// equal to the one decoded before (or to its beginning) is that slice, and
// any other has its names from names.
func (n *TopicNames) readTopics(r *Reader, field string) []string {
	count := r.ArrayLen(field, 1)
	if r.err != nil {
		return nil
	}
	if n == nil {
		a := make([]string, count)
		for i := range a {
			a[i] = string(r.stringSpan(field))
		}
		return a
	}
	last := n.topics
	var a []string // nil as long as every name matches last's
	for i := range count {
		b := r.stringSpan(field)
		if r.err != nil {
			return nil
		}
		if a == nil {
			if i < len(last) && last[i] == string(b) {
				continue
			}
			a = make([]string, count)
			copy(a, last[:i])
		}
		a[i] = n.name(b)
	}
	if a == nil {
		if count == 0 {
			return []string{}
		}
		a = last[:count:count]
	}
	n.topics = a
	return a
}
