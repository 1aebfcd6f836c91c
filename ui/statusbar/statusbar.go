// Package statusbar renders the status: connection state and reason,
// session, notices, message rate, totals and the history counters.
//
// It is built from segments with a rank. What cannot be missed (not
// connected and why, session lost, messages dropped, recording failed,
// certificate not verified, errors not yet seen in the log) is never cut:
// when the width is short, the lower-ranked segments take their short form
// ("kept 1.2M", "● REC") and then give way, and if the critical sentences
// alone are wider than the screen they wrap onto a second line (Height).
package statusbar

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// noticeFor is how long a notice stays before the connection state shows
// again (it stays in the message log).
const noticeFor = 8 * time.Second

// maxLines bounds how many lines the critical sentences may take.
const maxLines = 3

// Model is the status bar. It has no keys; the root feeds it state.
type Model struct {
	st    *themes.Styles
	width int

	target  string // what we connect to, e.g. "mqtts://mqtt.flespi.io:8883"
	state   broker.State
	reason  string // why disconnected, in plain words
	retryAt time.Time
	session string // "session resumed", "new persistent session", ...
	lost    bool
	queued  uint64 // messages a resumed session delivered from its queue
	hasQ    bool

	rate     float64
	received uint64
	stats    history.Stats
	dropped  uint64 // bridge drops (counted before history)
	unseen   int    // warnings and errors in the log not yet looked at

	notice    string
	noticeErr bool
	noticeAt  time.Time

	warning string // permanent, e.g. "TLS certificate NOT verified"
	rec     history.RecordStatus
	replay  string // the replay line, when replaying
	keys    string // the replay keys, from the root keymap

	offline bool // showing a file, no broker
	offPath string
	offRead int64
	offSize int64
	offDone bool
	offBad  int
	offErr  string
}

// New returns a status bar for a connection to target.
func New(st *themes.Styles, target string) Model {
	return Model{st: st, target: history.SanitizeLine(target)}
}

// SetWarning sets a warning that stays on the bar ("" none). Keep it
// short: the full sentence belongs in the message log.
func (m *Model) SetWarning(w string) {
	m.warning = strings.TrimSpace(strings.TrimPrefix(history.SanitizeLine(w), "⚠"))
}

// SetReplay shows a replay's progress and its keys instead of the
// connection ("" ends it).
func (m *Model) SetReplay(line, keys string) { m.replay, m.keys = line, keys }

// SetRecording shows the recording state ("● REC file 12,345").
func (m *Model) SetRecording(r history.RecordStatus) { m.rec = r }

// SetUnseen sets how many warnings and errors the log holds unseen.
func (m *Model) SetUnseen(n int) { m.unseen = n }

// SetQueued says how many queued messages the resumed session delivered.
func (m *Model) SetQueued(n uint64) { m.queued, m.hasQ = n, true }

// SetOffline switches the bar to a file's loading progress instead of a
// connection.
func (m *Model) SetOffline(path string, read, size int64, done bool, bad int, err error) {
	m.offline, m.offPath, m.offRead, m.offSize, m.offDone, m.offBad = true, history.SanitizeLine(path), read, size, done, bad
	m.offErr = ""
	if err != nil {
		m.offErr = history.SanitizeLine(err.Error())
	}
}

// SetSize sets the width.
func (m *Model) SetSize(w int) { m.width = w }

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Event applies a connection state event.
func (m *Model) Event(e broker.Event, now time.Time) {
	if e.Kind != broker.EventState {
		return
	}
	m.state = e.State
	switch e.State {
	case broker.StateConnected:
		m.reason, m.hasQ = "", false
		m.lost = e.Session.Lost
		switch {
		case e.Session.Lost:
			m.session = "session lost: messages sent while away are gone"
		case e.Session.Present:
			m.session = "session resumed"
		case e.Session.Persistent:
			m.session = "new persistent session"
		default:
			m.session = "clean session"
		}
	case broker.StateDisconnected:
		if e.Err != nil {
			m.reason = history.SanitizeLine(e.Err.Error())
		}
	case broker.StateWaiting:
		m.retryAt = now.Add(e.RetryIn)
	}
}

