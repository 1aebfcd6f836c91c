package sim

import (
	"context"
	"fmt"
	"io"
	"net"
)

// RunStandalone starts a simulator, writes how to reach it to out (URLs, the
// two tokens, example commands) and blocks until ctx is done. It backs
// `hubtap sim`. It returns Start's error, or out's write error, or nil.
func RunStandalone(ctx context.Context, cfg Config, out io.Writer) error {
	s, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()

	_, port, _ := net.SplitHostPort(dialable(s.tcp.Address()))
	host := "127.0.0.1"
	w := &errWriter{w: out}
	traffic := "device traffic paused"
	if r := s.Rate(); r > 0 {
		traffic = fmt.Sprintf("%g device messages/s", r)
	}
	w.printf("hubtap simulated flespi broker: %d devices on channels %d and %d, %s\n\n",
		len(s.infos), DemoChannelID, SecondChannelID, traffic)
	w.printf("  MQTT       %s\n", s.URL())
	if u := s.WSURL(); u != "" {
		w.printf("  WebSocket  %s\n", u)
	}
	s.secureBanner(w, "urls") // tls.go
	w.printf("\n  Demo token (full access; use as the MQTT username, password empty):\n    %s\n", DemoToken)
	w.printf("  ACL token (reads channel %d only; ACL mode %s, see hubtap sim --help):\n    %s\n", ACLChannelID, s.aclMode, ACLToken)
	w.printf("\nTry:\n")
	w.printf("  mosquitto_sub -V mqttv5 -h %s -p %s -u %s -t 'flespi/message/gw/channels/+/+' -q 1 -v\n", host, port, DemoToken)
	w.printf("  mosquitto_sub -V mqttv5 -h %s -p %s -u %s -t 'flespi/state/gw/devices/+/telemetry/+' -v\n", host, port, DemoToken)
	w.printf("  mosquitto_sub -V mqttv5 -h %s -p %s -u %s -t 'flespi/log/gw/devices/+/#' -v\n", host, port, DemoToken)
	w.printf("  mosquitto_sub -V mqttv5 -h %s -p %s -u %s -t 'flespi/message/gw/channels/%d/+' -q 1 -v\n", host, port, ACLToken, ACLChannelID)
	s.secureBanner(w, "try")
	w.printf("\nPress Ctrl+C to stop.\n")
	if w.err != nil {
		return fmt.Errorf("sim: write banner: %w", w.err)
	}
	<-ctx.Done()
	return nil
}

// errWriter remembers the first write error so the banner code stays flat.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
