package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"hubtap/filters"
	"hubtap/headless"
)

// subOptions are the flags only sub has; the mosquitto_sub-style ones are
// headless.Flags, checked by its Apply.
type subOptions struct {
	filter string
	count  int
	quiet  bool
	flags  headless.Flags
}

// subCmd is `hubtap sub`: no UI, messages to stdout (headless).
func subCmd(after *afterTree) *cobra.Command {
	o, so := &options{}, &subOptions{}
	cmd := &cobra.Command{
		Use:   "sub [flags] topic-filter ...",
		Short: "no UI: messages to stdout as JSONL or a template",
		Long: `Writes received messages to stdout without a UI: one JSON object per line
(the recording format), or a template like mosquitto_sub -F. Connection
problems go to stderr in plain words. It never drops a message: when the
reader is slow it stops reading and the broker queues.`,
		Example: `  FLESPI_TOKEN=... hubtap sub 'flespi/message/gw/channels/+/+' | jq .payload.ident
  hubtap sub --demo -C 1000 'flespi/#' > sample.jsonl
  hubtap sub --url mqtt://localhost -F '%I %t %{position.speed}' 'flespi/message/gw/devices/+'
  hubtap sub -p fleet -C 10                # the broker and topics of a profile`,
		ValidArgsFunction: completeTopics,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.topics = args
			cfg, err := prepareSub(cmd, o, so)
			if err != nil {
				return usage(err)
			}
			r := &subRun{o: o, cfg: cfg, stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), path: cmd.CommandPath(),
				tokenFlag: cmd.Flags().Changed("token")}
			return after.leave(r.run)
		},
		Annotations: map[string]string{annotationHelpTail: strings.TrimRight(headless.Help, "\n")},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	connFlags(cmd, o)
	sf := &so.flags
	fs.StringVarP(&sf.Template, "format", "F", "", "output `template`, as mosquitto_sub -F (default: JSONL; verbs below)")
	fs.IntVarP(&so.count, "count", "C", 0, "exit after this many messages (0: run until interrupted)")
	fs.BoolVarP(&sf.Verbose, "verbose", "v", false, "print 'topic payload' per message (mosquitto_sub -v)")
	fs.BoolVarP(&sf.NoEOL, "no-eol", "N", false, "no newline after each message (with -F or -v)")
	fs.BoolVar(&sf.Pretty, "pretty", false, "indent %j and %J output (mosquitto_sub --pretty)")
	fs.BoolVarP(&sf.SkipRetained, "no-retained", "R", false, "skip retained messages (mosquitto_sub -R)")
	fs.BoolVar(&sf.RetainedOnly, "retained-only", false, "print retained messages only, and stop at the first one that is not")
	fs.IntVarP(&sf.Wait, "timeout", "W", 0, "stop this many `seconds` after connecting; exit 27 if no message arrived (0: no limit)")
	fs.StringArrayVarP(&sf.Hide, "hide", "T", nil, "hide messages whose topic matches this `filter` (repeatable)")
	fs.StringArrayVarP(&sf.Unsubscribe, "unsubscribe", "U", nil, "unsubscribe the persistent session from this `filter` once connected (repeatable)")
	fs.BoolVar(&sf.Raw, "raw", false, "write the exact bytes even to a terminal (there, control sequences are shown as markers by default)")
	fs.StringVar(&sf.Retry, "retry", "3", "connection attempts in a row that may fail with a permanent error before giving up: a `number`, or forever")
	fs.StringVar(&so.filter, "filter", "", "only messages matching this filter `expression`")
	fs.BoolVar(&so.quiet, "quiet", false, "do not report connecting and subscribing on stderr")
	inGroup(fs, groupOutput, "format", "count", "verbose", "no-eol", "pretty", "no-retained", "retained-only", "timeout",
		"hide", "unsubscribe", "raw", "retry", "filter", "quiet")
	noFiles(cmd, "format", "count", "timeout", "hide", "unsubscribe", "retry", "filter")
	demoFlags(cmd, o, 1000)
	debugFlag(cmd, &o.debugFile)
	return cmd
}

// prepareSub applies the profile, checks the flags and builds the
// headless configuration (without the broker part, which connect adds).
func prepareSub(cmd *cobra.Command, o *options, so *subOptions) (headless.Config, error) {
	if o.profile != "" {
		if err := applyProfile(o, cmd.Flags()); err != nil {
			return headless.Config{}, err
		}
	}
	if err := o.checkConn(); err != nil {
		return headless.Config{}, err
	}
	if len(o.topics) == 0 && !o.demo {
		return headless.Config{}, errors.New("give at least one topic filter, e.g. 'flespi/message/gw/channels/+/+'")
	}
	if so.count < 0 {
		return headless.Config{}, errors.New("-C must not be negative")
	}
	cfg := headless.Config{Count: so.count, Errors: cmd.ErrOrStderr(), Quiet: so.quiet}
	if err := so.flags.Apply(&cfg); err != nil {
		return headless.Config{}, err
	}
	if so.filter != "" {
		f, err := filters.Compile(so.filter)
		if err != nil {
			return headless.Config{}, fmt.Errorf("--filter: %w", err)
		}
		cfg.Filter = f
	}
	return cfg, nil
}

// subRun is what the drain needs from the command line: no *cobra.Command,
// so that the command tree is garbage while it runs (see afterTree).
type subRun struct {
	o              *options
	cfg            headless.Config
	stdout, stderr io.Writer
	path           string // "hubtap sub", for messages
	tokenFlag      bool   // --token was given
}

// run connects and writes messages to stdout until the count, a signal or
// the broker's refusal.
func (r *subRun) run() error {
	o, cfg := r.o, r.cfg
	c, err := connect(o, pipeSignals())
	if err != nil {
		return err
	}
	defer c.close()
	c.onClose(epipeNotSignal())
	cfg.Broker, cfg.Logger = c.broker, c.log
	if c.warning != "" {
		fmt.Fprintf(r.stderr, "%s: %s\n", r.path, c.warning)
	}
	if r.tokenFlag {
		fmt.Fprintf(r.stderr, "%s: ⚠ --token is visible in the process list and shell history: prefer FLESPI_TOKEN or --token-file\n", r.path)
	}
	if !o.demo { // the demo's broker runs in this process and needs the other core
		tuneForPipe()
	}
	if _, err := headless.Run(c.ctx, cfg, r.stdout); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return nil // the reader went away (| head): not an error
		}
		return &exitError{code: headless.ExitCode(err), err: err} // 3, 4, 27 or 1: headless.Help lists them
	}
	return nil
}
