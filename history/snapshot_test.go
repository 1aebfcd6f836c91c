package history

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/filters"
)

func speedMsgs(from, n int) []broker.Message {
	out := make([]broker.Message, n)
	for i := range out {
		k := from + i
		out[i] = broker.Message{Seq: uint64(k), Topic: fmt.Sprintf("flespi/message/gw/devices/%d", k%7),
			Payload:  []byte(fmt.Sprintf(`{"ident":"id%d","position.speed":%d}`, k%7, k%130)),
			Received: time.Unix(int64(k), 0),
			Props:    &broker.Properties{User: []broker.UserProperty{{Key: "cid", Value: fmt.Sprint(k % 2)}}}}
	}
	return out
}

func TestSnapshotSelect(t *testing.T) {
	s := NewStore(64 << 20)
	s.Append(speedMsgs(0, 1000))
	expr, err := filters.Compile(`position.speed > 100 && prop.cid == "1" && topic ~= "flespi/message/gw/devices/+"`)
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	ids, err := s.Snapshot().Select(context.Background(), expr, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for k := 0; k < 1000; k++ {
		if k%130 > 100 && k%2 == 1 {
			want++
		}
	}
	if len(ids) != want {
		t.Fatalf("selected %d, want %d", len(ids), want)
	}
	for i, abs := range ids {
		e, _ := s.Get(abs)
		if !NewMatcher(expr).Match(e) || (i > 0 && ids[i-1] >= abs) {
			t.Fatalf("id %d (%s) is wrong or out of order", abs, e.Payload)
		}
	}
	if all, _ := s.Snapshot().Select(context.Background(), nil, nil); len(all) != 1000 {
		t.Fatalf("nil filter selected %d of 1000", len(all))
	}
}

func TestSnapshotSelectCancel(t *testing.T) {
	s := NewStore(256 << 20)
	s.Append(speedMsgs(0, 50000))
	ctx, cancel := context.WithCancel(context.Background())
	expr, _ := filters.Compile("position.speed > 1")
	_, err := s.Snapshot().Select(ctx, expr, func(done, total int) { cancel() })
	if err == nil {
		t.Fatal("Select ignored cancellation")
	}
}

// TestSnapshotConcurrentWithAppend runs under -race in CI: a filter pass over
// a snapshot while the UI goroutine keeps appending and evicting.
func TestSnapshotConcurrentWithAppend(t *testing.T) {
	s := NewStore(200 * (EntryOverhead + 200))
	s.Append(speedMsgs(0, 3000))
	snap := s.Snapshot()
	expr, _ := filters.Compile("position.speed > 50")
	var wg sync.WaitGroup
	var got []uint64
	wg.Go(func() { got, _ = snap.Select(context.Background(), expr, nil) })
	for i := 0; i < 50; i++ {
		s.Append(speedMsgs(3000+i*100, 100))
	}
	wg.Wait()
	if len(got) == 0 {
		t.Fatal("nothing selected")
	}
	if s.Stats().Evicted == 0 {
		t.Fatal("test needs eviction during the pass")
	}
}