// SetCounts updates the figures.
func (m *Model) SetCounts(rate float64, received uint64, stats history.Stats, dropped uint64) {
	m.rate, m.received, m.stats, m.dropped = rate, received, stats, dropped
}

// Notice shows text for a few seconds (isErr colours it as an error).
func (m *Model) Notice(text string, isErr bool, now time.Time) {
	m.notice, m.noticeErr, m.noticeAt = history.SanitizeLine(text), isErr, now
}

// Waiting reports whether a countdown is on screen (the root keeps ticking).
func (m Model) Waiting() bool { return m.state == broker.StateWaiting }

// RetryIn is the time left before the next connection attempt.
func (m Model) RetryIn(now time.Time) time.Duration {
	return max(m.retryAt.Sub(now).Round(time.Second), 0)
}

// NoticeActive reports whether a notice is still showing at now.
func (m Model) NoticeActive(now time.Time) bool {
	return m.notice != "" && now.Sub(m.noticeAt) < noticeFor
}

// State returns the last connection state.
func (m Model) State() broker.State { return m.state }

// Reason returns the last disconnect reason, in plain words.
func (m Model) Reason() string { return m.reason }

// ProgressBar draws pct (0-100) in w cells.
func ProgressBar(pct, w int) string {
	full := pct * w / 100
	return strings.Repeat("█", full) + strings.Repeat("░", w-full)
}

// seg is one piece of the bar. rank orders what stays when space is short
// (lower stays longer); critical segments always stay.
type seg struct {
	full, short string
	st          lipgloss.Style
	rank        int
	critical    bool
	right       bool // in the counters on the right
}

// Height returns how many lines View draws at now: 1, or more when the
// critical sentences do not fit on one.
func (m Model) Height(now time.Time) int { return len(m.lines(now)) }

// View renders the bar: Height lines of exactly width cells.
func (m Model) View(now time.Time) string { return strings.Join(m.lines(now), "\n") }

func (m Model) lines(now time.Time) []string {
	if m.width <= 0 {
		return []string{""}
	}
	segs := m.segments(now)
	s := m.st.Status
	sep := s.Muted.Render(" · ")
	// Critical segments first, in full; if they are too wide together,
	// those that have a short form take it; if they still are, they wrap
	// (in full) and the rest goes.
	width := func(short bool) int {
		n := -3
		for _, g := range segs {
			if g.critical {
				t := g.full
				if short && g.short != "" {
					t = g.short
				}
				n += ansi.StringWidth(t) + 3
			}
		}
		return n
	}
	if width(false) > m.width {
		if width(true) > m.width {
			return m.wrapCritical(segs)
		}
		for i := range segs {
			if segs[i].critical && segs[i].short != "" {
				segs[i].full = segs[i].short
			}
		}
	}
	// Greedy by rank: each segment in its full form if it fits, else its
	// short form, else not at all.
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ga, gb := segs[order[a]], segs[order[b]]
		if ga.critical != gb.critical {
			return ga.critical
		}
		return ga.rank < gb.rank
	})
	chosen := make([]string, len(segs))
	used := 0
	full := false // once a segment finds no room, every lower-ranked one gives way too
	for _, i := range order {
		g := segs[i]
		if full && !g.critical {
			continue
		}
		for _, text := range []string{g.full, g.short} {
			if text == "" {
				continue
			}
			w := ansi.StringWidth(text) + 3
			if g.critical || used+w <= m.width+3 {
				chosen[i] = text
				used += w
				break
			}
		}
		full = full || chosen[i] == ""
	}
	var left, right []string
	for i, g := range segs {
		if chosen[i] == "" {
			continue
		}
		r := g.st.Render(chosen[i])
		if g.right {
			right = append(right, r)
		} else {
			left = append(left, r)
		}
	}
	l, r := strings.Join(left, sep), strings.Join(right, sep)
	gap := max(m.width-ansi.StringWidth(l)-ansi.StringWidth(r), 1)
	return []string{common.Fit(l+strings.Repeat(" ", gap)+r, m.width)}
}

