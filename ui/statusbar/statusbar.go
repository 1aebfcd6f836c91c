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
	tea "charm.land/bubbletea/v2"
	"strings"
	"time"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
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
	now   func() time.Time

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
// now is the clock for countdowns and notices (nil: time.Now).
func New(st *themes.Styles, target string, now func() time.Time) Model {
	if now == nil {
		now = time.Now
	}
	return Model{st: st, target: history.SanitizeLine(target), now: now}
}

// Update does nothing: the bar has no keys and takes no messages; the
// root feeds it state through the setters. It is here so the bar has the
// same shape as every component.
func (m Model) Update(tea.Msg) (Model, tea.Cmd) { return m, nil }

// Focus and Blur do nothing: the bar never has the keyboard.
func (m *Model) Focus() {}

// Blur: see Focus.
func (m *Model) Blur() {}

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
