package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

// twinMsgs are n flespi messages of one device as a channel pane and a
// device pane receive them: each on its channel topic and, with device.*
// fields, on its device topic (docs/FLESPI.md §3), through two subscriptions.
func twinMsgs(n int) []broker.Message {
	const ident = "352625066004561"
	var out []broker.Message
	for i := range n {
		ts := float64(t0.Unix() + int64(i)*10)
		base := fmt.Sprintf(`"ident":"%s","timestamp":%.1f,"server.timestamp":%.6f,"position.speed":%d,"battery.voltage":4.1`, ident, ts, ts+0.4187, 40+i)
		rcv := t0.Add(time.Duration(i) * 10 * time.Second)
		out = append(out,
			broker.Message{Seq: uint64(2*i + 1), Topic: "flespi/message/gw/channels/1234/" + ident, QoS: 1, Received: rcv,
				Payload: []byte("{" + base + "}"), Props: &broker.Properties{SubscriptionIDs: []int{1}}},
			broker.Message{Seq: uint64(2*i + 2), Topic: "flespi/message/gw/devices/182020", QoS: 1, Received: rcv,
				Payload: []byte("{" + base + `,"device.id":182020,"device.name":"Van 02"}`), Props: &broker.Properties{SubscriptionIDs: []int{2}}})
	}
	return out
}

// TestChannelAndDevicePaneOneMessage: with a channel pane and a device pane
// on the same device each pane lists its own copies, the detail says where
// else the message arrived, d compares with the previous different message
// (not with the twin from the other topic), and the device view counts
// distinct messages.
func TestChannelAndDevicePaneOneMessage(t *testing.T) {
	const n = 5
	m := newModel(t, 160, 48, "flespi/message/gw/channels/+/+")
	m = submitPrompt(t, m, "n", "flespi/message/gw/devices/182020")
	m = update(t, m, batch(twinMsgs(n)))
	if m.cur != 1 {
		t.Fatalf("focus on pane %d, want the device pane (1)", m.cur)
	}
	e := m.cp().Selected()
	if e == nil || e.Seq != 2*n {
		t.Fatalf("device pane selected %v, want its newest message (seq %d)", e, 2*n)
	}
	s := screen(t, m)
	if !strings.Contains(s, "also on   flespi/message/gw/channels/1234/352625066004561") {
		t.Fatalf("detail does not list the channel topic the message also arrived on:\n%s", s)
	}
	m = update(t, m, press("d"))
	s = screen(t, m)
	want := fmt.Sprintf("diff against this device's previous different message (seq %d", 2*n-2)
	if !strings.Contains(s, want) || !strings.Contains(s, fmt.Sprintf("~ position.speed: %d → %d", 40+n-2, 40+n-1)) {
		t.Fatalf("diff: want %q and the speed change:\n%s", want, s)
	}
	if strings.Contains(s, "0 fields changed") {
		t.Fatalf("diff compares the message with its own copy:\n%s", s)
	}
	m = update(t, m, press("d"))
	m = update(t, m, press("V"))
	s = screen(t, m)
	row := ""
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "352625066004561") {
			row = l
		}
	}
	if !strings.Contains(s, "1 devices") && !strings.Contains(s, "1 device") {
		t.Fatalf("device view does not list one device:\n%s", s)
	}
	if !strings.Contains(row, fmt.Sprintf(" %d ", n)) || strings.Contains(row, fmt.Sprintf(" %d ", 2*n)) {
		t.Fatalf("device row %q: want %d messages (distinct), not %d (copies counted)", row, n, 2*n)
	}
	if d, ok := m.tracker.Device("352625066004561"); !ok || d.Messages != n || d.Copies != n {
		t.Fatalf("tracker: %+v, want %d messages and %d copies", d, n, n)
	}
}
