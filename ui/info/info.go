// Package info is the connection panel (i): what hubtap asked for, what the
// broker granted (CONNACK session and limits, flespi's token description
// without the secret), the subscriptions with their SUBACK results, and
// the last connection problem in full words.
package info

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
	"hubtap/ui/common"
)

// Requested is what hubtap asks the broker for, known before connecting.
type Requested struct {
	ClientID      string
	SessionExpiry time.Duration // 0: a clean session
	QoS           byte
	Scheme        string // mqtt, mqtts, ws or wss
	Creds         broker.Credentials
	Notes         []string
}

// Sub is one subscription and its SUBACK result.
type Sub struct {
	Filter  string
	Result  broker.SubResult
	Pending bool // no SUBACK yet
}

// State is everything the panel shows; the root sets it.
type State struct {
	Target    string
	Requested Requested
	Session   broker.SessionInfo // zero until the first CONNACK
	Connected bool
	Problem   string // the last refusal or error, in words ("" none)
	Subs      []Sub
	Offline   bool // a file, not a broker
	// Token is the token as REST auth/info describes it, in words (nil:
	// no REST API); Silent names granted subscriptions that stay silent.
	Token, Silent []string
}

// CloseMsg says the panel was closed.
type CloseMsg struct{}

// KeyMap lists the panel's bindings.
type KeyMap struct{ Up, Down, Close key.Binding }

// DefaultKeyMap returns a fresh KeyMap.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "scroll up")),
		Down:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "scroll down")),
		Close: key.NewBinding(key.WithKeys("esc", "i", "q"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Close} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// Model is the panel.
type Model struct {
	keys  KeyMap
	st    *themes.Styles
	state State
	lines []string // rendered from state by Set
	top   int
	w, h  int
}

// New returns an empty panel.
func New(st *themes.Styles) Model { return Model{keys: DefaultKeyMap(), st: st} }

// Set replaces what the panel shows.
func (m *Model) Set(s State) {
	m.state = s
	m.render()
}

// SetSize sets the area the panel draws in.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// SetStyles swaps the styles.
func (m *Model) SetStyles(st *themes.Styles) {
	m.st = st
	m.render()
}

// Focus resets the scroll position.
func (m *Model) Focus() { m.top = 0 }

// Blur does nothing; the panel has no cursor.
func (m *Model) Blur() {}

// KeyMap returns the bindings, for help.
func (m Model) KeyMap() KeyMap { return m.keys }

// Lines returns the panel's text (for tests).
func (m Model) Lines() []string { return m.lines }

// Update scrolls and closes.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Close):
		return m, func() tea.Msg { return CloseMsg{} }
	case key.Matches(kp, m.keys.Up):
		m.top = max(m.top-1, 0)
	case key.Matches(kp, m.keys.Down):
		m.top = min(m.top+1, max(len(m.lines)-(m.h-2), 0))
	}
	return m, nil
}

// View draws the panel, framed, exactly the set size.
func (m Model) View() string {
	lines := m.lines
	if m.top < len(lines) {
		lines = lines[m.top:]
	}
	return common.Frame(m.st, true, "connection", "↑↓ scroll · esc closes", m.w, m.h, lines)
}

