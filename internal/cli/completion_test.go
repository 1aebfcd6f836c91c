package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func TestCompletionArgs(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		wantStdout string // substring
		wantStderr string // substring; stderr must then be one line
	}{
		{args: []string{"bash"}, wantStdout: "complete -o default -F __start_hubtap hubtap"},
		{args: []string{"zsh"}, wantStdout: "#compdef hubtap"},
		{args: []string{"fish"}, wantStdout: "complete -c hubtap"},
		{args: []string{"powershell"}, wantStdout: "Register-ArgumentCompleter"},
		{args: []string{"--help"}, wantStdout: "hubtap completion bash|zsh|fish|powershell"},
		{args: []string{"tcsh"}, code: 2, wantStderr: `hubtap completion: unknown shell "tcsh": use bash, zsh, fish or powershell`},
		{args: []string{}, code: 2, wantStderr: "hubtap completion: give one shell"},
		{args: []string{"bash", "zsh"}, code: 2, wantStderr: "hubtap completion: give one shell"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Run(append([]string{"completion"}, c.args...), &stdout, &stderr); code != c.code {
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

// complete asks hubtap what to offer for the last word of line, as every
// shell's script does (hubtap __complete WORDS...), and returns the words
// the shell would offer (those starting with the typed word, descriptions
// dropped) and the directive.
func completeLine(t *testing.T, line ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run(append([]string{cobra.ShellCompRequestCmd}, line...), &stdout, &stderr); code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", line, code, stderr.String())
	}
	typed := line[len(line)-1]
	if strings.HasPrefix(typed, "-") { // --flag=VALUE: cobra answers for VALUE, the shell keeps --flag=
		if _, v, ok := strings.Cut(typed, "="); ok {
			typed = v
		}
	}
	var words []string
	var dir cobra.ShellCompDirective = -1
	for l := range strings.SplitSeq(strings.TrimSpace(stdout.String()), "\n") {
		if n, ok := strings.CutPrefix(l, ":"); ok {
			d := 0
			for _, c := range n {
				d = d*10 + int(c-'0')
			}
			dir = cobra.ShellCompDirective(d)
			continue
		}
		w, _, _ := strings.Cut(l, "\t")
		if w != "" && strings.HasPrefix(w, typed) {
			words = append(words, w)
		}
	}
	if dir < 0 {
		t.Fatalf("__complete %q: no directive in %q", line, stdout.String())
	}
	slices.Sort(words)
	return words, dir
}

func sorted(s ...string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// visibleFlags returns "--name" (and "-s") for every visible flag of the
// command at path (nil: hubtap itself), --help included.
func visibleFlags(t *testing.T, path ...string) []string {
	t.Helper()
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	cmd, _, err := root.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd.InitDefaultHelpFlag()
	var out []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		out = append(out, "--"+f.Name)
		if f.Shorthand != "" {
			out = append(out, "-"+f.Shorthand)
		}
	})
	return sorted(out...)
}

// TestCompletionOffers: what the shells offer, through __complete, which
// every generated script calls.
func TestCompletionOffers(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "hubtap")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	toml := "[profiles.fleet]\nurl = \"mqtts://mqtt.flespi.io:8883\"\n\n[profiles.lab]\ndemo = true\n"
	if err := os.WriteFile(filepath.Join(cfg, "hubtap.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, c := range topicCompletions() {
		w, _, _ := strings.Cut(c, "\t")
		topics = append(topics, w)
	}
	themes := sorted("auto", "dark", "high-contrast", "light", "plain")
	commands := []string{"completion", "help", "man", "open", "sim", "sub", "version"}
	const noFile, fileExt = cobra.ShellCompDirectiveNoFileComp, cobra.ShellCompDirectiveFilterFileExt
	cases := []struct {
		line []string
		want []string
		dir  cobra.ShellCompDirective
	}{
		{[]string{""}, sorted(append(commands, topics...)...), noFile},
		{[]string{"s"}, sorted("sim", "sub"), noFile},
		{[]string{"--theme", ""}, themes, noFile},
		{[]string{"--theme=d"}, []string{"dark"}, noFile},
		{[]string{"--qos", ""}, sorted("0", "1"), noFile},
		{[]string{"sub", "--qos", ""}, sorted("0", "1"), noFile},
		{[]string{"--resume", ""}, sorted("in-place", "live"), noFile},
		{[]string{"open", "--theme", "p"}, []string{"plain"}, noFile},
		{[]string{"--demo", ""}, sorted(topics...), noFile}, // a boolean flag takes no value
		{[]string{"--demo", "flespi/log"}, []string{"flespi/log/gw/devices/+/#"}, noFile},
		{[]string{"sub", "--url", "mqtt://x", "flespi/message/gw/d"}, []string{"flespi/message/gw/devices/+"}, noFile},
		{[]string{"sub", "sub"}, nil, noFile},
		{[]string{"-p", ""}, sorted("fleet", "lab"), noFile},
		{[]string{"sub", "--profile", "f"}, []string{"fleet"}, noFile},
		{[]string{"--save-profile", ""}, sorted("fleet", "lab"), noFile},
		{[]string{"open", ""}, sorted("gz", "jsonl"), fileExt}, // the extensions the shell filters files by
		{[]string{"--record", ""}, []string{"jsonl"}, fileExt},
		{[]string{"--ca", ""}, sorted("crt", "pem"), fileExt},
		{[]string{"sim", ""}, nil, noFile},
		{[]string{"completion", ""}, sorted("bash", "fish", "powershell", "zsh"), noFile},
		{[]string{"completion", "bash", ""}, nil, noFile},
		{[]string{"--url", ""}, sorted("mqtt://localhost:1883", "mqtts://localhost:8883", "mqtts://mqtt.flespi.io:8883", "wss://mqtt.flespi.io:443"), noFile | cobra.ShellCompDirectiveNoSpace},
		{[]string{"--fps", ""}, nil, noFile},
	}
	// Every visible flag of every command is offered after "-".
	for _, path := range [][]string{nil, {"sub"}, {"open"}, {"sim"}} {
		cases = append(cases, struct {
			line []string
			want []string
			dir  cobra.ShellCompDirective
		}{append(slices.Clone(path), "-"), visibleFlags(t, path...), noFile})
	}
	for _, c := range cases {
		t.Run(strings.Join(c.line, " "), func(t *testing.T) {
			got, dir := completeLine(t, c.line...)
			if !slices.Equal(got, c.want) || dir != c.dir {
				t.Fatalf("offered %q (directive %d), want %q (directive %d)", got, dir, c.want, c.dir)
			}
		})
	}
}

// script writes a completion script to a temporary file and returns its path.
func script(t *testing.T, shell, name string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"completion", shell}, &stdout, &stderr); code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr.String())
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runShell runs a shell in dir with the hubtap binary of binDir first on
// PATH (the scripts call it), and returns its output.
func runShell(t *testing.T, dir, binDir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, "PATH="+binDir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// hubtapOnPath builds hubtap (once) and returns its directory, for the
// scripts to call.
func hubtapOnPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	return filepath.Dir(ptyBin.build(t))
}

