// Package cli is hubtap's command line: the command tree (built on
// github.com/spf13/cobra and pflag), its flags, --help, shell completion
// and man page, and what each command runs. main.go hands Run the
// arguments and the output streams; nothing here writes to os.Stdout or
// os.Stderr itself.
//
// One file per command: root.go (the UI), sub.go, open.go, sim.go,
// completion.go, version.go, man.go. connect.go is the connection step the
// UI and sub share; ui.go runs a Bubble Tea program under the crash guard
// (crash.go) for the UI and open.
package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (connection refused, file unreadable)
	exitUsage = 2 // the command line is wrong; nothing was started
)

// exitError is an error with its exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usage marks err as a problem with the command line (exit 2).
func usage(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// errReported is returned when the command has already told the user
// (e.g. a crash report): Run exits 1 without another line.
var errReported = errors.New("reported")

// Run runs hubtap with args (without the program name), writing to stdout
// and stderr, and returns the exit code: 0 done, 1 failed, 2 bad command
// line (one line on stderr says what, and how to find out more).
func Run(args []string, stdout, stderr io.Writer) int {
	args, stopProfile := cpuProfile(args, stderr) // hidden --cpuprofile FILE (pprof.go)
	defer stopProfile()
	completing := len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd)
	registerCompletions = completing
	if !completing { // leave the shells' completion requests alone
		args = rewriteLegacy(args, knownFlags(newRoot(io.Discard, io.Discard)), stderr)
	}
	var after afterTree
	path, err := execute(stdout, stderr, args, &after)
	if err == nil && after.work != nil {
		err = after.work() // the tree is garbage by now
	}
	if err == nil {
		return exitOK
	}
	code := exitFail
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
	}
	return code
}

// execute builds the command tree and runs the command args name. It
// returns that command's path for the error line; the tree itself is not
// kept past the call, so that work left in after runs without it.
func execute(stdout, stderr io.Writer, args []string, after *afterTree) (string, error) {
	root := buildRoot(stdout, stderr, after)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	return cmd.CommandPath(), err
}

// afterTree holds work a command leaves for Run to do once the command
// tree is unreachable: `hubtap sub`'s drain. The tree (cobra commands, flag
// sets, help text) is ~200 KB of small objects the collector would mark on
// every cycle, ~100 cycles per 200,000 messages. With it garbage and no
// flag completions registered (registerCompletions) a drain takes 3% less
// CPU (docs/BENCHMARKS.md, "Where the QoS 0 difference to the reference
// is").
type afterTree struct {
	work func() error
}

// leave hands work to Run, or, for a tree built without an afterTree
// (tests that execute a tree themselves), does it now.
func (a *afterTree) leave(work func() error) error {
	if a == nil {
		return work()
	}
	a.work = work
	return nil
}

// newRoot builds the command tree. Each call makes a fresh tree with its
// own option values, so Run can be called more than once (tests do).
func newRoot(stdout, stderr io.Writer) *cobra.Command { return buildRoot(stdout, stderr, nil) }

// buildRoot is newRoot with the afterTree that sub leaves its drain in.
func buildRoot(stdout, stderr io.Writer, after *afterTree) *cobra.Command {
	root := rootCmd()
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceErrors = true // Run prints the one line
	root.SilenceUsage = true  // and no usage dump after it
	root.SetFlagErrorFunc(flagError)
	root.SetHelpFunc(help)
	root.AddCommand(subCmd(after), openCmd(), simCmd(), completionCmd(), versionCmd(), manCmd())
	plainUsage(root)
	return root
}

// noArgs is cobra.NoArgs as a usage error (exit 2).
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage(fmt.Errorf("unexpected argument %q", args[0]))
	}
	return nil
}

// knownFlags returns the long flag names of every command in the tree.
func knownFlags(root *cobra.Command) map[string]*pflag.Flag {
	all := map[string]*pflag.Flag{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		add := func(f *pflag.Flag) { all[f.Name] = f }
		c.LocalFlags().VisitAll(add)
		c.InheritedFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return all
}

// flagError turns pflag's parse errors into one sentence with a hint:
// "unknown flag --dmeo: did you mean --demo?".
func flagError(cmd *cobra.Command, err error) error {
	hint := fmt.Sprintf("see '%s --help'", cmd.CommandPath())
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	var needs *pflag.ValueRequiredError
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		typed := "--" + name
		if sh := notExist.GetSpecifiedShortnames(); sh != "" {
			name, typed = sh, "-"+sh
			if len(sh) == 1 {
				return usage(fmt.Errorf("unknown flag %s: %s", typed, hint))
			}
		}
		if s := suggestFlag(cmd, name); s != "" {
			return usage(fmt.Errorf("unknown flag %s: did you mean %s?", typed, s))
		}
		return usage(fmt.Errorf("unknown flag %s: %s", typed, hint))
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return usage(fmt.Errorf("--%s %q: not %s", f.Name, invalid.GetValue(), typeWord(f.Value.Type())))
	case errors.As(err, &needs):
		return usage(fmt.Errorf("%s needs a value: %s", strings.TrimPrefix(err.Error(), "flag needs an argument: "), hint))
	}
	return usage(fmt.Errorf("%w: %s", err, hint))
}

// typeWord says what a flag of pflag type t takes.
func typeWord(t string) string {
	switch t {
	case "int", "uint", "int64":
		return "a whole number"
	case "float64":
		return "a number"
	case "duration":
		return "a duration such as 90s, 10m or 1h"
	case "bool":
		return "true or false"
	}
	return "a " + t
}

// suggestFlag returns the flag of cmd closest to the mistyped name, as
// "--name", or "" when none is close.
func suggestFlag(cmd *cobra.Command, name string) string {
	best, bestD := "", 3 // at most two edits away, or a prefix
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 2 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = "--"+f.Name, d
		}
	})
	return best
}

// suggestCommand returns the subcommands close to a mistyped name.
func suggestCommand(root *cobra.Command, name string) []string {
	var out []string
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() && c.Name() != "help" {
			continue
		}
		if editDistance(name, c.Name()) <= 2 || (len(name) >= 2 && strings.HasPrefix(c.Name(), name)) {
			out = append(out, c.Name())
		}
	}
	slices.Sort(out)
	return out
}

// editDistance is the Levenshtein distance between a and b (bytes: flag
// and command names are ASCII).
func editDistance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
