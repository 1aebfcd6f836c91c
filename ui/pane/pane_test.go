package pane

import (
	"fmt"
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

func fill(s *history.Store, from, to int) {
	var msgs []broker.Message
	for i := from; i <= to; i++ {
		msgs = append(msgs, broker.Message{Seq: uint64(i), Topic: fmt.Sprintf("t/%d", i),
			Payload: []byte(fmt.Sprintf(`{"ident":"id%03d","n":%d}`, i, i)), Received: time.Unix(int64(i), 0).UTC()})
	}
	s.Append(msgs)
}

func frame(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line wider than %d: %q", w, ansi.Strip(l))
		}
	}
}

func TestFollowPauseAndEviction(t *testing.T) {
	store := history.NewStore(2 << 20)
	m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
	m.SetSize(60, 7) // 5 visible rows
	m.Focus()
	fill(store, 1, 20)
	if e := m.Selected(); e == nil || e.Seq != 20 {
		t.Fatalf("following pane selects %v, want seq 20", e)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	if e := m.Selected(); e.Seq != 18 || m.Following() {
		t.Fatalf("after 2×up: seq %d following %v", e.Seq, m.Following())
	}
	fill(store, 21, 25)
	if e := m.Selected(); e.Seq != 18 {
		t.Fatalf("new arrivals moved the paused selection to %d", e.Seq)
	}
	if n := m.NewSincePause(); n != 5 {
		t.Fatalf("NewSincePause = %d, want 5", n)
	}
	v := ansi.Strip(m.View())
	frame(t, v, 60, 7)
	if !strings.Contains(v, "paused, 5 new") || !strings.Contains(v, "id018") {
		t.Fatalf("view:\n%s", v)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'g', Text: "g"})
	if e := m.Selected(); e.Seq != 1 {
		t.Fatalf("g selects %d, want the oldest", e.Seq)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if e := m.Selected(); e.Seq != 25 || !m.Following() {
		t.Fatalf("G selects %d following %v", e.Seq, m.Following())
	}
}

func TestSelectionSurvivesEvictionOfIt(t *testing.T) {
	store := history.NewStore(1 << 20)
	m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), store, "")
	m.SetSize(50, 6)
	m.Focus()
	fill(store, 1, 10)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'g', Text: "g"}) // select the oldest, paused
	// Push far more than the budget so the selected entry is evicted.
	big := make([]broker.Message, 0, 3000)
	for i := 0; i < 3000; i++ {
		big = append(big, broker.Message{Seq: uint64(100 + i), Topic: "t", Payload: make([]byte, 1000)})
	}
	store.Append(big)
	if store.Stats().Evicted == 0 {
		t.Fatal("test needs eviction")
	}
	e := m.Selected()
	if e == nil || e.Seq < 100 {
		t.Fatalf("selection after eviction = %v, want the oldest kept entry", e)
	}
	frame(t, ansi.Strip(m.View()), 50, 6)
}

func TestEmptyPaneShowsHint(t *testing.T) {
	m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), history.NewStore(1<<20), "x")
	m.SetSize(40, 5)
	m.SetHint([]string{"Waiting for messages on a very long topic name that will not fit"})
	v := ansi.Strip(m.View())
	frame(t, v, 40, 5)
	if !strings.Contains(v, "Waiting for messages") || m.Selected() != nil {
		t.Fatalf("view:\n%s", v)
	}
}

