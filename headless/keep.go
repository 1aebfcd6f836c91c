package headless

import "hubtap/broker"

// keepRules are the per-message choices of mosquitto_sub's -R,
// --retained-only and -T.
type keepRules struct {
	skipRetained bool
	retainedOnly bool
	hide         []string
}

// keepRules returns nil when every message is kept.
func (c *Config) keepRules() *keepRules {
	if !c.SkipRetained && !c.RetainedOnly && len(c.Hide) == 0 {
		return nil
	}
	return &keepRules{skipRetained: c.SkipRetained, retainedOnly: c.RetainedOnly, hide: c.Hide}
}

// apply says whether m is shown and whether output stops before it.
func (k *keepRules) apply(m *broker.Message) (show, stop bool) {
	if k.retainedOnly && !m.Retain {
		return false, true
	}
	if k.skipRetained && m.Retain {
		return false, false
	}
	for _, f := range k.hide {
		if broker.MatchTopic(f, m.Topic) {
			return false, false
		}
	}
	return true, false
}
