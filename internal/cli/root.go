package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"hubtap/flespi"
)

// rootCmd is `hubtap [flags] [topic-filter ...]`: the live view (ui.go).
func rootCmd() *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "hubtap [flags] [topic-filter ...]",
		Short: "live view of one or more subscriptions",
		Long: `hubtap: a terminal debugger for MQTT 5 streams (flespi first).

With topic filters (or a profile, -p) it opens a live view of those
subscriptions; --demo runs it against a built-in flespi-like broker.`,
		Example: `  FLESPI_TOKEN=... hubtap 'flespi/message/gw/channels/+/+'
  FLESPI_TOKEN=... hubtap 'flespi/message/gw/devices/182083' 'flespi/state/gw/devices/182083/#'
  hubtap --url mqtt://localhost:1883 --username me --password-file ~/.mqttpw 'sensors/#'
  hubtap --demo --demo-rate 2000
  hubtap -p fleet                      # a profile from hubtap.toml; --save-profile NAME writes one
  hubtap -- sub                        # a topic named like a command goes after --`,
		Version:           versionString(),
		Args:              topicArgs,
		ValidArgsFunction: completeTopics,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.topics = args
			if err := prepareUI(cmd, o); err != nil {
				return usage(err)
			}
			return runUI(cmd, o)
		},
	}
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmd.CompletionOptions.DisableDefaultCmd = true // completion.go has its own
	fs := cmd.Flags()
	fs.SortFlags = false
	connFlags(cmd, o)
	fs.StringVar(&o.saveProfile, "save-profile", "", "on exit, save the workspace (broker, panes, filters; never the token) as this `profile`")
	fs.StringVar(&o.record, "record", "", "record every received message to this JSONL `file` (appends; r toggles recording in the UI)")
	fs.StringVar(&o.resume, "resume", "live", "what space does on a paused pane: live (jump to the newest and follow) or in-place (keep the position; M toggles)")
	inGroup(fs, groupSession, "save-profile", "record")
	toolboxFlags(cmd, &o.tb)
	themeFlags(cmd, o, "256MiB", "memory budget for message history (e.g. 512MiB, 2GiB)")
	fs.BoolVar(&o.noColor, "no-color", false, "no colours at all (also when NO_COLOR is set)")
	fs.BoolVar(&o.noMouse, "no-mouse", false, "leave the mouse to the terminal (its own selection and copy)")
	fs.DurationVar(&o.stale, "stale", 10*time.Minute, "a device silent this long is marked stale in the device view (V)")
	inGroup(fs, groupDisplay, "resume", "no-color", "no-mouse", "stale")
	demoFlags(cmd, o, 50)
	fs.BoolVar(&o.demoFaults, "demo-faults", false, "with --demo: inject timestamp faults (future, gaps, duplicates, out of order)")
	fs.IntVar(&o.demoStale, "demo-stale", 0, "with --demo: this many devices fall silent after their first message")
	fs.StringVar(&o.demoTelemetry, "demo-telemetry", "auto", "with --demo: retained telemetry, full (every parameter of every message, as flespi), light (one per device every 2 s) or auto (full up to 1,000 msg/s)")
	inGroup(fs, groupDemo, "demo-faults", "demo-stale", "demo-telemetry")
	debugFlag(cmd, &o.debugFile)
	fs.BoolVar(&o.version, "version", false, "print the version and exit")

	files(cmd, "record", "jsonl")
	noFiles(cmd, "stale", "demo-stale")
	complete(cmd, "save-profile", completeProfiles)
	complete(cmd, "demo-telemetry", telemetryCompletions)
	complete(cmd, "resume", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc("live", "jump to the newest message and follow"),
		cobra.CompletionWithDesc("in-place", "keep the position"),
	}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// prepareUI applies the profile and checks the flags of the UI.
func prepareUI(cmd *cobra.Command, o *options) error {
	if o.profile != "" {
		if err := applyProfile(o, cmd.Flags()); err != nil {
			return err
		}
	}
	o.tokenOnCmdline = cmd.Flags().Changed("token")
	if err := o.checkDisplay(); err != nil {
		return err
	}
	if _, err := flespi.ParseMode(o.tb.rest); err != nil {
		return err
	}
	return o.checkConn()
}

// commandLike reports whether an argument is more likely a mistyped
// command than a topic filter: one level of lower-case letters.
func commandLike(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return s != ""
}

// topicArgs accepts topic filters as arguments, but stops a mistyped
// command ("hubtap sbu") from quietly subscribing to a topic named like it;
// after "--" anything goes.
func topicArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 || cmd.ArgsLenAtDash() == 0 || !commandLike(args[0]) {
		return nil
	}
	if s := suggestCommand(cmd, args[0]); len(s) > 0 {
		return usage(fmt.Errorf("unknown command %q: did you mean %s? (a topic named %s goes after --: hubtap -- %s)",
			args[0], strings.Join(s, " or "), args[0], args[0]))
	}
	return nil
}
