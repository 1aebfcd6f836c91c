package detail

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/history"
	"hubtap/themes"
)

func entry(payload []byte) *history.Entry {
	e := history.NewEntry(broker.Message{Seq: 7, Topic: "a/b", Payload: payload, QoS: 1, Retain: true,
		Received: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Props: &broker.Properties{ContentType: "application/json", ResponseTopic: "reply/here",
			CorrelationData: []byte{0xde, 0xad}, User: []broker.UserProperty{{Key: "k", Value: "v"}}}})
	return &e
}

func view(t *testing.T, e *history.Entry, w, h int) (Model, string) {
	t.Helper()
	m := New(themes.Build(themes.Plain()), DefaultKeyMap())
	m.SetSize(w, h)
	m.SetEntry(e)
	m.Prepare()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line wider than %d: %q", w, ansi.Strip(l))
		}
	}
	return m, ansi.Strip(v)
}

func TestPropertiesAndPrettyJSON(t *testing.T) {
	_, v := view(t, entry([]byte(`{"ident":"352625066004561","position.speed":47,"ok":true,"nil":null,"arr":[1,2]}`)), 80, 24)
	for _, want := range []string{"a/b", "QoS 1", "retained", "JSON", "application/json", "reply/here", "dead", "k=v",
		`"ident": "352625066004561",`, `"position.speed": 47,`, `"ok": true,`, `"nil": null,`, "seq 7"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
}

func TestBinaryAsHex(t *testing.T) {
	_, v := view(t, entry([]byte{0x00, 0x01, 0xff, 'A', 0x1b}), 80, 20)
	if !strings.Contains(v, "00 01 ff 41 1b") || !strings.Contains(v, "binary payload") {
		t.Fatalf("no hex dump:\n%s", v)
	}
}

func TestHugePayloadIsCapped(t *testing.T) {
	big := []byte(`{"data":"` + strings.Repeat("x", 10<<20) + `"}`)
	m, v := view(t, entry(big), 100, 30)
	if !strings.Contains(v, "large JSON payload (10.0 MiB)") {
		t.Fatalf("no size notice:\n%s", v)
	}
	if n := len(m.cache); n > 2000 {
		t.Fatalf("rendered %d lines for a capped payload", n)
	}
}

// TestLargePayloadSaysWhatIsShown: a 1 MiB JSON message on one line shows
// its first 4096 bytes, and the notice says exactly that.
func TestLargePayloadSaysWhatIsShown(t *testing.T) {
	big := []byte(`{"data":"` + strings.Repeat("x", 1<<20) + `"}`)
	_, v := view(t, entry(big), 160, 20)
	want := "large JSON payload (1.0 MiB), not pretty-printed: 4.0 KiB of 1.0 MiB shown as text, lines cut at 4096 bytes"
	if !strings.Contains(v, want) {
		t.Fatalf("want the notice %q in:\n%s", want, v)
	}
	lines := strings.Repeat(strings.Repeat("y", 100)+"\n", 1000) // 101,000 bytes of text in short lines
	_, v = view(t, entry([]byte(lines)), 160, 20)
	if want := "truncated: 64.0 KiB of 98.6 KiB shown as text"; !strings.Contains(v, want) || strings.Contains(v, "lines cut") {
		t.Fatalf("want the notice %q (no cut lines) in:\n%s", want, v)
	}
}

// TestInvisibleCharactersNoted: a zero-width space in the payload and a
// bidi override in the topic are shown as markers, and a note says so.
func TestInvisibleCharactersNoted(t *testing.T) {
	e := entry([]byte("{\"ident\":\"861234\u200b\u200d057278874\"}"))
	_, v := view(t, e, 120, 24)
	for _, want := range []string{"861234⟨ZWSP⟩⟨ZWJ⟩057278874", "invisible or direction-changing characters in the payload"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	e = entry([]byte(`{"a":1}`))
	if _, v = view(t, e, 120, 24); strings.Contains(v, "invisible") {
		t.Errorf("a plain message gets the invisible-characters note:\n%s", v)
	}
}

func TestScrollKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + string(rune('a'+i%26)) + `":` + "1")
	}
	b.WriteString("}")
	m, _ := view(t, entry([]byte(b.String())), 60, 12)
	m.Focus()
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if !strings.Contains(ansi.Strip(m.View()), "}") {
		t.Fatal("end did not scroll to the closing brace")
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	if !strings.Contains(ansi.Strip(m.View()), "topic") {
		t.Fatal("home did not scroll to the top")
	}
}

func TestQuickFilterClauses(t *testing.T) {
	payload := `{"ident":"352625066004561","position.speed":47,"engine.ignition.status":true,"device.name":"Truck \"17\"",` +
		`"nested":{"a b":1,"arr":[1,2,3],"deep":{"x":null,"pad":"` + strings.Repeat("p", 70) + `"}},"list":[{"in":1}],"and":2}`
	m, _ := view(t, entry([]byte(payload)), 80, 40)
	m.Focus()
	var got []string
	for i := 0; i < 40; i++ {
		if path, value, ok := m.Selected(); ok && (len(got) == 0 || got[len(got)-1] != path+" == "+value) {
			got = append(got, path+" == "+value) // a wrapped line repeats its field
		}
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	want := []string{
		`ident == "352625066004561"`,
		`position.speed == 47`,
		`engine.ignition.status == true`,
		`device.name == "Truck \"17\""`,
		"nested.`a b` == 1",
		`nested.deep.x == null`,
		`nested.deep.pad == "` + strings.Repeat("p", 70) + `"`,
		"`and` == 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("fields under the cursor:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range want {
		if _, err := filters.Compile(w); err != nil {
			t.Errorf("clause %q does not compile: %v", w, err)
		}
	}
	// = on the first field emits the clause.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	for i := 0; i < 20; i++ {
		if p, _, _ := m.Selected(); p == "position.speed" {
			break
		}
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: '!', Text: "!"})
	if cmd == nil {
		t.Fatal("! gave no command")
	}
	if msg, ok := cmd().(QuickFilterMsg); !ok || msg.Clause != "position.speed != 47" {
		t.Fatalf("got %#v", cmd())
	}
}

