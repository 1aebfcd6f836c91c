package filters

import (
	"strings"
	"testing"
)

type evalCase struct {
	expr, payload string
	want          bool
}

// runEval evaluates each case on in with the case's payload, once with the
// payload unknown (validated by Eval) and once with the hint a history entry
// would give (JSONValid or JSONInvalid): both must agree.
func runEval(t *testing.T, in Input, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr+" on "+clip(c.payload), func(t *testing.T) {
			e := mustCompile(t, c.expr)
			in := in
			in.Payload = []byte(c.payload)
			if got := e.eval(&in); got != c.want {
				t.Fatalf("Eval = %v, want %v", got, c.want)
			}
			in.JSON = JSONInvalid
			if validJSON(c.payload) {
				in.JSON = JSONValid
			}
			if got := e.eval(&in); got != c.want {
				t.Fatalf("Eval with JSON hint %d = %v, want %v", in.JSON, got, c.want)
			}
		})
	}
}

func TestEvalGrammar(t *testing.T) {
	const p = `{"a":1,"b":0,"c":0,"s":"Truck 17"}`
	runEval(t, Input{Topic: "t"}, []evalCase{
		{expr: "a == 1 || b == 1 && c == 1", payload: p, want: true}, // && binds tighter
		{expr: "(a == 1 || b == 1) && c == 1", payload: p, want: false},
		{expr: "b == 1 && c == 1 || a == 1", payload: p, want: true},
		{expr: "a == 1 or b == 1 and c == 1", payload: p, want: true},
		{expr: "!(a == 1) || b == 0", payload: p, want: true},
		{expr: "!a == 1", payload: p, want: false}, // ! applies to the comparison
		{expr: "not a == 1", payload: p, want: false},
		{expr: "!!(a == 1)", payload: p, want: true},
		{expr: "not not a == 1", payload: p, want: true},
		{expr: "a == 1 && !(b == 1 || c == 1)", payload: p, want: true},
		{expr: "a != 1", payload: p, want: false},
		{expr: "a < 2 && a <= 1 && a > 0 && a >= 1", payload: p, want: true},
		{expr: "a < 1 || a > 1", payload: p, want: false},
		{expr: `s =~ "^Truck \d+$"`, payload: p, want: true},
		{expr: `s =~ "^truck"`, payload: p, want: false},    // regexps are case-sensitive...
		{expr: `s =~ "(?i)^truck"`, payload: p, want: true}, // ...unless they say otherwise
		{expr: `s !~ "^Van"`, payload: p, want: true},
		{expr: `s contains "TRUCK 1"`, payload: p, want: true},
		{expr: `s contains "van"`, payload: p, want: false},
		{expr: `a in [3, 2, 1]`, payload: p, want: true},
		{expr: `a not in [3, 2, 1]`, payload: p, want: false},
		{expr: `a in []`, payload: p, want: false},
		{expr: `exists(a) && !exists(z)`, payload: p, want: true},
		{expr: `truck AND 17`, payload: p, want: true},
		{expr: `truck && 18`, payload: p, want: false},
		{expr: `"truck 17"`, payload: p, want: true},
		{expr: `'TRUCK 17' && a == 1`, payload: p, want: true},
	})
}

