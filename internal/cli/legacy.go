package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// rewriteLegacy accepts the single-dash long flags of hubtap before it
// used pflag (-url x, -ca=x, -demo), which scripts still use: each one
// whose name is a long flag of some command becomes --name, and one line
// on stderr says so. Anything else is left to pflag, which reads -abc as
// the shorthands -a -b -c. Values of flags are skipped (a topic or a
// filter may start with a dash), and so is everything after "--".
func rewriteLegacy(args []string, known map[string]*pflag.Flag, stderr io.Writer) []string {
	shorthand := map[string]*pflag.Flag{}
	for _, f := range known {
		if f.Shorthand != "" {
			shorthand[f.Shorthand] = f
		}
	}
	takesValue := func(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" }
	var out, rewritten []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, hasValue := strings.CutPrefix(a, "--")
		switch {
		case hasValue: // --name or --name=value
			out = append(out, a)
			if !strings.Contains(name, "=") && takesValue(known[name]) && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		case !strings.HasPrefix(a, "-") || a == "-":
			out = append(out, a)
			continue
		}
		name, _, withEq := strings.Cut(a[1:], "=")
		if f, ok := known[name]; ok && len(name) > 1 {
			out = append(out, "-"+a)
			if !slices.Contains(rewritten, "-"+name) {
				rewritten = append(rewritten, "-"+name)
			}
			if !withEq && takesValue(f) && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		out = append(out, a)
		// -p NAME: a shorthand that takes its value from the next argument.
		if len(a) == 2 && takesValue(shorthand[a[1:]]) && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	if len(rewritten) > 0 {
		fixed := make([]string, len(rewritten))
		for i, r := range rewritten {
			fixed[i] = "-" + r
		}
		fmt.Fprintf(stderr, "hubtap: single-dash long flags are deprecated: write %s instead of %s\n",
			strings.Join(fixed, " "), strings.Join(rewritten, " "))
	}
	return out
}
