package history

import (
	"testing"
	"unicode/utf8"
	"unsafe"
)

func TestSanitizeLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{in: "", want: ""},
		{in: "flespi/message/gw/devices/182083", want: "flespi/message/gw/devices/182083"},
		{in: "日本語 ünïcödé 🚚", want: "日本語 ünïcödé 🚚"},
		{in: "\x1b[31mred\x1b[0m", want: "␛[31mred␛[0m"},
		{in: "copy\x1b]52;c;aGk=\x07me", want: "copy␛]52;c;aGk=␇me"},
		{in: "a\tb", want: "a b"},
		{in: "\r\b\a\x00", want: "␍␈␇␀"},
		{in: "one\ntwo", want: "one␊two"},
		{in: "del\x7f", want: "del\uFFFD"},
		{in: "c1 \u009b31m", want: "c1 \uFFFD31m"},
		{in: "raw c1 \x9b31m", want: "raw c1 \uFFFD31m"},
		{in: "bidi \u202Eevil\u202C", want: "bidi ⟨RLO⟩evil⟨PDF⟩"},
		{in: "isolate \u2066x\u2069", want: "isolate ⟨LRI⟩x⟨PDI⟩"},
		{in: "861234\u200b\u200d057278874", want: "861234⟨ZWSP⟩⟨ZWJ⟩057278874"},
		{in: "\ufeffbom \u00adshy \u2060wj \u200c\u200e\u200f", want: "⟨BOM⟩bom ⟨SHY⟩shy ⟨WJ⟩wj ⟨ZWNJ⟩⟨LRM⟩⟨RLM⟩"},
		{in: "tag \U000E0041 filler \u3164 sep \u2028", want: "tag ⟨U+E0041⟩ filler ⟨U+3164⟩ sep ⟨LSEP⟩"},
		{in: "nbsp\u00a0ok é", want: "nbsp\u00a0ok é"},
		{in: "bad \xff\xfe bytes", want: "bad \uFFFD\uFFFD bytes"},
		{in: "cut \xe2\x82", want: "cut \uFFFD\uFFFD"},
		{in: "lead \xe2\x1b[31mx", want: "lead \uFFFD␛[31mx"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := SanitizeLine(c.in)
			if got != c.want {
				t.Fatalf("SanitizeLine(%q) = %q, want %q", c.in, got, c.want)
			}
			checkLine(t, "output", got, -1)
		})
	}
}

func TestSanitizeLineSafeInputIsNotCopied(t *testing.T) {
	in := "flespi/state/gw/devices/42/telemetry/position.speed"
	if out := SanitizeLine(in); unsafe.StringData(out) != unsafe.StringData(in) {
		t.Fatal("a safe string was copied")
	}
	if n := testing.AllocsPerRun(100, func() { SanitizeLine(in) }); n != 0 {
		t.Fatalf("SanitizeLine of a safe string allocates %v times", n)
	}
}

func FuzzSanitizeLine(f *testing.F) {
	for _, s := range []string{
		"plain", "\x1b[31mred", "\x1b]52;c;aGk=\x07", "\x9b2J", "\u009b", "\u202E", "\r\b\a\x00",
		"\xe2\x1b[", "\x1bP q\x1b\\", "\x1b_apc\x07", "日本\t\x7f", "\xc2", "\x1b",
		"a\u200bb\u200dc", "\U000E007F\u2069", "\u061c\u180e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeLine(s)
		checkLine(t, "SanitizeLine output", out, 9*utf8.RuneCountInString(s))
		for _, r := range out {
			if invisible(r) {
				t.Fatalf("invisible rune %U survived: %q", r, out)
			}
		}
		if slow := sanitizeSlow(s); slow != out {
			t.Fatalf("fast path %q differs from full path %q", out, slow)
		}
		if again := SanitizeLine(out); again != out {
			t.Fatalf("not idempotent: %q -> %q", out, again)
		}
	})
}

func TestHasInvisible(t *testing.T) {
	for s, want := range map[string]bool{"": false, "plain": false, "日本 é": false, "a\u200bb": true, "\u202e": true, "\x1b[": false} {
		if got := HasInvisible(s); got != want {
			t.Errorf("HasInvisible(%q) = %v, want %v", s, got, want)
		}
	}
}