func TestEvalTyping(t *testing.T) {
	runEval(t, Input{Topic: "t"}, []evalCase{
		// flespi's flat keys, and real nesting, both reached by one path.
		{expr: "position.speed > 80", payload: `{"position.speed":81}`, want: true},
		{expr: "position.speed > 80", payload: `{"position":{"speed":81}}`, want: true},
		{expr: "position.speed > 80", payload: `{"position":{"speed":79}}`, want: false},
		{expr: "position.speed == 81", payload: `{"position":{"speed":10},"position.speed":81}`, want: true}, // flat wins
		{expr: "position.speed == 10", payload: `{"position.speed":81,"position":{"speed":10}}`, want: false},
		{expr: "exists(position.speed)", payload: `{"position":{"altitude":1}}`, want: false},
		{expr: "a.b.c == 1", payload: `{"a":{"b":{"c":1}}}`, want: true},
		{expr: "a.b.c == 1", payload: `{"a.b":{"c":1}}`, want: false}, // partial flattening: use backticks
		{expr: "`a.b`.c == 1", payload: `{"a.b":{"c":1}}`, want: true},
		{expr: "`a.b` == 1", payload: `{"a":{"b":1}}`, want: false}, // a quoted key is one key
		{expr: "`a b` == 1", payload: `{"a b":1}`, want: true},
		{expr: "`a\\`b\\\\c` == 1", payload: "{\"a`b\\\\c\":1}", want: true},              // key a`b\c
		{expr: "position.speed == 90", payload: `{"pos\u0069tion.speed":90}`, want: true}, // escaped key
		{expr: "a == 1", payload: `{"a":1,"a":2}`, want: true},                            // first wins, as in gjson
		{expr: "b.1 == 2 && a == 1", payload: ` { "a" : 1 , "b" : [ 1 , 2 ] } `, want: true},
		// numbers in strings compare as numbers
		{expr: "speed > 80", payload: `{"speed":"81"}`, want: true},
		{expr: "speed == 81", payload: `{"speed":"81"}`, want: true},
		{expr: `speed == "81"`, payload: `{"speed":81}`, want: true},
		{expr: `speed == "081"`, payload: `{"speed":81}`, want: true},    // number vs numeric string: numeric
		{expr: `speed == "081"`, payload: `{"speed":"81"}`, want: false}, // string vs string: exact
		{expr: `v > "80"`, payload: `{"v":"100"}`, want: true},           // both numeric: numeric order
		{expr: `speed > 80`, payload: `{"speed":"fast"}`, want: false},
		{expr: `speed != 80`, payload: `{"speed":"fast"}`, want: true},
		{expr: "ident == 352093081234567", payload: `{"ident":"352093081234567"}`, want: true},
		{expr: "ident == 352093081234568", payload: `{"ident":"352093081234567"}`, want: false},
		{expr: "ident == 3.52093081234567e14", payload: `{"ident":"352093081234567"}`, want: true},
		{expr: `ident == "352093081234567"`, payload: `{"ident":352093081234567}`, want: true},
		{expr: "iccid == 89480610000000000001", payload: `{"iccid":89480610000000000001}`, want: true},
		{expr: "iccid == 89480610000000000002", payload: `{"iccid":89480610000000000001}`, want: false}, // exact, not float64
		{expr: "iccid < 89480610000000000002", payload: `{"iccid":"89480610000000000001"}`, want: true},
		{expr: "t < 0 && t > -10 && t == -5.0", payload: `{"t":-5}`, want: true},
		{expr: "z == 0", payload: `{"z":-0}`, want: true},
		{expr: "x > 1 && x < 2 && x == 1.50", payload: `{"x":1.5e0}`, want: true},
		{expr: "big > 1", payload: `{"big":1e400}`, want: true},
		// strings: exact equality, byte order
		{expr: `name == "Truck 17"`, payload: `{"name":"Truck 17"}`, want: true},
		{expr: `name == "truck 17"`, payload: `{"name":"Truck 17"}`, want: false},
		{expr: `name > "Truck 1" && name < "Truck 2"`, payload: `{"name":"Truck 17"}`, want: true},
		{expr: `name == "Truck \"17\""`, payload: `{"name":"Tr\u0075ck \"17\""}`, want: true},
		{expr: `name == 17`, payload: `{"name":"Truck 17"}`, want: false},
		// booleans and null
		{expr: "b == true", payload: `{"b":true}`, want: true},
		{expr: "b != false", payload: `{"b":true}`, want: true},
		{expr: `b == "true"`, payload: `{"b":true}`, want: false},
		{expr: "b == 1", payload: `{"b":true}`, want: false},
		{expr: "b > false", payload: `{"b":true}`, want: false},
		{expr: "n == null && exists(n)", payload: `{"n":null}`, want: true},
		{expr: "n != null", payload: `{"n":null}`, want: false},
		{expr: "n == 0", payload: `{"n":null}`, want: false},
		{expr: "n =~ \"\"", payload: `{"n":null}`, want: false},
		{expr: "n !~ \"x\"", payload: `{"n":null}`, want: true},
		// missing fields match nothing but exists() and negation
		{expr: "x == 1", payload: `{}`, want: false},
		{expr: "x != 1", payload: `{}`, want: false},
		{expr: "x == null", payload: `{}`, want: false},
		{expr: "!(x == 1)", payload: `{}`, want: true},
		{expr: "!exists(x)", payload: `{}`, want: true},
		{expr: "x not in [1]", payload: `{}`, want: false},
		{expr: `x !~ "a"`, payload: `{}`, want: false},
		// arrays and objects
		{expr: "a == 1", payload: `{"a":[1,2]}`, want: false},
		{expr: "a != 1", payload: `{"a":[1,2]}`, want: true},
		{expr: "exists(a) && exists(o)", payload: `{"a":[1,2],"o":{"k":1}}`, want: true},
		{expr: "a.# == 2 && a.0 == 1 && a.1 > 1", payload: `{"a":[1,2]}`, want: true},
		{expr: "a.2 == 3", payload: `{"a":[1,2]}`, want: false},
		{expr: "o == 1", payload: `{"o":{"k":1}}`, want: false},
		{expr: "o.k == 1", payload: `{"o":{"k":1}}`, want: true},
		{expr: `a contains "2,"`, payload: `{"a":[1,2,3]}`, want: true}, // containers: their JSON text
		{expr: `items.1.name == "y"`, payload: `{"items":[{"name":"x"},{"name":"y"}]}`, want: true},
		{expr: `items.#.name == "x"`, payload: `{"items":[{"name":"x"},{"name":"y"}]}`, want: false}, // an array
		{expr: `a.* == 1`, payload: `{"a":{"b":1}}`, want: false},                                    // * is literal...
		{expr: `a.* == 1`, payload: `{"a":{"*":1}}`, want: true},                                     // ...as in a key
		{expr: `0.a == 1`, payload: `[{"a":1}]`, want: true},                                         // top-level array
		{expr: `# == 1`, payload: `[{"a":1}]`, want: true},
		{expr: `x == 1`, payload: `47`, want: false}, // a scalar has no fields
		// in lists
		{expr: `ident in ["352625066004561", "352625066004562"]`, payload: flespiMsg, want: true},
		{expr: `ident in [352625066004561]`, payload: flespiMsg, want: true},
		{expr: `speed in [80, 81]`, payload: `{"speed":"81"}`, want: true},
		{expr: `speed in ["081"]`, payload: `{"speed":"81"}`, want: false},
		{expr: `speed in ["081"]`, payload: `{"speed":81}`, want: true},
		{expr: `b in [false, true]`, payload: `{"b":true}`, want: true},
		{expr: `n in [null]`, payload: `{"n":null}`, want: true},
		{expr: `s in ["a","b","c","d","e","f","g","h","x"]`, payload: `{"s":"x"}`, want: true}, // indexed
		{expr: `s in ["a","b","c","d","e","f","g","h","X"]`, payload: `{"s":"x"}`, want: false},
		{expr: `s in ["a","b","c","d","e","f","g","h",7]`, payload: `{"s":"7"}`, want: true},
		{expr: `s in ["a","b","c","d","e","f","g","h","07"]`, payload: `{"s":"7"}`, want: false},
		{expr: `s in ["a","b","c","d","e","f","g","h","07"]`, payload: `{"s":7}`, want: true},
		{expr: `s not in ["a","b","c","d","e","f","g","h","x"]`, payload: `{"s":"y"}`, want: true},
		// contains and regex over numbers and booleans use their text
		{expr: `ident contains 4561`, payload: flespiMsg, want: true},
		{expr: `device.id =~ "^18"`, payload: flespiMsg, want: true},
		{expr: `position.valid =~ "^t"`, payload: flespiMsg, want: true},
		{expr: `device.name contains "RUCK"`, payload: flespiMsg, want: true},
		{expr: `device.name contains ""`, payload: flespiMsg, want: true},
		{expr: `name contains "GRÖßE"`, payload: `{"name":"die größe"}`, want: true},
		{expr: `name contains "GRÖSSE"`, payload: `{"name":"die größe"}`, want: false}, // simple folding: ß is not ss
	})
}

