package telematics

import (
	"math"
	"strconv"
	"testing"
	"time"

	"hubtap/history"
)

const chanTopic = "flespi/message/gw/channels/1234/"

func TestGrouping(t *testing.T) {
	type msg struct{ topic, payload string }
	cases := []struct {
		name     string
		msgs     []msg
		wantKey  string
		wantBy   KeyKind
		wantMsgs uint64
		wantDevs int
	}{
		{name: "ident on channel and device topics", msgs: []msg{
			{chanTopic + "352625066004561", flespi("352625066004561", 0, time.Second, `"device.id":182083`)},
			{"flespi/message/gw/devices/182083", flespi("352625066004561", 0, time.Second, `"device.id":182083`)},
		}, wantKey: "352625066004561", wantBy: ByIdent, wantMsgs: 2, wantDevs: 1},
		{name: "numeric ident", msgs: []msg{
			{"a/b", `{"ident":860000000000001,"timestamp":1715843521}`},
		}, wantKey: "860000000000001", wantBy: ByIdent, wantMsgs: 1, wantDevs: 1},
		{name: "device.id fallback", msgs: []msg{
			{"flespi/message/gw/devices/182083", `{"device.id":182083,"timestamp":1715843521}`},
			{"other/topic", `{"device.id":182083,"timestamp":1715843522}`},
		}, wantKey: "182083", wantBy: ByDeviceID, wantMsgs: 2, wantDevs: 1},
		{name: "empty ident falls back to device.id", msgs: []msg{
			{"x", `{"ident":"","device.id":7}`},
		}, wantKey: "7", wantBy: ByDeviceID, wantMsgs: 1, wantDevs: 1},
		{name: "topic fallback for text", msgs: []msg{
			{"sensors/t1", "21.5 C"},
			{"sensors/t1", "21.6 C"},
			{"sensors/t2", "19 C"},
		}, wantKey: "sensors/t1", wantBy: ByTopic, wantMsgs: 2, wantDevs: 2},
		{name: "topic fallback for JSON without ident", msgs: []msg{
			{"flespi/state/gw/devices/182083/telemetry/position.speed", `47`},
			{"flespi/state/gw/devices/182083/telemetry/position.speed", `{"speed":48}`},
		}, wantKey: "flespi/state/gw/devices/182083/telemetry/position.speed", wantBy: ByTopic, wantMsgs: 2, wantDevs: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(Config{Now: func() time.Time { return t0 }})
			var last *history.Entry
			for i, m := range tc.msgs {
				last = entry(m.topic, m.payload, at(time.Duration(i)*time.Second))
				tr.Observe(uint64(i), last)
			}
			d, ok := tr.Device(tc.wantKey)
			if !ok {
				t.Fatalf("Device(%q) not found; have %+v", tc.wantKey, tr.Devices())
			}
			if d.By != tc.wantBy || d.Messages != tc.wantMsgs {
				t.Errorf("By %v Messages %d, want %v %d", d.By, d.Messages, tc.wantBy, tc.wantMsgs)
			}
			if got := tr.Stats().Devices; got != tc.wantDevs {
				t.Errorf("%d devices, want %d", got, tc.wantDevs)
			}
			if d.Label() != tc.wantKey {
				t.Errorf("Label %q, want %q", d.Label(), tc.wantKey)
			}
			first := entry(tc.msgs[0].topic, tc.msgs[0].payload, t0)
			if !d.Matches(first) {
				t.Errorf("device does not match its first message")
			}
			if tc.wantDevs == 1 && !SameDevice(first, last) {
				t.Errorf("SameDevice false for the first and last message")
			}
		})
	}
}

