package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// rewriteLegacy accepts the flag spellings of hubtap before it used pflag,
// which scripts still use: single-dash long flags (-url x, -ca=x, -demo)
// become --name when name is a long flag of some command, and the
// one-letter flags written with two dashes (--F, --C, --p) become the
// shorthands they are now; one line on stderr says so. Anything else is left to pflag, which reads -abc as
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
		case hasValue && len(strings.SplitN(name, "=", 2)[0]) == 1 && known[strings.SplitN(name, "=", 2)[0]] == nil:
			// --F, --C, --p: the one-letter flags of before, now shorthands.
			short, _, _ := strings.Cut(name, "=")
			if f := shorthand[short]; f != nil {
				out = append(out, a[1:])
				if !slices.Contains(rewritten, a[:3]) {
					rewritten = append(rewritten, a[:3])
				}
				if !strings.Contains(name, "=") && takesValue(f) && i+1 < len(args) {
					i++
					out = append(out, args[i])
				}
				continue
			}
			out = append(out, a)
			continue
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
			if strings.HasPrefix(r, "--") {
				fixed[i] = r[1:] // --F → -F
			} else {
				fixed[i] = "-" + r
			}
		}
		fmt.Fprintf(stderr, "hubtap: deprecated flag spelling: write %s instead of %s\n",
			strings.Join(fixed, " "), strings.Join(rewritten, " "))
	}
	return out
}