func TestFilterNarrowsHistoryAndNewArrivals(t *testing.T) {
	store := history.NewStore(8 << 20)
	m := New(3, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
	m.SetSize(70, 8)
	m.Focus()
	fill(store, 1, 100) // payload {"ident":"idNNN","n":N}
	expr, err := filters.Compile("n > 90")
	if err != nil {
		t.Fatal(err)
	}
	cmd := m.SetFilter("n > 90", expr)
	if cmd == nil {
		t.Fatal("no history pass")
	}
	// Arrivals during the pass are filtered at once.
	first, n := store.Append(msgsFrom(101, 105))
	m.Ingest(first, n)
	if got := m.rows.Len(); got != 5 {
		t.Fatalf("before the pass returns: %d rows, want the 5 new ones", got)
	}
	m, _ = m.Update(cmd())
	if got := m.rows.Len(); got != 15 {
		t.Fatalf("after the pass: %d rows, want 15 (91..105)", got)
	}
	v := ansi.Strip(m.View())
	frame(t, v, 70, 8)
	if !strings.Contains(v, "15 of 105") || !strings.Contains(v, "id105") {
		t.Fatalf("view:\n%s", v)
	}
	// A stale result (an older generation) is ignored.
	old := m.SetFilter("n > 10", mustCompile(t, "n > 10"))
	m.SetFilter("", nil)
	m, _ = m.Update(old())
	if m.rows.Len() != 105 || m.Filter() != nil {
		t.Fatalf("stale filter result applied: %d rows", m.rows.Len())
	}
}

func TestFilterPassCancelled(t *testing.T) {
	store := history.NewStore(8 << 20)
	m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), store, "")
	fill(store, 1, 50)
	first := m.SetFilter("n > 1", mustCompile(t, "n > 1"))
	m.SetFilter("n > 2", mustCompile(t, "n > 2")) // cancels the first pass
	if msg := first().(FilterDoneMsg); msg.Err == nil {
		t.Fatal("the replaced pass was not cancelled")
	}
}

func mustCompile(t *testing.T, src string) *filters.Expr {
	t.Helper()
	e, err := filters.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func msgsFrom(from, to int) []broker.Message {
	var msgs []broker.Message
	for i := from; i <= to; i++ {
		msgs = append(msgs, broker.Message{Seq: uint64(i), Topic: fmt.Sprintf("t/%d", i),
			Payload: []byte(fmt.Sprintf(`{"ident":"id%03d","n":%d}`, i, i)), Received: time.Unix(int64(i), 0).UTC()})
	}
	return msgs
}

// TestResumeModes: space on a paused pane jumps to the newest message
// (live) or keeps the position (in place); in place, the pane says how many
// newer messages are below and follows again once the selection reaches
// the newest row.
func TestResumeModes(t *testing.T) {
	space := tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	for _, inPlace := range []bool{false, true} {
		store := history.NewStore(2 << 20)
		m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
		m.SetSize(60, 7)
		m.Focus()
		m.SetResumeInPlace(inPlace)
		fill(store, 1, 10)
		m, _ = m.Update(space) // pause on the newest (10)
		if !m.Paused() {
			t.Fatalf("inPlace=%v: space did not pause", inPlace)
		}
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp}) // read 9
		fill(store, 11, 14)
		if n := m.NewSincePause(); n != 4 {
			t.Fatalf("inPlace=%v: NewSincePause %d, want 4", inPlace, n)
		}
		m, _ = m.Update(space) // resume
		if !inPlace {
			if e := m.Selected(); !m.Following() || e.Seq != 14 {
				t.Fatalf("live resume: following %v on %d, want the newest (14)", m.Following(), e.Seq)
			}
			continue
		}
		if e := m.Selected(); m.Following() || m.Paused() || e.Seq != 9 {
			t.Fatalf("in-place resume: following %v paused %v on %d, want 9, neither", m.Following(), m.Paused(), e.Seq)
		}
		fill(store, 15, 16) // still live: arrivals counted below, the view stays
		v := ansi.Strip(m.View())
		frame(t, v, 60, 7)
		if !strings.Contains(v, "live, 7 below") || strings.Contains(v, "paused") || !strings.Contains(v, "id009") {
			t.Fatalf("in place, view:\n%s", v)
		}
		for range 6 {
			m, _ = m.Update(down)
		}
		if m.Following() || m.Below() != 1 {
			t.Fatalf("one row above the newest: following %v, below %d", m.Following(), m.Below())
		}
		m, _ = m.Update(down) // reaches the newest: follows again
		if !m.Following() {
			t.Fatal("reaching the newest row did not resume following")
		}
		fill(store, 17, 17)
		if e := m.Selected(); e.Seq != 17 {
			t.Fatalf("following selects %d, want 17", e.Seq)
		}
		// Moving up pauses; space resumes in place; space again pauses,
		// counting new messages from then.
		m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
		m, _ = m.Update(space)
		if m.Paused() || m.Following() || m.Below() != 1 {
			t.Fatalf("resumed in place: paused %v following %v below %d", m.Paused(), m.Following(), m.Below())
		}
		m, _ = m.Update(space)
		fill(store, 18, 19)
		if !m.Paused() || m.NewSincePause() != 2 {
			t.Fatalf("space on a pane resumed in place: paused %v, %d new, want 2", m.Paused(), m.NewSincePause())
		}
	}
}

