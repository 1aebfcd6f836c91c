package main

import (
	"fmt"
	"io"

	"hubtap/themes"
)

// `hubtap completion bash|zsh|fish` prints a completion script. The scripts
// are generated from completionCommands, a hand-kept copy of the flag sets in
// main.go; completion_test.go fails when the two disagree.

const completionUsage = `Usage: hubtap completion bash|zsh|fish

Prints a shell completion script for hubtap: subcommands, flags, file names
(open, --record, --token-file, --password-file, --debug), --theme and --qos
values, and common flespi topic filters.

  bash  source <(hubtap completion bash)     in ~/.bashrc, or once for all shells:
        hubtap completion bash > ~/.local/share/bash-completion/completions/hubtap
  zsh   source <(hubtap completion zsh)      in ~/.zshrc, after compinit, or:
        hubtap completion zsh > "${fpath[1]}/_hubtap"
  fish  hubtap completion fish > ~/.config/fish/completions/hubtap.fish
`

func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 {
		switch args[0] {
		case "bash":
			fmt.Fprint(stdout, bashCompletion())
			return 0
		case "zsh":
			fmt.Fprint(stdout, zshCompletion())
			return 0
		case "fish":
			fmt.Fprint(stdout, fishCompletion())
			return 0
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, completionUsage)
			return 0
		}
		fmt.Fprintf(stderr, "hubtap completion: unknown shell %q: use bash, zsh or fish\n", args[0])
		return 2
	}
	fmt.Fprintln(stderr, "hubtap completion: give one shell: bash, zsh or fish")
	return 2
}

// argKind says what a flag's value or a command's positional arguments are.
type argKind int

const (
	argNone   argKind = iota // a boolean flag; a command without arguments
	argText                  // free text: nothing to offer
	argFile                  // a file name
	argWords                 // one of a fixed list
	argTopics                // topic filters (positional arguments only)
)

// complFlag is one flag as completion offers it.
type complFlag struct {
	name, desc string // name without dashes, as in flag.FlagSet
	arg        argKind
	words      []string // with argWords
}

// dashed is how completion writes the flag: -F for one letter, --name otherwise.
func (f complFlag) dashed() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

// complCmd is the main command (name "") or a subcommand.
type complCmd struct {
	name, desc string
	flags      []complFlag
	args       argKind
	words      []string // with argWords
}

// completionCommands mirrors parseFlags, connFlags, runSub, runOpen and runSim
// in main.go, plus the completion command itself. --help is added to each.
func completionCommands() []complCmd {
	conn := []complFlag{
		{name: "url", desc: "broker URL: mqtt://, mqtts://, ws:// or wss://", arg: argText},
		{name: "token", desc: "flespi token (visible in the process list)", arg: argText},
		{name: "token-file", desc: "read the flespi token from this file", arg: argFile},
		{name: "username", desc: "user name, for brokers other than flespi", arg: argText},
		{name: "password", desc: "password (visible in the process list)", arg: argText},
		{name: "password-file", desc: "read the password from this file", arg: argFile},
		{name: "client-id", desc: "MQTT client ID", arg: argText},
		{name: "session-expiry", desc: "how long the broker keeps the session (0: clean session)", arg: argText},
		{name: "qos", desc: "subscription QoS", arg: argWords, words: []string{"0", "1"}},
		{name: "ca", desc: "extra CA certificate(s) to trust (PEM)", arg: argFile},
		{name: "cert", desc: "client certificate (PEM), with --key", arg: argFile},
		{name: "key", desc: "client certificate's private key (PEM)", arg: argFile},
		{name: "insecure", desc: "do not verify the broker's TLS certificate"},
	}
	theme := complFlag{name: "theme", desc: "colour theme", arg: argWords, words: append([]string{"auto"}, themes.Names()...)}
	noColor := complFlag{name: "no-color", desc: "no colours at all"}
	noMouse := complFlag{name: "no-mouse", desc: "leave the mouse to the terminal"}
	stale := complFlag{name: "stale", desc: "a device silent this long is stale", arg: argText}
	debug := complFlag{name: "debug", desc: "write a debug log to this file", arg: argFile}
	demo := []complFlag{
		{name: "demo", desc: "run against a built-in simulated flespi broker"},
		{name: "demo-rate", desc: "with --demo: device messages per second", arg: argText},
		{name: "demo-devices", desc: "with --demo: number of simulated devices", arg: argText},
	}
	withHelp := func(fs ...[]complFlag) []complFlag {
		var out []complFlag
		for _, f := range fs {
			out = append(out, f...)
		}
		return append(out, complFlag{name: "help", desc: "show help and exit"})
	}
	return []complCmd{
		{name: "", args: argTopics, flags: withHelp(conn, []complFlag{
			theme, noColor, noMouse, stale,
			{name: "resume", desc: "space on a paused pane: live or in-place", arg: argWords, words: []string{"live", "in-place"}},
			{name: "fps", desc: "most frames drawn per second", arg: argText},
			{name: "demo-faults", desc: "with --demo: inject timestamp faults"},
			{name: "demo-stale", desc: "with --demo: devices that fall silent", arg: argText},
			{name: "history-mem", desc: "memory budget for message history, e.g. 512MiB", arg: argText},
			debug,
			{name: "record", desc: "record every received message to this JSONL file", arg: argFile},
		}, demo, []complFlag{
			{name: "version", desc: "print version and exit"},
			{name: "p", desc: "open the named profile from hubtap.toml", arg: argText},
			{name: "save-profile", desc: "on exit, save the workspace as this profile", arg: argText},
		})},
		{name: "sub", desc: "no UI: messages to stdout as JSONL or a template", args: argTopics, flags: withHelp(conn, []complFlag{
			{name: "F", desc: "output template (default: JSONL)", arg: argText},
			{name: "C", desc: "exit after this many messages", arg: argText},
			{name: "filter", desc: "only messages matching this filter expression", arg: argText},
			{name: "quiet", desc: "do not report connecting and subscribing on stderr"},
			debug,
		}, demo)},
		{name: "open", desc: "browse a recording (.jsonl or .jsonl.gz)", args: argFile, flags: withHelp([]complFlag{
			theme,
			{name: "history-mem", desc: "memory budget; a larger file keeps its newest messages", arg: argText},
			{name: "fps", desc: "most frames drawn per second", arg: argText},
			debug,
		})},
		{name: "sim", desc: "run the simulated flespi broker on its own", flags: withHelp([]complFlag{
			{name: "listen", desc: "TCP address for MQTT", arg: argText},
			{name: "ws-listen", desc: "address for MQTT over WebSocket", arg: argText},
			{name: "rate", desc: "device messages per second", arg: argText},
			{name: "devices", desc: "number of simulated devices", arg: argText},
			debug,
		})},
		{name: "completion", desc: "print a shell completion script", args: argWords, words: []string{"bash", "zsh", "fish"}, flags: withHelp()},
	}
}

// completionTopic is a topic filter offered for positional arguments.
type completionTopic struct{ filter, desc string }

func completionTopics() []completionTopic {
	return []completionTopic{
		{"flespi/message/gw/channels/+/+", "messages parsed by every channel"},
		{"flespi/message/gw/devices/+", "messages of every device"},
		{"flespi/state/gw/devices/+/telemetry/+", "device telemetry (retained)"},
		{"flespi/log/gw/devices/+/+", "device logs"},
		{"flespi/#", "everything the token may see"},
	}
}

func subcommandNames(cmds []complCmd) []string {
	var names []string
	for _, c := range cmds {
		if c.name != "" {
			names = append(names, c.name)
		}
	}
	return names
}
