package app

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/sim"
	"hubtap/themes"
	"hubtap/ui/common"
	"hubtap/ui/info"
)

// liveModel runs the root model against a real client and bridge: it feeds
// the bridge's batches to Update, as the program's batch wait does, until
// the screen holds want or the deadline passes. It returns the model and
// how long it took.
func liveModel(t *testing.T, url, token, want string) (Model, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	u, err := broker.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	bridge := broker.NewBridge(1<<10, 10*time.Millisecond, 1<<12)
	go func() { _ = bridge.Run(ctx) }()
	opts := broker.Options{URL: u, Token: broker.Secret(token), ClientID: "e2e-ui-" + t.Name(), SessionExpiry: time.Hour, QoS: 1,
		Topics: []string{"flespi/#"}, Backoff: func(int) time.Duration { return 200 * time.Millisecond }}
	start := time.Now()
	c, err := broker.Connect(ctx, opts, bridge)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		_ = c.Close(cctx)
	})
	m := New(Config{Styles: themes.Build(themes.Plain()), Store: history.NewStore(1 << 20), Source: bridge, Client: c,
		Topics: opts.Topics, Target: url, Ctx: ctx,
		Requested: info.Requested{ClientID: opts.ClientID, SessionExpiry: time.Hour, QoS: 1, Scheme: u.Scheme, Creds: broker.CredentialsOf(&opts)}})
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	for {
		b, ok := bridge.Next(ctx)
		if !ok {
			t.Fatalf("no %q on screen before the deadline:\n%s", want, screen(t, m))
		}
		m = update(t, m, common.BatchMsg{Batch: b})
		if strings.Contains(flat(screen(t, m)), want) {
			return m, time.Since(start)
		}
	}
}

// TestE2EWrongTokenOnScreen: the embedded broker refuses a wrong token; the
// pane says so in a sentence, with what to do, and the log has it with its
// time.
func TestE2EWrongTokenOnScreen(t *testing.T) {
	s, err := sim.Start(context.Background(), sim.Config{Rate: -1, Devices: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	m, took := liveModel(t, s.URL(), "WRONGTOKEN", "What is wrong: not authorized")
	t.Logf("refusal on screen after %v", took)
	if !strings.Contains(flat(screen(t, m)), "flespi tokens are 64 characters, this one is 10") {
		t.Errorf("no advice about the token:\n%s", screen(t, m))
	}
	if log := strings.Join(m.LogLines(), "\n"); !strings.Contains(log, "error disconnected: not authorized") {
		t.Errorf("the log lacks the refusal:\n%s", log)
	}
}

// TestE2EClosedPortOnScreen: nothing listens on the port; the pane says the
// connection was refused.
func TestE2EClosedPortOnScreen(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // now closed: connecting is refused
	m, took := liveModel(t, "mqtt://"+addr, "", "What is wrong: connection refused")
	t.Logf("refusal on screen after %v", took)
	if log := strings.Join(m.LogLines(), "\n"); !strings.Contains(log, "error disconnected: connection refused") ||
		!strings.Contains(log, "· what you can do: check the host and port") {
		t.Errorf("the log lacks the refusal or the advice:\n%s", log)
	}
}