// segments lists what the bar could show, in display order.
func (m Model) segments(now time.Time) []seg {
	s := m.st.Status
	var out []seg
	add := func(g seg) { out = append(out, g) }
	if m.warning != "" {
		// The gist only: the whole sentence is in the message log and in i.
		add(seg{full: "⚠ " + shortWarning(m.warning), st: s.Err, critical: true})
	}
	if m.rec.Active {
		add(seg{full: "● REC " + m.rec.Path + " " + common.Commas(int(m.rec.Lines)), short: "● REC", st: s.Err, rank: 6})
	} else if m.rec.Err != nil {
		add(seg{full: "recording failed: " + history.SanitizeLine(m.rec.Err.Error()), st: s.Err, critical: true})
	}
	switch {
	case m.replay != "":
		add(seg{full: m.replay, st: s.Warn, critical: true})
		if m.keys != "" {
			add(seg{full: m.keys, st: s.Muted, rank: 4, right: true})
		}
	case m.offline:
		out = append(out, m.offlineSegs()...)
	default:
		out = append(out, m.connSegs(now)...)
	}
	if m.NoticeActive(now) {
		st := s.Bar
		if m.noticeErr {
			st = s.Err
		}
		add(seg{full: m.notice, short: ansi.Truncate(m.notice, 40, "…"), st: st, rank: 2})
	}
	if m.unseen > 0 {
		add(seg{full: strconv.Itoa(m.unseen) + " unread in the log (l)", short: strconv.Itoa(m.unseen) + " unread (l)", st: s.Warn, rank: 1})
	}
	if m.replay != "" {
		return out
	}
	return append(out, m.counterSegs()...)
}

// connSegs: the state, the target, and the reason or the session.
func (m Model) connSegs(now time.Time) []seg {
	s := m.st.Status
	var out []seg
	switch m.state {
	case broker.StateConnected:
		out = append(out, seg{full: "● connected", short: "●", st: s.OK, rank: 0})
	case broker.StateConnecting:
		out = append(out, seg{full: "◌ connecting", st: s.Warn, critical: true})
	case broker.StateWaiting:
		retry := "retrying"
		if secs := int(m.RetryIn(now) / time.Second); secs > 0 {
			retry = "retry in " + strconv.Itoa(secs) + "s"
		}
		out = append(out, seg{full: "↻ not connected, " + retry, st: s.Warn, critical: true})
	case broker.StateDisconnected:
		out = append(out, seg{full: "✕ disconnected", st: s.Err, critical: true})
	case broker.StateStopped:
		out = append(out, seg{full: "■ stopped", st: s.Muted, rank: 0})
	default:
		out = append(out, seg{full: "○ starting", st: s.Muted, rank: 0})
	}
	if m.target != "" {
		out = append(out, seg{full: m.target, st: s.Muted, rank: 9})
	}
	switch {
	case m.reason != "" && m.state != broker.StateConnected:
		out = append(out, seg{full: m.reason, st: s.Err, critical: true})
	case m.lost && m.state == broker.StateConnected:
		out = append(out, seg{full: m.session, st: s.Warn, critical: true})
	case m.session != "" && m.state == broker.StateConnected:
		full, short := m.session, m.session
		if m.hasQ {
			full += " · " + common.Commas(int(m.queued)) + " queued delivered"
			short += " · " + common.Short(m.queued) + " queued"
		}
		out = append(out, seg{full: full, short: short, st: s.Muted, rank: 1})
	}
	return out
}

