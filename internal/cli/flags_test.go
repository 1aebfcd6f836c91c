package cli

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestHelpGroupsFlags: --help of each command lists its flags under group
// headings, in double-dash form, each flag once.
func TestHelpGroupsFlags(t *testing.T) {
	cases := []struct {
		args   []string
		groups []string // in this order
		flags  []string // each must be listed
	}{
		{[]string{"--help"}, []string{"Connection flags:", "Session flags:", "Display flags:", "Demo flags:", "Other flags:"},
			[]string{"--url URL", "--ca FILE", "-p, --profile NAME", "--save-profile", "--theme THEME", "--demo-rate FLOAT", "--version", "-h, --help"}},
		{[]string{"sub", "--help"}, []string{"Connection flags:", "Session flags:", "Output flags:", "Demo flags:", "Other flags:"},
			[]string{"--url URL", "-p, --profile NAME", "-F, --format TEMPLATE", "-C, --count INT", "--filter EXPRESSION", "--quiet"}},
		{[]string{"open", "--help"}, []string{"Display flags:", "Other flags:"}, []string{"--theme THEME", "--history-mem SIZE", "--fps INT"}},
		{[]string{"sim", "--help"}, []string{"Demo flags:", "Listener flags:", "Other flags:"}, []string{"--listen ADDRESS", "--tls", "--wss-listen ADDRESS", "--cert-dir DIRECTORY"}},
		{[]string{"help", "sub"}, []string{"Connection flags:", "Output flags:"}, []string{"-F, --format TEMPLATE"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Run(c.args, &out, &errb); code != 0 || errb.Len() != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			help := out.String()
			last := -1
			for _, g := range c.groups {
				i := strings.Index(help, "\n"+g+"\n")
				if i <= last {
					t.Errorf("group %q missing or out of order (at %d, previous at %d):\n%s", g, i, last, help)
				}
				last = i
			}
			for _, f := range c.flags {
				n := 0
				for l := range strings.SplitSeq(help, "\n") {
					if l = strings.TrimSpace(l); l == f || strings.HasPrefix(l, f+" ") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%q listed %d times, want once:\n%s", f, n, help)
				}
			}
			for l := range strings.SplitSeq(help, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "-") && strings.Contains(l, "[=") {
					t.Errorf("flag line %q shows pflag's [=...] form", l)
				}
			}
		})
	}
	var out bytes.Buffer
	Run([]string{"sim", "--help"}, &out, io.Discard)
	for _, tok := range []string{"demo ", "acl ", "may: full access", "may: reads only"} {
		if !strings.Contains(out.String(), tok) {
			t.Errorf("sim --help does not list the token line %q:\n%s", tok, out.String())
		}
	}
}

