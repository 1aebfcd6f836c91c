package cli

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/spf13/cobra"

	"hubtap/filters"
	"hubtap/headless"
)

// subOptions are the flags only sub has.
type subOptions struct {
	format, filter string
	count          int
	quiet          bool
}

// subCmd is `hubtap sub`: no UI, messages to stdout (headless).
func subCmd() *cobra.Command {
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
			return runSub(cmd, o, cfg)
		},
		Annotations: map[string]string{annotationHelpTail: `Template verbs: %t topic, %p payload, %q QoS, %r retain, %d dup, %l length,
%x hex payload, %I ISO time, %U Unix time, %P user properties, %j JSONL
record, %{path} a JSON field (flat dotted key first), %% percent, \n \t.`},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	connFlags(cmd, o)
	fs.StringVarP(&so.format, "format", "F", "", "output `template` (default: JSONL; verbs below)")
	fs.IntVarP(&so.count, "count", "C", 0, "exit after this many messages (0: run until interrupted)")
	fs.StringVar(&so.filter, "filter", "", "only messages matching this filter `expression`")
	fs.BoolVar(&so.quiet, "quiet", false, "do not report connecting and subscribing on stderr")
	inGroup(fs, groupOutput, "format", "count", "filter", "quiet")
	noFiles(cmd, "format", "count", "filter")
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
	if so.format != "" {
		f, err := headless.ParseTemplate(so.format)
		if err != nil {
			return headless.Config{}, fmt.Errorf("-F: %w", err)
		}
		cfg.Format = f
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

// runSub connects and writes messages to stdout until the count, a signal
// or the broker's refusal.
func runSub(cmd *cobra.Command, o *options, cfg headless.Config) error {
	c, err := connect(o, pipeSignals())
	if err != nil {
		return err
	}
	defer c.close()
	c.onClose(epipeNotSignal())
	cfg.Broker, cfg.Logger = c.broker, c.log
	if c.warning != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", cmd.CommandPath(), c.warning)
	}
	if !o.demo { // the demo's broker runs in this process and needs the other core
		tuneForPipe()
	}
	if _, err := headless.Run(c.ctx, cfg, cmd.OutOrStdout()); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return nil // the reader went away (| head): not an error
		}
		return err
	}
	return nil
}
