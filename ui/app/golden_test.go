package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
)

// TestGoldenMainScreen renders the main screen for each theme, and the
// monochrome (NO_COLOR) screen, at 80x24 and 160x48. Regenerate with
// go test ./ui/app -run Golden -update, and read the diff before committing.
func TestGoldenMainScreen(t *testing.T) {
	palettes := map[string]themes.Palette{"dark": themes.Dark(), "light": themes.Light(), "high-contrast": themes.HighContrast(), "plain": themes.Plain()}
	for _, name := range []string{"dark", "light", "high-contrast", "plain", "no_color"} {
		for _, size := range [][2]int{{80, 24}, {160, 48}} {
			t.Run(fmt.Sprintf("%s_%dx%d", name, size[0], size[1]), func(t *testing.T) {
				p, ok := palettes[name]
				if !ok {
					p = themes.Plain()
				}
				m := New(Config{Styles: themes.Build(p), Store: history.NewStore(64 << 20), Source: noSource{},
					Target: "mqtts://mqtt.flespi.io:8883", Topics: []string{"flespi/message/gw/channels/+/+"},
					Now: func() time.Time { return t0.Add(time.Minute) }})
				m = update(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				var msgs []broker.Message
				for i := 1; i <= 30; i++ {
					msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i%7), i*3%120))
				}
				m = update(t, m, batch(msgs, broker.Event{Kind: broker.EventState, State: broker.StateConnected,
					Session: broker.SessionInfo{Persistent: true, Present: true}},
					broker.Event{Kind: broker.EventSubscribe, Subs: []broker.SubResult{{Filter: "flespi/message/gw/channels/+/+", Code: 1, Granted: 1}}}))
				m = update(t, m, press("up"))
				out := m.View().Content
				if name == "no_color" {
					// What a NO_COLOR terminal shows: the plain theme with every
					// colour dropped; reverse video and bold remain.
					out = stripColors(out)
				}
				assertFrame(t, out, size[0], size[1])
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

// stripColors keeps the text and SGR attributes other than colours; here
// the plain theme emits none, so plain text must be all that is left apart
// from bold/reverse.
func stripColors(s string) string {
	for _, c := range []string{"38;2;", "48;2;"} {
		if i := strings.Index(s, c); i >= 0 {
			return fmt.Sprintf("colour escape in a NO_COLOR screen: %q", s[max(i-60, 0):min(i+40, len(s))]) + ansi.Strip(s)
		}
	}
	return s
}
