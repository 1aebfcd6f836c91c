package history

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"hubtap/broker"
)

// fixed returns n messages with Seq from+1..from+n whose entries all cost the
// same: a 4-digit topic and a 100-byte text payload (Summary = the payload).
func fixed(from, n int) []broker.Message {
	msgs := make([]broker.Message, n)
	for i := range msgs {
		seq := from + i + 1
		msgs[i] = broker.Message{
			Seq:     uint64(seq),
			Topic:   fmt.Sprintf("t/%04d", seq%10000),
			Payload: []byte(strings.Repeat("x", 100)),
		}
	}
	return msgs
}

// unitCost is the charge of one fixed() entry in a store: the slot, then
// its payload (100) and summary (100) packed into the store's slabs (exact
// bytes); its topic is shared (interned), so it costs nothing per entry.
var unitCost = EntryOverhead + 100 + 100

// topicCost is what the topic of a fixed() entry costs when not shared: its
// own allocation (topics are not packed).
var topicCost = allocSize(6)

// entryCost is what a store with nothing interned charges for e.
func entryCost(e *Entry) int64 {
	var a arena
	c := *e
	return a.pack(&c, false)
}

func TestEntryCost(t *testing.T) {
	e := NewEntry(fixed(0, 1)[0])
	if got := entryCost(&e); got != unitCost+topicCost {
		t.Fatalf("cost = %d, want %d", got, unitCost+topicCost)
	}
	if EntryOverhead != 184 {
		t.Logf("EntryOverhead is %d on this platform (184 on 64-bit)", EntryOverhead)
	}

	pf, exp := byte(1), uint32(60)
	m := fixed(0, 1)[0]
	m.Props = &broker.Properties{
		ContentType: "application/json", CorrelationData: []byte{1, 2, 3}, PayloadFormat: &pf, MessageExpiry: &exp,
		SubscriptionIDs: []int{1, 2}, User: []broker.UserProperty{{Key: "timestamp", Value: "1715843521"}},
	}
	withProps := NewEntry(m)
	// The encoding in the slab (props.go): flags, format, expiry (4), the
	// content type, response topic and correlation data with a length byte
	// each, the count and the two subscription IDs, the count and the user
	// property's key and value with a length byte each.
	props := int64(1 + 1 + 4 + 1 + 16 + 1 + 0 + 1 + 3 + 1 + 2 + 1 + 1 + 9 + 1 + 10)
	if got, want := entryCost(&withProps), unitCost+topicCost+props; got != want {
		t.Fatalf("cost with props = %d, want %d", got, want)
	}

	m = fixed(0, 1)[0]
	m.Topic = "t/\x1b[2J"
	unsafeTopic := NewEntry(m)
	if got, want := entryCost(&unsafeTopic), EntryOverhead+allocSize(len(m.Topic))+100+100+allocSize(len("t/")); got != want {
		t.Fatalf("cost with a sanitized topic copy = %d, want %d", got, want)
	}

	// A payload above packMax keeps its own allocation and is charged its
	// size class.
	m = fixed(0, 1)[0]
	m.Payload = []byte(strings.Repeat("z", packMax+1))
	big := NewEntry(m)
	if got, want := entryCost(&big), EntryOverhead+topicCost+allocSize(packMax+1)+int64(len(big.Summary)); got != want {
		t.Fatalf("cost of a large payload = %d, want %d", got, want)
	}
}

// TestArenaPacksAndKeepsContents: entries read back exactly what was
// appended, their bytes live in shared slabs, and the caller's message is
// not modified.
func TestArenaPacksAndKeepsContents(t *testing.T) {
	s := NewStore(1 << 20)
	msgs := fixed(0, 3)
	msgs[1].Props = &broker.Properties{ContentType: "text/plain", User: []broker.UserProperty{{Key: "k", Value: "a long value, not interned"}}}
	orig := msgs[1].Props
	s.Append(msgs)
	a, _ := s.Get(0)
	b, _ := s.Get(1)
	bp := b.Properties()
	if string(a.Payload) != strings.Repeat("x", 100) || bp.ContentType != "text/plain" || bp.User[0].Value != "a long value, not interned" {
		t.Fatalf("contents changed: %q %+v", a.Payload, bp)
	}
	if b.Props != nil || a.Properties() != nil {
		t.Fatalf("a stored entry keeps its properties encoded (Props nil): %+v; one without has none: %+v", b.Props, a.Properties())
	}
	if v, ok := b.UserValue("k"); !ok || v != "a long value, not interned" {
		t.Fatalf("UserValue(k) = %q, %v", v, ok)
	}
	if msgs[1].Props != orig || orig.ContentType != "text/plain" {
		t.Fatal("the caller's message was modified")
	}
	if &a.Payload[0] == &msgs[0].Payload[0] || bp == orig {
		t.Fatal("not packed: the entry shares the message's own allocations")
	}
	// Consecutive entries sit next to each other in one slab.
	if uintptr(unsafe.Pointer(&b.Payload[0])) <= uintptr(unsafe.Pointer(&a.Payload[0])) ||
		uintptr(unsafe.Pointer(&b.Payload[0]))-uintptr(unsafe.Pointer(&a.Payload[0])) > 1024 {
		t.Fatal("payloads are not in one slab")
	}
	if cap(a.Payload) != len(a.Payload) {
		t.Fatal("a packed payload can be appended to over its neighbour")
	}
}

