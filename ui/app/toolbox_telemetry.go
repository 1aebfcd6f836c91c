package app

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/flespi"
	"hubtap/ui/msglog"
	"hubtap/ui/toolbox"
)

// --- telemetry snapshot (K) ---

type telemetryDoneMsg struct {
	t   target
	tel map[string]flespi.Telemetry
	err error
}

func (m *Model) cmdTelemetry(tea.KeyPressMsg) tea.Cmd {
	return m.withDevice("telemetry", func(m *Model, t target) tea.Cmd {
		c, ctx := m.cfg.Toolbox.REST, m.ctx
		open := m.openTool(overlayTelemetry, toolbox.Spec{Title: "telemetry of " + t.label(),
			Lines: lines(toolbox.Hint, "GET gw/devices/"+strconv.FormatInt(t.deviceID, 10)+"/telemetry/all…")})
		return tea.Batch(open, func() tea.Msg {
			ctx, cancel := restCtx(ctx)
			defer cancel()
			tel, err := c.DeviceTelemetry(ctx, t.deviceID)
			return telemetryDoneMsg{t: t, tel: tel, err: err}
		})
	})
}

func (m *Model) onTelemetryDone(msg telemetryDoneMsg) tea.Cmd {
	title := "telemetry of " + msg.t.label()
	if msg.err != nil {
		m.setTool(overlayTelemetry, toolbox.Spec{Title: title, Lines: lines(toolbox.Err, msg.err.Error())})
		return m.notify("telemetry: "+msg.err.Error(), msglog.Error)
	}
	m.setTool(overlayTelemetry, toolbox.Spec{Title: title, Lines: telemetryLines(msg.tel, m.now(), m.staleAfter())})
	return nil
}

func (m *Model) staleAfter() time.Duration {
	if d := m.cfg.Toolbox.StaleAfter; d > 0 {
		return d
	}
	return 10 * time.Minute
}

// telemetryLines lists each parameter with its value and age, oldest
// last; parameters older than stale are highlighted.
func telemetryLines(tel map[string]flespi.Telemetry, now time.Time, stale time.Duration) []toolbox.Line {
	names := make([]string, 0, len(tel))
	for k := range tel {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if tel[names[i]].TS != tel[names[j]].TS {
			return tel[names[i]].TS > tel[names[j]].TS
		}
		return names[i] < names[j]
	})
	old := 0
	var body []toolbox.Line
	for _, k := range names {
		v := tel[k]
		val := string(bytes.TrimSpace(v.Value))
		if len(val) > 60 {
			val = val[:57] + "…"
		}
		age := "age unknown"
		lvl := toolbox.Plain
		if v.TS > 0 {
			d := now.Sub(flespi.UnixTime(v.TS))
			age = flespi.Duration(d) + " old"
			if d > stale {
				lvl, age = toolbox.Warn, age+" ⚠"
				old++
			}
		}
		body = append(body, toolbox.Line{Text: padRight(k, 34) + " " + padRight(val, 24) + " " + age, Level: lvl, Row: -1})
	}
	head := strconv.Itoa(len(names)) + " parameters; " + strconv.Itoa(old) + " older than " + flespi.Duration(stale) + " (highlighted)"
	return append(lines(toolbox.Label, head), body...)
}

func padRight(s string, n int) string {
	if len([]rune(s)) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len([]rune(s)))
}
