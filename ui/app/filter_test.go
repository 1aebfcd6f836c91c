package app

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
)

// run executes cmd like the program would and feeds its messages back into
// the model, recursively. Commands that do not finish within a short time
// (the batch wait, the 1 s tick) are dropped, as are ticks.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	return runWithin(t, m, cmd, 200*time.Millisecond)
}

// runWithin is run with its own wait for each command: a command still
// running after wait is dropped (the batch wait never ends in a model
// test), as are ticks and a text input's cursor blinks (they re-arm
// themselves for ever).
func runWithin(t *testing.T, m Model, cmd tea.Cmd, wait time.Duration) Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(wait):
		return m
	}
	if strings.HasPrefix(fmt.Sprintf("%T", msg), "cursor.") {
		return m
	}
	switch msg := msg.(type) {
	case nil, tickMsg:
		return m
	case tea.BatchMsg:
		for _, c := range msg {
			m = runWithin(t, m, c, wait)
		}
		return m
	}
	nm, next := m.Update(msg)
	return runWithin(t, nm.(Model), next, wait)
}

func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		var cmd tea.Cmd
		var nm tea.Model
		if r == ' ' {
			nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		} else {
			nm, cmd = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		m = nm.(Model)
		_ = cmd // intermediate debounce ticks are superseded by the last one
		if r == []rune(s)[len([]rune(s))-1] {
			m = run(t, m, cmd)
		}
	}
	return m
}

func TestFilterNarrowsAndKeepsLastValidOnTypo(t *testing.T) {
	m := newModel(t, 120, 40, "flespi/message/gw/channels/+/+")
	var msgs []broker.Message
	for i := 0; i < 100; i++ {
		msgs = append(msgs, flespiMsg(i+1, fmt.Sprintf("3526250660%05d", i), i))
	}
	m = update(t, m, batch(msgs))
	nm, cmd := m.Update(press("/"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, "position.speed > 60")
	s := screen(t, m)
	if !strings.Contains(s, "39 of 100") || !strings.Contains(s, "│ position.speed > 60") {
		t.Fatalf("filter not applied:\n%s", s)
	}
	if !strings.Contains(s, "filter ▸ position.speed > 60") {
		t.Fatalf("input line missing:\n%s", s)
	}
	// A typo shows a caret under the column and keeps the previous filter.
	m = typeText(t, m, " &&")
	s = screen(t, m)
	if !strings.Contains(s, "39 of 100") {
		t.Fatalf("an invalid filter replaced the valid one:\n%s", s)
	}
	lines := strings.Split(s, "\n")
	caretLine := lines[len(lines)-2]
	col := strings.Index(caretLine, "^")
	if col < 0 || !strings.Contains(caretLine, "expected") {
		t.Fatalf("no caret error line: %q", caretLine)
	}
	// The caret sits right after the text (the missing operand's column).
	if want := len("filter ▸ position.speed > 60 &&") - len("▸") + 1; col != want {
		t.Errorf("caret at byte %d, want %d: %q", col, want, caretLine)
	}
	// Esc undoes everything typed since the bar opened.
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	m = run(t, nm.(Model), cmd)
	s = screen(t, m)
	if !strings.Contains(s, "100 msgs") || strings.Contains(s, "of 100") {
		t.Fatalf("esc did not restore the unfiltered pane:\n%s", s)
	}
	// Enter keeps a filter and remembers it; ↑ brings it back next time.
	nm, cmd = m.Update(press("/"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, `ident == "352625066000007"`)
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	s = screen(t, m)
	if !strings.Contains(s, "1 of 100") || m.filter.IsOpen() {
		t.Fatalf("enter did not keep the filter:\n%s", s)
	}
	if !strings.Contains(s, `"ident": "352625066000007"`) {
		t.Fatalf("the detail does not show the only match:\n%s", s)
	}
	// New arrivals are filtered as they come.
	m = update(t, m, batch([]broker.Message{flespiMsg(101, "352625066000007", 5), flespiMsg(102, "352625066000008", 5)}))
	if s = screen(t, m); !strings.Contains(s, "2 of 102") {
		t.Fatalf("live filtering:\n%s", s)
	}
	nm, cmd = m.Update(press("/"))
	m = run(t, nm.(Model), cmd)
	nm, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	m = nm.(Model)
	if s = screen(t, m); !strings.Contains(s, `filter ▸ ident == "352625066000007"`) {
		t.Fatalf("history did not recall the filter:\n%s", s)
	}
}

func TestJumpExportAndCopy(t *testing.T) {
	m := newModel(t, 120, 40, "#")
	var msgs []broker.Message
	for i := 1; i <= 60; i++ { // one a second from t0
		msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i), i))
	}
	m = update(t, m, batch(msgs))
	nm, cmd := m.Update(press("t"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, "-30s")
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if e := m.cp().Selected(); e == nil || e.Seq != 30 || m.cp().Following() {
		t.Fatalf("jump -30s from the newest (seq 60) selected %+v", e)
	}
	dir := t.TempDir()
	path := dir + "/out.json"
	nm, cmd = m.Update(press("e"))
	m = run(t, nm.(Model), cmd)
	m = typeText(t, m, path) // replaces the suggested name
	nm, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	m = run(t, nm.(Model), cmd)
	if s := screen(t, m); !strings.Contains(s, "exported 60 messages") {
		t.Fatalf("no export notice:\n%s", s)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var arr []map[string]any
	if err := json.Unmarshal(data, &arr); err != nil || len(arr) != 60 {
		t.Fatalf("export is not a JSON array of 60: %v (%d)", err, len(arr))
	}
	_, cmd = m.Update(press("y"))
	if cmd == nil {
		t.Fatal("y gave no command")
	}
}

func TestReplayPane(t *testing.T) {
	m := newModel(t, 120, 40, "#")
	var msgs []broker.Message
	for i := 1; i <= 100; i++ {
		msgs = append(msgs, flespiMsg(i, fmt.Sprintf("3526250660%05d", i), i))
	}
	m = update(t, m, batch(msgs))
	nm, cmd := m.Update(press("P"))
	m = nm.(Model)
	m = update(t, m, press("4")) // max speed
	m = run(t, m, cmd)
	s := screen(t, m)
	for _, want := range []string{"replay of 100 messages", "(100/100)", "replay max", "100 msgs"} {
		if !strings.Contains(s, want) {
			t.Fatalf("replay screen lacks %q:\n%s", want, s)
		}
	}
	// Live messages keep arriving into history underneath.
	m = update(t, m, batch([]broker.Message{flespiMsg(101, "352625066000101", 1)}))
	if m.Store().Len() != 101 {
		t.Fatalf("live store has %d", m.Store().Len())
	}
	m = update(t, m, press("P"))
	s = screen(t, m)
	if strings.Contains(s, "replay") || !strings.Contains(s, "101 msgs") {
		t.Fatalf("stopping the replay did not bring back the live pane:\n%s", s)
	}
}
