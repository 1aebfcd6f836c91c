package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manCmd is `hubtap man`: the manual page hubtap(1), in roff, generated
// from the same command tree as --help and completion.
func manCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "print the manual page (roff)",
		Long: `Prints hubtap(1), the manual page, in roff: every command and flag, the
environment and the files hubtap uses.`,
		Example: `  hubtap man | man -l -
  hubtap man > ~/.local/share/man/man1/hubtap.1`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeMan(cmd.OutOrStdout(), cmd.Root())
		},
	}
}

// writeMan writes the manual page for root and its subcommands. cobra's
// own generator (cobra/doc) needs go-md2man, which is not among the
// approved modules; roff for one page is short enough to write here.
func writeMan(w io.Writer, root *cobra.Command) error {
	m := &roff{w: w}
	b := readBuildInfo()
	day := ""
	if len(b.date) >= 10 {
		day = b.date[:10]
	}
	m.printf(".TH HUBTAP 1 %q %q \"User Commands\"\n", day, "hubtap "+b.version)
	m.section("NAME")
	m.text("hubtap - a terminal debugger for MQTT 5 streams (flespi first)")
	m.section("SYNOPSIS")
	for i, c := range commands(root) {
		if i > 0 {
			m.printf(".br\n")
		}
		m.printf(".B %s\n", esc(c.CommandPath()))
		if rest := strings.TrimSpace(strings.TrimPrefix(c.Use, c.Name())); rest != "" {
			m.text(rest)
		}
	}
	m.section("DESCRIPTION")
	m.paragraphs(root.Long)
	m.section("OPTIONS")
	m.flags(root)
	m.section("COMMANDS")
	for _, c := range commands(root)[1:] {
		m.printf(".SS %s\n", quoteArg(c.CommandPath()+strings.TrimPrefix(c.Use, c.Name())))
		m.paragraphs(c.Long)
		if tail := c.Annotations[annotationHelpTail]; tail != "" {
			m.preformatted(tail)
		}
		m.flags(c)
		if c.Example != "" {
			m.printf(".PP\nExamples:\n")
			m.preformatted(c.Example)
		}
	}
	m.section("EXAMPLES")
	m.preformatted(root.Example)
	m.section("ENVIRONMENT")
	for _, e := range [][2]string{
		{"FLESPI_TOKEN", "the flespi token, when neither --token nor --token-file is given"},
		{"MQTT_PASSWORD", "the password, when neither --password nor --password-file is given"},
		{"NO_COLOR", "when set, no colours (like --no-color)"},
		{"XDG_CONFIG_HOME", "where hubtap/hubtap.toml (the profiles) is; default ~/.config"},
		{"XDG_STATE_HOME", "where hubtap/sessions and crash reports are; default ~/.local/state"},
		{"GOMEMLIMIT", "overrides the soft memory limit hubtap derives from --history-mem"},
	} {
		m.printf(".TP\n.B %s\n", e[0])
		m.text(e[1])
	}
	m.section("FILES")
	for _, f := range [][2]string{
		{"~/.config/hubtap/hubtap.toml", "profiles (-p, --save-profile): broker, panes, filters; never a token, only where it comes from"},
		{"~/.local/state/hubtap/sessions", "the persistent sessions hubtap left on each broker, to say when one was lost"},
		{"~/.local/state/hubtap/crash-*.txt", "crash reports, without secrets"},
	} {
		m.printf(".TP\n.I %s\n", esc(f[0]))
		m.text(f[1])
	}
	m.section("EXIT STATUS")
	m.text("0 when done, 1 when hubtap failed (the broker refused, a file could not be read, a crash), 2 when the command line is wrong.")
	m.section("SEE ALSO")
	m.text("mosquitto_sub(1); hubtap --help and hubtap COMMAND --help.")
	return m.err
}

// commands returns root, then its visible subcommands.
func commands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			out = append(out, c)
		}
	}
	return out
}

// roff writes roff and remembers the first write error.
type roff struct {
	w   io.Writer
	err error
}

func (m *roff) printf(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

func (m *roff) section(name string) { m.printf(".SH %s\n", name) }

// text writes one filled paragraph of plain text.
func (m *roff) text(s string) { m.printf("%s\n", esc(s)) }

// paragraphs writes text whose blank lines separate paragraphs.
func (m *roff) paragraphs(s string) {
	for i, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if i > 0 {
			m.printf(".PP\n")
		}
		m.text(strings.Join(strings.Fields(p), " "))
	}
}

// preformatted writes s line by line, unfilled, indented.
func (m *roff) preformatted(s string) {
	m.printf(".PP\n.RS 4\n.nf\n")
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		m.printf("%s\n", esc(strings.TrimPrefix(l, "  ")))
	}
	m.printf(".fi\n.RE\n")
}

// flags writes a command's flags by group, each as a tagged paragraph.
func (m *roff) flags(c *cobra.Command) {
	for _, g := range flagGroups(c) {
		m.printf(".PP\n\\fB%s flags\\fR\n", esc(g.name))
		g.flags.VisitAll(func(f *pflag.Flag) {
			tag := "\\fB\\-\\-" + esc(f.Name) + "\\fR"
			if f.Shorthand != "" {
				tag = "\\fB\\-" + esc(f.Shorthand) + "\\fR, " + tag
			}
			if v := flagVar(f); v != "" {
				tag += " \\fI" + esc(v) + "\\fR"
			}
			m.printf(".TP\n%s\n", tag)
			m.text(strings.ReplaceAll(flagUsage(f), "\n", " "))
		})
	}
}

// esc escapes text for roff: backslashes, dashes (so they stay ASCII
// hyphen-minus, which copy and paste into a shell need), and a leading
// dot or quote, which would start a request.
func esc(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// quoteArg makes s one argument of a roff request.
func quoteArg(s string) string { return `"` + strings.ReplaceAll(esc(s), `"`, `\(dq`) + `"` }
