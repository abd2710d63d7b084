package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/rawkafka/rawkafka"
	"github.com/rawkafka/rawkafka/protocol"
)

// checkGroupArgs checks what -G allows beyond the common options.
func checkGroupArgs(o *options) error {
	if o.offset.kind == offsetTime {
		return errors.New("-o s@<ms> cannot be used with -G (kcat refuses it too): give beginning, end, stored, <offset> or -<count>")
	}
	for _, t := range o.topics {
		if t == "" || t == "^" {
			return fmt.Errorf("-G %s: empty topic name", o.group)
		}
		if strings.HasPrefix(t, "^") {
			if _, err := regexp.Compile(t); err != nil {
				return fmt.Errorf("-G %s: topic pattern %s: %v", o.group, t, err)
			}
		}
	}
	return nil
}

// groupReset is the auto.offset.reset that -o means with -G: the start of
// the partitions the group has committed nothing for. "" leaves -X's (or
// the default, latest).
func groupReset(o *options) string {
	if !o.offsetSet {
		return ""
	}
	switch o.offset.kind {
	case offsetBeginning:
		return "earliest"
	case offsetEnd, offsetAbsolute, offsetTail:
		return "latest" // until startUncommitted seeks
	}
	return ""
}

// startUncommitted moves the partitions the group has committed nothing
// for to -o's offset or tail: kcat -G starts every assigned partition
// there, at every rebalance; rawconsume -G keeps the committed offsets and
// uses -o only where there is none, as auto.offset.reset does.
func (m *member) startUncommitted(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
	if m.from.kind != offsetAbsolute && m.from.kind != offsetTail {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	committed, err := c.Committed(ctx, tps...)
	if err != nil {
		m.info("Group %s: committed offsets: %v (starting at the end)", m.group, err)
		return
	}
	var fresh []rawkafka.TopicPartition
	for _, tp := range tps {
		if o, ok := committed[tp]; ok && o.Err == nil && o.Offset < 0 {
			fresh = append(fresh, tp)
		}
	}
	if len(fresh) == 0 {
		return
	}
	var ends map[rawkafka.TopicPartition]int64
	if m.from.kind == offsetTail {
		if ends, err = c.EndOffsets(ctx, fresh...); err != nil {
			m.info("Group %s: end offsets: %v (starting at the end)", m.group, err)
			return
		}
	}
	for _, tp := range fresh {
		at := m.from.n
		if m.from.kind == offsetTail {
			at = max(ends[tp]-m.from.n, 0)
		}
		if err := c.Seek(tp, rawkafka.At(at)); err != nil {
			m.info("Group %s: seek %s [%d] to %d: %v", m.group, tp.Topic, tp.Partition, at, err)
		}
	}
}

// subscriptionPattern returns, when a -G topic starts with '^' (a regex, as
// in kcat), one pattern for the whole list: librdkafka finds a regex
// anywhere in a topic's name (regexec) where SubscribeRegex matches the
// whole name, so each regex is wrapped in .*(...).*, and named topics
// beside it match only themselves. "" means no regex: subscribe to names.
func subscriptionPattern(topics []string) string {
	regex := false
	var alts []string
	for _, t := range topics {
		if strings.HasPrefix(t, "^") {
			regex = true
			alts = append(alts, ".*(?:"+t+").*")
		} else {
			alts = append(alts, regexp.QuoteMeta(t))
		}
	}
	if !regex {
		return ""
	}
	return strings.Join(alts, "|")
}

// member is rawconsume -G's state for the rebalance listener: what it has
// printed (and may commit), and since when it has had nothing to fetch.
type member struct {
	c       *rawkafka.Consumer
	group   string
	quiet   bool
	errOut  io.Writer
	commits bool       // enable.auto.commit: rawconsume commits what it printed
	from    offsetSpec // -o, for partitions without a committed offset
	// printed holds, for each owned partition, the offset after the last
	// record written out (flushed): the only offsets ever committed, so a
	// record is on stdout before its offset can be committed.
	printed   map[rawkafka.TopicPartition]rawkafka.CommittedOffset
	committed map[rawkafka.TopicPartition]int64 // what the last commit carried
	owned     int
	idleSince time.Time // when the member last had no partition; zero while it has some
}

// cooperative reports whether the generation runs the cooperative
// protocol (KIP-429): the group selected cooperative-sticky, so the lines
// are kcat's incremental ones. The default strategy [cooperative-sticky,
// range] runs either, generation by generation.
func (m *member) cooperative(c *rawkafka.Consumer) bool { return c.GroupMetadata().Cooperative }

func (m *member) info(format string, args ...any) {
	if !m.quiet {
		fmt.Fprintf(m.errOut, "%% "+format+"\n", args...)
	}
}

// kcatList is kcat's "t [0], t [1]".
func kcatList(tps []rawkafka.TopicPartition) string {
	var b strings.Builder
	for i, tp := range tps {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s [%d]", tp.Topic, tp.Partition)
	}
	return b.String()
}

func (m *member) assigned(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
	if m.cooperative(c) {
		m.info("Group %s rebalanced: incremental assignment of %d partition(s) (memberid %s, COOPERATIVE rebalance protocol): %s",
			m.group, len(tps), c.GroupMetadata().MemberID, kcatList(tps))
	} else {
		m.info("Group %s rebalanced (memberid %s): assigned: %s", m.group, c.GroupMetadata().MemberID, kcatList(tps))
	}
	if m.owned > 0 {
		// Kept partitions were fetched all along (cooperative, or the
		// round in which the group fell back to an eager assignor).
		m.owned += len(tps)
		m.startUncommitted(c, tps)
		return
	}
	idle := time.Since(m.idleSince).Milliseconds()
	if len(tps) == 0 {
		m.info("Group %s: no partitions to fetch for %d ms so far: none assigned", m.group, idle)
		return
	}
	m.info("Group %s: no partitions to fetch for %d ms", m.group, idle)
	m.owned, m.idleSince = len(tps), time.Time{}
	m.startUncommitted(c, tps)
}

// revoked commits what was printed of the partitions given up, while the
// generation still holds.
func (m *member) revoked(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
	if m.cooperative(c) {
		m.info("Group %s rebalanced: incremental revoke of %d partition(s) (memberid %s, COOPERATIVE rebalance protocol): %s",
			m.group, len(tps), c.GroupMetadata().MemberID, kcatList(tps))
	} else {
		m.info("Group %s rebalanced (memberid %s): revoked: %s", m.group, c.GroupMetadata().MemberID, kcatList(tps))
	}
	if m.commits {
		offsets := map[rawkafka.TopicPartition]rawkafka.CommittedOffset{}
		for _, tp := range tps {
			if o, ok := m.printed[tp]; ok {
				offsets[tp] = o
			}
		}
		if len(offsets) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := c.Commit(ctx, offsets)
			cancel()
			if err != nil {
				m.info("Group %s: commit of revoked partitions failed: %v", m.group, err)
			}
		}
	}
	m.drop(tps)
}

