package history

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hubtap/broker"
)

func TestJSONLRoundTrip(t *testing.T) {
	pf, exp := byte(1), uint32(60)
	when := time.Date(2026, 11, 26, 10, 42, 1, 123456789, time.UTC)
	payloads := map[string][]byte{
		"object":        []byte(`{"ident":"352625066004561","position.speed":47,"ok":true}`),
		"scalar":        []byte(`47`),
		"bool":          []byte(`true`),
		"string":        []byte(`"hello"`),
		"pretty JSON":   []byte("{\n  \"a\": 1\n}"),
		"padded JSON":   []byte(" 47 "),
		"text":          []byte("plain text\twith tab"),
		"binary":        {0x00, 0x01, 0xff, 0xfe, '\n', 0x1b},
		"empty":         {},
		"invalid JSON":  []byte(`{"a":`),
		"escapes":       []byte("\x1b]52;c;aGk=\x07"),
		"unicode JSON":  []byte(`{"name":"Łódź 🚚","rtl":"\u202e"}`),
		"number string": []byte(`"81"`),
		"broken UTF-8":  []byte("{\"device.name\":\"bad\xc3(utf8\xff\xfe\"}"),
		"C1 in JSON":    []byte("{\"csi\":\"\u009b31m\"}"),
		"lone C2":       []byte("\"\xc2\""),
	}
	for name, p := range payloads {
		t.Run(name, func(t *testing.T) {
			in := broker.Message{Seq: 42, Topic: "flespi/message/gw/devices/1\"\\\n", Payload: p, QoS: 1, Retain: true, Duplicate: true,
				Received: when, Props: &broker.Properties{ContentType: "application/json", ResponseTopic: "r/t",
					CorrelationData: []byte{0, 1, 2}, PayloadFormat: &pf, MessageExpiry: &exp, SubscriptionIDs: []int{3, 4},
					User: []broker.UserProperty{{Key: "timestamp", Value: "1715843522.418732"}, {Key: "k", Value: "v"}, {Key: "k", Value: "v2"}}}}
			line := AppendJSONL(nil, &in)
			if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
				t.Fatalf("not one line: %q", line)
			}
			checkStrictLine(t, line)
			out, err := ParseJSONL(line)
			if err != nil {
				t.Fatalf("ParseJSONL: %v\n%s", err, line)
			}
			if !bytes.Equal(out.Payload, in.Payload) {
				t.Fatalf("payload %q, want %q", out.Payload, in.Payload)
			}
			if len(in.Payload) == 0 {
				out.Payload = in.Payload // nil vs empty
			}
			if !out.Received.Equal(in.Received) {
				t.Fatalf("time %v, want %v", out.Received, in.Received)
			}
			out.Received = in.Received
			if !reflect.DeepEqual(out, in) {
				t.Fatalf("round trip:\n got %+v %+v\nwant %+v %+v", out, out.Props, in, in.Props)
			}
		})
	}
}

// checkStrictLine fails unless line is one strict JSON object (valid UTF-8,
// as Python's json.loads(line.decode()) needs) with no raw C1 control.
func checkStrictLine(t *testing.T, line []byte) {
	t.Helper()
	if !utf8.Valid(line) {
		t.Fatalf("line is not valid UTF-8 (python's json.loads would fail): %q", line)
	}
	var obj map[string]any
	if err := json.Unmarshal(line, &obj); err != nil {
		t.Fatalf("not JSON (jq would fail): %v\n%q", err, line)
	}
	if hasC1(line) {
		t.Fatalf("line carries a raw C1 control: %q", line)
	}
}

