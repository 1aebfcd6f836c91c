package tree

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
)

var t0 = time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)

// ingest appends one message per topic to s and counts them in m.
func ingest(m *Model, s *history.Store, topics ...string) {
	msgs := make([]broker.Message, len(topics))
	for i, tp := range topics {
		msgs[i] = broker.Message{Seq: uint64(i + 1), Topic: tp, Payload: []byte(`{"n":1}`), Received: t0}
	}
	first, n := s.Append(msgs)
	m.Ingest(s, first, n)
	m.Prepare()
}

// newTree is a focused w×h tree over topics.
func newTree(t *testing.T, w, h int, topics ...string) Model {
	t.Helper()
	m := New(themes.Build(themes.Plain()))
	m.SetSize(w, h)
	m.Focus()
	ingest(&m, history.NewStore(1<<20), topics...)
	return m
}

var (
	keyUp    = tea.KeyPressMsg{Code: tea.KeyUp}
	keyDown  = tea.KeyPressMsg{Code: tea.KeyDown}
	keyEnd   = tea.KeyPressMsg{Code: tea.KeyEnd}
	keyHome  = tea.KeyPressMsg{Code: tea.KeyHome}
	keyPgDn  = tea.KeyPressMsg{Code: tea.KeyPgDown}
	keyEnter = tea.KeyPressMsg{Code: tea.KeyEnter}
	keySpace = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
)

func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

// frame checks the frame invariant (exactly h lines, none wider than w)
// and returns the view without escapes.
func frame(t *testing.T, m Model, w, h int) string {
	t.Helper()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, ansi.Strip(v))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("line %d is %d cells, max %d: %q", i, n, w, ansi.Strip(l))
		}
	}
	return ansi.Strip(v)
}

// open presses enter and returns the topic of the OpenMsg it asks for.
func open(t *testing.T, m Model) string {
	t.Helper()
	_, cmd := m.Update(keyEnter)
	if cmd == nil {
		t.Fatal("enter produced no command")
	}
	msg, ok := cmd().(OpenMsg)
	if !ok {
		t.Fatalf("enter produced %T, want OpenMsg", cmd())
	}
	return msg.Topic
}

// TestTreeCountsAndOpen: topics become sorted levels with subtree counts;
// enter on a leaf opens its topic, on an inner node the node's /# filter.
func TestTreeCountsAndOpen(t *testing.T) {
	m := newTree(t, 80, 14,
		"flespi/message/gw/devices/2", "flespi/message/gw/devices/1", "flespi/message/gw/devices/1",
		"flespi/state/gw/devices/1/connected", "other")
	v := frame(t, m, 80, 14)
	// Depth first, names sorted: flespi, message, gw, devices, 1, 2, state, ..., other.
	var order []string
	lines := strings.Split(v, "\n")
	for _, l := range lines[1 : len(lines)-1] {
		if f := strings.Fields(strings.Trim(l, "│")); len(f) > 0 && f[0] != "▾" {
			order = append(order, f[0])
		} else if len(f) > 1 {
			order = append(order, f[1])
		}
	}
	want := "flespi message gw devices 1 2 state gw devices 1 connected other"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order %q, want %q:\n%s", got, want, v)
	}
	if !strings.Contains(v, "4 topics") {
		t.Fatalf("no topic count in the border:\n%s", v)
	}
	if n := m.Count("flespi/message/gw/devices/1"); n != 2 {
		t.Fatalf("Count(devices/1) = %d, want 2", n)
	}
	if got := open(t, m); got != "flespi/#" {
		t.Fatalf("enter on the first node opened %q, want flespi/#", got)
	}
	m = send(m, keyDown, keyDown, keyDown, keyDown) // flespi/message/gw/devices/1
	if got := open(t, m); got != "flespi/message/gw/devices/1" {
		t.Fatalf("enter on a leaf opened %q", got)
	}
	m = send(m, keyEnd)
	if got := open(t, m); got != "other" {
		t.Fatalf("enter on the last node opened %q, want other", got)
	}
	if got := open(t, send(m, keyHome, keyDown)); got != "flespi/message/#" {
		t.Fatalf("home, down opened %q, want flespi/message/#", got)
	}
}

