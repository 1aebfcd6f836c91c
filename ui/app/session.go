package app

import "github.com/tidwall/gjson"

// parseSubscriptions reads flespi's CONNACK "subscriptions" user property: a
// JSON array of {topic, qos, ...} objects. Anything else yields nothing.
func parseSubscriptions(s string) []string {
	r := gjson.Parse(s)
	if !gjson.Valid(s) || !r.IsArray() {
		return nil
	}
	var out []string
	for _, sub := range r.Array() {
		if t := sub.Get("topic"); t.Type == gjson.String && t.Str != "" {
			out = append(out, t.Str)
		}
	}
	return out
}