func (m *Model) render() {
	s := m.state
	label := func(l string) string { return m.st.Detail.Label.Render(common.Fit(l, 18)) }
	muted := m.st.Detail.Muted.Render
	var out []string
	add := func(l, v string) { out = append(out, label(l)+v) }
	add("broker", history.SanitizeLine(s.Target))
	if s.Offline {
		m.lines = append(out, "", m.st.List.Hint.Render("a file, not a broker: nothing to connect to"))
		return
	}
	if s.Problem != "" {
		out = append(out, m.st.Status.Err.Render("✕ "+s.Problem))
	}
	r := s.Requested
	out = append(out, "", m.st.Detail.Label.Render("asked for"))
	add("  client ID", history.SanitizeLine(r.ClientID))
	if r.SessionExpiry > 0 {
		add("  session", "persistent, expiry "+r.SessionExpiry.String()+", clean start off")
	} else {
		add("  session", "clean (ends with the connection)")
	}
	add("  QoS", strconv.Itoa(int(r.QoS)))
	creds := r.Creds.Kind
	if creds == "" {
		creds = "none"
	}
	add("  credentials", creds)
	for _, n := range r.Notes {
		out = append(out, "  "+m.st.Status.Warn.Render(n))
	}
	out = append(out, "", m.st.Detail.Label.Render("granted by the broker"))
	if s.Session.ClientID == "" && !s.Connected {
		out = append(out, m.st.List.Hint.Render("  not connected yet: nothing granted"))
	} else {
		out = append(out, m.granted(label)...)
	}
	out = append(out, "", m.st.Detail.Label.Render("subscriptions"))
	for _, sub := range s.Subs {
		res := "pending"
		if !sub.Pending {
			res = broker.Explain("SUBACK", sub.Result.Code)
		}
		out = append(out, "  "+history.SanitizeLine(sub.Filter)+"  "+muted(res))
	}
	if len(s.Subs) == 0 {
		out = append(out, m.st.List.Hint.Render("  none"))
	}
	for _, h := range s.Silent {
		out = append(out, "  "+m.st.Status.Warn.Render("silent: "+history.SanitizeLine(h)))
	}
	if len(s.Token) > 0 {
		out = append(out, "", m.st.Detail.Label.Render("token (REST auth/info)"))
		for _, l := range s.Token {
			out = append(out, "  "+history.SanitizeLine(l))
		}
	}
	m.lines = out
}

// granted lists what the CONNACK said.
func (m *Model) granted(label func(string) string) []string {
	s := m.state.Session
	var out []string
	add := func(l, v string) { out = append(out, label(l)+v) }
	add("  client ID", history.SanitizeLine(s.ClientID))
	sess := "clean (ends with the connection)"
	if s.Persistent {
		sess = "persistent, expiry " + strconv.FormatUint(uint64(s.ExpirySeconds), 10) + " s"
		switch {
		case s.Lost:
			sess += ", LOST: the broker no longer had it"
		case s.Present:
			sess += ", resumed"
		default:
			sess += ", new"
		}
	}
	add("  session", sess)
	if s.ServerKeepAlive > 0 || s.ReceiveMax > 0 {
		add("  flow", "keep alive "+strconv.Itoa(int(s.ServerKeepAlive))+" s (the server's; 0: ours) · receive maximum "+strconv.Itoa(int(s.ReceiveMax)))
	}
	for _, u := range s.User {
		switch u.Key {
		case "token":
			out = append(out, label("  token (flespi)"))
			for _, kv := range broker.TokenFields(u.Value) {
				out = append(out, "    "+history.SanitizeLine(kv[0])+" = "+history.SanitizeLine(kv[1]))
			}
		case "subscriptions":
			add("  restored subs", history.SanitizeLine(u.Value))
		default:
			v := u.Value
			if broker.Secretish(u.Key) {
				v = "[hidden]"
			}
			add("  prop "+history.SanitizeLine(u.Key), history.SanitizeLine(v))
		}
	}
	l := s.Limits
	pkt := "no limit given"
	if l.MaxPacketSize > 0 {
		pkt = common.Commas(int(l.MaxPacketSize)) + " bytes"
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	add("  limits", "max packet "+pkt+" · max QoS "+strconv.Itoa(int(l.MaxQoS))+" · topic aliases "+strconv.Itoa(int(l.TopicAliasMax)))
	add("  available", "retain "+yes(l.RetainAvailable)+" · wildcards "+yes(l.Wildcards)+" · shared subs "+yes(l.SharedSubs)+
		" · subscription IDs "+yes(l.SubIDs))
	if l.ReasonString != "" {
		add("  broker says", history.SanitizeLine(l.ReasonString))
	}
	out = append(out, m.st.Detail.Muted.Render("  (limits as reported by the broker in CONNACK)"))
	return out
}
