package cli

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"hubtap/broker"
	"hubtap/config"
	"hubtap/themes"
)

// groupAnnotation is the pflag annotation that puts a flag in a --help
// group (help.go). Flags without one are listed under "Other flags".
const groupAnnotation = "hubtap_group"

// Flag groups, in the order --help lists them.
const (
	groupConnection = "Connection"
	groupSession    = "Session"
	groupOutput     = "Output"
	groupDisplay    = "Display"
	groupDemo       = "Demo"
	groupListen     = "Listener"
	groupOther      = "Other"
)

// groupOrder is the order of the groups in --help and in the man page.
func groupOrder() []string {
	return []string{groupConnection, groupSession, groupOutput, groupDisplay, groupDemo, groupListen, groupOther}
}

// inGroup puts the named flags of fs in group g.
func inGroup(fs *pflag.FlagSet, g string, names ...string) {
	for _, n := range names {
		if err := fs.SetAnnotation(n, groupAnnotation, []string{g}); err != nil {
			panic("cli: group " + g + ": " + err.Error()) // a flag name misspelt in this package
		}
	}
}

// flagGroup returns the group of f.
func flagGroup(f *pflag.Flag) string {
	if g := f.Annotations[groupAnnotation]; len(g) == 1 {
		return g[0]
	}
	return groupOther
}

// registerCompletions: complete registers flag value completions. Run sets
// it for each command line, true only when the shell asks for completions:
// cobra keeps them in a map of its own for the life of the process, which
// would keep every tree's flags (and their option structs) alive, for the
// collector to mark on every cycle of a long `hubtap sub` drain.
var registerCompletions = true

// complete registers fn to complete the value of flag name.
func complete(cmd *cobra.Command, name string, fn cobra.CompletionFunc) {
	if !registerCompletions {
		return
	}
	if err := cmd.RegisterFlagCompletionFunc(name, fn); err != nil {
		panic("cli: completion for --" + name + ": " + err.Error()) // registered twice, or misspelt
	}
}

// files makes flag name complete file names (with one of exts, if given).
func files(cmd *cobra.Command, name string, exts ...string) {
	if err := cmd.MarkFlagFilename(name, exts...); err != nil {
		panic("cli: --" + name + ": " + err.Error())
	}
}

// noFiles makes the free-text flags offer nothing (rather than file names).
func noFiles(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		complete(cmd, n, cobra.NoFileCompletions)
	}
}

// connFlags registers the connection flags shared by the UI and `sub`, and
// -p/--profile.
func connFlags(cmd *cobra.Command, o *options) {
	fs := cmd.Flags()
	fs.StringVar(&o.url, "url", "", "broker `URL`: mqtt://host[:1883], mqtts://host[:8883], ws://host[:80]/path, wss://host[:443]/path\n(default "+broker.FlespiURL+" with a flespi token)")
	fs.StringVar(&o.token, "token", "", "flespi `token`, sent as the user name (visible in the process list: prefer FLESPI_TOKEN or --token-file)")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the flespi token from this `file`")
	fs.StringVar(&o.username, "username", "", "user `name`, for brokers other than flespi")
	fs.StringVar(&o.password, "password", "", "`password` (visible in the process list: prefer --password-file or MQTT_PASSWORD)")
	fs.StringVar(&o.passwordFile, "password-file", "", "read the password from this `file`")
	fs.StringVar(&o.clientID, "client-id", "", "MQTT client `ID`; the default is stable per user and host, so a restart resumes the session")
	fs.DurationVar(&o.sessionExpiry, "session-expiry", time.Hour, "how long the broker keeps the session (and queues QoS 1 messages) while hubtap is away; 0 = clean session")
	fs.IntVar(&o.qos, "qos", 1, "subscription `QoS`: 0 or 1")
	fs.StringVar(&o.tlsFiles.CA, "ca", "", "extra CA certificate(s) to trust (PEM `file`), for mqtts:// and wss://")
	fs.StringVar(&o.tlsFiles.Cert, "cert", "", "client certificate (PEM `file`), with --key")
	fs.StringVar(&o.tlsFiles.Key, "key", "", "client certificate's private key (PEM `file`)")
	fs.BoolVar(&o.tlsFiles.Insecure, "insecure", false, "do not verify the broker's TLS certificate (a warning stays on screen)")
	inGroup(fs, groupConnection, "url", "token", "token-file", "username", "password", "password-file",
		"client-id", "session-expiry", "qos", "ca", "cert", "key", "insecure")
	fs.StringVarP(&o.profile, "profile", "p", "", "open profile `NAME` from hubtap.toml (in the XDG config dir); flags given win")
	inGroup(fs, groupSession, "profile")

	files(cmd, "token-file")
	files(cmd, "password-file")
	files(cmd, "ca", "pem", "crt")
	files(cmd, "cert", "pem", "crt")
	files(cmd, "key", "pem", "key")
	noFiles(cmd, "token", "username", "password", "client-id", "session-expiry")
	complete(cmd, "url", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc(broker.FlespiURL, "flespi over TLS"),
		cobra.CompletionWithDesc("wss://"+broker.FlespiHost+":443", "flespi over secure WebSocket"),
		cobra.CompletionWithDesc("mqtt://localhost:1883", "a local broker"),
		cobra.CompletionWithDesc("mqtts://localhost:8883", "a local broker over TLS (hubtap sim --tls)"),
	}, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
	complete(cmd, "qos", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc("0", "at most once"),
		cobra.CompletionWithDesc("1", "at least once (the broker queues while hubtap is away)"),
	}, cobra.ShellCompDirectiveNoFileComp))
	complete(cmd, "profile", completeProfiles)
}

