package cli

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"hubtap/broker"
	"hubtap/config"
	"hubtap/sim"
	"hubtap/themes"
)

// defaultFPS is the most frames drawn per second (--fps). 60 answers a key
// within ~17 ms of wait for the next frame (30 nearly doubled the
// key-to-screen median and p99); the price is the renderer's wake-ups when
// idle (0.8-1.5% CPU on the 2-core VM of docs/BENCHMARKS.md, against
// 0.5-0.9% at 30), and a list scrolling at full speed sends ~140 KiB/s
// instead of ~95, so --fps 30 or less suits slow links.
const defaultFPS = 60

// options is everything the flags of one command say. Each command
// registers the flags it has (flags.go) and checks the parts it uses.
type options struct {
	url, token, tokenFile, username, password, passwordFile  string
	clientID, debugFile, theme, historyMem, record           string
	sessionExpiry                                            time.Duration
	qos, fps                                                 int
	demo, version, noColor, noMouse                          bool
	demoRate                                                 float64
	demoDevices, demoStale                                   int
	demoFaults                                               bool
	demoTelemetry                                            string
	stale                                                    time.Duration
	topics                                                   []string
	tokenOnCmdline                                           bool
	profile, saveProfile, layout, tokenEnv, profileTokenFile string
	resume                                                   string
	tlsFiles                                                 broker.TLSFiles
	panes                                                    []config.Pane
	tb                                                       toolboxOptions // toolbox.go
}

// checkFPS checks an --fps value: bubbletea takes 1 to 120.
func checkFPS(fps int) error {
	if fps < 1 || fps > 120 {
		return fmt.Errorf("--fps %d: use 1 to 120", fps)
	}
	return nil
}

// checkTheme checks a --theme value.
func checkTheme(name string) error {
	if _, ok := themes.ByName(name); !ok && name != "auto" {
		return fmt.Errorf("--theme %q: use auto, %s", name, strings.Join(themes.Names(), ", "))
	}
	return nil
}

// checkDisplay checks the flags of the UI's appearance (the UI and open).
func (o *options) checkDisplay() error {
	if err := checkFPS(o.fps); err != nil {
		return err
	}
	if o.resume != "" && o.resume != "live" && o.resume != "in-place" {
		return fmt.Errorf("--resume %q: use live or in-place", o.resume)
	}
	if err := checkTheme(o.theme); err != nil {
		return err
	}
	if _, err := parseSize(o.historyMem); err != nil {
		return fmt.Errorf("--history-mem: %w", err)
	}
	return nil
}

// checkConn validates the connection flags and topics, and reads secrets
// from files and the environment (FLESPI_TOKEN, MQTT_PASSWORD).
func (o *options) checkConn() error {
	if o.qos != 0 && o.qos != 1 {
		return fmt.Errorf("--qos %d: use 0 or 1 (flespi does not support QoS 2)", o.qos)
	}
	if o.sessionExpiry < 0 {
		return fmt.Errorf("--session-expiry must not be negative")
	}
	if o.sessionExpiry > 0 && o.sessionExpiry < time.Second {
		return fmt.Errorf("--session-expiry %s: the broker counts whole seconds", o.sessionExpiry)
	}
	if o.demoRate < 0 || o.demoDevices < 1 || o.demoStale < 0 {
		return fmt.Errorf("--demo-rate and --demo-stale must be ≥ 0 and --demo-devices ≥ 1")
	}
	if _, err := sim.ParseTelemetry(o.demoTelemetry); err != nil {
		return fmt.Errorf("--demo-telemetry: %w", err)
	}
	for _, t := range o.topics {
		if err := broker.ValidateFilter(t); err != nil {
			return err
		}
	}
	if o.tokenFile != "" {
		b, err := config.ReadSecretFile(o.tokenFile) // the profile's token_file rule
		if err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
		o.token = strings.TrimSpace(string(b))
	}
	if o.token == "" {
		o.token = strings.TrimSpace(os.Getenv("FLESPI_TOKEN"))
		if o.token != "" {
			o.tokenEnv = "FLESPI_TOKEN"
		}
	}
	if o.passwordFile != "" {
		b, err := config.ReadSecretFile(o.passwordFile)
		if err != nil {
			return fmt.Errorf("--password-file: %w", err)
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	}
	if o.password == "" {
		o.password = os.Getenv("MQTT_PASSWORD")
	}
	if o.demo {
		return nil
	}
	if o.url == "" && o.token != "" {
		o.url = broker.FlespiURL
	}
	if o.url == "" {
		return fmt.Errorf("no broker: give --url, a flespi token (FLESPI_TOKEN or --token-file), or --demo")
	}
	u, err := broker.ParseURL(o.url)
	if err != nil {
		return err
	}
	if _, err := broker.TLSConfig(u, o.tlsFiles); err != nil {
		return err
	}
	return nil
}

// securityWarning is shown for as long as the connection is weaker than it
// should be.
func securityWarning(o *options, u *url.URL) string {
	switch {
	case o.tlsFiles.Insecure:
		return "⚠ TLS certificate NOT verified (--insecure)"
	case !broker.Encrypted(u) && (o.token != "" || o.password != "") && !o.demo:
		return "⚠ credentials sent unencrypted (" + u.Scheme + "://): use mqtts:// or wss://"
	}
	return ""
}

// parseSize reads "256MiB", "1GiB", "512M", "1000000".
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 256MiB", s)
	}
	if n*float64(mult) < 1<<20 {
		return 0, fmt.Errorf("%q is too small: at least 1MiB", s)
	}
	return int64(n * float64(mult)), nil
}
