// Package statusbar renders the one-line status: connection state and
// reason, session, message rate, totals and the history counters.
package statusbar

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// noticeFor is how long an info or error notice stays before the
// connection state shows again.
const noticeFor = 8 * time.Second

// Model is the status bar. It has no keys; the root feeds it state.
type Model struct {
	st    *themes.Styles
	width int

	target  string // what we connect to, e.g. "mqtts://mqtt.flespi.io:8883"
	state   broker.State
	reason  string // why disconnected, in plain words
	retryAt time.Time
	session string // "session resumed", "new session", ...
	lost    bool

	rate     float64
	received uint64
	stats    history.Stats
	dropped  uint64 // bridge drops (counted before history)

	notice    string
	noticeErr bool
	noticeAt  time.Time

	warning string // permanent, e.g. "TLS certificate NOT verified"
	rec     history.RecordStatus
	replay  string // the replay line, when replaying

	offline bool // showing a file, no broker
	offPath string
	offRead int64
	offSize int64
	offDone bool
	offBad  int
	offErr  string
}

// SetWarning sets a warning that stays at the start of the bar ("" none).
func (m *Model) SetWarning(w string) { m.warning = w }

// SetReplay shows a replay's progress instead of the connection ("" ends it).
func (m *Model) SetReplay(line string) { m.replay = line }

// SetRecording shows the recording state ("● REC file 12,345").
func (m *Model) SetRecording(r history.RecordStatus) { m.rec = r }

// SetOffline switches the bar to a file's loading progress instead of a
// connection.
func (m *Model) SetOffline(path string, read, size int64, done bool, bad int, err error) {
	m.offline, m.offPath, m.offRead, m.offSize, m.offDone, m.offBad = true, history.SanitizeLine(path), read, size, done, bad
	m.offErr = ""
	if err != nil {
		m.offErr = history.SanitizeLine(err.Error())
	}
}

// New returns a status bar for a connection to target.
func New(st *themes.Styles, target string) Model {
	return Model{st: st, target: target}
}

// SetSize sets the width (the bar is one line high).
func (m *Model) SetSize(w int) { m.width = w }

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// SetTarget sets what the connection points at (shown while connecting).
func (m *Model) SetTarget(t string) { m.target = t }

