package history

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name, in string
		want     Kind
	}{
		{name: "empty", in: "", want: KindEmpty},
		{name: "bare true", in: "true", want: KindJSON},
		{name: "bare false", in: "false", want: KindJSON},
		{name: "bare null", in: "null", want: KindJSON},
		{name: "bare number", in: "47", want: KindJSON},
		{name: "bare timestamp", in: "1715000000", want: KindJSON},
		{name: "negative float", in: "-3.5e2", want: KindJSON},
		{name: "bare string", in: `"str"`, want: KindJSON},
		{name: "array", in: "[1,2]", want: KindJSON},
		{name: "object", in: `{"a":1}`, want: KindJSON},
		{name: "padded object", in: " \n{\"a\": [1, {\"b\": null}]}\n", want: KindJSON},
		{name: "flespi example A", in: exampleA, want: KindJSON},
		{name: "invalid JSON", in: `{"a":`, want: KindText},
		{name: "two values", in: `1 2`, want: KindText},
		{name: "almost true", in: "tru", want: KindText},
		{name: "plain text", in: "hello world", want: KindText},
		{name: "multi-line text", in: "line 1\r\nline 2\n", want: KindText},
		{name: "coloured log line", in: "\x1b[31merror\x1b[0m: disk full", want: KindText},
		{name: "unicode text", in: "Zażółć gęślą jaźń", want: KindText},
		{name: "binary", in: "\x00\x01\xff", want: KindBinary},
		{name: "invalid UTF-8", in: "caf\xe9", want: KindBinary},
		{name: "NUL in text", in: "hello\x00world", want: KindBinary},
		{name: "mostly controls", in: "\r\b\a\x00", want: KindBinary},
		{name: "bell-heavy text", in: "\a\a\ab", want: KindBinary},
		{name: "one bell in long text", in: "a fairly long line of text\a", want: KindText},
		{name: "nesting at the limit", in: strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth), want: KindJSON},
		{name: "nesting past the limit", in: strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), want: KindText},
		{name: "brackets inside strings do not nest", in: `["` + strings.Repeat("[", 2*maxJSONDepth) + `"]`, want: KindJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify([]byte(c.in)); got != c.want {
				t.Fatalf("Classify(%.40q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindEmpty: "empty", KindJSON: "json", KindText: "text", KindBinary: "binary", 9: "kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}