func TestStoreEviction(t *testing.T) {
	cases := []struct {
		name        string
		budget      int64 // in unitCost
		batches     []int
		dropped     []uint64
		wantFirst   uint64
		wantEnd     uint64
		wantEvicted uint64
		wantDropped uint64
	}{
		{name: "fits", budget: 10, batches: []int{3, 4}, wantFirst: 0, wantEnd: 7},
		{name: "exactly full", budget: 10, batches: []int{10}, wantFirst: 0, wantEnd: 10},
		{name: "one over", budget: 10, batches: []int{10, 1}, wantFirst: 1, wantEnd: 11, wantEvicted: 1},
		{name: "batch larger than budget", budget: 10, batches: []int{25}, wantFirst: 15, wantEnd: 25, wantEvicted: 15},
		{name: "many batches", budget: 10, batches: []int{7, 7, 7, 7}, wantFirst: 18, wantEnd: 28, wantEvicted: 18},
		{name: "past chunk boundary", budget: 300, batches: []int{1000, 100, 1000}, wantFirst: 1800, wantEnd: 2100, wantEvicted: 1800},
		{name: "dropped counted", budget: 10, batches: []int{2}, dropped: []uint64{3, 0, 4}, wantFirst: 0, wantEnd: 2, wantDropped: 7},
		{name: "empty batches", budget: 10, batches: []int{0, 0}, wantFirst: 0, wantEnd: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore(c.budget * unitCost)
			seq := 0
			for _, n := range c.batches {
				first, got := s.Append(fixed(seq, n))
				if first != uint64(seq) || got != uint64(n) {
					t.Fatalf("Append(%d msgs) = [%d, +%d), want [%d, +%d)", n, first, got, seq, n)
				}
				seq += n
			}
			for _, d := range c.dropped {
				s.AddDropped(d)
			}
			kept := c.wantEnd - c.wantFirst
			want := Stats{Kept: kept, Evicted: c.wantEvicted, Dropped: c.wantDropped,
				Bytes: int64(kept) * unitCost, Budget: c.budget * unitCost}
			if got := s.Stats(); got != want {
				t.Fatalf("Stats = %+v\nwant    %+v", got, want)
			}
			if s.First() != c.wantFirst || s.End() != c.wantEnd || s.Len() != int(kept) || s.Bytes() != want.Bytes {
				t.Fatalf("First, End, Len, Bytes = %d, %d, %d, %d", s.First(), s.End(), s.Len(), s.Bytes())
			}
			if c.wantFirst > 0 {
				if _, ok := s.Get(c.wantFirst - 1); ok {
					t.Fatalf("Get(%d) of an evicted entry succeeded", c.wantFirst-1)
				}
			}
			if _, ok := s.Get(c.wantEnd); ok {
				t.Fatal("Get(End()) succeeded")
			}
			for abs := c.wantFirst; abs < c.wantEnd; abs++ {
				e, ok := s.Get(abs)
				if !ok || e.Seq != abs+1 {
					t.Fatalf("Get(%d) = %v, %v; want Seq %d (oldest evicted first)", abs, e, ok, abs+1)
				}
			}
		})
	}
}

func TestStoreIndicesStayMonotonicAcrossWrap(t *testing.T) {
	const keep = 700 // spans at most 2 chunks at a time
	s := NewStore(keep * unitCost)
	seq, want := 0, uint64(0)
	for range 300 {
		n := 1 + seq%53
		first, got := s.Append(fixed(seq, n))
		if first != want || got != uint64(n) {
			t.Fatalf("Append returned [%d, +%d), want [%d, +%d)", first, got, want, n)
		}
		want += uint64(n)
		seq += n
		if s.End() != want || s.Len() > keep || s.First() != s.End()-uint64(s.Len()) {
			t.Fatalf("after %d msgs: First %d End %d Len %d", seq, s.First(), s.End(), s.Len())
		}
		if len(s.chunks) > keep/chunkLen+2 {
			t.Fatalf("%d chunks held for %d entries", len(s.chunks), s.Len())
		}
		for _, abs := range []uint64{s.First(), s.First() + uint64(s.Len())/2, s.End() - 1} {
			if e, ok := s.Get(abs); !ok || e.Seq != abs+1 {
				t.Fatalf("Get(%d) wrong after wrap: %v %v", abs, e, ok)
			}
		}
		if s.First() > 0 {
			if _, ok := s.Get(s.First() - 1); ok {
				t.Fatal("evicted index readable")
			}
		}
	}
	if st := s.Stats(); st.Kept+st.Evicted != uint64(seq) || st.Kept != keep {
		t.Fatalf("Stats = %+v after %d messages", st, seq)
	}
}

