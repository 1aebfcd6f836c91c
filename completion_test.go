package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCompletionArgs(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		wantStdout string // substring
		wantStderr string // substring; stderr must then be one line
	}{
		{args: []string{"bash"}, wantStdout: "complete -F _hubtap hubtap"},
		{args: []string{"zsh"}, wantStdout: "#compdef hubtap"},
		{args: []string{"fish"}, wantStdout: "complete -c hubtap"},
		{args: []string{"--help"}, wantStdout: "Usage: hubtap completion bash|zsh|fish"},
		{args: []string{"tcsh"}, code: 2, wantStderr: `hubtap completion: unknown shell "tcsh": use bash, zsh or fish`},
		{args: []string{}, code: 2, wantStderr: "hubtap completion: give one shell"},
		{args: []string{"bash", "zsh"}, code: 2, wantStderr: "hubtap completion: give one shell"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runCompletion(c.args, &stdout, &stderr); code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), c.wantStdout) {
				t.Fatalf("stdout does not contain %q:\n%s", c.wantStdout, stdout.String())
			}
			if c.wantStderr == "" {
				if stderr.Len() != 0 {
					t.Fatalf("unexpected stderr %q", stderr.String())
				}
				return
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), c.wantStderr) || strings.Count(stderr.String(), "\n") != 1 {
				t.Fatalf("stdout %q, stderr %q: want one line containing %q", stdout.String(), stderr.String(), c.wantStderr)
			}
		})
	}
}

// realFlags runs `hubtap [cmd] --help` through run and returns the flags of
// each command's flag set (name → takes no value), read from the flag list
// that flag.PrintDefaults writes: "  -name type" for a flag with a value,
// "  -name" for a boolean one.
func realFlags(t *testing.T) map[string]map[string]bool {
	t.Helper()
	flagLine := regexp.MustCompile(`^  -(\S+)( \S+)?`)
	out := map[string]map[string]bool{}
	for _, cmd := range []string{"", "sub", "open", "sim"} {
		args := []string{"--help"}
		if cmd != "" {
			args = []string{cmd, "--help"}
		}
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("hubtap %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr.String())
		}
		help := stdout.String()
		i := strings.LastIndex(help, "Flags:\n")
		if i < 0 {
			t.Fatalf("hubtap %s printed no flag list:\n%s", strings.Join(args, " "), help)
		}
		flags := map[string]bool{}
		for line := range strings.SplitSeq(help[i:], "\n") {
			if m := flagLine.FindStringSubmatch(line); m != nil {
				flags[m[1]] = m[2] == ""
			}
		}
		if len(flags) == 0 {
			t.Fatalf("no flags parsed from the help of %s", cmdLabel(cmd))
		}
		out[cmd] = flags
	}
	return out
}

func cmdLabel(cmd string) string { return strings.TrimSpace("hubtap " + cmd) }

func complCmdByName(t *testing.T, name string) complCmd {
	t.Helper()
	for _, c := range completionCommands() {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no completion for command %q", name)
	return complCmd{}
}

// TestCompletionCoversEveryFlag fails when main.go gains, loses or changes a
// flag and completion.go was not updated to match.
func TestCompletionCoversEveryFlag(t *testing.T) {
	for cmd, real := range realFlags(t) {
		t.Run(cmdLabel(cmd), func(t *testing.T) {
			table := map[string]bool{}
			for _, f := range complCmdByName(t, cmd).flags {
				if f.name != "help" {
					table[f.name] = f.arg == argNone
				}
			}
			for name, isBool := range real {
				tb, ok := table[name]
				switch {
				case !ok:
					t.Errorf("flag -%s of %s has no completion: add it to completionCommands in completion.go", name, cmdLabel(cmd))
				case tb != isBool:
					t.Errorf("flag -%s of %s: boolean is %v in main.go, %v in completionCommands", name, cmdLabel(cmd), isBool, tb)
				}
			}
			for name := range table {
				if _, ok := real[name]; !ok {
					t.Errorf("completion offers -%s for %s, which main.go does not define", name, cmdLabel(cmd))
				}
			}
		})
	}
	if got := subcommandNames(completionCommands()); !slices.Equal(got, []string{"sub", "open", "sim", "completion"}) {
		t.Errorf("subcommands %v", got)
	}
}

// script writes a completion script to a temporary file and returns its path.
func script(t *testing.T, shell, name string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := runCompletion([]string{shell}, &stdout, &stderr); code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr.String())
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func needShell(t *testing.T, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s not installed: the %s completion script is not checked (apt-get install -y %s)", shell, shell, shell)
	}
	return p
}

