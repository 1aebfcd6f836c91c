// Package devices is the device view: one row per device (by ident, else
// device.id, else topic) with messages, rate, last seen, position, ignition,
// voltages, GSM and anomaly counts; stale devices marked; sortable; enter
// opens a pane on the device's messages.
package devices

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
	"hubtap/ui/common"
)

// OpenMsg asks the root to open a pane on one device's messages.
type OpenMsg struct {
	Key    string // the device key (ident, device.id or topic)
	Filter string // a filter expression selecting its messages
}

// KeyMap lists the view's bindings.
type KeyMap struct{ Up, Down, PageUp, PageDown, Sort, Reverse, Open, All key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn", "page down")),
		Sort:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort by next column")),
		Reverse:  key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse order")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open device's messages")),
		All:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "show/hide parameter topics")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Sort, k.Reverse, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Open, k.Sort, k.Reverse, k.All}}
}

// Model is the device table. Refresh copies the tracker's devices (on
// ticks and batches), so View only formats. The tracker is shared (the
// root owns it); rows is a fresh copy on every Refresh, so copies of a
// Model never see each other's rows, order or cursor.
type Model struct {
	keys    KeyMap
	st      *themes.Styles
	tr      *telematics.Tracker
	rows    []telematics.Device
	by      telematics.Column
	desc    bool
	all     bool            // also list topics that only carry bare values (state/telemetry)
	hidden  int             // how many such topics are not listed
	sc      common.Scroller // over rows, below the header line
	focused bool
	width   int
	height  int
	now     time.Time
}

// New returns a device view over tr, sorted by last seen, newest first.
func New(st *themes.Styles, tr *telematics.Tracker) Model {
	return Model{keys: DefaultKeyMap(), st: st, tr: tr, by: telematics.ColLastSeen, desc: true}
}

// SetSize sets the outer size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.sc.SetHeight(max(h-3, 0)) // the frame and the header line
}

// SetStyles swaps styles.
func (m *Model) SetStyles(st *themes.Styles) { m.st = st }

// Focus gives the view the keyboard.
func (m *Model) Focus() { m.focused = true }

// Blur takes it away.
func (m *Model) Blur() { m.focused = false }

// KeyMap returns the bindings.
func (m Model) KeyMap() KeyMap { return m.keys }

// Current returns the device under the cursor (false when there is none).
func (m Model) Current() (telematics.Device, bool) {
	if c := m.sc.Cursor; c < len(m.rows) {
		return m.rows[c], true
	}
	return telematics.Device{}, false
}

// Refresh copies and sorts the devices as of now.
func (m *Model) Refresh(now time.Time) {
	var key string
	if c := m.sc.Cursor; c < len(m.rows) {
		key = m.rows[c].Key
	}
	m.now = now
	m.rows = m.tr.Devices()
	m.hidden = 0
	if !m.all {
		// Topics without ident whose messages carry no telemetry (flespi's
		// state/telemetry/{param} topics: bare values) are parameters, not
		// devices; they are hidden unless asked for.
		kept := m.rows[:0]
		for _, d := range m.rows {
			if d.By == telematics.ByTopic && d.Have == 0 && d.NoTimestamp == d.Messages {
				m.hidden++
				continue
			}
			kept = append(kept, d)
		}
		m.rows = kept
	}
	telematics.SortDevices(m.rows, m.by, m.desc)
	for i := range m.rows { // the cursor stays on its device
		if m.rows[i].Key == key {
			m.sc.Cursor = i
			break
		}
	}
	m.sc.SetLen(len(m.rows))
}

// Update handles keys and the mouse wheel while focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if !m.focused {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		m.sc.Wheel(msg)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onKey(kp tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(kp, m.keys.Up):
		m.sc.Up()
	case key.Matches(kp, m.keys.Down):
		m.sc.Down()
	case key.Matches(kp, m.keys.PageUp):
		m.sc.PageUp()
	case key.Matches(kp, m.keys.PageDown):
		m.sc.PageDown()
	case key.Matches(kp, m.keys.Sort):
		cols := telematics.Columns()
		for i, c := range cols {
			if c == m.by {
				m.by = cols[(i+1)%len(cols)]
				break
			}
		}
		m.Refresh(m.now)
	case key.Matches(kp, m.keys.All):
		m.all = !m.all
		m.Refresh(m.now)
	case key.Matches(kp, m.keys.Reverse):
		m.desc = !m.desc
		m.Refresh(m.now)
	case key.Matches(kp, m.keys.Open):
		if c := m.sc.Cursor; c < len(m.rows) {
			d := m.rows[c]
			f := openFilter(d)
			return m, func() tea.Msg { return OpenMsg{Key: d.Key, Filter: f} }
		}
	}
	return m, nil
}

