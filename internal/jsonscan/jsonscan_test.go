package jsonscan

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

type member struct{ k, v string }

// walk collects the members of js, keys decoded; ok is NewMembers' answer.
func walk(js string) (out []member, ok bool) {
	m, ok := NewMembers(js)
	for {
		k, esc, v, more := m.Next()
		if !more {
			return out, ok
		}
		out = append(out, member{Key(k, esc), v})
	}
}

// viaGJSON is what walk must return on a valid object.
func viaGJSON(js string) []member {
	var out []member
	gjson.Parse(js).ForEach(func(k, v gjson.Result) bool {
		out = append(out, member{k.Str, v.Raw})
		return true
	})
	return out
}

// checkMembers compares walk with gjson's ForEach when gjson.Valid accepts
// js; on anything else it only checks that nothing panics.
func checkMembers(t *testing.T, js string) {
	t.Helper()
	got, ok := walk(js)
	if !gjson.Valid(js) {
		return
	}
	isObj := gjson.Parse(js).IsObject()
	if ok != isObj {
		t.Fatalf("%q: NewMembers says object %v, gjson %v", js, ok, isObj)
	}
	if !isObj {
		if len(got) != 0 {
			t.Fatalf("%q: not an object, yet members %q", js, got)
		}
		return
	}
	want := viaGJSON(js)
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, gjson %d:\n got %q\nwant %q", js, len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%q: member %d = %q, gjson %q", js, i, got[i], want[i])
		}
	}
}

