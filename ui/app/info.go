package app

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/common"
)

// secretish reports whether a JSON key names something never to show.
func secretish(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"key", "token", "secret", "password", "passwd"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// tokenInfo summarises flespi's CONNACK "token" user property (a JSON
// object describing the token), leaving out anything that could be the
// secret itself.
func tokenInfo(v string) []string {
	r := gjson.Parse(v)
	if !gjson.Valid(v) || !r.IsObject() {
		return []string{"(not JSON)"}
	}
	var out []string
	r.ForEach(func(k, val gjson.Result) bool {
		s := val.Raw
		if val.Type == gjson.String {
			s = val.Str
		}
		if secretish(k.Str) || (val.Type == gjson.String && len(val.Str) >= 40) {
			s = "[hidden]"
		}
		if len(s) > 80 {
			s = s[:80] + "…"
		}
		out = append(out, history.SanitizeLine(k.Str)+" = "+history.SanitizeLine(s))
		return true
	})
	sort.Strings(out)
	return out
}

// infoView shows the connection: CONNACK session and properties, flespi's
// token description (without the secret) and the subscriptions with their
// SUBACK results.
func (m Model) infoView(w, h int) string {
	s := m.session
	label := func(l string) string { return m.st.Detail.Label.Render(common.Fit(l, 16)) }
	lines := []string{
		label("broker") + m.cfg.Target,
		label("client ID") + history.SanitizeLine(s.ClientID),
	}
	sess := "clean (ends with the connection)"
	if s.Persistent {
		sess = "persistent, expiry " + strconv.FormatUint(uint64(s.ExpirySeconds), 10) + " s"
		if s.Present {
			sess += ", resumed"
		} else {
			sess += ", new"
		}
	}
	lines = append(lines, label("session")+sess)
	if s.ServerKeepAlive > 0 {
		lines = append(lines, label("keep alive")+strconv.Itoa(int(s.ServerKeepAlive))+" s (server's)")
	}
	if s.ReceiveMax > 0 {
		lines = append(lines, label("receive max")+strconv.Itoa(int(s.ReceiveMax)))
	}
	for _, u := range s.User {
		switch u.Key {
		case "token":
			lines = append(lines, label("token (flespi)"))
			for _, l := range tokenInfo(u.Value) {
				lines = append(lines, "  "+l)
			}
		case "subscriptions":
			lines = append(lines, label("restored subs")+history.SanitizeLine(u.Value))
		default:
			v := u.Value
			if secretish(u.Key) {
				v = "[hidden]"
			}
			lines = append(lines, label("prop "+history.SanitizeLine(u.Key))+history.SanitizeLine(v))
		}
	}
	lines = append(lines, "", m.st.Detail.Label.Render("subscriptions"))
	for _, t := range m.topics {
		res := "pending"
		if r, ok := m.subs[t]; ok {
			res = broker.Explain("SUBACK", r.Code)
		}
		lines = append(lines, "  "+history.SanitizeLine(t)+"  "+m.st.Detail.Muted.Render(res))
	}
	if m.session.ClientID == "" {
		lines = append(lines, "", m.st.List.Hint.Render("not connected yet"))
	}
	return common.Frame(m.st, true, "connection", "i to close", w, h, lines)
}