// TestCompletionBash: the script parses (bash -n), registers itself, and
// completes through the real binary.
func TestCompletionBash(t *testing.T) {
	bash := needProgram(t, "bash", "bash")
	path := script(t, "bash", "hubtap.bash")
	dir := t.TempDir()
	runShell(t, dir, dir, bash, "-n", path)
	if got := runShell(t, dir, dir, bash, "-c", `source "$1" && complete -p hubtap`, "bash", path); strings.TrimSpace(got) != "complete -o default -F __start_hubtap hubtap" {
		t.Fatalf("complete -p hubtap after sourcing: %q", got)
	}
	// cobra's bash script needs the bash-completion package (_get_comp_words_by_ref).
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		needProgram(t, bashCompletion, "bash-completion")
	}
	bin := hubtapOnPath(t)
	for _, c := range []struct {
		line string
		want []string
	}{
		{"hubtap --theme ", themesWords()},
		{"hubtap sub --qos ", []string{"0", "1"}},
		{"hubtap s", []string{"sim", "sub"}},
		{"hubtap completion ", []string{"bash", "fish", "powershell", "zsh"}},
	} {
		t.Run(c.line, func(t *testing.T) {
			out := runShell(t, dir, bin, bash, "-c", `source `+bashCompletion+` && source "$1" || exit 1
read -ra COMP_WORDS <<< "$2"; [[ $2 == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=$2; COMP_POINT=${#COMP_LINE}
__start_hubtap hubtap 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`, "bash", path, c.line)
			var got []string
			for w := range strings.FieldsSeq(out) {
				got = append(got, w)
			}
			if slices.Sort(got); !slices.Equal(got, c.want) {
				t.Fatalf("bash offers %q, want %q", got, c.want)
			}
		})
	}
}

