package telematics

import (
	"strconv"
	"strings"
	"time"

	"hubtap/broker"
	"hubtap/history"
)

// t0 is the tests' epoch: 2024-05-16 07:12:01 UTC (docs/FLESPI.md Example A).
var t0 = time.Unix(1_715_843_521, 0)

// at returns t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// secs formats t as flespi's float Unix seconds with µs.
func secs(t time.Time) string {
	us := t.UnixMicro()
	return strconv.FormatInt(us/1e6, 10) + "." + strconv.FormatInt(1e6+us%1e6, 10)[1:]
}

// flespi builds a flat flespi message. ts and srv are offsets from t0; a
// negative srv means no server.timestamp. extra is appended verbatim
// (`"position.speed":47`).
func flespi(ident string, ts, srv time.Duration, extra ...string) string {
	var b strings.Builder
	b.WriteString(`{"ident":"` + ident + `","timestamp":` + secs(at(ts)))
	if srv >= 0 {
		b.WriteString(`,"server.timestamp":` + secs(at(srv)))
	}
	for _, x := range extra {
		b.WriteString("," + x)
	}
	b.WriteString("}")
	return b.String()
}

// entry builds a history entry as the Store would, received at rcv.
func entry(topic, payload string, rcv time.Time) *history.Entry {
	e := history.NewEntry(broker.Message{Topic: topic, Payload: []byte(payload), Received: rcv, QoS: 1})
	return &e
}

// fixedClock is an injectable clock.
type fixedClock struct{ now time.Time }

func (c *fixedClock) Now() time.Time { return c.now }