// openFilter selects a device's messages in the filter language.
func openFilter(d telematics.Device) string {
	switch d.By {
	case telematics.ByTopic:
		return "topic == " + strconv.Quote(d.Key)
	case telematics.ByDeviceID:
		return "device.id == " + d.Key
	}
	return "ident == " + strconv.Quote(d.Key)
}

// View renders exactly height lines of at most width cells.
func (m Model) View() string {
	inner := max(m.width-2, 0)
	lines := []string{m.st.Detail.Label.Render(common.Fit(m.header(), inner))}
	stale := 0
	for i := range m.rows {
		if m.rows[i].Stale(m.now) {
			stale++
		}
	}
	from, to := m.sc.Visible()
	for i := from; i < to; i++ {
		line := m.row(&m.rows[i], inner)
		switch {
		case i == m.sc.Cursor:
			st := m.st.List.Selected
			if !m.focused {
				st = m.st.List.SelectedBlurred
			}
			line = st.Render(common.Fit(ansi.Strip(line), inner))
		case m.rows[i].Stale(m.now):
			line = m.st.Detail.Muted.Render(line)
		}
		lines = append(lines, line)
	}
	if len(m.rows) == 0 {
		lines = append(lines, m.st.List.Hint.Render("No devices yet: they appear with their first message."))
	}
	arrow := "↑"
	if m.desc {
		arrow = "↓"
	}
	info := common.Commas(len(m.rows)) + " devices"
	if stale > 0 {
		info += " · " + common.Commas(stale) + " stale (> " + m.tr.StaleAfter().String() + ")"
	}
	if m.hidden > 0 {
		info += " · " + common.Commas(m.hidden) + " parameter topics hidden (a)"
	}
	info += " · by " + m.by.String() + " " + arrow
	return common.Frame(m.st, m.focused, "devices", info, m.width, m.height, lines)
}

func (m Model) header() string {
	return "  device          msgs    /s  seen      speed  position              ign  batt/pwr  gsm  anomalies"
}

func (m Model) row(d *telematics.Device, w int) string {
	var b strings.Builder
	mark := "  "
	if d.Stale(m.now) {
		mark = "z " // asleep: silent longer than the threshold
	} else if d.Anomalies() > 0 {
		mark = "! "
	}
	b.WriteString(mark)
	b.WriteString(common.Fit(history.SanitizeLine(d.Label()), 15))
	b.WriteString(common.PadLeft(common.Commas(int(d.Messages)), 6))
	b.WriteString(common.PadLeft(strconv.FormatFloat(d.Rate, 'f', 1, 64), 6))
	b.WriteString("  ")
	b.WriteString(common.Fit(ago(d.LastSeenAgo(m.now)), 8))
	if d.Have&telematics.HaveSpeed != 0 {
		b.WriteString(common.PadLeft(strconv.FormatFloat(d.Speed, 'f', 0, 64), 6))
	} else {
		b.WriteString(common.PadLeft("-", 6))
	}
	b.WriteString("  ")
	pos := "-"
	if d.Have&telematics.HavePosition != 0 {
		pos = strconv.FormatFloat(d.Lat, 'f', 5, 64) + "," + strconv.FormatFloat(d.Lon, 'f', 5, 64)
	}
	b.WriteString(common.Fit(pos, 21))
	ign := " -  "
	if d.Have&telematics.HaveIgnition != 0 {
		ign = " off"
		if d.Ignition {
			ign = " on "
		}
	}
	b.WriteString(ign)
	volt := "-"
	switch {
	case d.Have&telematics.HaveBattery != 0:
		volt = strconv.FormatFloat(d.Battery, 'f', 2, 64) + "V"
	case d.Have&telematics.HavePower != 0:
		volt = strconv.FormatFloat(d.Power, 'f', 1, 64) + "V"
	}
	b.WriteString(common.PadLeft(volt, 10))
	gsm := "-"
	if d.Have&telematics.HaveGSM != 0 {
		gsm = strconv.FormatFloat(d.GSM, 'f', 0, 64)
	}
	b.WriteString(common.PadLeft(gsm, 5))
	b.WriteString("  ")
	b.WriteString(anomalies(d))
	return ansi.Truncate(b.String(), w, "…")
}

// anomalies spells the per-flag counts: "gap 2, future 1".
func anomalies(d *telematics.Device) string {
	var parts []string
	for _, f := range telematics.AllFlags() {
		if n := d.Counts.Of(f); n > 0 {
			parts = append(parts, f.String()+" "+common.Commas(int(n)))
		}
	}
	return strings.Join(parts, ", ")
}

// ago formats a duration like "4s", "12m", "3h".
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "-"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return strconv.Itoa(int(d/time.Hour)) + "h"
}