// offlineSegs: a file's name and loading progress.
func (m Model) offlineSegs() []seg {
	s := m.st.Status
	out := []seg{{full: "▤ " + m.offPath, short: "▤", st: s.OK, rank: 5}}
	switch {
	case m.offErr != "":
		out = append(out, seg{full: m.offErr, st: s.Err, critical: true})
	case !m.offDone:
		pct := 0
		if m.offSize > 0 {
			pct = int(m.offRead * 100 / m.offSize)
		}
		out = append(out, seg{full: "loading " + strconv.Itoa(pct) + "% " + ProgressBar(pct, 20), short: "loading " + strconv.Itoa(pct) + "%", st: s.Warn, rank: 1})
	case m.offBad > 0:
		out = append(out, seg{full: common.Commas(m.offBad) + " unreadable lines skipped", st: s.Warn, critical: true})
	}
	return out
}

// counterSegs: rate, totals and history counters, on the right.
func (m Model) counterSegs() []seg {
	s := m.st.Status
	n := func(v uint64) string { return common.Commas(int(v)) }
	sh := common.Short
	out := []seg{}
	if !m.offline {
		rate := strconv.FormatFloat(m.rate, 'f', 1, 64)
		out = append(out, seg{full: rate + " msg/s", short: strconv.FormatFloat(m.rate, 'f', 0, 64) + "/s", st: s.Counter, rank: 4, right: true})
	}
	out = append(out, seg{full: n(m.received) + " recv", short: sh(m.received) + " recv", st: s.Muted, rank: 8, right: true},
		seg{full: "kept " + n(m.stats.Kept), short: "kept " + sh(m.stats.Kept), st: s.Muted, rank: 7, right: true})
	if m.stats.Repeats > 0 {
		out = append(out, seg{full: n(m.stats.Repeats) + " redelivered", short: sh(m.stats.Repeats) + " redeliv.", st: s.Muted, rank: 10, right: true})
	}
	if m.stats.Evicted > 0 {
		out = append(out, seg{full: "evicted " + n(m.stats.Evicted), short: "evict " + sh(m.stats.Evicted), st: s.Muted, rank: 10, right: true})
	}
	if m.dropped > 0 {
		out = append(out, seg{full: "dropped " + n(m.dropped), short: "dropped " + sh(m.dropped), st: s.Warn, critical: true, right: true})
	} else if !m.offline {
		out = append(out, seg{full: "dropped 0", st: s.Muted, rank: 11, right: true})
	}
	return out
}

// shortWarning keeps a warning's gist: the words before a colon.
func shortWarning(w string) string {
	if i := strings.IndexAny(w, ":("); i > 0 {
		return strings.TrimSpace(w[:i])
	}
	return ansi.Truncate(w, 24, "…")
}

// wrapCritical lays out only the critical segments (short forms where they
// have one) on as many lines as they need, packed in display order; a
// sentence longer than a line wraps. Past maxLines the last line points at
// the message log, where everything is in full.
func (m Model) wrapCritical(segs []seg) []string {
	sep := m.st.Status.Muted.Render(" · ")
	var out []string
	cur, curW := "", 0
	flush := func() {
		if curW > 0 {
			out = append(out, common.Fit(cur, m.width))
		}
		cur, curW = "", 0
	}
	for _, g := range segs {
		if !g.critical {
			continue
		}
		t := g.full
		if g.short != "" {
			t = g.short
		}
		for _, piece := range common.Wrap(t, m.width) {
			w := ansi.StringWidth(piece)
			if curW > 0 && curW+3+w > m.width {
				flush()
			}
			if curW > 0 {
				cur += sep
				curW += 3
			}
			cur += g.st.Render(piece)
			curW += w
		}
	}
	flush()
	if len(out) > maxLines {
		out = append(out[:maxLines-1], common.Fit(m.st.Status.Err.Render("… more: l shows the message log in full"), m.width))
	}
	return out
}