func TestDeviceDoesNotMatchOthers(t *testing.T) {
	tr := NewTracker(Config{})
	tr.Observe(0, entry("t/a", "text", t0))
	tr.Observe(1, entry(chanTopic+"1", flespi("1", 0, -1), t0))
	byTopic, _ := tr.Device("t/a")
	byIdent, _ := tr.Device("1")
	if byTopic.Matches(entry(chanTopic+"1", flespi("1", 0, -1), t0)) || byTopic.Matches(entry("t/b", "text", t0)) {
		t.Error("topic device matches another topic or an ident message on it")
	}
	if byIdent.Matches(entry(chanTopic+"2", flespi("2", 0, -1), t0)) || byIdent.Matches(entry("t/a", "text", t0)) {
		t.Error("ident device matches another ident")
	}
	if SameDevice(entry("t/a", "x", t0), entry("t/b", "x", t0)) {
		t.Error("SameDevice: different topics without ident")
	}
}

func TestTelemetry(t *testing.T) {
	tr := NewTracker(Config{})
	full := flespi("352625066004561", 0, 1418732*time.Microsecond,
		`"device.id":182083`, `"device.name":"Truck\u001b[31m 17"`,
		`"position.latitude":52.229676`, `"position.longitude":21.012229`, `"position.speed":47`,
		`"engine.ignition.status":true`, `"battery.voltage":4.05`,
		`"external.powersource.voltage":27.9`, `"gsm.signal.level":80`)
	tr.Observe(10, entry(chanTopic+"352625066004561", full, at(2*time.Second)))
	// A black-box record without voltages: the last known ones stay.
	tr.Observe(11, entry(chanTopic+"352625066004561", flespi("352625066004561", -5*time.Hour, 3*time.Second,
		`"position.latitude":52.1`, `"position.longitude":20.95`, `"position.speed":0`,
		`"engine.ignition.status":false`), at(4*time.Second)))
	d, _ := tr.Device("352625066004561")
	if d.DeviceID != 182083 || d.Name != "Truck␛[31m 17" {
		t.Errorf("DeviceID %d Name %q", d.DeviceID, d.Name)
	}
	if d.Lat != 52.1 || d.Lon != 20.95 || d.Speed != 0 || d.Ignition {
		t.Errorf("position %v,%v speed %v ign %v: want the last message's", d.Lat, d.Lon, d.Speed, d.Ignition)
	}
	if d.Battery != 4.05 || d.Power != 27.9 || d.GSM != 80 {
		t.Errorf("batt %v pwr %v gsm %v: want the first message's (sticky)", d.Battery, d.Power, d.GSM)
	}
	want := HavePosition | HaveSpeed | HaveIgnition | HaveBattery | HavePower | HaveGSM | HaveLatency
	if d.Have != want {
		t.Errorf("Have %b, want %b", d.Have, want)
	}
	if d.Latency != 5*time.Hour+3*time.Second {
		t.Errorf("Latency %v", d.Latency)
	}
	if !d.Timestamp.Equal(at(-5*time.Hour)) || !d.Newest.Equal(t0) {
		t.Errorf("Timestamp %v Newest %v", d.Timestamp, d.Newest)
	}
	if d.FirstSeen != at(2*time.Second) || d.LastSeen != at(4*time.Second) || d.PrevAbs != 10 || d.LastAbs != 11 {
		t.Errorf("FirstSeen %v LastSeen %v PrevAbs %d LastAbs %d", d.FirstSeen, d.LastSeen, d.PrevAbs, d.LastAbs)
	}
	if d.LastFlags != FlagLatency|FlagOutOfOrder || d.Flagged != 1 || d.Counts.Of(FlagLatency) != 1 || d.Counts.Of(FlagOutOfOrder) != 1 {
		t.Errorf("LastFlags %v Flagged %d Counts %v", d.LastFlags, d.Flagged, d.Counts)
	}
}