func themesWords() []string { return sorted("auto", "dark", "high-contrast", "light", "plain") }

func TestCompletionZsh(t *testing.T) {
	zsh := needProgram(t, "zsh", "zsh")
	path := script(t, "zsh", "_hubtap")
	dir := t.TempDir()
	runShell(t, dir, dir, zsh, "-n", path)
	// Sourced after compinit, and autoloaded from $fpath: both register _hubtap.
	got := runShell(t, dir, dir, zsh, "-f", "-c", `autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[hubtap]`, "zsh", path)
	if strings.TrimSpace(got) != "_hubtap" {
		t.Fatalf("sourced: hubtap completes with %q, want _hubtap", got)
	}
	got = runShell(t, dir, dir, zsh, "-f", "-c", `fpath=("${1:h}" $fpath) && autoload -U compinit && compinit -u -D && print -r -- $_comps[hubtap]`, "zsh", path)
	if strings.TrimSpace(got) != "_hubtap" {
		t.Fatalf("from fpath: hubtap completes with %q, want _hubtap", got)
	}
}

func TestCompletionFish(t *testing.T) {
	fish := needProgram(t, "fish", "fish")
	path := script(t, "fish", "hubtap.fish")
	dir := t.TempDir()
	runShell(t, dir, dir, fish, "--no-execute", path)
	bin := hubtapOnPath(t)
	if err := os.WriteFile(filepath.Join(dir, "rec.jsonl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line string
		want []string // each must be offered
		not  []string // none may be offered
	}{
		{line: "hubtap ", want: []string{"sub", "open", "sim", "completion", "version", "man", "flespi/#", "flespi/message/gw/channels/+/+"}},
		{line: "hubtap --theme ", want: themesWords(), not: []string{"flespi/#"}},
		{line: "hubtap sub --qos ", want: []string{"0", "1"}},
		{line: "hubtap sub -", want: []string{"--url", "-F", "-C", "--filter", "--quiet", "-p"}, not: []string{"--theme"}},
		{line: "hubtap open ", want: []string{"rec.jsonl"}, not: []string{"flespi/#"}},
		{line: "hubtap --record ", want: []string{"rec.jsonl"}},
		{line: "hubtap completion ", want: []string{"bash", "zsh", "fish", "powershell"}},
		{line: "hubtap --url ", not: []string{"flespi/#", "rec.jsonl"}},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			out := runShell(t, dir, bin, fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, path, c.line)
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

// TestCompletionPowerShell: no PowerShell here, so the script is checked
// by what it must hold: it registers a completer for hubtap that asks
// hubtap __complete, and that request offers every subcommand.
func TestCompletionPowerShell(t *testing.T) {
	b, err := os.ReadFile(script(t, "powershell", "hubtap.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"Register-ArgumentCompleter", "-CommandName 'hubtap'", cobra.ShellCompRequestCmd} {
		if !strings.Contains(text, want) {
			t.Errorf("the PowerShell script lacks %q", want)
		}
	}
	got, _ := completeLine(t, "")
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && !slices.Contains(got, c.Name()) {
			t.Errorf("subcommand %s is not offered to the PowerShell script: %q", c.Name(), got)
		}
	}
}
