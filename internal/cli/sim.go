package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"hubtap/sim"
)

// simOptions are the flags of sim.
type simOptions struct {
	listen, ws, tlsListen, wssListen, certDir, debugFile string
	tls, wss                                             bool
	rate                                                 float64
	devices                                              int
	telemetry, aclMode                                   string
}

// Default addresses of sim's TLS listeners (--tls, --wss).
const (
	defaultTLSListen = "127.0.0.1:8883"
	defaultWSSListen = "127.0.0.1:8443"
)

// simCmd is `hubtap sim`: the simulated flespi broker on its own.
func simCmd() *cobra.Command {
	so := &simOptions{}
	cmd := &cobra.Command{
		Use:   "sim [flags]",
		Short: "run the simulated flespi broker on its own",
		Long: `Runs the simulated flespi broker on its own, for any MQTT client: token
auth, ACLs, flespi topics and a fleet of moving devices. With --tls and
--wss it also serves mqtts:// and wss:// with a throw-away certificate
authority made at start; clients trust its ca.pem with --ca.`,
		Example: `  hubtap sim
  hubtap sim --tls --ws-listen 127.0.0.1:8080 --rate 500
  hubtap --url mqtts://127.0.0.1:8883 --ca DIR/ca.pem --token TOKEN 'flespi/#'   # DIR is printed at start`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmd, so)
		},
		Annotations: map[string]string{annotationHelpTail: sim.Help()},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&so.listen, "listen", "127.0.0.1:1883", "TCP `address` for MQTT")
	fs.StringVar(&so.ws, "ws-listen", "", "`address` for MQTT over WebSocket (e.g. 127.0.0.1:8080); empty = none")
	fs.BoolVar(&so.tls, "tls", false, "also serve MQTT over TLS (mqtts://) on "+defaultTLSListen)
	fs.StringVar(&so.tlsListen, "tls-listen", "", "`address` for MQTT over TLS (implies --tls)")
	fs.BoolVar(&so.wss, "wss", false, "also serve MQTT over secure WebSocket (wss://) on "+defaultWSSListen)
	fs.StringVar(&so.wssListen, "wss-listen", "", "`address` for MQTT over secure WebSocket (implies --wss)")
	fs.StringVar(&so.certDir, "cert-dir", "", "write the throw-away ca.pem, server.pem and server-key.pem to this `directory` (default: a new temporary one, removed on exit)")
	inGroup(fs, groupListen, "listen", "ws-listen", "tls", "tls-listen", "wss", "wss-listen", "cert-dir")
	fs.Float64Var(&so.rate, "rate", 50, "device messages per second")
	fs.IntVar(&so.devices, "devices", 50, "number of simulated devices")
	fs.StringVar(&so.telemetry, "telemetry", "auto", "retained telemetry: full (every parameter of every message, as flespi), light (one per device every 2 s) or auto (full up to 1,000 msg/s)")
	fs.StringVar(&so.aclMode, "acl-mode", "filter", "the ACL token on flespi/ wildcards: filter (granted, only its channel delivered) or refuse (SUBACK 0x87)")
	inGroup(fs, groupDemo, "rate", "devices", "telemetry", "acl-mode")
	complete(cmd, "telemetry", telemetryCompletions)
	complete(cmd, "acl-mode", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc("filter", "wildcards granted, only the token's channel delivered"),
		cobra.CompletionWithDesc("refuse", "wildcards beyond the token's channel refused (SUBACK 0x87)"),
	}, cobra.ShellCompDirectiveNoFileComp))
	debugFlag(cmd, &so.debugFile)
	noFiles(cmd, "listen", "ws-listen", "tls-listen", "wss-listen", "rate", "devices")
	if err := cmd.MarkFlagDirname("cert-dir"); err != nil {
		panic("cli: --cert-dir: " + err.Error())
	}
	return cmd
}

// telemetryCompletions offers --demo-telemetry and sim --telemetry values.
var telemetryCompletions = cobra.FixedCompletions([]cobra.Completion{
	cobra.CompletionWithDesc("auto", "full up to 1,000 msg/s, light above"),
	cobra.CompletionWithDesc("full", "every parameter of every message, as flespi"),
	cobra.CompletionWithDesc("light", "one parameter per device every 2 s"),
}, cobra.ShellCompDirectiveNoFileComp)

// runSim runs the simulator until a signal.
func runSim(cmd *cobra.Command, so *simOptions) error {
	if so.tlsListen != "" {
		so.tls = true
	} else if so.tls {
		so.tlsListen = defaultTLSListen
	}
	if so.wssListen != "" {
		so.wss = true
	} else if so.wss {
		so.wssListen = defaultWSSListen
	}
	if so.certDir != "" && !so.tls && !so.wss {
		return usage(errors.New("--cert-dir needs --tls or --wss"))
	}
	tel, err := sim.ParseTelemetry(so.telemetry)
	if err != nil {
		return usage(fmt.Errorf("--telemetry: %w", err))
	}
	acl, err := sim.ParseACLMode(so.aclMode)
	if err != nil {
		return usage(fmt.Errorf("--acl-mode: %w", err))
	}
	r, err := start(so.debugFile, simSignals())
	if err != nil {
		return err
	}
	defer r.close()
	rate := so.rate
	if rate == 0 {
		rate = -1 // no traffic (sim.Config's 0 means its default)
	}
	cfg := sim.Config{Listen: so.listen, WSListen: so.ws, Rate: rate, Devices: so.devices, Logger: r.log,
		Telemetry: tel, ACLMode: acl}
	if so.tls || so.wss {
		dir := so.certDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "hubtap-sim-tls-"); err != nil {
				return fmt.Errorf("certificates: %w", err)
			}
			r.onClose(func() { _ = os.RemoveAll(dir) })
		}
		if cfg.TLS, err = sim.NewCerts(dir); err != nil {
			return err
		}
		cfg.TLSListen, cfg.WSSListen = so.tlsListen, so.wssListen
	}
	if err := sim.RunStandalone(r.ctx, cfg, cmd.OutOrStdout()); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
