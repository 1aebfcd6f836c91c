package filters

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const flespiMsg = `{"ident":"352625066004561","timestamp":1715843521.0,"server.timestamp":1715843522.418732,` +
	`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213",` +
	`"device.id":182083,"device.name":"Truck 17","device.type.id":744,` +
	`"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,` +
	`"position.speed":47,"position.direction":281,"position.satellites":14,"position.hdop":0.8,` +
	`"position.valid":true,"engine.ignition.status":true,"movement.status":true,` +
	`"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,` +
	`"gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`

const flespiTopic = "flespi/message/gw/devices/182083"

func TestParse(t *testing.T) {
	cases := []struct {
		src        string
		wantNil    bool
		wantString string
		wantErr    string
	}{
		{src: "", wantNil: true},
		{src: "  \t\n", wantNil: true},
		{src: "truck", wantString: "truck"},
		{src: "  Truck 17 ", wantString: "Truck 17"},
		{src: "Größe", wantString: "Größe"},
		{src: "bad \xff utf8", wantErr: "not valid UTF-8"},
		{src: strings.Repeat("x", MaxLen+1), wantErr: "longer than the 4096-byte limit"},
	}
	for _, c := range cases {
		name := c.src
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			f, err := Parse(c.src)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want it to contain %q", c.src, err, c.wantErr)
				}
				if f != nil {
					t.Fatalf("Parse(%q) returned a filter along with an error", c.src)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.src, err)
			}
			if c.wantNil {
				if f != nil {
					t.Fatalf("Parse(%q) = %v, want nil (everything)", c.src, f)
				}
				return
			}
			if got := f.String(); got != c.wantString {
				t.Fatalf("String() = %q, want %q", got, c.wantString)
			}
			g, err := Parse(f.String())
			if err != nil || g.String() != f.String() {
				t.Fatalf("String does not round-trip: %q -> %v, %v", f.String(), g, err)
			}
		})
	}
}

func TestParseInvalidUTF8IsSentinel(t *testing.T) {
	if _, err := Parse("\xc3"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("err = %v, want ErrInvalidUTF8", err)
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		name, src, topic, payload string
		want                      bool
	}{
		{name: "topic lower", src: "devices", topic: flespiTopic, want: true},
		{name: "topic upper needle", src: "DEVICES/182083", topic: flespiTopic, want: true},
		{name: "payload mixed case", src: "truck 17", topic: flespiTopic, payload: flespiMsg, want: true},
		{name: "payload ident", src: "352625066004561", topic: "x", payload: flespiMsg, want: true},
		{name: "payload key with dots", src: "Engine.Ignition", topic: "x", payload: flespiMsg, want: true},
		{name: "absent", src: "truck 18", topic: flespiTopic, payload: flespiMsg, want: false},
		{name: "not across topic and payload", src: "182083{", topic: flespiTopic, payload: flespiMsg, want: false},
		{name: "needle at very end", src: "enum\":0}", topic: "x", payload: flespiMsg, want: true},
		{name: "needle at start", src: "{\"IDENT", topic: "x", payload: flespiMsg, want: true},
		{name: "needle longer than haystack", src: "abcdef", topic: "abc", payload: "abcde", want: false},
		{name: "empty haystacks", src: "a", want: false},
		{name: "non-letter first byte", src: "@Home", topic: "x", payload: "at `HOME and @hOmE", want: true},
		{name: "non-letter no false fold", src: "@home", topic: "x", payload: "`home", want: false},
		{name: "digits exact", src: "4.05", topic: "x", payload: flespiMsg, want: true},
		{name: "overlapping candidates", src: "aab", topic: "x", payload: "aaaaaaaAAB", want: true},
		{name: "many candidates none match", src: "aab", topic: "x", payload: strings.Repeat("a", 1000), want: false},
		{name: "binary payload", src: "ok", topic: "x", payload: "\x00\xffOK\x01", want: true},
		{name: "unicode fold", src: "größe", topic: "x", payload: "Die GRÖSSE und GRÖßE", want: true},
		{name: "unicode no match", src: "größe", topic: "x", payload: "grosse", want: false},
		{name: "kelvin sign folds to k", src: "\u212Aelvin", topic: "x", payload: "KELVIN", want: true},
		{name: "unicode in topic", src: "łódź", topic: "city/ŁÓDŹ/temp", want: true},
		{name: "unicode invalid haystack", src: "ä", topic: "x", payload: "\xff\xfe\xc3\xa4", want: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.src)
			if err != nil || f == nil {
				t.Fatalf("Parse(%q) = %v, %v", c.src, f, err)
			}
			if got := f.Match(c.topic, []byte(c.payload)); got != c.want {
				t.Fatalf("Match(%q, %q) with %q = %v, want %v", c.topic, c.payload, c.src, got, c.want)
			}
		})
	}
}

func TestMatchesNilMeansEverything(t *testing.T) {
	if !Matches(nil, "", nil) {
		t.Fatal("nil filter must match everything")
	}
	f, _ := Parse("zzz")
	if Matches(f, "a", []byte("b")) {
		t.Fatal("Matches must delegate to the filter")
	}
}

func TestMatchASCIIDoesNotAllocate(t *testing.T) {
	f, _ := Parse("TRUCK 17")
	payload := []byte(flespiMsg)
	allocs := testing.AllocsPerRun(100, func() {
		if !f.Match(flespiTopic, payload) {
			t.Fatal("no match")
		}
		if f.Match(flespiTopic, payload[:100]) {
			t.Fatal("unexpected match")
		}
	})
	if allocs != 0 {
		t.Fatalf("Match allocates %v times per call, want 0", allocs)
	}
}

// refContainsFoldASCII is an obviously correct reference for ASCII needles.
func refContainsFoldASCII(h, needle []byte) bool {
	return bytes.Contains(asciiLower(h), asciiLower(needle))
}

func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}

func FuzzParse(f *testing.F) {
	f.Add("truck", "flespi/message/gw/devices/1", []byte(flespiMsg))
	f.Add("AAB", "", []byte("aaaaAab"))
	f.Add("größe", "x", []byte("GRÖSSE"))
	f.Add(" ", "x", []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, src, topic string, payload []byte) {
		flt, err := Parse(src)
		if err != nil {
			return
		}
		got := Matches(flt, topic, payload) // must not panic
		if flt == nil {
			if !got {
				t.Fatal("nil filter rejected a message")
			}
			return
		}
		needle := []byte(strings.TrimSpace(src))
		if !isASCII(string(needle)) {
			return
		}
		want := refContainsFoldASCII([]byte(topic), needle) || refContainsFoldASCII(payload, needle)
		if got != want {
			t.Fatalf("Match(%q, %q) with %q = %v, reference says %v", topic, payload, src, got, want)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	payload := []byte(flespiMsg)
	for _, bc := range []struct{ name, src string }{
		{"ascii-hit", "Truck 17"},
		{"ascii-miss", "truck 18"},
		{"ascii-digit-miss", "9999"},
		{"unicode-miss", "größe"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := Parse(bc.src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(payload) + len(flespiTopic)))
			n := 0
			for b.Loop() {
				f.Match(flespiTopic, payload)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