func TestStale(t *testing.T) {
	clk := &fixedClock{now: t0}
	tr := NewTracker(Config{Now: clk.Now}) // default 10 min
	tr.Observe(0, entry(chanTopic+"1", flespi("1", 0, 0), t0))
	cases := []struct {
		name  string
		stale time.Duration // 0: leave the default
		after time.Duration
		want  bool
	}{
		{name: "just now", after: 0, want: false},
		{name: "at the threshold", after: 10 * time.Minute, want: false},
		{name: "past the threshold", after: 10*time.Minute + time.Nanosecond, want: true},
		{name: "custom 30s, at 31s", stale: 30 * time.Second, after: 31 * time.Second, want: true},
		{name: "custom 30s, at 29s", stale: 30 * time.Second, after: 29 * time.Second, want: false},
		{name: "off", stale: -1, after: 24 * time.Hour, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr.SetStale(tc.stale)
			d, _ := tr.Device("1")
			now := at(tc.after)
			if got := d.Stale(now); got != tc.want {
				t.Errorf("Stale = %v, want %v", got, tc.want)
			}
			if got := d.LastSeenAgo(now); got != tc.after {
				t.Errorf("LastSeenAgo = %v, want %v", got, tc.after)
			}
		})
	}
	if d, _ := tr.Device("1"); d.LastSeenAgo(at(-time.Minute)) != 0 {
		t.Error("LastSeenAgo before LastSeen should be 0")
	}
}

// tsMsg is one message of a timestamp-check case.
type tsMsg struct {
	topic   string        // "" means chanTopic+"1"
	ts      time.Duration // offset from t0
	srv     time.Duration // offset from t0; <0: no server.timestamp
	extra   string        // extra field, to make a different payload
	rcv     time.Duration // receive time offset from t0
	want    Flags
	payload string // overrides everything above but topic and rcv
}

