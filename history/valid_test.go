package history

import (
	"testing"

	"github.com/tidwall/gjson"
)

var validCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `1.`, `1.5e`, `1e+5`, `-`, `true`, `tru`, `truex`, `nul`, `null `,
	` {"a" : [1, 2.5, -3e-2, true, false, null, "x"], "b": {"c": {}}} `,
	`{"a":1,}`, `[1,]`, `{"a"}`, `{"a":}`, `{,}`, `[,1]`, `{"a":1 "b":2}`, `"\u00e9\n\t\"\\\/"`, `"\x"`, `"\u12G4"`,
	"\"a\x01b\"", "\"héllo wörld\xff\"", `"12345678\"12345678"`, `"1234567\\"`, `"abcdefgh"`, `"abcdefghijklmnop`,
	`{"ident":"352625066004561","timestamp":1715843521.0,"peer":"85.12.34.56:40213","position.valid":true}`,
	`[[[[]]]]`, `{"a":[{"b":[{"c":"]}\""}]}]}`, "[1]\x00",
}

func TestValidJSONMatchesGJSON(t *testing.T) {
	for _, c := range validCases {
		t.Run(c, func(t *testing.T) {
			if got, want := validJSON([]byte(c)), gjson.ValidBytes([]byte(c)); got != want {
				t.Fatalf("validJSON = %v, gjson %v", got, want)
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
		if got, want := validJSON(data), gjson.ValidBytes(data); got != want {
			t.Fatalf("%q: validJSON = %v, gjson %v", data, got, want)
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
