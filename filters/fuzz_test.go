package filters

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"hubtap/internal/jsonscan"

	"github.com/tidwall/gjson"
)

// checkWalker compares the top-level key lookup (evalCtx.key over
// jsonscan.Members, with its cache of wanted keys) with gjson on a valid
// object: for every key, the value gjson finds first.
func checkWalker(t *testing.T, p string) {
	t.Helper()
	w, ok := jsonscan.NewMembers(p)
	if !ok || !validJSON(p) {
		return
	}
	var keys []string
	gjson.Parse(p).ForEach(func(k, _ gjson.Result) bool {
		keys = append(keys, k.Str)
		return true
	})
	c := evalCtx{p: p, keys: keys, top: '{', w: w}
	for i := len(keys) - 1; i >= 0; i-- { // backwards: the first lookup walks the whole object
		got, ok := c.key(i)
		want := gjson.Get(p, gjson.Escape(keys[i]))
		if !ok || got != want.Raw {
			t.Fatalf("key %q in %q: lookup %q, %v; gjson %q", keys[i], p, got, ok, want.Raw)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"truck", "AAB", "größe", " ", "Truck 17",
		`ident in ["352625066004561", 2] && position.speed > 80`,
		`(a || !b) and not exists(c.#) or d =~ "^x\d" && e !~ 'y' || f contains 1.5e3`,
		"`a b`.c >= -1 && prop.`x` <= null && topic ~= \"a/+/#\" && x not in []",
		`x == "\u00e9\uD83D\uDE00\q"`, "((((a))))", "!!!a", "a === 1", `"unclosed`,
	} {
		f.Add(s, flespiTopic, []byte(flespiMsg))
	}
	f.Add("aab", "", []byte("aaaaAab"))
	f.Add("a == 1", "x", []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, src, topic string, payload []byte) {
		e, err := Compile(src)
		if err != nil {
			var se *SyntaxError
			switch {
			case errors.As(err, &se):
				if se.Col < 1 || se.Col > utf8.RuneCountInString(src)+1 || se.Msg == "" {
					t.Fatalf("Compile(%q): bad error %#v", src, se)
				}
				_ = se.Caret()
			case errors.Is(err, ErrInvalidUTF8), len(strings.TrimSpace(src)) > MaxLen:
			default:
				t.Fatalf("Compile(%q): unexpected error %v", src, err)
			}
			return
		}
		if e == nil {
			if strings.TrimSpace(src) != "" {
				t.Fatalf("Compile(%q) = nil", src)
			}
			return
		}
		in := Input{Topic: topic, Payload: payload, QoS: 1, User: props("a", "1")}
		got := e.eval(&in) // no recover: a panic fails the fuzz run
		s := e.String()
		g, err := Compile(s)
		if err != nil || g == nil {
			t.Fatalf("String %q of %q does not parse: %v", s, src, err)
		}
		if g.String() != s {
			t.Fatalf("String is not a fixed point: %q -> %q -> %q", src, s, g.String())
		}
		if g.eval(&in) != got {
			t.Fatalf("%q and its String %q disagree on %q", src, s, payload)
		}
		// Free text as a whole behaves as the old substring filter did.
		if needle := strings.TrimSpace(src); isPlainText(needle) && isASCII(needle) {
			want := refContainsFoldASCII([]byte(topic), []byte(needle)) || refContainsFoldASCII(payload, []byte(needle))
			if got != want {
				t.Fatalf("Match(%q, %q) with %q = %v, reference says %v", topic, payload, src, got, want)
			}
		}
	})
}

// fuzzExprs are evaluated on every payload FuzzEval tries.
var fuzzExprs = []string{
	`ident in ["352625066004561", "352625066004562", 3] && position.speed > 80`,
	`position.speed == 47 || position.speed != "47" || position.speed <= -1e3`,
	"exists(a) || !exists(a.b.c) || a.# > 1 || a.0.b == true || `a b`.c == null",
	`a =~ "^[a-z]+\d*$" || a !~ "x" || a contains "é" || a contains 12`,
	`a in ["a","b","c","d","e","f","g","h","i",1,2.5,true,null] || 0.a == 1 || # >= 1`,
	`"truck" || größe || payload contains "\u0000" || prop.a == 1 || topic ~= "a/+/#"`,
	`k0 == 1 || k1 == 1 || k2 == 1 || k3 == 1 || k4 == 1 || k5 == 1 || k6 == 1 || k7 == 1 || k8 == 1 ||
	 k9 == 1 || k10 == 1 || k11 == 1 || k12 == 1 || k13 == 1 || k14 == 1 || k15 == 1 || k16 == 1 || k17 == 1`,
}

func FuzzEval(f *testing.F) {
	for _, p := range []string{
		flespiMsg, `{"a":[{"b":true},2],"a b":{"c":null}}`, `[{"a":1},2]`, `{"a":"x12"}`, `{"k17":1}`,
		`{"a":`, `{"a":1`, `{"a":1}x`, `{"a\u0020":1,"a":"\"\\"}`, `"str"`, `47`, `null`, "",
		"\x00\x01\xff", "{\"a\":" + strings.Repeat("[", 600), `{"a":1e999,"b":-0.0e-5}`,
	} {
		f.Add([]byte(p), "a/b/c")
	}
	exprs := make([]*Expr, len(fuzzExprs))
	for i, s := range fuzzExprs {
		exprs[i] = mustCompile(f, s)
	}
	f.Fuzz(func(t *testing.T, payload []byte, topic string) {
		valid := validJSON(string(payload))
		hint := JSONInvalid
		if valid {
			hint = JSONValid
		}
		for _, e := range exprs {
			in := Input{Topic: topic, Payload: payload, User: props("a", "1")}
			got := e.eval(&in) // no recover: a panic fails the fuzz run
			in.JSON = hint
			if e.eval(&in) != got {
				t.Fatalf("%q: the JSON hint changed the answer on %q", e, payload)
			}
		}
		if valid {
			checkWalker(t, string(payload))
		}
	})
}