func TestHighlightMarksFieldsAndText(t *testing.T) {
	m := New(themes.Build(themes.Dark()), DefaultKeyMap())
	m.SetSize(80, 20)
	m.SetEntry(entry([]byte(`{"ident":"x","position.speed":81,"device.name":"Truck 17"}`)))
	m.SetHighlights(Highlights{Fields: []string{"position.speed"}, Texts: []string{"truck"}})
	m.Prepare()
	v := m.View()
	plain := ansi.Strip(v)
	if !strings.Contains(plain, `"position.speed": 81`) || !strings.Contains(plain, "Truck 17") {
		t.Fatalf("view:\n%s", plain)
	}
	m2 := New(themes.Build(themes.Dark()), DefaultKeyMap())
	m2.SetSize(80, 20)
	m2.SetEntry(m.Entry())
	m2.Prepare()
	if m2.View() == v {
		t.Fatal("highlights changed nothing in the styled output")
	}
}

// longEntry is a JSON object of n fields, one per line.
func longEntry(n int) *history.Entry {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":"value of a field"`)
	}
	b.WriteString("}")
	return entry([]byte(b.String()))
}

// info returns the frame's "a-b of n" text from the top border.
func info(t *testing.T, m Model) string {
	t.Helper()
	top := strings.Split(ansi.Strip(m.View()), "\n")[0]
	f := strings.Fields(strings.Trim(top, "╭─╮ "))
	if len(f) < 3 || f[len(f)-2] != "of" {
		t.Fatalf("no position in the top border %q", top)
	}
	return strings.Join(f[len(f)-3:], " ")
}

// TestScrollPagesAndWheel: pages move the window by its height less one
// line, the wheel by three lines, and both stop at the ends.
func TestScrollPagesAndWheel(t *testing.T) {
	m, _ := view(t, longEntry(100), 60, 12) // 10 body lines
	m.Focus()
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	n := len(m.cache)
	steps := []struct {
		msg  tea.Msg
		want string
	}{
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "10-19 of " + strconv.Itoa(n)},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "19-28 of " + strconv.Itoa(n)},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, "10-19 of " + strconv.Itoa(n)},
		{tea.MouseWheelMsg{Button: tea.MouseWheelUp}, "7-16 of " + strconv.Itoa(n)}, // cursor 18-9-3 = 6: above the window
		{tea.KeyPressMsg{Code: tea.KeyEnd}, strconv.Itoa(n-9) + "-" + strconv.Itoa(n) + " of " + strconv.Itoa(n)},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, strconv.Itoa(n-9) + "-" + strconv.Itoa(n) + " of " + strconv.Itoa(n)},
	}
	for i, s := range steps {
		m, _ = m.Update(s.msg)
		if got := info(t, m); got != s.want {
			t.Fatalf("step %d (%v): window %q, want %q", i, s.msg, got, s.want)
		}
	}
}

// TestUnfocusedShowsTheTop: a new message shows from its first line while
// the view is not focused, although the cursor waits on its first field
// further down; focusing and moving brings the cursor into view.
func TestUnfocusedShowsTheTop(t *testing.T) {
	m, v := view(t, longEntry(5), 60, 6) // 4 body lines: the header fills them
	if !strings.Contains(v, "topic") || info(t, m) != "1-4 of "+strconv.Itoa(len(m.cache)) {
		t.Fatalf("unfocused detail does not show the message's top:\n%s", v)
	}
	if _, _, ok := m.Selected(); !ok {
		t.Fatal("no field selected on a JSON message")
	}
	m.Focus()
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	path, _, ok := m.Selected()
	if !ok || path != "k1" {
		t.Fatalf("down from the first field selected %q (%v), want k1", path, ok)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, `"k1": "value of a field"`) || strings.Contains(v, "topic") {
		t.Fatalf("the focused view does not follow the cursor to k1:\n%s", v)
	}
}

// TestLogRecordInWords: a device's disconnect record says its close code in
// words in the detail's header.
func TestLogRecordInWords(t *testing.T) {
	e := history.NewEntry(broker.Message{Topic: "flespi/log/gw/devices/182001/disconnected", QoS: 1,
		Payload: []byte(`{"event_code":301,"close_code":17,"timestamp":1796520386}`)})
	lines, _ := renderEntry(themes.Build(themes.Plain()), &e, 120, Highlights{}, nil, nil)
	text := ansi.Strip(strings.Join(lines, "\n"))
	if !strings.Contains(text, "in words") || !strings.Contains(text, "17") || !strings.Contains(strings.ToLower(text), "inactiv") {
		t.Fatalf("no close code in words:\n%s", text)
	}
}