// FuzzAppendJSONL: any payload, topic and user property gives one strict
// JSON line, and reading it back restores the payload's exact bytes.
func FuzzAppendJSONL(f *testing.F) {
	for _, p := range []string{`{"a":1}`, "{\"c1\":\"\xc2\x85\"}", "{\"n\":\"bad\xc3(\xff\xfe\"}", "\"\u009b\"", "\"\xc2\x9b\"", " 1", "\x1b]52;c;aGk=\x07", ""} {
		f.Add([]byte(p), "flespi/message/gw/devices/1", "k\u009b")
	}
	f.Fuzz(func(t *testing.T, payload []byte, topic, value string) {
		in := broker.Message{Topic: topic, Payload: payload, Received: time.Unix(1715843522, 5),
			Props: &broker.Properties{User: []broker.UserProperty{{Key: "k", Value: value}}}}
		line := AppendJSONL(nil, &in)
		if bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("not exactly one line: %q", line)
		}
		checkStrictLine(t, line)
		out, err := ParseJSONL(line)
		if err != nil {
			t.Fatalf("ParseJSONL of our own line: %v\n%q", err, line)
		}
		if !bytes.Equal(out.Payload, payload) {
			t.Fatalf("payload came back as %q, want %q (line %q)", out.Payload, payload, line)
		}
		if utf8.ValidString(topic) && out.Topic != topic {
			t.Fatalf("topic came back as %q, want %q", out.Topic, topic)
		}
		if utf8.ValidString(value) && out.Props.User[0].Value != value {
			t.Fatalf("user property came back as %q, want %q", out.Props.User[0].Value, value)
		}
	})
}

func TestJSONLEmbedsJSONVerbatim(t *testing.T) {
	m := broker.Message{Topic: "t", Payload: []byte(`{"a":1}`), Received: time.Unix(0, 0)}
	line := string(AppendJSONL(nil, &m))
	if !strings.Contains(line, `"payload":{"a":1}}`) || strings.Contains(line, "base64") {
		t.Fatalf("JSON payload not embedded: %s", line)
	}
	if !strings.Contains(line, `"time":"1970-01-01T00:00:00.000000000Z"`) {
		t.Fatalf("time not RFC 3339 with ns: %s", line)
	}
}

func TestParseJSONLRejects(t *testing.T) {
	for _, line := range []string{``, `[]`, `{"topic":"t"}`, `{"time":"x","topic":"t","payload":1}`,
		`{"time":"2026-01-01T00:00:00Z","topic":"t","payload_encoding":"rot13","payload":"x"}`,
		`{"time":"2026-01-01T00:00:00Z","topic":"t","payload_encoding":"base64","payload":"!!"}`} {
		if _, err := ParseJSONL([]byte(line)); err == nil {
			t.Errorf("ParseJSONL(%q) accepted it", line)
		}
	}
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","topic":"t","payload":{"a":1}}`))
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","topic":"t","payload_encoding":"base64","payload":"AAE="}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := ParseJSONL(line)
		if err != nil {
			return
		}
		// Whatever parsed must write and parse back to the same payload.
		again, err := ParseJSONL(AppendJSONL(nil, &m))
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if !bytes.Equal(again.Payload, m.Payload) || again.Topic != eachInvalidByteReplaced(m.Topic) {
			t.Fatalf("round trip changed the message: %q/%q vs %q/%q", again.Topic, again.Payload, m.Topic, m.Payload)
		}
	})
}

