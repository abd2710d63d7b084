package assignor

import "cmp"

// compareMembers orders members as Java's AbstractPartitionAssignor.MemberInfo
// does, which range and roundrobin both sort by: static members (with a
// group.instance.id) before dynamic ones, static members by instance id,
// dynamic members by member id. Keeping the static members' order tied to
// their instance ids keeps their assignment across restarts, when the
// coordinator hands them new member ids.
func compareMembers(a, b *Member) int {
	switch {
	case a.InstanceID != "" && b.InstanceID != "":
		// Java stops at the instance id; no coordinator lets two members
		// share one, and the member id only keeps the order total.
		return cmp.Or(compareJava(a.InstanceID, b.InstanceID), compareJava(a.ID, b.ID))
	case a.InstanceID != "":
		return -1
	case b.InstanceID != "":
		return 1
	}
	return compareJava(a.ID, b.ID)
}

// compareJava compares two UTF-8 strings as Java's String.compareTo compares
// the same text, by UTF-16 code unit. That is byte order except where a
// character from U+E000 to U+FFFF meets one above U+FFFF: in UTF-16 the
// latter starts with a surrogate (U+D800 to U+DBFF) and sorts first. Member
// ids embed the client.id, which may hold any text, so librdkafka (which
// compares bytes) and Java can disagree there; rawkafka sides with Java.
//
// The first byte where two valid UTF-8 strings differ starts a character in
// both (the bytes before it are equal, and a lead byte fixes the sequence's
// length), so its lead bytes alone decide: 0xEE-0xEF start U+E000-U+FFFF,
// 0xF0-0xF4 start U+10000 and above.
func compareJava(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmp.Compare(len(a), len(b))
	}
	x, y := a[i], b[i]
	switch {
	case x >= 0xF0 && (y == 0xEE || y == 0xEF):
		return -1
	case y >= 0xF0 && (x == 0xEE || x == 0xEF):
		return 1
	}
	return cmp.Compare(x, y)
}
