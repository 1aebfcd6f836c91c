package headless

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"hubtap/broker"
)

// queuedSession starts a mosquitto, gives client ID id a persistent QoS 1
// session on keep/#, queues n messages (payloads "0" to "n-1") and returns
// a function that runs `hubtap sub -F %p` on that session into out. A
// retained message on keep/prime proves the subscription is in place (the
// broker sends it after the SUBACK); every later run hides it.
func queuedSession(t *testing.T, ctx context.Context, id string, n int) func(count int, wait time.Duration, out io.Writer) error {
	t.Helper()
	addr := startMosquitto(t)
	u, err := broker.ParseURL("mqtt://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	hide := []string(nil)
	run := func(count int, wait time.Duration, out io.Writer) error {
		var errs bytes.Buffer
		tpl, _ := ParseTemplate("%p")
		_, err := Run(ctx, Config{Count: count, Timeout: wait, Format: tpl, Errors: &errs, Quiet: true, Hide: hide,
			Broker: broker.Options{URL: u, ClientID: id, SessionExpiry: time.Hour, QoS: 1, Topics: []string{"keep/#"}}}, out)
		if err != nil && !errors.Is(err, ErrTimeout) && !strings.HasPrefix(err.Error(), "write:") {
			t.Fatalf("Run(-C %d): %v (stderr %s)", count, err, errs.String())
		}
		return err
	}
	pub := pahoClient(t, ctx, addr, id+"-pub")
	publishAll(t, ctx, pub, []*paho.Publish{{Topic: "keep/prime", QoS: 1, Retain: true, Payload: []byte("prime")}})
	var out bytes.Buffer
	if _ = run(1, 0, &out); out.String() != "prime\n" {
		t.Fatalf("priming the session: got %q, want prime", out.String())
	}
	hide = []string{"keep/prime"}
	for i := range n {
		if _, err := pub.Publish(ctx, &paho.Publish{Topic: "keep/" + strconv.Itoa(i%7), QoS: 1, Payload: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	return run
}

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
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 900 // under mosquitto's default max_queued_messages (1000)
	run := queuedSession(t, ctx, "keep-queued", n)
	var seen []string
	for _, c := range []int{10, 300, n - 310} {
		var out bytes.Buffer
		err := run(c, 10*time.Second, &out) // -W: a lost message ends the run, not the test's deadline
		got := strings.Fields(out.String())
		if err != nil || len(got) != c {
			t.Fatalf("-C %d: %d messages, err %v; so far %d, then %s ... %s", c, len(got), err, len(seen), around(got, 0), around(got, len(got)-1))
		}
		seen = append(seen, got...)
	}
	var out bytes.Buffer
	if _ = run(0, 300*time.Millisecond, &out); out.Len() > 0 {
		got := strings.Fields(out.String())
		t.Fatalf("after all %d: %d more came (%q...), want none: written messages came again", n, len(got), got[:min(len(got), 10)])
	}
	for i, p := range seen {
		if p != strconv.Itoa(i) {
			t.Fatalf("message %d of the runs is %q, want %d (runs of -C 10, 300 and %d; near it: %s)", i, p, i, n-310, around(seen, i))
		}
	}
}

// failingWriter takes limit bytes, then fails as a closed pipe does.
type failingWriter struct {
	bytes.Buffer
	limit int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	room := w.limit - w.Len()
	if room >= len(p) {
		return w.Buffer.Write(p)
	}
	w.Buffer.Write(p[:max(room, 0)])
	return max(room, 0), errors.New("broken pipe")
}

// TestFailedOutputKeepsItsMessages: when the output fails (`hubtap sub |
// head`), the messages whose bytes never got out stay queued on the
// broker, even those the sink had already taken into its output buffer:
// their acknowledgements wait for the buffer's flush (BeforeAck). The run
// after gets every message the failed run did not write whole.
func TestFailedOutputKeepsItsMessages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 900
	run := queuedSession(t, ctx, "keep-failed", n)
	w := &failingWriter{limit: 1500} // a few hundred messages, and one cut in two
	if err := run(0, 10*time.Second, w); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("the failing output: err %v, want the write error", err)
	}
	whole := strings.Fields(w.String()[:strings.LastIndexByte(w.String(), '\n')+1])
	got := map[string]bool{}
	for _, p := range whole {
		got[p] = true
	}
	var after []string // the next runs, until every message came (repeats may come first)
	for {
		missing := 0
		for i := range n {
			if !got[strconv.Itoa(i)] {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		var out bytes.Buffer
		_ = run(missing, 10*time.Second, &out)
		more := strings.Fields(out.String())
		if len(more) == 0 {
			for i := range n {
				if !got[strconv.Itoa(i)] {
					t.Fatalf("message %d was lost (%d in all): the failed run wrote %d whole (%s ... %s), the next runs got %d (%s ...)",
						i, missing, len(whole), around(whole, 0), around(whole, len(whole)-1), len(after), around(after, 0))
				}
			}
		}
		for _, p := range more {
			got[p] = true
		}
		after = append(after, more...)
	}
}

// around shows the payloads near index i.
func around(s []string, i int) string {
	if len(s) == 0 {
		return "[]"
	}
	i = max(0, min(i, len(s)-1))
	return fmt.Sprint(s[max(0, i-3):min(len(s), i+4)])
}
