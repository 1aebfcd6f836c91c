package app

import (
	"fmt"
	"image/color"
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

// goldenScreen renders the main screen the goldens show: 30 messages from
// seven devices (each device's timestamps increasing, so no anomalies),
// connected and subscribed, the pane paused one row above the newest.
func goldenScreen(t *testing.T, p themes.Palette, w, h int) string {
	t.Helper()
	m := New(Config{Styles: themes.Build(p), Store: history.NewStore(64 << 20), Source: noSource{},
		Target: "mqtts://mqtt.flespi.io:8883", Topics: []string{"flespi/message/gw/channels/+/+"},
		Now: func() time.Time { return t0.Add(time.Minute) }})
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	var msgs []broker.Message
	for i := 1; i <= 30; i++ {
		msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i%7), i*3%120))
	}
	m = update(t, m, batch(msgs, broker.Event{Kind: broker.EventState, State: broker.StateConnected,
		Session: broker.SessionInfo{Persistent: true, Present: true}},
		broker.Event{Kind: broker.EventSubscribe, Subs: []broker.SubResult{{Filter: "flespi/message/gw/channels/+/+", Code: 1, Granted: 1}}}))
	m = update(t, m, press("up"))
	out := m.View().Content
	assertFrame(t, out, w, h)
	return out
}

var goldenSizes = [][2]int{{80, 24}, {160, 48}}

// TestGoldenMainScreen compares the main screen's text (escapes stripped)
// at 80x24 and 160x48 with testdata. Colours are checked by
// TestThemeColours. Regenerate with go test ./ui/app -run Golden -update,
// and read the diff before committing.
func TestGoldenMainScreen(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			out := ansi.Strip(goldenScreen(t, themes.Plain(), size[0], size[1]))
			for _, bad := range []string{"anomaly", " !"} {
				// The fixture's devices send increasing timestamps; a flag
				// here means the tracker or the fixture broke.
				if strings.Contains(out, bad) {
					t.Errorf("the screen shows %q for a fixture without anomalies:\n%s", bad, out)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// TestThemesDrawSameText: a theme changes colours only, so every theme's
// text is the golden's.
func TestThemesDrawSameText(t *testing.T) {
	for _, size := range goldenSizes {
		want := ansi.Strip(goldenScreen(t, themes.Plain(), size[0], size[1]))
		for _, p := range []themes.Palette{themes.Dark(), themes.Light(), themes.HighContrast()} {
			if got := ansi.Strip(goldenScreen(t, p, size[0], size[1])); got != want {
				t.Errorf("%s at %dx%d: text differs from the plain theme's\n got:\n%s\nwant:\n%s", p.Name, size[0], size[1], got, want)
			}
		}
	}
}

// sgr is the SGR parameter text of a 24-bit colour: 38;2;r;g;b for the
// foreground, 48;2;r;g;b for the background.
func sgr(layer int, c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("%d;2;%d;%d;%d", layer, r>>8, g>>8, b>>8)
}

// TestThemeColours is a smoke test per theme: the focused pane's border
// is drawn in BorderFocus, the unfocused detail frame in Border, the
// selected row in SelFg on SelBg, and JSON keys in JSONKey.
func TestThemeColours(t *testing.T) {
	for _, p := range []themes.Palette{themes.Dark(), themes.Light(), themes.HighContrast()} {
		t.Run(p.Name, func(t *testing.T) {
			out := goldenScreen(t, p, 160, 48)
			for _, c := range []struct{ what, seq string }{
				{"focused pane's top-left corner in BorderFocus", "\x1b[" + sgr(38, p.BorderFocus) + "m╭─"},
				{"unfocused detail frame's corner in Border", "\x1b[" + sgr(38, p.Border) + "m╭─"},
				{"selected row in SelFg on SelBg", "\x1b[" + sgr(38, p.SelFg) + ";" + sgr(48, p.SelBg) + "m"},
				{"a JSON key in JSONKey", "\x1b[" + sgr(38, p.JSONKey) + `m"ident"`},
			} {
				if !strings.Contains(out, c.seq) {
					t.Errorf("%s: no %q (the %s) in the coloured screen:\n%q", p.Name, c.seq, c.what, out)
				}
			}
		})
	}
}

// TestPlainHasNoColour: the plain palette (what NO_COLOR users get) emits
// no colour escapes, and still shows the selection, in reverse video.
func TestPlainHasNoColour(t *testing.T) {
	out := goldenScreen(t, themes.Plain(), 160, 48)
	for _, c := range []string{"38;2;", "48;2;", "38;5;", "48;5;"} {
		if i := strings.Index(out, c); i >= 0 {
			t.Errorf("colour escape %q in the plain screen at byte %d: %q", c, i, out[max(i-40, 0):min(i+40, len(out))])
		}
	}
	if !strings.Contains(out, "\x1b[7m") {
		t.Errorf("the plain screen shows no reverse-video selection:\n%q", out)
	}
}