func TestTimestampChecks(t *testing.T) {
	const us = time.Microsecond
	dev := "flespi/message/gw/devices/182083"
	cases := []struct {
		name string
		cfg  Config
		msgs []tsMsg
		// wantCopies and wantNoTS are checked when nonzero.
		wantCopies, wantNoTS uint64
	}{
		{name: "steady stream: nothing", msgs: []tsMsg{
			{ts: 0, srv: time.Second}, {ts: time.Second, srv: 2 * time.Second}, {ts: 2 * time.Second, srv: 3 * time.Second},
		}},
		{name: "future: at the tolerance", msgs: []tsMsg{{ts: 30 * time.Second, srv: 0}}},
		{name: "future: 1µs past the tolerance", msgs: []tsMsg{{ts: 30*time.Second + us, srv: 0, want: FlagFuture}}},
		{name: "future without server.timestamp uses the receive time", msgs: []tsMsg{
			{ts: 31 * time.Second, srv: -1, rcv: 0, want: FlagFuture},
			{ts: 31 * time.Second, srv: -1, rcv: 2 * time.Second, extra: `"n":2`, want: FlagDuplicate},
			{ts: 32 * time.Second, srv: -1, rcv: 2 * time.Second},
		}},
		{name: "future does not become the newest", msgs: []tsMsg{
			{ts: 0, srv: 0},
			{ts: 10 * time.Minute, srv: time.Second, want: FlagFuture},
			{ts: 2 * time.Second, srv: 2 * time.Second}, // neither out-of-order nor a gap
		}},
		{name: "future: custom tolerance", cfg: Config{Future: time.Second}, msgs: []tsMsg{
			{ts: 2 * time.Second, srv: 0, want: FlagFuture},
		}},
		{name: "future: off", cfg: Config{Future: -1}, msgs: []tsMsg{{ts: time.Hour, srv: 0}}},
		{name: "latency: at the threshold", msgs: []tsMsg{{ts: 0, srv: time.Hour}}},
		{name: "latency: 1µs past it", msgs: []tsMsg{{ts: 0, srv: time.Hour + us, want: FlagLatency}}},
		{name: "latency: black-box record is also out of order", msgs: []tsMsg{
			{ts: 5 * time.Hour, srv: 5 * time.Hour},
			{ts: 0, srv: 5*time.Hour + time.Second, want: FlagLatency | FlagOutOfOrder},
			{ts: 5*time.Hour + time.Second, srv: 5*time.Hour + 2*time.Second},
		}},
		{name: "latency: off", cfg: Config{Latency: -1}, msgs: []tsMsg{{ts: 0, srv: 48 * time.Hour}}},
		{name: "gap: at the threshold", msgs: []tsMsg{{ts: 0, srv: 0}, {ts: 5 * time.Minute, srv: 5 * time.Minute}}},
		{name: "gap: 1µs past it", msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: 5*time.Minute + us, srv: 5*time.Minute + us, want: FlagGap},
		}},
		{name: "gap: measured from the newest, not the last", msgs: []tsMsg{
			{ts: 0, srv: 0},
			{ts: 4 * time.Minute, srv: 4 * time.Minute},
			{ts: time.Minute, srv: 4 * time.Minute, want: FlagOutOfOrder},
			{ts: 8 * time.Minute, srv: 8 * time.Minute}, // 4 min after the newest
		}},
		{name: "gap: custom and off", cfg: Config{Gap: -1}, msgs: []tsMsg{{ts: 0, srv: 0}, {ts: 48 * time.Hour, srv: 48 * time.Hour}}},
		{name: "gap: custom threshold", cfg: Config{Gap: 10 * time.Second}, msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: 11 * time.Second, srv: 11 * time.Second, want: FlagGap},
		}},
		{name: "out-of-order: 1µs older", msgs: []tsMsg{
			{ts: time.Second, srv: time.Second}, {ts: time.Second - us, srv: time.Second, want: FlagOutOfOrder},
		}},
		{name: "out-of-order: first message of a device is never flagged", msgs: []tsMsg{
			{ts: -24 * time.Hour, srv: 0, want: FlagLatency},
		}},
		{name: "duplicate: same message twice", msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: 0, srv: 0, want: FlagDuplicate},
		}},
		{name: "duplicate: same timestamp, other values", msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: 0, srv: time.Second, extra: `"position.speed":1`, want: FlagDuplicate},
		}},
		{name: "duplicate: an older one is not out-of-order", msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: time.Second, srv: time.Second}, {ts: 0, srv: 0, want: FlagDuplicate},
		}},
		{name: "duplicate: 1µs apart is not one", msgs: []tsMsg{
			{ts: 0, srv: 0}, {ts: us, srv: 0},
		}},
		{name: "duplicate: beyond the ring of 8", msgs: []tsMsg{
			{ts: 0, srv: 0},
			{ts: 1 * time.Second, srv: 0}, {ts: 2 * time.Second, srv: 0}, {ts: 3 * time.Second, srv: 0}, {ts: 4 * time.Second, srv: 0},
			{ts: 5 * time.Second, srv: 0}, {ts: 6 * time.Second, srv: 0}, {ts: 7 * time.Second, srv: 0},
			{ts: 0, srv: 0, want: FlagDuplicate}, // 8th back: still in the ring
			{ts: 8 * time.Second, srv: 0},
			{ts: 0, srv: 0, want: FlagOutOfOrder}, // 9th distinct back: forgotten
		}},
		{name: "copy on the device topic is not a duplicate", wantCopies: 1, msgs: []tsMsg{
			{ts: 0, srv: 0}, {topic: dev, ts: 0, srv: 0},
		}},
		{name: "same timestamp on another topic with another payload is a duplicate", msgs: []tsMsg{
			{ts: 0, srv: 0}, {topic: dev, ts: 0, srv: 0, extra: `"x":1`, want: FlagDuplicate},
		}},
		{name: "duplicate seen on both topics", wantCopies: 1, msgs: []tsMsg{
			{ts: 0, srv: 0}, {topic: dev, ts: 0, srv: 0},
			{ts: 0, srv: 0, want: FlagDuplicate}, {topic: dev, ts: 0, srv: 0, want: FlagDuplicate},
		}},
		{name: "no timestamp: counted, never flagged", wantNoTS: 3, msgs: []tsMsg{
			{ts: 0, srv: 0},
			{payload: `{"ident":"1","server.timestamp":1715843521}`},
			{payload: `{"ident":"1","timestamp":"1715843521"}`}, // a string is not a timestamp
			{payload: `{"ident":"1","timestamp":1e300}`},
			{ts: 0, srv: 0, want: FlagDuplicate},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(tc.cfg)
			var wantCounts FlagCounts
			var flagged uint64
			for i, m := range tc.msgs {
				topic := m.topic
				if topic == "" {
					topic = chanTopic + "1"
				}
				p := m.payload
				if p == "" {
					var extra []string
					if m.extra != "" {
						extra = append(extra, m.extra)
					}
					p = flespi("1", m.ts, m.srv, extra...)
				}
				got := tr.Observe(uint64(i), entry(topic, p, at(m.rcv)))
				if got != m.want {
					t.Errorf("message %d %s: flags %q, want %q", i, p, got, m.want)
				}
				wantCounts.add(m.want)
				if m.want != 0 {
					flagged++
				}
			}
			d, ok := tr.Device("1")
			if !ok {
				t.Fatal("no device")
			}
			if d.Counts != wantCounts || d.Flagged != flagged || d.LastFlags != tc.msgs[len(tc.msgs)-1].want {
				t.Errorf("Counts %v Flagged %d LastFlags %q; want %v %d", d.Counts, d.Flagged, d.LastFlags, wantCounts, flagged)
			}
			if tc.wantCopies != 0 && d.Copies != tc.wantCopies {
				t.Errorf("Copies %d, want %d", d.Copies, tc.wantCopies)
			}
			if tc.wantNoTS != 0 && d.NoTimestamp != tc.wantNoTS {
				t.Errorf("NoTimestamp %d, want %d", d.NoTimestamp, tc.wantNoTS)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	tr := NewTracker(Config{})
	for i, p := range []string{"hello", "\x00\x01\x02", "", `[1,2]`, `{"ident":"1", broken`} {
		if f := tr.Observe(uint64(i), entry("t", p, t0)); f != 0 {
			t.Errorf("%q: flags %v", p, f)
		}
	}
	d, ok := tr.Device("t")
	if !ok || d.Messages != 5 || d.NoTimestamp != 5 || d.By != ByTopic {
		t.Errorf("device %+v (found %v)", d, ok)
	}
}

func TestRate(t *testing.T) {
	clk := &fixedClock{}
	tr := NewTracker(Config{Now: clk.Now})
	// 10 messages per second for 2 minutes.
	for i := range 1200 {
		rcv := at(time.Duration(i) * 100 * time.Millisecond)
		tr.Observe(uint64(i), entry("t", "x", rcv))
	}
	cases := []struct {
		name     string
		now      time.Duration
		min, max float64
	}{
		{name: "steady 10/s", now: 120 * time.Second, min: 9.5, max: 10.5},
		{name: "a minute silent", now: 180 * time.Second, min: 2, max: 5},
		{name: "an hour silent", now: time.Hour, min: 0, max: 1e-6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk.now = at(tc.now)
			d, _ := tr.Device("t")
			if d.Rate < tc.min || d.Rate > tc.max {
				t.Errorf("Rate %.3f, want in [%g, %g]", d.Rate, tc.min, tc.max)
			}
		})
	}
	t.Run("new device, 2/s for 5 s", func(t *testing.T) {
		for i := range 10 {
			tr.Observe(uint64(2000+i), entry("u", "x", at(time.Hour+time.Duration(i)*500*time.Millisecond)))
		}
		clk.now = at(time.Hour + 5*time.Second)
		d, _ := tr.Device("u")
		if d.Rate < 1.6 || d.Rate > 2.4 {
			t.Errorf("Rate %.3f, want about 2", d.Rate)
		}
	})
}

func TestDeviceCap(t *testing.T) {
	tr := NewTracker(Config{MaxDevices: 3})
	for i := range 5 {
		id := strconv.Itoa(i)
		tr.Observe(uint64(i), entry(chanTopic+id, flespi(id, 0, 0), t0))
	}
	// A known device is still tracked and flagged past the cap.
	if f := tr.Observe(5, entry(chanTopic+"0", flespi("0", 0, 0), t0)); f != FlagDuplicate {
		t.Errorf("known device past the cap: flags %v, want duplicate", f)
	}
	// A refused device gets no flags, however odd its message.
	if f := tr.Observe(6, entry(chanTopic+"9", flespi("9", time.Hour, 0), t0)); f != 0 {
		t.Errorf("refused device flagged %v", f)
	}
	st := tr.Stats()
	if st.Devices != 3 || st.Refused != 3 || st.Observed != 7 {
		t.Errorf("Stats %+v, want 3 devices, 3 refused, 7 observed", st)
	}
	if _, ok := tr.Device("4"); ok {
		t.Error("device 4 beyond the cap is tracked")
	}
	if ds := tr.Devices(); len(ds) != 3 || ds[0].Key != "0" || ds[1].Key != "1" || ds[2].Key != "2" {
		t.Errorf("Devices() = %+v, want 0, 1, 2 in first-seen order", ds)
	}
	tr.Reset()
	if st := tr.Stats(); st != (Stats{}) || len(tr.Devices()) != 0 {
		t.Errorf("after Reset: %+v", st)
	}
	tr.Observe(7, entry(chanTopic+"4", flespi("4", 0, 0), t0))
	if _, ok := tr.Device("4"); !ok {
		t.Error("after Reset a new device is refused")
	}
}

func TestDefaultCap(t *testing.T) {
	if tr := NewTracker(Config{}); tr.cfg.MaxDevices != DefaultMaxDevices || tr.StaleAfter() != DefaultStale {
		t.Errorf("defaults: %+v", tr.cfg)
	}
}

func TestPrevOf(t *testing.T) {
	// History from index 100: devices A, B, A, text on t, A.
	hist := []*history.Entry{
		entry(chanTopic+"A", flespi("A", 0, 0), t0),
		entry(chanTopic+"B", flespi("B", 0, 0), t0),
		entry(chanTopic+"A", flespi("A", time.Second, 0), t0),
		entry("t", "x", t0),
		entry(chanTopic+"A", flespi("A", 2*time.Second, 0), t0),
	}
	const first = 100
	get := func(abs uint64) (*history.Entry, bool) {
		if abs < first || abs >= first+uint64(len(hist)) {
			return nil, false
		}
		return hist[abs-first], true
	}
	tr := NewTracker(Config{})
	for i, e := range hist {
		tr.Observe(first+uint64(i), e)
	}
	if d, _ := tr.Device("A"); d.LastAbs != 104 || d.PrevAbs != 102 {
		t.Errorf("A: LastAbs %d PrevAbs %d, want 104 102", d.LastAbs, d.PrevAbs)
	}
	cases := []struct {
		abs, want uint64
		limit     int
		ok        bool
	}{
		{abs: 104, limit: 10, want: 102, ok: true},
		{abs: 102, limit: 10, want: 100, ok: true},
		{abs: 100, limit: 10, ok: false}, // before history's first
		{abs: 101, limit: 10, ok: false}, // B's only message
		{abs: 104, limit: 1, ok: false},  // too far for the limit
		{abs: 104, limit: 2, want: 102, ok: true},
		{abs: 103, limit: 10, ok: false},
		{abs: 99, limit: 10, ok: false}, // evicted
	}
	for _, tc := range cases {
		got, ok := PrevOf(get, tc.abs, tc.limit)
		if ok != tc.ok || got != tc.want {
			t.Errorf("PrevOf(%d, %d) = %d, %v; want %d, %v", tc.abs, tc.limit, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMicrosToDuration(t *testing.T) {
	if d := microsToDuration(math.MaxInt64); d != time.Duration(math.MaxInt64/1000)*time.Microsecond {
		t.Errorf("no saturation: %v", d)
	}
	if d := microsToDuration(-5); d != -5*time.Microsecond {
		t.Errorf("%v", d)
	}
}
