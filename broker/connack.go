package broker

import (
	"sort"
	"strings"

	"github.com/eclipse/paho.golang/paho"
	"github.com/tidwall/gjson"
)

// limitsOf reads the CONNACK properties that say what the broker allows.
// paho fills the booleans with the protocol's defaults when absent.
func limitsOf(p *paho.ConnackProperties) Limits {
	l := Limits{MaxQoS: 2, RetainAvailable: p.RetainAvailable, Wildcards: p.WildcardSubAvailable,
		SubIDs: p.SubIDAvailable, SharedSubs: p.SharedSubAvailable, ReasonString: p.ReasonString}
	if p.MaximumPacketSize != nil {
		l.MaxPacketSize = *p.MaximumPacketSize
	}
	if p.TopicAliasMaximum != nil {
		l.TopicAliasMax = *p.TopicAliasMaximum
	}
	if p.MaximumQoS != nil {
		l.MaxQoS = *p.MaximumQoS
	}
	return l
}

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

// Secretish reports whether a property or field name (token, key, secret,
// password) names something hubtap never shows.
func Secretish(name string) bool { return secretish(name) }

// TokenFields describes flespi's CONNACK "token" user property (a JSON
// object about the token in use, see docs/FLESPI.md) as sorted "key = value"
// pairs, leaving out anything that could be the secret itself: fields whose
// name says key/token/secret/password, and any string of 40 characters or
// more. Values longer than 80 characters are cut. The text is not sanitised
// for a terminal; the caller does that. Not JSON: one pair saying so.
func TokenFields(v string) [][2]string {
	r := gjson.Parse(v)
	if !gjson.Valid(v) || !r.IsObject() {
		return [][2]string{{"token", "(not JSON)"}}
	}
	var out [][2]string
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
		out = append(out, [2]string{k.Str, s})
		return true
	})
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// RestoredSubscriptions returns the topic filters of flespi's CONNACK
// "subscriptions" user property (SessionInfo.Subscriptions), read whatever
// Session Present says. A missing or malformed property yields nothing.
func RestoredSubscriptions(info SessionInfo) []string {
	subs, _, err := info.Subscriptions()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(subs))
	for _, s := range subs {
		out = append(out, s.Topic)
	}
	return out
}
