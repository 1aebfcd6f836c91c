package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"hubtap/broker"
	"hubtap/flespi"
	"hubtap/ui/app"
)

// The flespi toolbox's flags and wiring (README "flespi toolbox"):
// --rest, --read-only and --end-session-on-quit.

// toolboxOptions are the toolbox's flags.
type toolboxOptions struct {
	rest             string // mqtt, https or auto
	restBase         string // the REST base URL when the broker is not flespi (the demo's)
	readOnly         bool
	endSessionOnQuit bool
}

func toolboxFlags(cmd *cobra.Command, o *toolboxOptions) {
	fs := cmd.Flags()
	fs.StringVar(&o.rest, "rest", "auto", "how the flespi toolbox reaches flespi's REST API (`mode`): https, mqtt (REST over MQTT, flespi/rest/...) or auto (HTTPS; MQTT when HTTPS cannot be reached)")
	fs.BoolVar(&o.readOnly, "read-only", false, "no publishing, REST writes, commands or session deletion (for production tokens)")
	fs.BoolVar(&o.endSessionOnQuit, "end-session-on-quit", false, "delete hubtap's own MQTT session when it quits, so nothing is queued for it (X toggles)")
	inGroup(fs, groupSession, "rest", "read-only", "end-session-on-quit")
	complete(cmd, "rest", cobra.FixedCompletions([]cobra.Completion{
		cobra.CompletionWithDesc("auto", "HTTPS, then REST over MQTT when HTTPS cannot be reached"),
		cobra.CompletionWithDesc("https", "flespi's HTTP REST API only"),
		cobra.CompletionWithDesc("mqtt", "REST over MQTT only (flespi/rest/...)"),
	}, cobra.ShellCompDirectiveNoFileComp))
}

// toolboxConfig builds the toolbox's REST client: HTTPS to the region of
// the MQTT host (or the demo's loopback API), REST over MQTT through the
// client as the fallback.
func toolboxConfig(o *toolboxOptions, u *url.URL, token broker.Secret, client flespi.Requester) (app.Toolbox, error) {
	mode, err := flespi.ParseMode(o.rest)
	if err != nil {
		return app.Toolbox{}, err
	}
	base := o.restBase
	if b, ok := flespi.RESTBase(u.Host); ok && base == "" {
		base = b
	}
	var https flespi.Transport
	if base != "" && token != "" {
		t, err := flespi.NewHTTPS(base, token, 20*time.Second)
		if err != nil {
			return app.Toolbox{}, err
		}
		https = t
	}
	var mqtt flespi.Transport
	if client != nil {
		mqtt = flespi.MQTT{R: client}
	}
	if mode == flespi.ModeHTTPS && https == nil {
		return app.Toolbox{}, fmt.Errorf("--rest https: no REST base for %s (only mqtt.flespi.io and ru-mqtt.flespi.io map to one; use --rest mqtt)", u.Host)
	}
	tb := app.Toolbox{ReadOnly: o.readOnly, EndSessionOnQuit: o.endSessionOnQuit}
	if https != nil || mqtt != nil {
		tb.REST = flespi.New(https, mqtt, mode, o.readOnly)
	}
	return tb, nil
}

// endOwnSession deletes hubtap's session after the client disconnected,
// when the user asked for it.
func endOwnSession(tb app.Toolbox, want bool, clientID string, out io.Writer, log *slog.Logger) {
	if !want || tb.REST == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tb.REST.DeleteSession(ctx, clientID); err != nil {
		fmt.Fprintln(out, "hubtap: could not end the session", clientID+":", err)
		log.Warn("end session on quit", "err", err)
		return
	}
	fmt.Fprintln(out, "hubtap: ended the session", clientID, "(nothing is queued for it)")
}
