package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// help writes a command's --help: its description, usage, examples, the
// subcommands (for hubtap itself) and the flags by group (flags.go).
func help(cmd *cobra.Command, _ []string) {
	w := cmd.OutOrStdout()
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n", strings.TrimSpace(desc))
	for _, l := range usageLines(cmd) {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if cmd.Example != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(cmd.Example, "\n"))
	}
	groups := flagGroups(cmd)
	width := 0
	for _, g := range groups {
		g.flags.VisitAll(func(f *pflag.Flag) { width = max(width, len(flagLeft(f))) })
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s flags:\n", g.name)
		writeFlags(w, g.flags, width)
	}
	if extra := cmd.Annotations[annotationHelpTail]; extra != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(extra, "\n"))
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags, 'hubtap man | man -l -' for the manual.\n", cmd.CommandPath())
	}
}

// annotationHelpTail is a command annotation printed after the flags
// (sim lists its demo tokens there).
const annotationHelpTail = "hubtap_help_tail"

// usageLines are the "Usage:" lines: the command's own, then one per
// subcommand with its short description.
func usageLines(cmd *cobra.Command) []string {
	type line struct{ use, short string }
	lines := []line{{use: cmd.CommandPath() + strings.TrimPrefix(cmd.Use, cmd.Name()), short: ""}}
	if cmd.HasAvailableSubCommands() {
		lines[0].short = cmd.Short
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				lines = append(lines, line{use: sub.CommandPath() + strings.TrimPrefix(sub.Use, sub.Name()), short: sub.Short})
			}
		}
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l.use))
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.use
		if l.short != "" {
			out[i] += strings.Repeat(" ", width-len(l.use)+3) + l.short
		}
	}
	return out
}

// flagSet is one group of a command's flags.
type flagSet struct {
	name  string
	flags *pflag.FlagSet
}

// flagGroups returns cmd's visible flags (its own and inherited), by
// group in groupOrder, leaving out empty groups.
func flagGroups(cmd *cobra.Command) []flagSet {
	cmd.InitDefaultHelpFlag()
	byGroup := map[string]*pflag.FlagSet{}
	add := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := flagGroup(f)
		if byGroup[g] == nil {
			byGroup[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			byGroup[g].SortFlags = false
		}
		if byGroup[g].Lookup(f.Name) == nil {
			byGroup[g].AddFlag(f)
		}
	}
	cmd.LocalFlags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	var out []flagSet
	for _, g := range groupOrder() {
		if fs := byGroup[g]; fs != nil {
			out = append(out, flagSet{name: g, flags: fs})
		}
	}
	return out
}

// writeFlags lists flags as "  -p, --profile NAME   usage (default x)",
// the usage column at width+3. pflag's own FlagUsages is not used: v1.1.0
// writes every boolean flag as --name[=true|false].
func writeFlags(w io.Writer, fs *pflag.FlagSet, width int) {
	indent := strings.Repeat(" ", width+3)
	fs.VisitAll(func(f *pflag.Flag) {
		left := flagLeft(f)
		fmt.Fprintln(w, left+indent[len(left):]+strings.ReplaceAll(flagUsage(f), "\n", "\n"+indent))
	})
}

// flagLeft is a flag's name column: "  -p, --profile NAME", "      --demo".
func flagLeft(f *pflag.Flag) string {
	left := "      --" + f.Name
	if f.Shorthand != "" {
		left = "  -" + f.Shorthand + ", --" + f.Name
	}
	if v := flagVar(f); v != "" {
		left += " " + v
	}
	return left
}

// flagVar names a flag's value, upper case ("FILE", "DURATION"), or "" for
// a flag that takes none (a boolean).
func flagVar(f *pflag.Flag) string {
	if f.NoOptDefVal != "" {
		return ""
	}
	if v := f.Annotations[varAnnotation]; len(v) == 1 {
		return v[0]
	}
	varname, _ := pflag.UnquoteUsage(f)
	return strings.ToUpper(strings.TrimSuffix(varname, "64"))
}

// varAnnotation holds a flag's value name, taken from the `back-quoted`
// word of its usage by plainUsage.
const varAnnotation = "hubtap_var"

// plainUsage moves the back-quoted value name out of every flag's usage
// text (pflag's convention: "read the token from this `file`") into
// varAnnotation, so completion descriptions show the plain sentence.
func plainUsage(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			before, name, ok := strings.Cut(f.Usage, "`")
			if !ok {
				return
			}
			name, after, ok := strings.Cut(name, "`")
			if !ok {
				return
			}
			if f.Annotations == nil {
				f.Annotations = map[string][]string{}
			}
			f.Annotations[varAnnotation] = []string{strings.ToUpper(name)}
			f.Usage = before + name + after
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// flagUsage is a flag's description with its default, if not zero.
func flagUsage(f *pflag.Flag) string {
	use := f.Usage
	if d := flagDefault(f); d != "" {
		use += " (default " + d + ")"
	}
	return use
}

// flagDefault is a flag's default as --help shows it, or "" for a zero
// value, which goes without saying.
func flagDefault(f *pflag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "0s", "[]":
		return ""
	}
	if f.Value.Type() == "string" {
		return strconv.Quote(f.DefValue)
	}
	return f.DefValue
}