// TestTreeFoldAndScroll: space folds a node (its subtree disappears), the
// window scrolls to keep the cursor in view, and an unfocused tree ignores
// keys.
func TestTreeFoldAndScroll(t *testing.T) {
	var topics []string
	for i := range 20 {
		topics = append(topics, fmt.Sprintf("a/%02d", i))
	}
	m := newTree(t, 60, 7, append(topics, "b")...) // 5 rows: a, 00..19, b = 22 nodes
	if v := frame(t, m, 60, 7); !strings.Contains(v, "▾ a") || !strings.Contains(v, "03") || strings.Contains(v, "04") {
		t.Fatalf("first page:\n%s", v)
	}
	m = send(m, keyPgDn) // a page is 4 rows: cursor and window move by 4
	if v := frame(t, m, 60, 7); !strings.Contains(v, "03") || !strings.Contains(v, "07") || strings.Contains(v, "▾ a") {
		t.Fatalf("after page down:\n%s", v)
	}
	if got := open(t, m); got != "a/03" {
		t.Fatalf("after page down the cursor is on %q, want a/03", got)
	}
	m = send(m, keyDown, tea.MouseWheelMsg{Button: tea.MouseWheelDown}) // 1+3 rows, inside the window: it does not move
	if v := frame(t, m, 60, 7); !strings.Contains(v, "03") || !strings.Contains(v, "07") {
		t.Fatalf("moving inside the window scrolled it:\n%s", v)
	}
	if got := open(t, m); got != "a/07" {
		t.Fatalf("after down and the wheel the cursor is on %q, want a/07", got)
	}
	m = send(m, keyDown) // past the bottom row: the window follows by one
	if v := frame(t, m, 60, 7); strings.Contains(v, "03") || !strings.Contains(v, "08") {
		t.Fatalf("down past the bottom row:\n%s", v)
	}
	m = send(m, keyUp) // inside again: no scrolling back
	if v := frame(t, m, 60, 7); !strings.Contains(v, "08") {
		t.Fatalf("up inside the window scrolled it:\n%s", v)
	}
	m = send(m, keyHome, keySpace) // fold a
	v := frame(t, m, 60, 7)
	if !strings.Contains(v, "▸ a") || strings.Contains(v, "00") || !strings.Contains(v, "b") {
		t.Fatalf("folded a:\n%s", v)
	}
	if got := open(t, send(m, keyDown)); got != "b" {
		t.Fatalf("below the folded a is %q, want b", got)
	}
	m.Blur()
	if got := send(m, keyDown); frame(t, got, 60, 7) != v {
		t.Fatal("an unfocused tree moved on a key")
	}
}

// TestTreeCopyKeepsItsFolds: Update on a model leaves an earlier copy's
// folds, order and cursor alone (the nodes are shared, what Update changes
// is not).
func TestTreeCopyKeepsItsFolds(t *testing.T) {
	m := newTree(t, 60, 10, "a/1", "a/2", "b/1")
	before := frame(t, m, 60, 10)
	cp := m
	m = send(m, keySpace, keyDown)
	if after := frame(t, m, 60, 10); after == before || !strings.Contains(after, "▸ a") {
		t.Fatalf("space did not fold a:\n%s", after)
	}
	if got := frame(t, cp, 60, 10); got != before {
		t.Fatalf("the copy changed with the original's Update:\n%s\nwas:\n%s", got, before)
	}
	if got := open(t, cp); got != "a/#" {
		t.Fatalf("the copy's cursor moved to %q", got)
	}
}

// TestTreeRates: Tick turns counts into a rate per second.
func TestTreeRates(t *testing.T) {
	m := New(themes.Build(themes.Plain()))
	m.SetSize(60, 5)
	s := history.NewStore(1 << 20)
	m.Tick(t0)
	ingest(&m, s, "x", "x", "x", "x")
	m.Tick(t0.Add(2 * time.Second))
	if v := frame(t, m, 60, 5); !strings.Contains(v, "2.0/s") {
		t.Fatalf("4 messages in 2 s is not 2.0/s:\n%s", v)
	}
}

// TestTreeSeen lists leaves and inner levels for completion, sorted.
func TestTreeSeen(t *testing.T) {
	m := newTree(t, 60, 5, "a/b/c", "a/d", "e")
	if got, want := strings.Join(m.Seen(100), " "), "a/# a/b/# a/b/c a/d e"; got != want {
		t.Fatalf("Seen = %q, want %q", got, want)
	}
}
