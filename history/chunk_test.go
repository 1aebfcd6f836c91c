package history

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

// keepMsg is message seq of TestChunksKeepWhatEntriesPointTo: every kind of
// thing an entry points to outside its chunk, chosen by seq.
func keepMsg(seq int) broker.Message {
	m := broker.Message{
		Seq:      uint64(seq),
		Topic:    fmt.Sprintf("flespi/message/gw/devices/%d", seq),           // unique: past the interner's room, kept apart
		Payload:  fmt.Appendf(nil, `{"ident":"dev-%d","n":%d}`, seq%97, seq), // packed into a slab
		Received: time.Date(2026, 12, 6, 3, 0, 0, seq, time.Local),
	}
	switch seq % 7 {
	case 1:
		m.Payload = bytes.Repeat([]byte{byte('a' + seq%26)}, packMax+1+seq%100) // its own allocation
	case 2:
		m.Topic = fmt.Sprintf("t/\x1b[2J%d", seq) // a sanitised copy beside the topic
	case 3: // a zone parsed from a file: a *Location of its own on the heap
		m.Received, _ = time.Parse(time.RFC3339Nano, fmt.Sprintf("2026-12-06T03:00:00.%09d+05:30", seq))
	case 4:
		m.Props = &broker.Properties{ContentType: "application/json", User: []broker.UserProperty{
			{Key: "timestamp", Value: fmt.Sprint(seq)}, {Key: "cid", Value: "8201"}}}
	case 5:
		m.Props = &broker.Properties{User: []broker.UserProperty{{Key: "big", Value: strings.Repeat("v", packMax+seq%50)}}} // encoded apart
	case 6:
		m.Payload = nil
	}
	return m
}

// checkEntry compares e with a fresh entry of the message it was built from.
func checkEntry(t *testing.T, where string, e *Entry) {
	t.Helper()
	m := keepMsg(int(e.Seq))
	want := NewEntry(m)
	if e.Topic != want.Topic || e.TopicSafe != want.TopicSafe || !bytes.Equal(e.Payload, want.Payload) ||
		e.Ident != want.Ident || e.Summary != want.Summary || !e.Received.Equal(want.Received) ||
		zoneOf(e.Received) != zoneOf(want.Received) || !reflect.DeepEqual(e.Properties(), m.Props) {
		t.Fatalf("%s: entry %d changed:\n got %q %q %q %q %v %+v payload %.40q\nwant %q %q %q %q %v %+v payload %.40q", where, e.Seq,
			e.Topic, e.TopicSafe, e.Ident, e.Summary, e.Received, e.Properties(), e.Payload,
			want.Topic, want.TopicSafe, want.Ident, want.Summary, want.Received, m.Props, want.Payload)
	}
}

// zoneOf reads t's zone name and offset (from its *Location).
func zoneOf(t time.Time) string {
	name, off := t.Zone()
	return fmt.Sprint(name, off)
}

// TestChunksKeepWhatEntriesPointTo: chunks are memory the collector does
// not scan (store.go), so what an entry points to must be kept alive by its
// chunk's keep list. The store here evicts thousands of entries while
// collections run between batches, with freed memory overwritten
// (GODEBUG=clobberfree=1, in a child process), and every entry kept, one
// held past its eviction, and a snapshot taken early must read back intact.
// A pointer the keep list missed would read clobbered bytes.
func TestChunksKeepWhatEntriesPointTo(t *testing.T) {
	if os.Getenv("HUBTAP_CLOBBERFREE") == "" {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^TestChunksKeepWhatEntriesPointTo$", "-test.v")
		cmd.Env = append(os.Environ(), "HUBTAP_CLOBBERFREE=1", "GODEBUG=clobberfree=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS")) {
			t.Fatalf("with GODEBUG=clobberfree=1: %v\n%s", err, out)
		}
		return
	}
	s := NewStore(4 << 20)
	for i := range internMax { // the interner is full: every new topic is kept apart
		s.intern.str(fmt.Sprintf("filler/%d", i))
	}
	seq := 0
	batch := func(n int) {
		msgs := make([]broker.Message, n)
		for i := range msgs {
			seq++
			msgs[i] = keepMsg(seq)
		}
		s.Append(msgs)
	}
	batch(50)
	held, ok := s.Get(s.First() + 3) // its chunk is released long before the end
	if !ok {
		t.Fatal("no entry to hold")
	}
	early := s.Snapshot()
	for round := range 60 {
		batch(300)
		runtime.GC()
		junk := make([][]byte, 0, 256) // reuse what was freed
		for range 256 {
			junk = append(junk, bytes.Repeat([]byte{0xEE}, 1024))
		}
		runtime.KeepAlive(junk)
		if round%10 == 9 {
			for abs := s.First(); abs < s.End(); abs++ {
				e, _ := s.Get(abs)
				checkEntry(t, fmt.Sprintf("round %d, kept", round), e)
			}
		}
	}
	if s.Stats().Evicted < 10_000 || s.First() < 2*chunkLen {
		t.Fatalf("the test did not evict enough to release chunks: %+v", s.Stats())
	}
	checkEntry(t, "held past its eviction", held)
	for abs := early.First(); abs < early.End(); abs++ {
		e, _ := early.Get(abs)
		checkEntry(t, "early snapshot", e)
	}
}