func TestEvalNonJSON(t *testing.T) {
	runEval(t, Input{Topic: "dev/a"}, []evalCase{
		{expr: "a == 1", payload: "\x00\xff{\"a\":1}", want: false},
		{expr: "exists(a)", payload: "\x00\xff", want: false},
		{expr: "!exists(a)", payload: "\x00\xff", want: true},
		{expr: "a == 1", payload: "hello a == 1", want: false},
		{expr: "hello", payload: "hello a == 1", want: true},
		{expr: "HELLO && dev", payload: "hello a == 1", want: true}, // free text still reads text
		{expr: "exists(a)", payload: "", want: false},
		{expr: "exists(a)", payload: `{"a":`, want: false},
		{expr: "a == 1", payload: `{"a":1`, want: false},
		{expr: "a == 1", payload: `{"a":1}garbage`, want: false},
		{expr: "a == 1", payload: `{"a":1,}`, want: false},
		{expr: "a == 1", payload: `{"a":1,"b":[}`, want: false},
		{expr: "b.0 == 1", payload: `{"b":[1,}`, want: false},
		{expr: "0.a == 1", payload: `[{"a":1},`, want: false},
		{expr: "a == 1", payload: `{"a":1,"b":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, want: false}, // too deep
		{expr: "a == 1", payload: `{"a":1,"b":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`, want: true},
		{expr: `payload contains "a =="`, payload: "hello a == 1", want: true},
		{expr: `payload == "hello a == 1"`, payload: "hello a == 1", want: true},
	})
	// A hint of JSONInvalid hides even valid JSON; JSONValid is trusted.
	e := mustCompile(t, "a == 1")
	if e.Eval(&Input{Payload: []byte(`{"a":1}`), JSON: JSONInvalid}) {
		t.Error("JSONInvalid must hide every JSON field")
	}
	if !e.Eval(&Input{Payload: []byte(`{"a":1}`), JSON: JSONValid}) {
		t.Error("JSONValid on valid JSON must match")
	}
	if e.Eval(&Input{Payload: []byte(`{"a":1`), JSON: JSONValid}) && e.Panics() != 0 {
		t.Error("a wrong JSONValid hint must not panic")
	}
}

func TestEvalPseudoFields(t *testing.T) {
	in := Input{Topic: "flespi/message/gw/devices/182083", QoS: 1, Retain: true,
		User: props("cid", "8201", "empty", "")}
	runEval(t, in, []evalCase{
		{expr: `topic == "flespi/message/gw/devices/182083"`, want: true},
		{expr: `topic ~= "flespi/message/gw/devices/+"`, want: true},
		{expr: `topic ~= "flespi/#"`, want: true},
		{expr: `topic ~= "flespi/message/gw/devices/1,182083"`, want: true},
		{expr: `topic ~= "$share/g/flespi/message/+/devices/#"`, want: true},
		{expr: `topic ~= "flespi/message/gw/+"`, want: false},
		{expr: `topic =~ "/devices/\d+$"`, want: true},
		{expr: `topic contains "GW/DEV"`, want: true},
		{expr: `qos == 1 && qos >= 1 && qos == "1"`, want: true},
		{expr: `qos == 0`, want: false},
		{expr: `retain == true && retain`, want: false}, // the bare word is free text: "retain" is not in topic or payload
		{expr: `retain == true`, want: true},
		{expr: `dup == false`, want: true},
		{expr: `prop.cid == "8201" && prop.cid == 8201 && prop.cid > 8000`, want: true},
		{expr: `exists(prop.cid) && exists(prop.empty) && !exists(prop.nope)`, want: true},
		{expr: `prop.nope == 1`, want: false},
		{expr: `prop.empty == ""`, want: true},
		{expr: "`topic` == \"json\"", payload: `{"topic":"json"}`, want: true}, // the JSON key, not the pseudo-field
		{expr: `topic == "json"`, payload: `{"topic":"json"}`, want: false},
		{expr: `payload =~ "^\{" && exists(topic) && exists(payload)`, payload: `{"x":1}`, want: true},
	})
	// no User function: no properties; Match: qos 0, no flags.
	if mustCompile(t, "exists(prop.cid)").Eval(&Input{}) {
		t.Error("prop.* without a User function must be missing")
	}
	if !mustCompile(t, "qos == 0 && retain == false && dup == false").Match("t", nil) {
		t.Error("Match must see qos 0 and no flags")
	}
	// topic ~= works on any string field; a non-string never matches.
	runEval(t, Input{}, []evalCase{
		{expr: `reply ~= "a/+/c"`, payload: `{"reply":"a/b/c"}`, want: true},
		{expr: `reply ~= "a/+/c"`, payload: `{"reply":"a/b/c/d"}`, want: false},
		{expr: `reply ~= "#"`, payload: `{"reply":5}`, want: false},
	})
}

// TestFreeText keeps the substring filter's behaviour for free text.
func TestFreeText(t *testing.T) {
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
		{name: "quoted needle with quotes", src: `'enum":0}'`, topic: "x", payload: flespiMsg, want: true},
		{name: "needle at start", src: `'{"IDENT'`, topic: "x", payload: flespiMsg, want: true},
		{name: "needle longer than haystack", src: "abcdef", topic: "abc", payload: "abcde", want: false},
		{name: "empty haystacks", src: "a", want: false},
		{name: "empty needle", src: `""`, want: true},
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
		{name: "phrase with comma", src: "warsaw, pol", topic: "x", payload: "Warsaw, Poland", want: true},
		{name: "with a predicate", src: `"Truck 17" && position.speed > 40`, topic: "x", payload: flespiMsg, want: true},
		{name: "with a failing predicate", src: `"Truck 17" && position.speed > 80`, topic: "x", payload: flespiMsg, want: false},
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

// TestRoundTripEquivalent checks that Parse(f.String()) evaluates like f.
func TestRoundTripEquivalent(t *testing.T) {
	payloads := []string{flespiMsg, `{"position":{"speed":99}}`, `{"a":[1,2],"n":null}`, "text", ""}
	for _, src := range []string{
		`ident in ["352625066004561", 1] and not (position.speed <= 40 or device.name !~ "^Truck")`,
		"`position.speed` > 40 || position.speed > 90 && exists(a.#)",
		`n == null || a.1 == '2' || "truck 17" || text`,
		`topic ~= "flespi/+/gw/#" && qos == 0 && !retain == true && prop.x not in ["\t"]`,
	} {
		t.Run(src, func(t *testing.T) {
			e := mustCompile(t, src)
			g := mustCompile(t, e.String())
			for _, p := range payloads {
				in := Input{Topic: flespiTopic, Payload: []byte(p)}
				if e.eval(&in) != g.eval(&in) {
					t.Fatalf("%q and %q differ on %q", src, e.String(), p)
				}
			}
		})
	}
}

// TestEvalDoesNotAllocate covers the predicates the brief calls common.
func TestEvalDoesNotAllocate(t *testing.T) {
	payload := []byte(flespiMsg)
	for _, src := range []string{
		`ident in ["352625066004560", "352625066004561"] && position.speed > 40`,
		`ident == 352625066004561 && device.name == "Truck 17"`,
		`ident in ["a","b","c","d","e","f","g","h","352625066004561"]`,
		`exists(gsm.signal.level) && !exists(nope)`,
		`device.name contains "ruck" && position.valid == true`,
		`TRUCK 17`,
		`"truck 17" || battery.voltage >= 4.05`,
		`position.hdop < 1 && timestamp > 1715843520.5`,
		`topic ~= "flespi/message/gw/devices/+" && qos == 0`,
		`device.name =~ "^Truck"`,
	} {
		t.Run(src, func(t *testing.T) {
			e := mustCompile(t, src)
			for _, hint := range []JSONHint{JSONUnknown, JSONValid} {
				in := Input{Topic: flespiTopic, Payload: payload, JSON: hint}
				allocs := testing.AllocsPerRun(100, func() {
					if !e.Eval(&in) {
						t.Fatal("no match")
					}
				})
				if allocs != 0 {
					t.Fatalf("Eval (hint %d) allocates %v times per call, want 0", hint, allocs)
				}
			}
			allocs := testing.AllocsPerRun(100, func() { e.Match(flespiTopic, payload[:100]) })
			if allocs != 0 {
				t.Fatalf("Match allocates %v times per call, want 0", allocs)
			}
		})
	}
}

// TestWalkerMatchesGJSON checks the top-level scanner against gjson.
func TestWalkerMatchesGJSON(t *testing.T) {
	for _, p := range append(fleetMessages(50), []byte(flespiMsg),
		[]byte(`{"a\"b":1,"c\\":[{"}":"]"}],"d":"\\\"","e":{"f":{"g":[1,{"h":"x"}]}},"k\u00e9":2}`)) {
		checkWalker(t, string(p))
	}
}

func TestHighlights(t *testing.T) {
	e, err := Compile(`"Truck 17" && position.speed > 80 || !exists(battery.voltage) || name contains "Van" || topic ~= "a/+"`)
	if err != nil {
		t.Fatal(err)
	}
	fields, texts := e.Highlights()
	if strings.Join(fields, ",") != "position.speed,battery.voltage,name" {
		t.Errorf("fields = %q", fields)
	}
	if strings.Join(texts, ",") != "truck 17,van" {
		t.Errorf("texts = %q", texts)
	}
}

func TestFlagsField(t *testing.T) {
	cases := []struct {
		expr, flags string
		want        bool
	}{
		{`flags contains "gap"`, "gap,latency", true},
		{`flags contains "gap"`, "future", false},
		{`flags != ""`, "future", true},
		{`flags == ""`, "", true},
		{`flags =~ "out-of-order|duplicate"`, "duplicate", true},
	}
	for _, c := range cases {
		e, err := Compile(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if got := e.Eval(&Input{Topic: "t", Payload: []byte(`{}`), Flags: c.flags}); got != c.want {
			t.Errorf("%s with flags %q = %v", c.expr, c.flags, got)
		}
	}
}