// lost forgets partitions another member may own already: nothing is
// committed for them. kcat's eager line does not tell a loss from a revoke.
func (m *member) lost(c *rawkafka.Consumer, tps []rawkafka.TopicPartition) {
	if m.cooperative(c) {
		m.info("Group %s rebalanced: incremental revoke of %d partition(s) (memberid %s, assignment lost, COOPERATIVE rebalance protocol): %s",
			m.group, len(tps), c.GroupMetadata().MemberID, kcatList(tps))
	} else {
		m.info("Group %s rebalanced (memberid %s): revoked: %s", m.group, c.GroupMetadata().MemberID, kcatList(tps))
	}
	m.info("Group %s: assignment lost (nothing committed for it)", m.group)
	m.drop(tps)
}

func (m *member) drop(tps []rawkafka.TopicPartition) {
	for _, tp := range tps {
		delete(m.printed, tp)
		delete(m.committed, tp)
	}
	left := max(m.owned-len(tps), 0) // 0 after an eager revoke, which names all
	if left == 0 && (m.owned > 0 || m.idleSince.IsZero()) {
		m.idleSince = time.Now()
	}
	m.owned = left
}

// commitPrinted commits, in the background, what was printed and not yet
// committed.
func (m *member) commitPrinted() {
	offsets := map[rawkafka.TopicPartition]rawkafka.CommittedOffset{}
	for tp, o := range m.printed {
		if m.committed[tp] != o.Offset {
			offsets[tp] = o
			m.committed[tp] = o.Offset
		}
	}
	if len(offsets) == 0 {
		return
	}
	m.c.CommitAsync(offsets, func(offs map[rawkafka.TopicPartition]rawkafka.CommittedOffset, err error) {
		if err == nil {
			return
		}
		for tp := range offs {
			delete(m.committed, tp) // try again next time
		}
		if !errors.Is(err, rawkafka.ErrCommitFailed) {
			m.info("Group %s: commit failed: %v", m.group, err)
		}
	})
}