func runShell(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestCompletionBashSources(t *testing.T) {
	bash := needShell(t, "bash")
	path := script(t, "bash", "hubtap.bash")
	runShell(t, t.TempDir(), bash, "-n", path)
	got := runShell(t, t.TempDir(), bash, "-c", `source <(cat "$1") && complete -p hubtap`, "bash", path)
	if strings.TrimSpace(got) != "complete -F _hubtap hubtap" {
		t.Fatalf("complete -p hubtap after sourcing: %q", got)
	}
	text, _ := os.ReadFile(path)
	for cmd, flags := range realFlags(t) {
		for name := range flags {
			f := complFlag{name: name}
			if !regexp.MustCompile(`[\s']` + regexp.QuoteMeta(f.dashed()) + `[\s']`).Match(text) {
				t.Errorf("flag %s of %s is not in the bash script", f.dashed(), cmdLabel(cmd))
			}
		}
	}
}

// bashComplete runs the bash script's _hubtap on each command line (the
// last word is the one being completed) in dir, and returns COMPREPLY for each.
func bashComplete(t *testing.T, dir string, lines [][]string) [][]string {
	t.Helper()
	bash := needShell(t, "bash")
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	b.WriteString(`source "$1" || exit 1
c() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    _hubtap
    printf '%s\n' "${COMPREPLY[@]}"
    printf '\036\n'
}
`)
	for _, l := range lines {
		b.WriteString("c")
		for _, w := range l {
			b.WriteString(" " + quote(w))
		}
		b.WriteString("\n")
	}
	out := runShell(t, dir, bash, "-c", b.String(), "bash", script(t, "bash", "hubtap.bash"))
	parts := strings.Split(out, "\036\n")
	if len(parts) != len(lines)+1 {
		t.Fatalf("%d results for %d command lines:\n%s", len(parts)-1, len(lines), out)
	}
	res := make([][]string, len(lines))
	for i, p := range parts[:len(lines)] {
		for w := range strings.SplitSeq(p, "\n") {
			if w != "" {
				res[i] = append(res[i], w)
			}
		}
		slices.Sort(res[i])
	}
	return res
}

func sorted(s ...string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestCompletionBash(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"rec.jsonl", "old.jsonl.gz"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var topics []string
	for _, tp := range completionTopics() {
		topics = append(topics, tp.filter)
	}
	files := sorted("old.jsonl.gz", "rec.jsonl")
	type tc struct {
		line []string
		want []string
	}
	cases := []tc{
		{[]string{"hubtap", ""}, sorted(append([]string{"sub", "open", "sim", "completion"}, topics...)...)},
		{[]string{"hubtap", "s"}, sorted("sim", "sub")},
		{[]string{"hubtap", "--theme", ""}, sorted("auto", "dark", "high-contrast", "light", "plain")},
		{[]string{"hubtap", "--theme", "=", "d"}, []string{"dark"}}, // --theme=d, split at "="
		{[]string{"hubtap", "--theme", "="}, sorted("auto", "dark", "high-contrast", "light", "plain")},
		{[]string{"hubtap", "-theme=l"}, []string{"-theme=light"}}, // COMP_WORDBREAKS without "="
		{[]string{"hubtap", "--qos", ""}, sorted("0", "1")},
		{[]string{"hubtap", "sub", "--qos", ""}, sorted("0", "1")},
		{[]string{"hubtap", "open", "--theme", "p"}, []string{"plain"}},
		{[]string{"hubtap", "--demo", ""}, sorted(topics...)}, // a boolean flag takes no value
		{[]string{"hubtap", "--demo", "flespi/log"}, []string{"flespi/log/gw/devices/+/+"}},
		{[]string{"hubtap", "'flespi/s"}, []string{"flespi/state/gw/devices/+/telemetry/+"}},
		{[]string{"hubtap", "sub", "--url", "mqtt://x", "flespi/message/gw/d"}, []string{"flespi/message/gw/devices/+"}},
		{[]string{"hubtap", "sub", "sub"}, nil},
		{[]string{"hubtap", "open", ""}, files},
		{[]string{"hubtap", "open", "r"}, []string{"rec.jsonl"}},
		{[]string{"hubtap", "sim", ""}, nil},
		{[]string{"hubtap", "completion", ""}, sorted("bash", "fish", "zsh")},
		{[]string{"hubtap", "completion", "bash", ""}, nil},
	}
	// Every flag of every command: offered after "-", and its value completed
	// as its kind says (files, fixed words, or nothing for free text).
	for cmd, real := range realFlags(t) {
		prefix := []string{"hubtap"}
		if cmd != "" {
			prefix = append(prefix, cmd)
		}
		var all []string
		for name := range real {
			all = append(all, complFlag{name: name}.dashed())
		}
		cases = append(cases, tc{append(slices.Clone(prefix), "-"), sorted(append(all, "--help")...)})
		for _, f := range complCmdByName(t, cmd).flags {
			var want []string
			switch f.arg {
			case argNone:
				continue
			case argFile:
				want = files
			case argWords:
				want = sorted(f.words...)
			}
			cases = append(cases, tc{append(slices.Clone(prefix), f.dashed(), ""), want})
		}
	}
	var lines [][]string
	for _, c := range cases {
		lines = append(lines, c.line)
	}
	got := bashComplete(t, dir, lines)
	for i, c := range cases {
		t.Run(strings.Join(c.line, " "), func(t *testing.T) {
			if !slices.Equal(got[i], c.want) {
				t.Fatalf("completions %q, want %q", got[i], c.want)
			}
		})
	}
}

func TestCompletionZsh(t *testing.T) {
	zsh := needShell(t, "zsh")
	path := script(t, "zsh", "_hubtap")
	dir := t.TempDir()
	runShell(t, dir, zsh, "-n", path)
	// Sourced after compinit, and autoloaded from $fpath: both register _hubtap.
	got := runShell(t, dir, zsh, "-f", "-c", `autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[hubtap]`, "zsh", path)
	if strings.TrimSpace(got) != "_hubtap" {
		t.Fatalf("sourced: hubtap completes with %q, want _hubtap", got)
	}
	got = runShell(t, dir, zsh, "-f", "-c", `fpath=("${1:h}" $fpath) && autoload -U compinit && compinit -u -D && print -r -- $_comps[hubtap]`, "zsh", path)
	if strings.TrimSpace(got) != "_hubtap" {
		t.Fatalf("from fpath: hubtap completes with %q, want _hubtap", got)
	}
}

func TestCompletionFish(t *testing.T) {
	fish := needShell(t, "fish")
	path := script(t, "fish", "hubtap.fish")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rec.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	runShell(t, dir, fish, "--no-execute", path)
	cases := []struct {
		line string
		want []string // each must be offered
		not  []string // none may be offered
	}{
		{line: "hubtap ", want: []string{"sub", "open", "sim", "completion", "flespi/#", "flespi/message/gw/channels/+/+"}},
		{line: "hubtap --theme ", want: []string{"auto", "dark", "light", "high-contrast", "plain"}, not: []string{"flespi/#"}},
		{line: "hubtap sub --qos ", want: []string{"0", "1"}},
		{line: "hubtap sub -", want: []string{"--url", "-F", "-C", "--filter", "--quiet"}, not: []string{"--theme"}},
		{line: "hubtap open ", want: []string{"rec.jsonl"}, not: []string{"flespi/#"}},
		{line: "hubtap --record ", want: []string{"rec.jsonl"}},
		{line: "hubtap completion ", want: []string{"bash", "zsh", "fish"}},
		{line: "hubtap --url ", not: []string{"flespi/#", "rec.jsonl"}},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			out := runShell(t, dir, fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, path, c.line)
			var got []string
			for l := range strings.SplitSeq(out, "\n") {
				if w, _, _ := strings.Cut(l, "\t"); w != "" {
					got = append(got, w)
				}
			}
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q not offered: %q", w, got)
				}
			}
			for _, w := range c.not {
				if slices.Contains(got, w) {
					t.Errorf("%q offered: %q", w, got)
				}
			}
		})
	}
}
