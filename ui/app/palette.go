package app

import (
	"sort"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"hubtap/ui/common"
)

// action is one entry of the command palette: what a key does.
type action struct {
	desc, key string
	b         key.Binding
}

// palette is the command palette (: or ctrl+p): fuzzy search over every
// action that has a key, enter runs it.
type palette struct {
	open    bool
	input   textinput.Model
	all     []action
	matches []action
	cursor  int
}

func (m *Model) actions() []action {
	bindings := []key.Binding{m.keys.Filter, m.keys.ClearFilter, m.keys.Subscribe, m.keys.NewPane, m.keys.ClosePane,
		m.keys.Rename, m.keys.Topics, m.keys.Zoom, m.keys.Layout, m.keys.Resume, m.keys.Tree, m.keys.Detail, m.keys.Jump, m.keys.Record,
		m.keys.Export, m.keys.ExportOne, m.keys.Copy, m.keys.CopyTopic, m.keys.Replay, m.keys.Focus, m.keys.Help, m.keys.Quit}
	pk := m.cp().KeyMap()
	bindings = append(bindings, pk.Follow, pk.Oldest, pk.Newest, pk.PageUp, pk.PageDown)
	var out []action
	for _, b := range bindings {
		if len(b.Keys()) == 0 {
			continue
		}
		out = append(out, action{desc: b.Help().Desc, key: b.Help().Key, b: b})
	}
	return out
}

func (m *Model) openPalette() tea.Cmd {
	in := textinput.New()
	in.Prompt = "command ▸ "
	in.Placeholder = "type to search: filter, zoom, record, replay, export…"
	in.SetWidth(max(m.width-14, 10))
	m.palette = palette{open: true, input: in, all: m.actions()}
	m.palette.refilter()
	return m.palette.input.Focus()
}

// fuzzyScore matches q's letters in order inside s; lower is better, -1 no match.
func fuzzyScore(q, s string) int {
	q, s = strings.ToLower(q), strings.ToLower(s)
	if q == "" {
		return 0
	}
	if i := strings.Index(s, q); i >= 0 {
		return i // a substring beats a scattered match
	}
	score, pos := 100, 0
	for _, r := range q {
		if unicode.IsSpace(r) {
			continue
		}
		i := strings.IndexRune(s[pos:], r)
		if i < 0 {
			return -1
		}
		score += i
		pos += i + len(string(r))
	}
	return score
}

func (p *palette) refilter() {
	q := p.input.Value()
	type scored struct {
		a action
		s int
	}
	var hits []scored
	for _, a := range p.all {
		if s := fuzzyScore(q, a.desc+" "+a.key); s >= 0 {
			hits = append(hits, scored{a, s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].s < hits[j].s })
	p.matches = p.matches[:0]
	for _, h := range hits {
		p.matches = append(p.matches, h.a)
	}
	p.cursor = min(p.cursor, max(len(p.matches)-1, 0))
}

// keyPress builds the key press that a binding's first key names.
func keyPress(k string) tea.KeyPressMsg {
	named := map[string]rune{"space": tea.KeySpace, "tab": tea.KeyTab, "esc": tea.KeyEscape, "enter": tea.KeyEnter,
		"up": tea.KeyUp, "down": tea.KeyDown, "home": tea.KeyHome, "end": tea.KeyEnd, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown}
	if r, ok := named[k]; ok {
		if k == "space" {
			return tea.KeyPressMsg{Code: r, Text: " "}
		}
		return tea.KeyPressMsg{Code: r}
	}
	if rs := []rune(k); len(rs) == 1 {
		return tea.KeyPressMsg{Code: rs[0], Text: k}
	}
	if strings.HasPrefix(k, "ctrl+") && len(k) == 6 {
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{}
}

// paletteKey handles keys while the palette is open.
func (m Model) paletteKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	p := &m.palette
	switch msg.String() {
	case "esc", "ctrl+c":
		p.open = false
		return m, nil
	case "up", "ctrl+p":
		p.cursor = max(p.cursor-1, 0)
		return m, nil
	case "down", "ctrl+n":
		p.cursor = min(p.cursor+1, max(len(p.matches)-1, 0))
		return m, nil
	case "enter":
		p.open = false
		if p.cursor < len(p.matches) {
			return m.onKey(keyPress(p.matches[p.cursor].b.Keys()[0]))
		}
		return m, nil
	}
	var cmd tea.Cmd
	before := p.input.Value()
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.cursor = 0
		p.refilter()
	}
	return m, cmd
}

// paletteView draws the palette as a framed list in a w×h area.
func (m Model) paletteView(w, h int) string {
	p := m.palette
	lines := []string{p.input.View(), ""}
	for i, a := range p.matches {
		if len(lines) >= h-2 {
			break
		}
		line := common.Fit(m.st.Help.Key.Render(a.key), 10) + " " + a.desc
		if i == p.cursor {
			line = m.st.List.Selected.Render(common.Fit(a.key, 10) + " " + a.desc)
		}
		lines = append(lines, line)
	}
	if len(p.matches) == 0 {
		lines = append(lines, m.st.List.Hint.Render("no command matches"))
	}
	return common.Frame(m.st, true, "commands", "enter runs · esc closes", w, h, lines)
}
