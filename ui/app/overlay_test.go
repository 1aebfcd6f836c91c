package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/info"
)

func clientModel(t *testing.T, w, h int) Model {
	t.Helper()
	m := New(Config{Styles: themes.Build(themes.Plain()), Store: history.NewStore(1 << 20), Source: noSource{},
		Client: &fakeClient{}, Topics: []string{"#"}, Target: "mqtt://127.0.0.1:1883", Now: func() time.Time { return t0 }})
	m.cfg.Toolbox, _ = fakeToolbox(t, false, nil) // the flespi toolbox's panels open too
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// TestEscClosesEveryOverlay: every dialog, panel and input closes with esc,
// and the keys go back to the panes.
func TestEscClosesEveryOverlay(t *testing.T) {
	for _, k := range []string{"?", "i", "l", ":", "p", "R", "s", "/", "t", "n", "e", "u", "N", "c", "I", "S", "C", "W", "K"} {
		m := clientModel(t, 120, 40)
		m = update(t, m, batch([]broker.Message{flespiMsg(1, "352625066000001", 10)}))
		m = keys(t, m, press(k))
		if m.overlay == overlayNone {
			t.Fatalf("%q opened nothing", k)
		}
		m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})
		if m.overlay != overlayNone {
			t.Fatalf("esc after %q left overlay %d open:\n%s", k, m.overlay, screen(t, m))
		}
		m = keys(t, m, press("z")) // a global key works again
		if !m.zoom {
			t.Fatalf("after %q and esc, z did not zoom", k)
		}
	}
}

// TestPrefilledPromptIsReplaced: the export prompt offers a file name;
// typing replaces it instead of appending to it.
func TestPrefilledPromptIsReplaced(t *testing.T) {
	m := clientModel(t, 120, 40)
	m = keys(t, m, press("e"))
	if !strings.HasPrefix(m.prompt.Value(), "hubtap-export-") {
		t.Fatalf("export prompt offers %q", m.prompt.Value())
	}
	m = typeText(t, m, "x.jsonl")
	if got := m.prompt.Value(); got != "x.jsonl" {
		t.Fatalf("typing into the offered name gave %q, want x.jsonl", got)
	}
	// In the REST dialog too: typing a method replaces "get".
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEscape}, press("R"))
	m = typeText(t, m, "post")
	if got := m.form.Value(0); got != "post" {
		t.Fatalf("typing into the REST method gave %q, want post", got)
	}
}

// TestPromptErrorClearsOnEdit: a bad answer keeps the prompt open with
// the error inside; the next edit clears it, and a later good answer
// leaves no trace of it.
func TestPromptErrorClearsOnEdit(t *testing.T) {
	m := clientModel(t, 120, 40)
	var msgs []broker.Message
	for i := 1; i <= 20; i++ {
		msgs = append(msgs, flespiMsg(i, "352625066000001", i))
	}
	m = update(t, m, batch(msgs))
	m = keys(t, m, press("t"))
	m = typeText(t, m, "t-10s")
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if s := screen(t, m); m.overlay != overlayPrompt || !strings.Contains(s, `"t-10s" is not a time`) {
		t.Fatalf("want the prompt open with the error, overlay %d:\n%s", m.overlay, s)
	}
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	if s := screen(t, m); strings.Contains(s, "is not a time") {
		t.Fatalf("the error stayed after an edit:\n%s", s)
	}
	m = keys(t, m, press("ctrl+u"))
	m = typeText(t, m, "-5s")
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if s := screen(t, m); m.overlay != overlayNone || strings.Contains(s, "is not a time") {
		t.Fatalf("after a good answer: overlay %d\n%s", m.overlay, s)
	}
}