// TestRedeliveryFlag: D marks a copy the broker flagged DUP, and a second
// copy of a recent message even when only the first had DUP.
func TestRedeliveryFlag(t *testing.T) {
	store := history.NewStore(2 << 20)
	m := New(1, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
	m.SetSize(80, 6)
	store.Append([]broker.Message{
		{Seq: 1, Topic: "t/a", Payload: []byte(`{"n":1}`), Received: time.Unix(1, 0).UTC()},
		{Seq: 2, Topic: "t/b", Payload: []byte(`{"n":2}`), Duplicate: true, Received: time.Unix(2, 0).UTC()},
		{Seq: 3, Topic: "t/b", Payload: []byte(`{"n":2}`), Received: time.Unix(3, 0).UTC()},
	})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	for i, want := range []string{" ", "D", "D"} {
		row := lines[1+i]
		if flag := strings.TrimSpace(row[len("│00:00:01.000"):][:2]); flag != strings.TrimSpace(want) {
			t.Fatalf("row %d flag %q, want %q:\n%s", i+1, flag, want, strings.Join(lines, "\n"))
		}
	}
}

// TestFilterResultLeavesCopiesAlone: the history pass's result, taken by
// Update, changes the pane it returns and not an earlier copy (which still
// shows only the arrivals and a running pass).
func TestFilterResultLeavesCopiesAlone(t *testing.T) {
	store := history.NewStore(8 << 20)
	m := New(3, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
	m.SetSize(70, 8)
	fill(store, 1, 100)
	cmd := m.SetFilter("n > 90", mustCompile(t, "n > 90"))
	first, n := store.Append(msgsFrom(101, 105))
	m.Ingest(first, n)
	cp := m
	before := ansi.Strip(cp.View())
	m, _ = m.Update(cmd())
	if got := m.rows.Len(); got != 15 {
		t.Fatalf("after the pass: %d rows, want 15 (91..105)", got)
	}
	if running, _, _ := m.Filtering(); running {
		t.Fatal("the updated pane still reports a running pass")
	}
	if got := cp.rows.Len(); got != 5 {
		t.Fatalf("the copy has %d rows after the original's Update, want its 5", got)
	}
	if running, _, _ := cp.Filtering(); !running {
		t.Fatal("the copy's pass was marked done by the original's Update")
	}
	if after := ansi.Strip(cp.View()); after != before {
		t.Fatalf("the copy's view changed:\n%s\nwas:\n%s", after, before)
	}
}

func TestParseColumnsRefusesDuplicates(t *testing.T) {
	if got, err := ParseColumns("  ident position.speed  "); err != nil || len(got) != 2 || got[0] != "ident" || got[1] != "position.speed" {
		t.Fatalf("ParseColumns = %q, %v; want [ident position.speed]", got, err)
	}
	if got, err := ParseColumns(""); err != nil || len(got) != 0 {
		t.Fatalf("ParseColumns(\"\") = %q, %v; want none (the summary)", got, err)
	}
	if _, err := ParseColumns("ident position.speed ident"); err == nil || !strings.Contains(err.Error(), `"ident" is given twice`) {
		t.Fatalf("ParseColumns with ident twice: %v; want it refused", err)
	}
}

// TestNoMatchSuggestsPropForUserProperty: a filter on user.cid (a payload
// path) that matches nothing says that user properties are prop.NAME.
func TestNoMatchSuggestsPropForUserProperty(t *testing.T) {
	store := history.NewStore(8 << 20)
	m := New(3, themes.Build(themes.Plain()), DefaultKeyMap(), store, "t/#")
	m.SetSize(90, 8)
	m.Focus()
	fill(store, 1, 20)
	src := `user.cid == "8201"`
	m, _ = m.Update(m.SetFilter(src, mustCompile(t, src))())
	v := ansi.Strip(m.View())
	frame(t, v, 90, 8)
	if !strings.Contains(v, "No message matches") || !strings.Contains(v, "did you mean prop.cid") {
		t.Fatalf("want the no-match line and the prop.cid hint; view:\n%s", v)
	}
	src = `n == 999`
	m, _ = m.Update(m.SetFilter(src, mustCompile(t, src))())
	if v := ansi.Strip(m.View()); strings.Contains(v, "prop.") {
		t.Fatalf("a hint for a filter without a user-property-like path; view:\n%s", v)
	}
}
