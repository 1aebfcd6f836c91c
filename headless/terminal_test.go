package headless

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"hubtap/broker"
)

// hostile holds what the attack in issue 17 sent: an OSC 52 clipboard
// write, an OSC 8 link, an OSC 0 title, a DCS, DA/DSR queries, a C1 CSI,
// a carriage return that would overwrite the line, a bidi override and
// invalid UTF-8.
var hostile = []byte("a\x1b]52;c;ZXZpbA==\x07b\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x1b]0;title\x07\x1bPq#0\x1b\\\x1b[c\x1b[6n\u009b31m\rhidden\u202eevil\xff\xfe{\"k\":\"v\"}")

func TestTerminalOutputIsSafe(t *testing.T) {
	m := broker.Message{Topic: "t/\x1b[31mred", Payload: hostile}
	for _, tpl := range []string{"%t %p", "%j", "%x", "JSONL"} {
		f := JSONL()
		if tpl != "JSONL" {
			f = mustCompile(t, tpl, Options{})
		}
		for _, mode := range []Output{OutputSafe, OutputRaw, OutputAuto} {
			var out bytes.Buffer
			s := newSink(&out, &Config{Format: f}, mode.safe(&out))
			s.Offer(m)
			s.Offer(m)
			if _, err := s.finish(5 * time.Second); err != nil {
				t.Fatal(err)
			}
			raw := f(nil, &m)
			got := out.Bytes()
			if mode != OutputSafe {
				if !bytes.Equal(got, append(raw, raw...)) {
					t.Fatalf("%s, mode %d (not a terminal): bytes changed:\n%q\nwant\n%q", tpl, mode, got, append(raw, raw...))
				}
				continue
			}
			if !utf8.Valid(got) {
				t.Errorf("%s: terminal output is not valid UTF-8: %q", tpl, got)
			}
			for _, r := range string(got) {
				if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u202e') {
					t.Errorf("%s: terminal output carries %U: %q", tpl, r, got)
					break
				}
			}
			if n := bytes.Count(got, []byte("\n")); n != 2 {
				t.Errorf("%s: %d lines for 2 messages: %q", tpl, n, got)
			}
			if tpl == "%t %p" && !strings.Contains(string(got), "␛]52;c;ZXZpbA==␇") {
				t.Errorf("the clipboard write is not shown as visible text: %q", got)
			}
		}
	}
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"pipe": w, "/dev/null": null} {
		if IsTerminal(f) {
			t.Errorf("%s counts as a terminal: its output would not stay raw", name)
		}
	}
	if IsTerminal(new(bytes.Buffer)) {
		t.Error("a bytes.Buffer counts as a terminal")
	}
}