// TestEveryGlobalActionReachable walks the root keymap's FullHelp: each
// binding is in the ? sheet and (but for "focus pane N") in the palette.
func TestEveryGlobalActionReachable(t *testing.T) {
	m := clientModel(t, 200, 300) // tall enough for the whole ? sheet
	m = keys(t, m, press("?"))
	sheet := screen(t, m)
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})
	byDesc := map[string]bool{}
	for _, c := range m.paletteCommands() {
		byDesc[c.Desc] = true
	}
	n := 0
	for _, g := range m.keys.FullHelp() {
		for _, b := range g {
			n++
			d := b.Help().Desc
			if !strings.Contains(sheet, d) {
				t.Errorf("%q (%s) is not in the ? sheet", d, b.Help().Key)
			}
			if !byDesc[d] && d != m.keys.GoPane.Help().Desc {
				t.Errorf("%q (%s) is not in the palette", d, b.Help().Key)
			}
			if _, ok := m.keys.byID(idOf(m.keys, d)); !ok {
				t.Errorf("%q has no handler", d)
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d global bindings walked", n)
	}
	// And the palette runs them: "message log" opens the log.
	m = keys(t, m, press(":"))
	m = typeText(t, m, "message log")
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.overlay != overlayLog {
		t.Fatalf("the palette's message log opened overlay %d", m.overlay)
	}
}

func idOf(k KeyMap, desc string) string {
	for _, g := range k.groups() {
		for _, c := range g.cmds {
			if c.b.Help().Desc == desc {
				return c.id
			}
		}
	}
	return ""
}

// TestFailureAlwaysOnScreen: with the insecure warning, recording, a long
// server name and a connection error all active, the error sentence and the
// dropped count are fully visible at 80, 120 and 200 columns; the empty pane
// says what is wrong, what hubtap does next and what to do; the message log
// lists the refusal with its time.
func TestFailureAlwaysOnScreen(t *testing.T) {
	refusal := &broker.ReasonError{Packet: "CONNACK", Code: 0x87}
	for _, w := range []int{80, 120, 200} {
		m := New(Config{Styles: themes.Build(themes.Plain()), Store: history.NewStore(1 << 20), Source: noSource{},
			Client: &fakeClient{}, Topics: []string{"flespi/#"}, Target: "mqtts://a-rather-long-broker-host-name.example.com:8883",
			Warning: "TLS certificate NOT verified (--insecure)", Now: func() time.Time { return t0 },
			Requested: requestedToken(12)})
		m = update(t, m, tea.WindowSizeMsg{Width: w, Height: 30})
		b := batch(nil, broker.Event{Kind: broker.EventState, State: broker.StateDisconnected, Err: refusal, Time: t0},
			broker.Event{Kind: broker.EventState, State: broker.StateWaiting, RetryIn: 4 * time.Second, Time: t0})
		b.Dropped = 4321
		m = update(t, m, b)
		flat := flat(screen(t, m))
		for _, want := range []string{refusal.Error(), "dropped 4", "What is wrong", "tries again in 4s", "flespi tokens are 64 characters, this one is 12", "⚠ TLS"} {
			if !strings.Contains(flat, want) {
				t.Errorf("%d cols: the screen lacks %q:\n%s", w, want, screen(t, m))
			}
		}
		log := strings.Join(m.LogLines(), "\n")
		if !strings.Contains(log, "10:42:00 error disconnected: "+refusal.Error()) {
			t.Errorf("%d cols: the log lacks the refusal with its time:\n%s", w, log)
		}
	}
}

// TestEmptyPaneDoesNotLieWhileDisconnected: not connected, the pane does
// not say it waits for messages.
func TestEmptyPaneDoesNotLieWhileDisconnected(t *testing.T) {
	m := clientModel(t, 120, 30)
	m = update(t, m, batch(nil, broker.Event{Kind: broker.EventState, State: broker.StateDisconnected,
		Err: errors.New("connection refused: is the broker running on that host and port?")}))
	s := screen(t, m)
	if strings.Contains(s, "Waiting for messages") || !strings.Contains(s, "connection refused") {
		t.Fatalf("disconnected pane:\n%s", s)
	}
}

func requestedToken(n int) info.Requested {
	return info.Requested{ClientID: "hubtap-test", SessionExpiry: time.Hour, QoS: 1, Scheme: "mqtts",
		Creds: broker.Credentials{Kind: "flespi token", TokenLen: n}}
}

// flat is the screen's text with frames and line breaks folded into single
// spaces, so a sentence wrapped over lines can be searched.
func flat(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(ansi.Strip(s), "│", " ")), " ")
}