func TestStoreEvictedEntryStaysReadableInSnapshot(t *testing.T) {
	s := NewStore(2 * unitCost)
	s.Append(fixed(0, 2))
	snap := s.Snapshot()
	s.Append(fixed(2, 1))
	if _, ok := s.Get(0); ok {
		t.Fatal("evicted entry still reachable from the store")
	}
	e, ok := snap.Get(0)
	if !ok || e.Payload == nil || e.Summary == "" {
		t.Fatal("a snapshot lost an entry evicted after it was taken")
	}
}

func TestStoreOversizedEntryIsKeptAlone(t *testing.T) {
	s := NewStore(5 * unitCost)
	s.Append(fixed(0, 3))
	big := broker.Message{Seq: 4, Topic: "big", Payload: []byte(strings.Repeat("y", int(10*unitCost)))}
	first, _ := s.Append([]broker.Message{big})
	st := s.Stats()
	if st.Kept != 1 || st.Evicted != 3 || st.Bytes <= st.Budget {
		t.Fatalf("after oversized append: %+v", st)
	}
	if e, ok := s.Get(first); !ok || len(e.Payload) != len(big.Payload) {
		t.Fatal("oversized entry not kept whole")
	}
	s.Append(fixed(4, 1))
	if st := s.Stats(); st.Kept != 1 || st.Evicted != 4 || st.Bytes != unitCost {
		t.Fatalf("after next append: %+v", st)
	}
}

func TestStoreCountsUnreadable(t *testing.T) {
	s := NewStore(0)
	if s.Stats().Budget != DefaultBudget {
		t.Fatalf("default budget = %d", s.Stats().Budget)
	}
	s.summarize = func(Kind, []byte) (string, string) { panic("hostile") }
	first, _ := s.Append(fixed(0, 2))
	if st := s.Stats(); st.Unreadable != 2 || st.Kept != 2 {
		t.Fatalf("Stats = %+v", st)
	}
	if e, ok := s.Get(first); !ok || !strings.HasPrefix(e.Summary, "unreadable") || e.Kind != KindBinary {
		t.Fatalf("entry = %+v", e)
	}
}

func TestStoreEmpty(t *testing.T) {
	s := NewStore(1000)
	if _, ok := s.Get(0); ok || s.Len() != 0 || s.First() != 0 || s.End() != 0 || s.Bytes() != 0 {
		t.Fatal("empty store not empty")
	}
}

func TestStoreSharesTopics(t *testing.T) {
	s := NewStore(1 << 20)
	mk := func(seq int) broker.Message {
		return broker.Message{Seq: uint64(seq), Topic: string([]byte("flespi/message/gw/devices/7")), Payload: []byte(`1`),
			Props: &broker.Properties{User: []broker.UserProperty{{Key: string([]byte("cid")), Value: string([]byte("8201"))},
				{Key: string([]byte("timestamp")), Value: string([]byte("1715843522.418732"))}}}}
	}
	s.Append([]broker.Message{mk(1), mk(2)})
	a, _ := s.Get(0)
	b, _ := s.Get(1)
	if unsafe.StringData(a.Topic) != unsafe.StringData(b.Topic) {
		t.Fatal("the topic is not shared")
	}
	fresh := NewEntry(mk(1))
	if a.cost >= entryCost(&fresh) {
		t.Fatalf("a shared entry costs %d, as much as an unshared one (%d)", a.cost, entryCost(&fresh))
	}
}

