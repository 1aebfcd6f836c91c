package statusbar

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/common"
)

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
		if m.offBad > 0 { // a file that ends early may also have skipped lines
			out = append(out, seg{full: common.Commas(m.offBad) + " unreadable lines skipped", st: s.Warn, critical: true})
		}
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
