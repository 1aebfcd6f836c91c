package history

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unsafe"

	"hubtap/broker"
	"hubtap/filters"
)

func msg(topic, payload string) broker.Message {
	return broker.Message{Seq: 1, Topic: topic, Payload: []byte(payload), QoS: 1, Received: time.Unix(1715843522, 0)}
}

func TestNewEntryFlespiExampleA(t *testing.T) {
	m := msg("flespi/message/gw/devices/182083", exampleA)
	e := NewEntry(m)
	if e.Kind != KindJSON {
		t.Fatalf("Kind = %v, want json", e.Kind)
	}
	if want := "speed=47km/h 52.22968,21.01223 ign=on batt=4.05V gsm=80 +20 fields"; e.Summary != want {
		t.Fatalf("Summary = %q\nwant      %q", e.Summary, want)
	}
	if e.Ident != "352625066004561" {
		t.Fatalf("Ident = %q", e.Ident)
	}
	if unsafe.StringData(e.TopicSafe) != unsafe.StringData(m.Topic) {
		t.Fatal("TopicSafe copied a topic that was already safe")
	}
	if e.Seq != 1 || e.QoS != 1 || !bytes.Equal(e.Payload, m.Payload) || !e.Received.Equal(m.Received) {
		t.Fatalf("message fields not carried over: %+v", e.Message)
	}
}

func TestNewEntrySummary(t *testing.T) {
	cases := []struct {
		name, payload string
		kind          Kind
		ident, want   string
	}{
		{name: "flespi example B", payload: exampleB, kind: KindJSON, ident: "860000000000001",
			want: "batt=3.71V +7 fields"},
		{name: "flespi example C", payload: exampleC, kind: KindJSON, ident: "352625066004561",
			want: "speed=0km/h 52.10000,20.95000 ign=off +9 fields"},
		{name: "pwr without batt, ident from device.id", payload: `{"device.id":42,"external.powersource.voltage":12.3}`,
			kind: KindJSON, ident: "42", want: "pwr=12.3V +1 field"},
		{name: "batt wins over pwr", payload: `{"battery.voltage":4.1,"external.powersource.voltage":27.9}`,
			kind: KindJSON, want: "batt=4.1V +1 field"},
		{name: "everything shown", payload: `{"position.speed":12.34,"gsm.signal.level":55}`,
			kind: KindJSON, want: "speed=12.3km/h gsm=55"},
		{name: "latitude alone is not telemetry", payload: `{"position.latitude":1.5,"x":true}`,
			kind: KindJSON, want: `{position.latitude: 1.5, x: true}`},
		{name: "wrong types are not telemetry", payload: `{"position.speed":"fast","engine.ignition.status":1}`,
			kind: KindJSON, want: `{position.speed: "fast", engine.ignition.status: 1}`},
		{name: "state object", payload: `{"id":42,"name":"Truck","configuration":{"ident": "x"},"enabled":true}`,
			kind: KindJSON, want: `{id: 42, name: "Truck", configuration: {"ident":"x"}, enabled: true}`},
		{name: "ident string wins over device.id", payload: `{"device.id":7,"ident":"abc"}`,
			kind: KindJSON, ident: "abc", want: `{device.id: 7, ident: "abc"}`},
		{name: "hostile ident", payload: `{"ident":"\u001b[31mx\u202e"}`,
			kind: KindJSON, ident: "␛[31mx⟨RLO⟩", want: `{ident: "\u001b[31mx\u202e"}`},
		{name: "empty object", payload: `{}`, kind: KindJSON, want: "{}"},
		{name: "bare true", payload: "true", kind: KindJSON, want: "true"},
		{name: "bare number", payload: "47", kind: KindJSON, want: "47"},
		{name: "bare string", payload: `"str"`, kind: KindJSON, want: `"str"`},
		{name: "array", payload: "[1, 2]", kind: KindJSON, want: "[1,2]"},
		{name: "array keeps string blanks", payload: ` [ "a b" , {"c" : null} ] `, kind: KindJSON, want: `["a b",{"c":null}]`},
		{name: "invalid JSON", payload: `{"a":`, kind: KindText, want: `{"a":`},
		{name: "text with newlines", payload: "line 1\nline 2", kind: KindText, want: "line 1␊line 2"},
		{name: "binary", payload: "\x00\x01\xff", kind: KindBinary, want: "binary 3 B: 00 01 ff"},
		{name: "binary over 16 bytes", payload: "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11",
			kind: KindBinary, want: "binary 18 B: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …"},
		{name: "empty", payload: "", kind: KindEmpty, want: "(empty)"},
		{name: "only escapes", payload: "\x1b[2J\x1b[H", kind: KindText, want: "␛[2J␛[H"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewEntry(msg("t", c.payload))
			if e.Kind != c.kind {
				t.Errorf("Kind = %v, want %v", e.Kind, c.kind)
			}
			if e.Ident != c.ident {
				t.Errorf("Ident = %q, want %q", e.Ident, c.ident)
			}
			if e.Summary != c.want {
				t.Errorf("Summary = %q\nwant      %q", e.Summary, c.want)
			}
			checkLine(t, "Summary", e.Summary, SummaryCells)
		})
	}
}

func TestNewEntryGenericObjectIsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"key` + strings.Repeat("k", i%7) + `":"` + strings.Repeat("v", i%60) + `"`)
	}
	b.WriteString("}")
	e := NewEntry(msg("t", b.String()))
	checkLine(t, "Summary", e.Summary, SummaryCells)
	if !strings.HasPrefix(e.Summary, `{key: "", keyk: "v", `) || !strings.HasSuffix(e.Summary, "…") {
		t.Fatalf("Summary = %q", e.Summary)
	}
}

func TestNewEntryHostile(t *testing.T) {
	payloads := map[string]string{
		"CSI":                 "\x1b[31mred\x1b[0m",
		"OSC 52":              "\x1b]52;c;aGk=\x07",
		"raw C1 byte":         "\x9b31mx",
		"UTF-8 C1":            "\u009b31mx",
		"bidi override":       "abc\u202Edef",
		"C0 mix":              "\r\b\a\x00",
		"JSON with raw C1":    `{"a":"` + "\u009b" + `","b":"` + "\u202e" + `"}`,
		"JSON escaped ESC":    `{"ident":"\u001b]52;c;aGk=\u0007","x":"\u001b[2J"}`,
		"JSON bad UTF-8":      "{\"a\":\"\xff\xfe\"}",
		"JSON hostile key":    "{\"\u202e\u009b\":1}",
		"array of ESC escape": `["\u001b[31m", "\u0000"]`,
		"text with DEL":       "hello\x7fworld and more text here",
	}
	for name, p := range payloads {
		t.Run(name, func(t *testing.T) {
			e := NewEntry(msg("dev/\x1b[2J\u202e/\x9b", p))
			checkLine(t, "Summary", e.Summary, SummaryCells)
			checkLine(t, "TopicSafe", e.TopicSafe, -1)
			checkLine(t, "Ident", e.Ident, -1)
		})
	}
}

func TestNewEntryHugePayloads(t *testing.T) {
	const size = 10 << 20
	jsonArray := make([]byte, 0, size+2)
	jsonArray = append(jsonArray, '[')
	for len(jsonArray) < size {
		jsonArray = append(jsonArray, "1, "...)
	}
	jsonArray = append(jsonArray, "1]"...)

	manyKeys := []byte(`{"ident":"big"`)
	for i := 0; len(manyKeys) < size; i++ {
		manyKeys = append(manyKeys, `,"k":"some value"`...)
	}
	manyKeys = append(manyKeys, '}')

	longString := append(append([]byte(`{"blob":"`), bytes.Repeat([]byte("ab"), size/2)...), `","ident":"late"}`...)

	cases := []struct {
		name       string
		payload    []byte
		kind       Kind
		ident      string
		wantPrefix string
	}{
		{name: "text", payload: bytes.Repeat([]byte("0123456789\n"), size/11), kind: KindText, wantPrefix: "0123456789␊0123456789␊"},
		{name: "binary", payload: append([]byte{0, 1, 2}, make([]byte, size)...), kind: KindBinary, wantPrefix: "binary 10.0 MiB: 00 01 02 00"},
		{name: "json array", payload: jsonArray, kind: KindJSON, wantPrefix: "[1,1,1,1,"},
		{name: "json object, many keys", payload: manyKeys, kind: KindJSON, ident: "big", wantPrefix: `{ident: "big", k: "some value", `},
		{name: "json object, one long string", payload: longString, kind: KindJSON, ident: "late", wantPrefix: `{blob: "abab`},
		{name: "deep nesting", payload: bytes.Repeat([]byte("["), size), kind: KindText, wantPrefix: "[[[["},
		{name: "deep nesting closed", payload: append(bytes.Repeat([]byte("["), size/2), bytes.Repeat([]byte("]"), size/2)...), kind: KindText, wantPrefix: "[[[["},
		{name: "osc that never ends", payload: append([]byte("\x1b]52;c;"), bytes.Repeat([]byte("A"), size)...), kind: KindText, wantPrefix: "␛]52;c;AAAA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewEntry(broker.Message{Topic: "big", Payload: c.payload})
			if e.Kind != c.kind {
				t.Errorf("Kind = %v, want %v", e.Kind, c.kind)
			}
			if e.Ident != c.ident {
				t.Errorf("Ident = %q, want %q", e.Ident, c.ident)
			}
			if !strings.HasPrefix(e.Summary, c.wantPrefix) {
				t.Errorf("Summary = %.80q…, want prefix %q", e.Summary, c.wantPrefix)
			}
			checkLine(t, "Summary", e.Summary, SummaryCells)
			if len(e.Summary) > 4*SummaryCells {
				t.Errorf("Summary is %d bytes", len(e.Summary))
			}
		})
	}
}

func TestNewEntryRecoversFromPanic(t *testing.T) {
	boom := func(Kind, []byte) (string, string) { panic("boom") }
	e, err := buildEntry(msg("dev/\x1b[2J/ü", "\x00\x01\x02"), boom)
	if err == nil || !strings.Contains(err.Error(), "recovered panic: boom") {
		t.Fatalf("err = %v, want a recovered panic", err)
	}
	if e.Kind != KindBinary || e.Summary != "unreadable 3 B" || e.Ident != "" {
		t.Fatalf("fallback entry = kind %v, summary %q, ident %q", e.Kind, e.Summary, e.Ident)
	}
	if want := "dev/\uFFFD[2J/\uFFFD\uFFFD"; e.TopicSafe != want {
		t.Fatalf("TopicSafe = %q, want %q", e.TopicSafe, want)
	}
	if e.Seq != 1 || string(e.Payload) != "\x00\x01\x02" {
		t.Fatal("fallback entry lost the message")
	}
}

func TestSafelyPassesErrors(t *testing.T) {
	want := errors.New("plain")
	if err := safely("op", func() error { return want }); err != want {
		t.Fatalf("err = %v", err)
	}
}

func TestEntryMatches(t *testing.T) {
	e := NewEntry(msg("flespi/message/gw/devices/182083", exampleA))
	for src, want := range map[string]bool{"": true, "truck 17": true, "DEVICES/182083": true, "truck 18": false} {
		f, err := filters.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Matches(f); got != want {
			t.Errorf("Matches(%q) = %v, want %v", src, got, want)
		}
	}
}

func FuzzNewEntry(f *testing.F) {
	f.Add("flespi/message/gw/devices/182083", []byte(exampleA))
	f.Add("t", []byte(exampleB))
	f.Add("t", []byte(`{"a":[1,{"b":"\u001b"}],"ident":7}`))
	f.Add("\x1b[2J", []byte("\x1b]52;c;aGk=\x07\x9b\u202e\r\b\a\x00"))
	f.Add("t", []byte(`"str"`))
	f.Add("t", []byte("\x00\x01\xff"))
	f.Add("t", []byte(`{"position.speed":1e308,"position.latitude":-1e-300,"position.longitude":5}`))
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		e, err := buildEntry(broker.Message{Topic: topic, Payload: payload}, summarize)
		if err != nil {
			t.Fatalf("NewEntry panicked: %v", err)
		}
		checkLine(t, "Summary", e.Summary, SummaryCells)
		checkLine(t, "TopicSafe", e.TopicSafe, -1)
		checkLine(t, "Ident", e.Ident, -1)
		if e.Summary == "" {
			t.Fatal("empty Summary")
		}
		if len(e.Ident) > identMax*3 {
			t.Fatalf("Ident is %d bytes", len(e.Ident))
		}
	})
}