// FuzzStoreRoundTrip appends fuzzed messages (payloads up to past packMax,
// user properties, content type) to a small store and checks that every
// kept entry reads back exactly what was appended, that the store keeps
// its own copy of every payload it packs (all up to packMax), and that the
// budget holds.
func FuzzStoreRoundTrip(f *testing.F) {
	f.Add([]byte(`{"ident":"352093081234567","position.speed":81}`), "flespi/message/gw/devices/7", "cid", "8201", uint16(3), uint16(40))
	f.Add([]byte{}, "t", "", "", uint16(0), uint16(1))
	f.Add([]byte("\x1b[2J\xff\xfe binary"), "a/\x1b]52;c;x\a/b", "k", strings.Repeat("v", 300), uint16(packMax), uint16(7))
	f.Fuzz(func(t *testing.T, payload []byte, topic, key, value string, extra, n uint16) {
		count := int(n%64) + 1
		budget := int64(64 << 10)
		s := NewStore(budget)
		var want []broker.Message
		for i := range count {
			p := append(payload, bytes.Repeat([]byte{'x'}, int(extra)*(i%3))...)
			m := broker.Message{Seq: uint64(i), Topic: topic, Payload: p, Duplicate: i%5 == 4}
			if key != "" || i%2 == 1 {
				m.Props = &broker.Properties{ContentType: value, User: []broker.UserProperty{{Key: key, Value: value}, {Key: "cid", Value: "8201"}}}
			}
			want = append(want, m)
		}
		// Appending in two batches, then scribbling over the caller's
		// buffers: the store must have kept its own copies.
		half := count / 2
		s.Append(want[:half])
		s.Append(want[half:])
		snapshot := make([]broker.Message, len(want))
		for i, m := range want {
			snapshot[i] = m
			snapshot[i].Payload = bytes.Clone(m.Payload)
		}
		for i := range want {
			if len(want[i].Payload) > packMax {
				continue // kept as it is: a Message's payload is never modified (broker.Message)
			}
			for j := range want[i].Payload {
				want[i].Payload[j] = '#'
			}
		}
		st := s.Stats()
		if st.Kept+st.Evicted != uint64(count) || (st.Bytes > budget && st.Kept != 1) {
			t.Fatalf("stats %+v after %d messages", st, count)
		}
		for abs := s.First(); abs < s.End(); abs++ {
			e, ok := s.Get(abs)
			if !ok {
				t.Fatalf("Get(%d) failed", abs)
			}
			m := snapshot[abs]
			if e.Seq != m.Seq || e.Topic != m.Topic || !bytes.Equal(e.Payload, m.Payload) {
				t.Fatalf("entry %d: %q %q, want %q %q", abs, e.Topic, e.Payload, m.Topic, m.Payload)
			}
			if got := e.Properties(); !reflect.DeepEqual(got, m.Props) {
				t.Fatalf("entry %d: props %+v, want %+v", abs, got, m.Props)
			}
		}
	})
}

// TestRepeatsMarked: a copy of a recent message is a redelivery when the
// broker set DUP on it or on the copy before it (mochi can resend with DUP
// before the original send arrives); the same payload sent twice without
// DUP is two messages, and a copy older than the window is new again.
func TestRepeatsMarked(t *testing.T) {
	type copyOf struct {
		payload string
		dup     bool
	}
	cases := []struct {
		name string
		in   []copyOf
		want []bool // Repeat per entry
	}{
		{"original then resend", []copyOf{{"a", false}, {"a", true}}, []bool{false, true}},
		{"resend overtakes the original", []copyOf{{"a", true}, {"a", false}}, []bool{false, true}},
		{"twice resent", []copyOf{{"a", false}, {"a", true}, {"a", true}}, []bool{false, true, true}},
		{"same payload sent twice, no DUP", []copyOf{{"a", false}, {"a", false}}, []bool{false, false}},
		{"first copy has DUP", []copyOf{{"a", true}}, []bool{false}},
		{"others in between", []copyOf{{"a", false}, {"b", false}, {"a", true}, {"b", false}}, []bool{false, false, true, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore(1 << 20)
			var msgs []broker.Message
			for i, cp := range c.in {
				msgs = append(msgs, broker.Message{Seq: uint64(i), Topic: "t", Payload: []byte(cp.payload), Duplicate: cp.dup})
			}
			s.Append(msgs)
			var n uint64
			for i, want := range c.want {
				e, _ := s.Get(uint64(i))
				if e.Repeat != want {
					t.Fatalf("entry %d: Repeat %v, want %v", i, e.Repeat, want)
				}
				if want {
					n++
				}
			}
			if s.Stats().Repeats != n {
				t.Fatalf("Repeats %d, want %d", s.Stats().Repeats, n)
			}
		})
	}
	t.Run("older than the window", func(t *testing.T) {
		s := NewStore(256 << 20)
		s.Append([]broker.Message{{Topic: "t", Payload: []byte("a")}})
		batch := make([]broker.Message, 4096)
		for k := 0; k < recentWindow/len(batch); k++ {
			for i := range batch {
				batch[i] = broker.Message{Topic: "t", Payload: []byte(fmt.Sprint(k*len(batch) + i))}
			}
			s.Append(batch)
		}
		first, _ := s.Append([]broker.Message{{Topic: "t", Payload: []byte("a"), Duplicate: true}})
		if e, _ := s.Get(first); e.Repeat {
			t.Fatal("a copy older than the window was marked as a redelivery")
		}
	})
}
