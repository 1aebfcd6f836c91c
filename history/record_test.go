package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"hubtap/broker"
)

func TestRecordOpenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	r := NewRecorder()
	if err := r.Start(path); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(path); err == nil {
		t.Fatal("second Start accepted")
	}
	var in []broker.Message
	for i := 0; i < 3000; i++ {
		var p []byte
		switch i % 4 {
		case 0:
			p = []byte(fmt.Sprintf(`{"ident":"%d","position.speed":%d}`, i, i%120))
		case 1:
			p = []byte{byte(i), 0, 0xff, '\n', 0x1b}
		case 2:
			p = []byte("text\r\nwith lines")
		case 3:
			p = nil
		}
		m := broker.Message{Seq: uint64(i + 1), Topic: fmt.Sprintf("t/%d", i%5), Payload: p, QoS: byte(i % 2), Retain: i%7 == 0,
			Received: time.Date(2026, 1, 1, 0, 0, 0, i*1000, time.UTC)}
		in = append(in, m)
		r.Write(&m)
	}
	if st := r.Status(); !st.Active || st.Lines != 3000 {
		t.Fatalf("status %+v", st)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("recording mode %v, want 0600", info.Mode().Perm())
	}
	check := func(path string) {
		t.Helper()
		var out []broker.Message
		bad, err := ReadFile(context.Background(), path, 256, func(b []broker.Message) bool { out = append(out, b...); return true }, nil)
		if err != nil || bad != 0 {
			t.Fatalf("ReadFile: bad %d, %v", bad, err)
		}
		if len(out) != len(in) {
			t.Fatalf("read %d messages, wrote %d", len(out), len(in))
		}
		for i := range in {
			if !bytes.Equal(out[i].Payload, in[i].Payload) || out[i].Topic != in[i].Topic || !out[i].Received.Equal(in[i].Received) ||
				out[i].Seq != in[i].Seq || out[i].Retain != in[i].Retain || out[i].QoS != in[i].QoS {
				t.Fatalf("message %d differs: %+v vs %+v", i, out[i], in[i])
			}
		}
	}
	check(path)

	// The same recording gzipped opens the same way.
	raw, _ := os.ReadFile(path)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	gzPath := filepath.Join(dir, "rec.jsonl.gz")
	os.WriteFile(gzPath, gz.Bytes(), 0o600)
	check(gzPath)
}

func TestReadFileSkipsBadLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	m := broker.Message{Topic: "a", Payload: []byte(`1`), Received: time.Unix(1, 0)}
	good := AppendJSONL(nil, &m)
	os.WriteFile(path, append(append(append([]byte("not json\n\n"), good...), "{\"x\":1}\n"...), good...), 0o600)
	var n int
	bad, err := ReadFile(context.Background(), path, 10, func(b []broker.Message) bool { n += len(b); return true }, nil)
	if err != nil || bad != 2 || n != 2 {
		t.Fatalf("n %d bad %d err %v", n, bad, err)
	}
}

// TestAccountingMatchesHeap: the store's byte count tracks what the heap
// really holds for 100k realistic messages, within 20%.
func TestAccountingMatchesHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~100 MB")
	}
	msgs := make([]broker.Message, 0, 1000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewStore(1 << 30)
	for i := 0; i < 100_000; i++ {
		p := fmt.Appendf(nil, `{"ident":"3526250660%05d","timestamp":1715843521.0,"server.timestamp":1715843522.418732,`+
			`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213","device.id":%d,"device.name":"Truck %d",`+
			`"device.type.id":744,"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,`+
			`"position.speed":%d,"position.direction":281,"position.satellites":14,"position.hdop":0.8,"position.valid":true,`+
			`"engine.ignition.status":true,"movement.status":true,"external.powersource.voltage":27.9,"battery.voltage":4.05,`+
			`"gsm.signal.level":80,"gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`, i%50, 182000+i%50, i%50, i%120)
		msgs = append(msgs, broker.Message{Seq: uint64(i), Topic: fmt.Sprintf("flespi/message/gw/channels/1234/3526250660%05d", i%50),
			Payload: p, QoS: 1, Received: time.Unix(int64(i), 0),
			Props: &broker.Properties{User: []broker.UserProperty{{Key: "timestamp", Value: "1715843522.418732"}, {Key: "cid", Value: "8201"}}}})
		if len(msgs) == cap(msgs) {
			s.Append(msgs)
			msgs = msgs[:0]
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	acct := float64(s.Bytes())
	ratio := acct / heap
	t.Logf("100k messages: accounted %.1f MiB, heap grew %.1f MiB (ratio %.2f), %.0f B/msg",
		acct/(1<<20), heap/(1<<20), ratio, heap/100_000)
	if ratio < 0.8 || ratio > 1.2 {
		t.Fatalf("accounting is off by more than 20%%: accounted %.0f, heap %.0f", acct, heap)
	}
	runtime.KeepAlive(s)
}