// demoFlags registers --demo and the demo settings every command with a
// demo has; rate is the default of --demo-rate.
func demoFlags(cmd *cobra.Command, o *options, rate float64) {
	fs := cmd.Flags()
	fs.BoolVar(&o.demo, "demo", false, "run against a built-in simulated flespi broker (no account needed)")
	fs.Float64Var(&o.demoRate, "demo-rate", rate, "with --demo: device messages per second")
	fs.IntVar(&o.demoDevices, "demo-devices", 50, "with --demo: number of simulated devices")
	inGroup(fs, groupDemo, "demo", "demo-rate", "demo-devices")
	noFiles(cmd, "demo-rate", "demo-devices")
}

// debugFlag registers --debug.
func debugFlag(cmd *cobra.Command, file *string) {
	cmd.Flags().StringVar(file, "debug", "", "write a debug log to this `file`")
	files(cmd, "debug")
}

// themeFlags registers --theme, --history-mem and --fps, which the UI and
// open share; mem is the default of --history-mem.
func themeFlags(cmd *cobra.Command, o *options, mem, memUsage string) {
	fs := cmd.Flags()
	fs.StringVar(&o.theme, "theme", "auto", "colour `theme`: auto, dark, light, high-contrast or plain")
	fs.StringVar(&o.historyMem, "history-mem", mem, memUsage)
	fs.IntVar(&o.fps, "fps", defaultFPS, "most frames drawn per second (1-120): higher answers keys sooner, lower sends less over slow links")
	inGroup(fs, groupDisplay, "theme", "history-mem", "fps")
	complete(cmd, "theme", completeThemes)
	noFiles(cmd, "history-mem", "fps")
}

// completeThemes offers auto and every theme.
func completeThemes(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	out := []cobra.Completion{cobra.CompletionWithDesc("auto", "dark or light, from the terminal's background")}
	return append(out, themes.Names()...), cobra.ShellCompDirectiveNoFileComp
}

// completeProfiles offers the profile names in hubtap.toml.
func completeProfiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	path, err := config.Path()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	f, err := config.Load(path)
	if err != nil {
		cobra.CompErrorln(err.Error())
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, name := range slices.Sorted(maps.Keys(f.Profiles)) {
		desc := f.Profiles[name].URL
		if f.Profiles[name].Demo {
			desc = "demo"
		}
		out = append(out, cobra.CompletionWithDesc(name, desc))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeTopics offers common flespi topic filters for positional
// arguments.
func completeTopics(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, c := range topicCompletions() {
		if strings.HasPrefix(c, typed) {
			out = append(out, c)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// topicCompletions are the topic filters completion offers (docs/FLESPI.md).
func topicCompletions() []cobra.Completion {
	return []cobra.Completion{
		cobra.CompletionWithDesc("flespi/message/gw/channels/+/+", "messages parsed by every channel"),
		cobra.CompletionWithDesc("flespi/message/gw/devices/+", "messages of every device"),
		cobra.CompletionWithDesc("flespi/state/gw/devices/+/telemetry/+", "device telemetry (retained)"),
		cobra.CompletionWithDesc("flespi/log/gw/devices/+/#", "device logs: connections, commands, errors"),
		cobra.CompletionWithDesc("flespi/#", "everything the token may see"),
	}
}