// Event applies a connection state event.
func (m *Model) Event(e broker.Event, now time.Time) {
	if e.Kind != broker.EventState {
		return
	}
	m.state = e.State
	switch e.State {
	case broker.StateConnected:
		m.reason = ""
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

// SetCounts updates the figures on the right.
func (m *Model) SetCounts(rate float64, received uint64, stats history.Stats, dropped uint64) {
	m.rate, m.received, m.stats, m.dropped = rate, received, stats, dropped
}

// Notice shows text for a few seconds (isErr colours it as an error).
func (m *Model) Notice(text string, isErr bool, now time.Time) {
	m.notice, m.noticeErr, m.noticeAt = history.SanitizeLine(text), isErr, now
}

// Waiting reports whether a countdown is on screen (the root keeps ticking).
func (m Model) Waiting() bool { return m.state == broker.StateWaiting }

// NoticeActive reports whether a notice is still showing at now.
func (m Model) NoticeActive(now time.Time) bool {
	return m.notice != "" && now.Sub(m.noticeAt) < noticeFor
}

// State returns the last connection state.
func (m Model) State() broker.State { return m.state }

// Reason returns the last disconnect reason, in plain words.
func (m Model) Reason() string { return m.reason }

// ProgressBar draws pct (0-100) in w cells.
func ProgressBar(pct, w int) string { return progressBar(pct, w) }

func progressBar(pct, w int) string {
	full := pct * w / 100
	return strings.Repeat("█", full) + strings.Repeat("░", w-full)
}

// View renders one line of exactly width cells.
func (m Model) View(now time.Time) string {
	s := m.st.Status
	var left strings.Builder
	if m.warning != "" {
		left.WriteString(s.Err.Render(m.warning) + " ")
	}
	if m.rec.Active {
		left.WriteString(s.Err.Render("● REC "))
		left.WriteString(s.Muted.Render(m.rec.Path + " " + common.Commas(int(m.rec.Lines)) + " · "))
	} else if m.rec.Err != nil {
		left.WriteString(s.Err.Render("recording failed: " + history.SanitizeLine(m.rec.Err.Error()) + " · "))
	}
	if m.replay != "" {
		left.WriteString(s.Warn.Render(m.replay))
		if m.NoticeActive(now) {
			left.WriteString(s.Muted.Render(" · ") + s.Bar.Render(m.notice))
		}
		return m.join(left.String(), s.Muted.Render("p pause · 1-4 speed · [ ] seek · P stop"))
	}
	if m.offline {
		left.WriteString(s.OK.Render("▤ " + m.offPath))
		switch {
		case m.offErr != "":
			left.WriteString(s.Muted.Render(" · ") + s.Err.Render(m.offErr))
		case !m.offDone:
			pct := 0
			if m.offSize > 0 {
				pct = int(m.offRead * 100 / m.offSize)
			}
			left.WriteString(s.Warn.Render(" loading " + strconv.Itoa(pct) + "% " + progressBar(pct, 20)))
		case m.offBad > 0:
			left.WriteString(s.Warn.Render(" · " + common.Commas(m.offBad) + " unreadable lines skipped"))
		}
		if m.NoticeActive(now) {
			st := s.Bar
			if m.noticeErr {
				st = s.Err
			}
			left.WriteString(s.Muted.Render(" · ") + st.Render(m.notice))
		}
		return m.join(left.String(), s.Counter.Render(common.Commas(int(m.received))+" messages")+s.Muted.Render(" · kept "+common.Commas(int(m.stats.Kept))))
	}
	switch m.state {
	case broker.StateConnected:
		left.WriteString(s.OK.Render("● connected"))
	case broker.StateConnecting:
		left.WriteString(s.Warn.Render("◌ connecting"))
	case broker.StateWaiting:
		secs := int(m.retryAt.Sub(now).Round(time.Second) / time.Second)
		left.WriteString(s.Warn.Render("↻ retry in " + strconv.Itoa(max(secs, 0)) + "s"))
	case broker.StateDisconnected:
		left.WriteString(s.Err.Render("✕ disconnected"))
	case broker.StateStopped:
		left.WriteString(s.Muted.Render("■ stopped"))
	default:
		left.WriteString(s.Muted.Render("○ offline"))
	}
	if m.target != "" {
		left.WriteString(s.Muted.Render(" " + m.target))
	}
	switch {
	case m.NoticeActive(now):
		st := s.Bar
		if m.noticeErr {
			st = s.Err
		}
		left.WriteString(s.Muted.Render(" · ") + st.Render(m.notice))
	case m.reason != "" && m.state != broker.StateConnected:
		left.WriteString(s.Muted.Render(" · ") + s.Err.Render(m.reason))
	case m.session != "" && m.state == broker.StateConnected:
		st := s.Muted
		if m.lost {
			st = s.Warn
		}
		left.WriteString(s.Muted.Render(" · ") + st.Render(m.session))
	}

	var right strings.Builder
	right.WriteString(s.Counter.Render(strconv.FormatFloat(m.rate, 'f', 1, 64) + " msg/s"))
	if m.NoticeActive(now) && ansi.StringWidth(left.String()) > m.width/2 {
		// A notice is worth more than the totals for its few seconds.
		return m.join(left.String(), right.String())
	}
	right.WriteString(s.Muted.Render(" · " + common.Commas(int(m.received)) + " recv"))
	right.WriteString(s.Muted.Render(" · kept " + common.Commas(int(m.stats.Kept))))
	if m.stats.Repeats > 0 {
		right.WriteString(s.Muted.Render(" · " + common.Commas(int(m.stats.Repeats)) + " redelivered"))
	}
	if m.stats.Evicted > 0 {
		right.WriteString(s.Muted.Render(" · evicted " + common.Commas(int(m.stats.Evicted))))
	}
	drop := m.dropped
	dropSt := s.Muted
	if drop > 0 {
		dropSt = s.Warn
	}
	right.WriteString(dropSt.Render(" · dropped " + common.Commas(int(drop))))

	return m.join(left.String(), right.String())
}

// join lays out the left and right parts on one line of exactly width cells.
func (m Model) join(l, r string) string {
	lw, rw := ansi.StringWidth(l), ansi.StringWidth(r)
	if lw+1+rw > m.width {
		// The counters give way first, then the left side is cut.
		if rw > m.width/2 {
			r = ansi.Truncate(r, max(m.width/2, 0), "…")
			rw = ansi.StringWidth(r)
		}
		l = ansi.Truncate(l, max(m.width-rw-1, 0), "…")
		lw = ansi.StringWidth(l)
	}
	gap := max(m.width-lw-rw, 0)
	return common.Fit(l+strings.Repeat(" ", gap)+r, m.width)
}