// TestBadCommandLines: a mistyped flag or command, or a bad value, is one
// line on stderr with a hint and exit code 2, before anything starts.
func TestBadCommandLines(t *testing.T) {
	cases := []struct {
		args []string
		want string // the whole stderr line
	}{
		{[]string{"--bogus"}, "hubtap: unknown flag --bogus: see 'hubtap --help'"},
		{[]string{"--dmeo"}, "hubtap: unknown flag --dmeo: did you mean --demo?"},
		{[]string{"-bogus"}, "hubtap: unknown flag -bogus: see 'hubtap --help'"},
		{[]string{"sub", "--themee", "x", "a/b"}, "hubtap sub: unknown flag --themee: see 'hubtap sub --help'"},
		{[]string{"sub", "--qso", "1", "a/b"}, "hubtap sub: unknown flag --qso: did you mean --qos?"},
		{[]string{"sbu", "a/b"}, `hubtap: unknown command "sbu": did you mean sim or sub? (a topic named sbu goes after --: hubtap -- sbu)`},
		{[]string{"opne", "x.jsonl"}, `hubtap: unknown command "opne": did you mean open? (a topic named opne goes after --: hubtap -- opne)`},
		{[]string{"--fps", "abc"}, `hubtap: --fps "abc": not a whole number`},
		{[]string{"--session-expiry", "soon"}, `hubtap: --session-expiry "soon": not a duration such as 90s, 10m or 1h`},
		{[]string{"--url"}, "hubtap: --url needs a value: see 'hubtap --help'"},
		{[]string{"--fps", "0"}, "hubtap: --fps 0: use 1 to 120"},
		{[]string{"--resume", "later"}, `hubtap: --resume "later": use live or in-place`},
		{[]string{"--qos", "2"}, "hubtap: --qos 2: use 0 or 1 (flespi does not support QoS 2)"},
		{[]string{"--theme", "pink", "--demo"}, `hubtap: --theme "pink": use auto, dark, light, high-contrast, plain`},
		{[]string{"open", "--fps", "500", "x.jsonl"}, "hubtap open: --fps 500: use 1 to 120"},
		{[]string{"open"}, "hubtap open: give one recording file"},
		{[]string{"sub", "--qos", "3", "a/b"}, "hubtap sub: --qos 3: use 0 or 1 (flespi does not support QoS 2)"},
		{[]string{"sub", "--url", "mqtt://127.0.0.1:1"}, "hubtap sub: give at least one topic filter, e.g. 'flespi/message/gw/channels/+/+'"},
		{[]string{"sub", "-C", "-1", "--demo"}, "hubtap sub: -C must not be negative"},
		{[]string{"sim", "extra"}, `hubtap sim: unexpected argument "extra"`},
		{[]string{"sim", "--cert-dir", "/tmp/x"}, "hubtap sim: --cert-dir needs --tls or --wss"},
		{[]string{"version", "x"}, `hubtap version: unexpected argument "x"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Setenv("FLESPI_TOKEN", "")
			var out, errb bytes.Buffer
			code := Run(c.args, &out, &errb)
			if code != 2 || errb.String() != c.want+"\n" || out.Len() != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and stderr %q", code, out.String(), errb.String(), c.want)
			}
		})
	}
}

// TestTopicNamedLikeCommand: after "--" a word that looks like a mistyped
// command is a topic; a topic with a slash never looks like one.
func TestTopicNamedLikeCommand(t *testing.T) {
	for _, args := range [][]string{{"--", "sbu"}, {"sbu/x"}, {"telemetry"}} {
		root := newRoot(io.Discard, io.Discard)
		if err := topicArgs(root, args); err != nil && args[0] != "--" {
			t.Errorf("%q: %v", args, err)
		}
	}
	var errb bytes.Buffer
	// "hubtap -- sbu" gets past the command check to the broker check.
	t.Setenv("FLESPI_TOKEN", "")
	if code := Run([]string{"--", "sbu"}, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "no broker") {
		t.Errorf("hubtap -- sbu: exit %d, stderr %q; want the no-broker error", code, errb.String())
	}
}

// TestLegacySingleDashFlags: the single-dash long flags scripts use are
// rewritten for pflag, values and topics are left alone, and stderr gets
// one deprecation line.
func TestLegacySingleDashFlags(t *testing.T) {
	known := knownFlags(newRoot(io.Discard, io.Discard))
	cases := []struct {
		in, want []string
		note     string // "" when no line is expected
	}{
		{in: []string{"-url", "mqtt://x", "-ca=ca.pem", "a/b"}, want: []string{"--url", "mqtt://x", "--ca=ca.pem", "a/b"},
			note: "hubtap: deprecated flag spelling: write --url --ca instead of -url -ca\n"},
		{in: []string{"sub", "-F", "%t", "-C", "5", "-demo", "x"}, want: []string{"sub", "-F", "%t", "-C", "5", "--demo", "x"},
			note: "hubtap: deprecated flag spelling: write --demo instead of -demo\n"},
		{in: []string{"--filter", "-demo", "-p", "-url"}, want: []string{"--filter", "-demo", "-p", "-url"}}, // values, not flags
		{in: []string{"--url", "x", "--", "-demo"}, want: []string{"--url", "x", "--", "-demo"}},
		{in: []string{"-bogus", "-h"}, want: []string{"-bogus", "-h"}},
		{in: []string{"-help"}, want: []string{"--help"}, note: "hubtap: deprecated flag spelling: write --help instead of -help\n"},
		{in: []string{"sub", "--F", "%t", "--C=5", "--p", "lab"}, want: []string{"sub", "-F", "%t", "-C=5", "-p", "lab"},
			note: "hubtap: deprecated flag spelling: write -F -C -p instead of --F --C --p\n"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.in, " "), func(t *testing.T) {
			var errb bytes.Buffer
			got := rewriteLegacy(c.in, known, &errb)
			if !slices.Equal(got, c.want) || errb.String() != c.note {
				t.Fatalf("got %q, note %q; want %q, note %q", got, errb.String(), c.want, c.note)
			}
		})
	}
	// End to end: -qos 2 is read as --qos 2 and refused as before.
	var errb bytes.Buffer
	if code := Run([]string{"-qos", "2", "-demo"}, io.Discard, &errb); code != 2 ||
		errb.String() != "hubtap: deprecated flag spelling: write --qos --demo instead of -qos -demo\n"+
			"hubtap: --qos 2: use 0 or 1 (flespi does not support QoS 2)\n" {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// TestVersion: --version and `hubtap version` print the same line, and
// the -X overrides win over the build info.
func TestVersion(t *testing.T) {
	var a, b bytes.Buffer
	if Run([]string{"--version"}, &a, io.Discard) != 0 || Run([]string{"version"}, &b, io.Discard) != 0 {
		t.Fatal("exit code not 0")
	}
	if a.String() != b.String() || !strings.HasPrefix(a.String(), "hubtap ") || strings.Count(a.String(), "\n") != 1 {
		t.Fatalf("--version %q, version %q: want the same one line", a.String(), b.String())
	}
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "v1.2.3", "0123456789abcdef0123", "2026-12-06T00:00:00Z"
	want := "hubtap v1.2.3 (commit 0123456789ab, 2026-12-06T00:00:00Z, "
	if got := versionString(); !strings.HasPrefix(got, want) {
		t.Fatalf("with -X overrides: %q, want prefix %q", got, want)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"demo", "dmeo", 2}, {"sub", "sbu", 2}, {"qos", "qso", 2}, {"theme", "themee", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
