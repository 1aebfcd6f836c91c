package headless

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
)

// TestStopsKeepTheRestQueued: `hubtap sub --qos 1` on a persistent session
// that stops early (-C reached) leaves every message it did not write
// queued on the broker, and every message it wrote acknowledged: runs of
// -C 10, -C 300 and the rest write each queued message exactly once, in
// order, and nothing is left after. paho acknowledges each message its
// handler returns from, so messages routed after the sink stopped used to
// be acknowledged and lost; and closing the socket with unread data in it
// sent a reset that made the broker discard the last acknowledgements, so
// written messages came again (marked dup).
func TestStopsKeepTheRestQueued(t *testing.T) {
	addr := startMosquitto(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	u, err := broker.ParseURL("mqtt://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	run := func(count int, wait time.Duration, hide []string) ([]string, error) {
		var out, errs bytes.Buffer
		tpl, _ := ParseTemplate("%p")
		_, err := Run(ctx, Config{Count: count, Timeout: wait, Format: tpl, Errors: &errs, Quiet: true, Hide: hide,
			Broker: broker.Options{URL: u, ClientID: "keep-queued", SessionExpiry: time.Hour, QoS: 1, Topics: []string{"keep/#"}}}, &out)
		if err != nil && !errors.Is(err, ErrTimeout) {
			t.Fatalf("Run(-C %d): %v (stderr %s)", count, err, errs.String())
		}
		return strings.Fields(out.String()), err
	}
	pub := pahoClient(t, ctx, addr, "keep-pub")

	// A retained message proves the subscription is in place (the broker
	// sends it after the SUBACK); every later run hides it.
	publishAll(t, ctx, pub, []*paho.Publish{{Topic: "keep/prime", QoS: 1, Retain: true, Payload: []byte("prime")}})
	if got, _ := run(1, 0, nil); len(got) != 1 || got[0] != "prime" {
		t.Fatalf("priming the session: got %q, want [prime]", got)
	}
	hide := []string{"keep/prime"}

	const n = 900 // under mosquitto's default max_queued_messages (1000)
	for i := range n {
		if _, err := pub.Publish(ctx, &paho.Publish{Topic: "keep/" + strconv.Itoa(i%7), QoS: 1, Payload: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	var seen []string
	for _, c := range []int{10, 300, n - 310} {
		got, err := run(c, 10*time.Second, hide) // -W: a lost message ends the run, not the test's deadline
		if err != nil || len(got) != c {
			t.Fatalf("-C %d: %d messages, err %v; so far %d, then %s ... %s", c, len(got), err, len(seen), around(got, 0), around(got, len(got)-1))
		}
		seen = append(seen, got...)
	}
	if got, _ := run(0, 300*time.Millisecond, hide); len(got) > 0 {
		t.Fatalf("after all %d: %d more came (%q...), want none: written messages came again", n, len(got), got[:min(len(got), 10)])
	}
	for i, p := range seen {
		if p != strconv.Itoa(i) {
			t.Fatalf("message %d of the runs is %q, want %d (runs of -C 10, 300 and %d; near it: %s)", i, p, i, n-310, around(seen, i))
		}
	}
}

// around shows the payloads near index i.
func around(s []string, i int) string {
	return fmt.Sprint(s[max(0, i-3):min(len(s), i+4)])
}