// consumeGroup is -G: kcat's balanced consumer. It joins opts.group with
// opts.topics and prints the records of the partitions the group gives it,
// as consume prints them, with kcat's rebalance lines on errOut.
func consumeGroup(ctx context.Context, opts *options, out, errOut io.Writer) error {
	cfg, err := consumerConfig(opts, errOut)
	if err != nil {
		return err
	}
	m := &member{group: opts.group, quiet: opts.quiet, errOut: errOut, commits: !cfg.DisableAutoCommit, from: opts.offset,
		printed: map[rawkafka.TopicPartition]rawkafka.CommittedOffset{}, committed: map[rawkafka.TopicPartition]int64{},
		idleSince: time.Now()}
	interval := cfg.AutoCommitInterval
	// rawconsume commits itself, only what it has written out: the
	// library's auto-commit covers every record Poll returned, printed
	// or not (-c stops mid-batch; a write can fail).
	cfg.DisableAutoCommit = true
	c, err := rawkafka.New(cfg)
	if err != nil {
		return err
	}
	m.c = c
	closed := false
	defer func() {
		if !closed {
			c.Close()
		}
	}()
	if opts.metricsAddr != "" {
		stop, err := serveMetrics(opts.metricsAddr, c, errOut, opts.quiet)
		if err != nil {
			return err
		}
		defer stop()
	}
	l := &rawkafka.RebalanceListener{OnAssigned: m.assigned, OnRevoked: m.revoked, OnLost: m.lost}
	if opts.stats || (len(opts.debug) > 0 && !opts.quiet) {
		l.OnTimeline = printRebalances(opts.group, errOut)
	}
	if p := subscriptionPattern(opts.topics); p != "" {
		err = c.SubscribeRegex(p, l)
	} else {
		err = c.Subscribe(opts.topics, l)
	}
	if err != nil {
		return err
	}
	m.info("Waiting for group rebalance")

	w := bufio.NewWriterSize(out, 64<<10)
	start := time.Now()
	lastCommit := start
	var count, bytes int64
	var buf []byte
	pending := map[rawkafka.TopicPartition]rawkafka.CommittedOffset{}
	// flush writes out what is buffered; only then are its offsets
	// committable.
	flush := func() error {
		if err := w.Flush(); err != nil {
			return err
		}
		maps.Copy(m.printed, pending)
		clear(pending)
		return nil
	}
	reached := map[rawkafka.TopicPartition]bool{}
loop:
	for {
		pollCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		fs, err := c.Poll(pollCtx)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			break loop // interrupted: close cleanly
		case errors.Is(err, context.DeadlineExceeded):
		case errors.Is(err, rawkafka.ErrPollIntervalExceeded):
			m.info("Group %s: %v", opts.group, err)
		case err != nil:
			return groupError(opts, cfg, err)
		}
		for r := range fs.Records() {
			buf = opts.format.append(buf[:0], r)
			if _, err := w.Write(buf); err != nil {
				return err
			}
			pending[rawkafka.TopicPartition{Topic: r.Topic, Partition: r.Partition}] =
				rawkafka.CommittedOffset{Offset: r.Offset + 1, LeaderEpoch: r.LeaderEpoch}
			if opts.unbuffered {
				if err := flush(); err != nil {
					return err
				}
			}
			count++
			bytes += int64(len(r.Value))
			if opts.count > 0 && count >= opts.count {
				break
			}
		}
		if err := flush(); err != nil {
			return err
		}
		for _, e := range fs.Errors {
			msg := partitionErrorText(e)
			if !opts.keepGoing {
				return errors.New(msg)
			}
			fmt.Fprintf(errOut, "%% ERROR: %s\n", msg)
		}
		if m.commits && time.Since(lastCommit) >= interval {
			m.commitPrinted()
			lastCommit = time.Now()
		}
		if opts.count > 0 && count >= opts.count {
			break
		}
		if opts.exitAtEnd && groupReachedEnd(c, reached, m) {
			break
		}
	}
	// Close commits what was printed (OnRevoked) and, for a dynamic
	// member, leaves the group.
	closed = true
	if err := c.Close(); err != nil && !m.quiet {
		m.info("Group %s: close: %v", opts.group, err)
	}
	return finish(w, errOut, opts, count, bytes, start)
}

// groupReachedEnd reports, with -e, whether every partition assigned now
// has reached its end, saying so for each as kcat does; an empty
// assignment never has.
func groupReachedEnd(c *rawkafka.Consumer, reached map[rawkafka.TopicPartition]bool, m *member) bool {
	tps := c.Assignment()
	if len(tps) == 0 {
		return false
	}
	pm := c.Metrics().Partitions
	done := 0
	for _, tp := range tps {
		p, ok := pm[tp]
		if ok && p.Position >= 0 && p.HighWatermark >= 0 && p.Lag == 0 {
			if !reached[tp] {
				reached[tp] = true
				m.info("Reached end of topic %s [%d] at offset %d", tp.Topic, tp.Partition, p.Position)
			}
			done++
		}
	}
	return done == len(tps)
}

// groupError words a fatal group error for the "% ERROR:" line.
func groupError(opts *options, cfg rawkafka.Config, err error) error {
	if errors.Is(err, protocol.ErrFencedInstanceId) {
		return fmt.Errorf("Group %s: fenced: another consumer joined with group.instance.id=%s, so this one stops (%v)",
			opts.group, cfg.GroupInstanceID, err)
	}
	return fmt.Errorf("Group %s: %v", opts.group, err)
}
