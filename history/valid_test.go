package history

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

var validCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `1.`, `1.5e`, `1e+5`, `-`, `true`, `tru`, `truex`, `nul`, `null `,
	` {"a" : [1, 2.5, -3e-2, true, false, null, "x"], "b": {"c": {}}} `,
	`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{,}`, `[,1]`, `{"a":1 "b":2}`, `"\u00e9\n\t\"\\\/"`, `"\x"`, `"\u12G4"`,
	"\"a\x01b\"", "\"héllo wörld\xff\"", `"12345678\"12345678"`, `"1234567\\"`, `"abcdefgh"`, `"abcdefghijklmnop`,
	`{"ident":"352625066004561","timestamp":1715843521.0,"peer":"85.12.34.56:40213","position.valid":true}`,
	"{\"device.name\":\"bad\xc3(utf8\xff\xfe\"}", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"ünïcödé 日本 🚚 12345678\"",
	"\"\xc2\x9b\"", "\"1234567\xe2\x82\"", "\"\xc3\"", `[[[[]]]]`, `{"a":[{"b":[{"c":"]}\""}]}]}`, "[1]\x00",
}

func TestValidJSONMatchesGJSON(t *testing.T) {
	for _, c := range validCases {
		t.Run(c, func(t *testing.T) {
			if got, want := validJSON([]byte(c)), gjson.ValidBytes([]byte(c)) && utf8.Valid([]byte(c)); got != want {
				t.Fatalf("validJSON = %v, want gjson && utf8.Valid = %v", got, want)
			}
		})
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !depthOK(data, maxJSONDepth) {
			return // callers never pass deeper JSON (and gjson would overflow the stack)
		}
		if got, want := validJSON(data), gjson.ValidBytes(data) && utf8.Valid(data); got != want {
			t.Fatalf("%q: validJSON = %v, want gjson && utf8.Valid = %v", data, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	p := []byte(exampleA)
	b.Run("validJSON", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			validJSON(p)
		}
	})
	b.Run("gjson", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			gjson.ValidBytes(p)
		}
	})
}

var fastCases = []string{
	`{"a":1}`, `{"a":-1.5,"b":"x","c":true,"d":false,"e":null}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e5}`, `{"a":[1]}`,
	`{"a":{"b":1}}`, `{"a":1}x`, `{"a":1}}`, `{"a" :1}`, `{"a":tru}`, `{"a":nul,"b":1}`, `{"a":"\u00e9\"x"}`, `{"a":"b\x01"}`,
	`{"a":1,}`, `{,}`, `{"a":1,"b"}`, `{"a"}`, `{}`, `{ }`, `{"a":0,"b":-0.0,"c":10.25}`, `{"a":"x"`, `{"a":1`, `{"a"`, `{"`,
	`{"a":1} `, ` {"a":1}`, `{"a":"}"}`, `{"a":1,"a":2}`, `{"a":-01}`, `{"a":00}`,
}

func TestValidFastMatchesGJSON(t *testing.T) {
	for _, c := range append(append([]string{exampleA}, validCases...), fastCases...) {
		t.Run(c, func(t *testing.T) {
			if got, want := validFast([]byte(c)), gjson.ValidBytes([]byte(c)) && utf8.Valid([]byte(c)); got != want {
				t.Fatalf("validFast = %v, want gjson && utf8.Valid = %v", got, want)
			}
		})
	}
}

func FuzzValidFast(f *testing.F) {
	for _, c := range append(append([]string{exampleA}, validCases...), fastCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !depthOK(data, maxJSONDepth) {
			return // callers never pass deeper JSON (and gjson would overflow the stack)
		}
		if got, want := validFast(data), gjson.ValidBytes(data) && utf8.Valid(data); got != want {
			t.Fatalf("%q: validFast = %v, want gjson && utf8.Valid = %v", data, got, want)
		}
	})
}

// BenchmarkValidCompact compares the validators on a compact flespi
// message (no white space), the shape `hubtap sub` sees most.
func BenchmarkValidCompact(b *testing.B) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(exampleA)); err != nil {
		b.Fatal(err)
	}
	p := buf.Bytes()
	for _, v := range []struct {
		name string
		fn   func([]byte) bool
	}{{"validFast", validFast}, {"validJSON", validJSON}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				v.fn(p)
			}
		})
	}
}