// eachInvalidByteReplaced is what appendJSONString makes of a string that
// is not valid UTF-8: every byte that starts no valid sequence becomes
// U+FFFD, as encoding/json does (strings.ToValidUTF8 would make one of a
// run of them).
func eachInvalidByteReplaced(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func BenchmarkAppendJSONL(b *testing.B) {
	m := broker.Message{Seq: 1, Topic: "flespi/message/gw/channels/1234/352625066004561", QoS: 1, Received: time.Now(),
		Payload: []byte(`{"ident":"352625066004561","timestamp":1715843521.0,"server.timestamp":1715843522.418732,"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213","device.id":182083,"device.name":"Truck 17","device.type.id":744,"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,"position.speed":47,"position.direction":281,"position.satellites":14,"position.hdop":0.8,"position.valid":true,"engine.ignition.status":true,"movement.status":true,"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,"gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`),
		Props:   &broker.Properties{User: []broker.UserProperty{{Key: "timestamp", Value: "1715843522.418732"}, {Key: "cid", Value: "8201"}}}}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSONL(buf[:0], &m)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func TestAppendTimeMatchesLayout(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 11, 26, 10, 42, 1, 5, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.FixedZone("x", 3*3600+1800)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 123456789, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(),
	} {
		t.Run(tm.String(), func(t *testing.T) {
			if got, want := string(appendTime(nil, tm)), tm.UTC().Format(jsonlTime); got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
}

func TestPlainJSON(t *testing.T) {
	for _, s := range []string{"", "flespi/message/gw/channels/1234/352625066004561", "a\"b", "a\\b", "tab\there",
		"12345678\"", "1234567\x7f", "ünïcode", "0123456789abcdef\x01", "\u2028"} {
		t.Run(s, func(t *testing.T) {
			want := true
			for i := 0; i < len(s); i++ {
				if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
					want = false
				}
			}
			if got := plainJSON(s); got != want {
				t.Fatalf("plainJSON(%q) = %v, want %v", s, got, want)
			}
		})
	}
}

// TestPlainJSONEveryPosition: a byte that needs escaping is found wherever
// it sits, in strings of every length around the 8-byte words (the last
// word overlaps the one before it).
func TestPlainJSONEveryPosition(t *testing.T) {
	for n := 1; n <= 70; n++ {
		clean := strings.Repeat("a/b_9", 20)[:n]
		if !plainJSON(clean) {
			t.Fatalf("plainJSON(%q) = false, want true", clean)
		}
		for i := range n {
			for _, c := range []byte{'"', '\\', 0x1f, 0x7f + 1, 0xff, 0} {
				s := clean[:i] + string([]byte{c}) + clean[i+1:]
				if plainJSON(s) {
					t.Fatalf("plainJSON(%q) = true: byte %#x at %d of %d missed", s, c, i, n)
				}
			}
		}
	}
}

// TestJSONLEncoderReusesTime: an encoder writes the same lines as
// AppendJSONL whether the receive time repeats or changes (by a second, by a
// nanosecond, in another location, outside the years 0-9999).
func TestJSONLEncoderReusesTime(t *testing.T) {
	base := time.Date(2026, 12, 6, 2, 10, 1, 123456789, time.UTC)
	times := []time.Time{base, base, base.Add(time.Nanosecond), base.Add(time.Second), base.Add(time.Second),
		base.In(time.FixedZone("x", 3600)), base, time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), base, time.Unix(0, 0), time.Time{}, base,
		base.Add(500 * time.Millisecond), base.Add(-100 * time.Millisecond), base.Add(876543210), base.Add(876543211), base}
	for i := range 2000 { // within and across a few seconds, forwards and back: only the fraction is rewritten
		times = append(times, base.Add(time.Duration(i*7919%3000)*time.Millisecond+time.Duration(i*104729%1000)))
	}
	var e JSONLEncoder
	var got []byte
	for i, tm := range times {
		m := broker.Message{Seq: uint64(i), Topic: "t", Payload: []byte(`{"a":1}`), Received: tm}
		got = e.Append(got[:0], &m)
		if want := AppendJSONL(nil, &m); !bytes.Equal(got, want) {
			t.Fatalf("message %d (time %v): encoder wrote\n%s\nAppendJSONL\n%s", i, tm, got, want)
		}
	}
}

// TestEmbeddable: which payloads go into a record as they are, on the
// compact fast path (ASCII or not) and off it.
func TestEmbeddable(t *testing.T) {
	for _, c := range []struct {
		p    string
		want bool
	}{
		{`{"a":1,"b":"x"}`, true}, {`{}`, true}, {`{"name":"Łódź 🚚"}`, true}, {`{"k\u00e9":"v"}`, true},
		{"{\"csi\":\"\xc2\x9b31m\"}", false}, {"{\"\xc2\x85\":1}", false}, {"{\"a\":\"b\xff\"}", false},
		{`{"a":1,}`, false}, {`{"a":[1]}`, true}, {"{\"a\":\n1}", false}, {"{\"a\":1}\r", false}, {`47`, true}, {` 47`, false},
	} {
		if got := embeddable([]byte(c.p)); got != c.want {
			t.Errorf("embeddable(%q) = %v, want %v", c.p, got, c.want)
		}
	}
}