// memberCases are the table tests history and telematics had, and the fuzz
// seeds: valid objects (checked against gjson), other valid JSON, and
// malformed input (checked for no panic).
var memberCases = []string{
	`{}`,
	` { } `,
	`{"a":1}`,
	"{\n\t\"a\" : -1.5e3 ,\r\n \"b\":[1, {\"c\":\"]}\"}] , \"d\" : {\"e\":{}} }",
	` { "a" : 1 , "b":"x\"y" ,"c":{"d":[1,{"e":"}"}]},"f":[],"g":true,"h":null,"i":-1.5e3 } `,
	`{"ident":"352625066004561","position.speed":47,"engine.ignition.status":true,"x":null,"y":false}`,
	"{\"ident\":\"352625066004561\",\"timestamp\":1715843521.0,\"position.speed\":47}",
	`{"k\"ey":"v\\","k\\":"\"","\u00e9":"\u2028","s":"a\\\"b"}`,
	`{"\u0069dent":"1","k\\":"\\","s":"a\\\\"}`,
	`{"a":"{","b":"[","c":["\"]",{"d":"}"}],"e":"\\\\"}`,
	`{"dup":1,"dup":2}`,
	`{"long string, over eight bytes":"0123456789abcdef\"0123456789abcdef\\","n":1715843522.418732}`,
	`{"a":"` + strings.Repeat("x", 40) + `\\` + strings.Repeat("y", 7) + `"}`,
	`{"deep":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`,
	`[1,2]`, `"str"`, `47`, `null`, ``, ` `,
	`{"a":`, `{"a":1`, `{"a" 1}`, `{"a":"unterminated}`, `{"a":[1,2}`, `{,}`, `{"a":1,}`,
	`{"a":1 "b":2}`, `{"a":,"b":2}`, `{"a\`, `{"a":"b\`, `{"a":{"b":"\`, "{\"a\":\x00}", `{"a":tru}`,
}

func TestMembersMatchesGJSON(t *testing.T) {
	for _, js := range memberCases {
		t.Run(js, func(t *testing.T) { checkMembers(t, js) })
	}
}

// TestMalformed pins down where a walk stops on input that is not valid:
// callers rely only on "no panic, stops early", but a change here should be
// deliberate.
func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		js   string
		want []member
	}{
		{`{"a":1`, []member{{"a", "1"}}},        // the value runs to the end
		{`{"a":1 "b":2}`, []member{{"a", "1"}}}, // no comma: the walk ends
		{`{"a":1,}`, []member{{"a", "1"}}},
		{`{"a":"x","b":`, []member{{"a", `"x"`}}},
		{`{"a":,"b":2}`, nil},
		{`{"a":[1,2}`, []member{{"a", "[1,2}"}}}, // brackets are counted, not matched
		{`{"a":"b\`, nil},
		{`{,}`, nil},
	} {
		got, ok := walk(tc.js)
		if !ok || len(got) != len(tc.want) {
			t.Errorf("%q: %q, %v; want %q", tc.js, got, ok, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %q; want %q", tc.js, got, tc.want)
			}
		}
	}
}

func TestZeroMembers(t *testing.T) {
	var m Members
	if _, _, _, ok := m.Next(); ok {
		t.Fatal("the zero Members yielded a member")
	}
	m, ok := NewMembers(`[{"a":1}]`)
	if _, _, _, more := m.Next(); ok || more {
		t.Fatalf("an array: NewMembers %v, Next %v", ok, more)
	}
}

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		esc  bool
		want string
	}{
		{"ident", false, "ident"},
		{`a\b`, false, `a\b`}, // esc false: taken as it is
		{`\u0069dent`, true, "ident"},
		{`k\"ey`, true, `k"ey`},
		{`\\`, true, `\`},
		{`\uD83D\uDE00`, true, "😀"},
	} {
		if got := Key(tc.raw, tc.esc); got != tc.want {
			t.Errorf("Key(%q, %v) = %q, want %q", tc.raw, tc.esc, got, tc.want)
		}
	}
}

func TestEnds(t *testing.T) {
	for _, tc := range []struct {
		s        string
		str, val int
		esc      bool
	}{
		{`"abc"`, 5, 5, false},
		{`"a\"bc",`, 7, 7, true},
		{`"0123456789\\"x`, 14, 14, true},
		{`"0123456789\\\"x`, -1, -1, true},
		{`"unterminated`, -1, -1, false},
		{`"`, -1, -1, false},
		{`"\`, -1, -1, true},
		{`{"a":[1,"]"]},`, -1, 13, false},
		{`[[[`, -1, -1, false},
		{`1715843522.418732}`, -1, 17, false},
		{`-1.5e3 ,`, -1, 6, false},
		{"true\n", -1, 4, false},
		{`null`, -1, 4, false},
		{`,`, -1, -1, false},
		{``, -1, -1, false},
	} {
		if tc.s != "" && tc.s[0] == '"' {
			if end, esc := StringEnd(tc.s, 0); end != tc.str || esc != tc.esc {
				t.Errorf("StringEnd(%q) = %d, %v; want %d, %v", tc.s, end, esc, tc.str, tc.esc)
			}
		}
		if end := ValueEnd(tc.s, 0); end != tc.val {
			t.Errorf("ValueEnd(%q) = %d, want %d", tc.s, end, tc.val)
		}
	}
}

func TestRawType(t *testing.T) {
	for raw, want := range map[string]gjson.Type{
		`"s"`: gjson.String, `{}`: gjson.JSON, `[1]`: gjson.JSON, `true`: gjson.True,
		`false`: gjson.False, `null`: gjson.Null, ``: gjson.Null, `-1`: gjson.Number, `4.05`: gjson.Number,
	} {
		if got := RawType(raw); got != want || raw != "" && got != gjson.Parse(raw).Type {
			t.Errorf("RawType(%q) = %v, want %v", raw, got, want)
		}
	}
}

// FuzzMembers compares a walk with gjson's ForEach on every input that
// gjson.Valid accepts, and checks that nothing panics on the rest.
func FuzzMembers(f *testing.F) {
	for _, js := range memberCases {
		f.Add(js)
	}
	f.Fuzz(checkMembers)
}

// FuzzNoPanic feeds arbitrary bytes to everything exported, at every
// offset, and checks that the answers stay within the input.
func FuzzNoPanic(f *testing.F) {
	for _, js := range memberCases {
		f.Add(js)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, _ := NewMembers(s)
		for n := 0; ; n++ {
			k, esc, v, ok := m.Next()
			if !ok {
				break
			}
			if v == "" || esc != strings.Contains(k, `\`) || n > len(s) {
				t.Fatalf("%q: member %d: key %q (esc %v), value %q", s, n, k, esc, v)
			}
			_ = Key(k, esc)
			_ = RawType(v)
		}
		for i := 0; i <= len(s); i++ {
			if w := SkipWS(s, i); w < i || w > len(s) {
				t.Fatalf("SkipWS(%q, %d) = %d", s, i, w)
			}
			if end, _ := StringEnd(s, i); end != -1 && (end < i+2 || end > len(s)) {
				t.Fatalf("StringEnd(%q, %d) = %d", s, i, end)
			}
			if end := ValueEnd(s, i); end != -1 && (end <= i || end > len(s)) {
				t.Fatalf("ValueEnd(%q, %d) = %d", s, i, end)
			}
		}
	})
}

// flespiMsg is docs/FLESPI.md §5, Example A, on one line.
const flespiMsg = `{"ident":"352625066004561","timestamp":1715843521.0,"server.timestamp":1715843522.418732,` +
	`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213",` +
	`"device.id":182083,"device.name":"Truck 17","device.type.id":744,` +
	`"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,` +
	`"position.speed":47,"position.direction":281,"position.satellites":14,"position.hdop":0.8,` +
	`"position.valid":true,"engine.ignition.status":true,"movement.status":true,` +
	`"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,` +
	`"gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`

// BenchmarkMembers walks a whole flespi message, keys compared as a
// caller would (one op is one message).
func BenchmarkMembers(b *testing.B) {
	b.SetBytes(int64(len(flespiMsg)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		m, _ := NewMembers(flespiMsg)
		for {
			k, esc, _, ok := m.Next()
			if !ok {
				break
			}
			if Key(k, esc) == "position.speed" {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no position.speed")
	}
}
