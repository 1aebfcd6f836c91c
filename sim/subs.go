package sim

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// subTable keeps, per client ID, the filters as the client wrote them
// (topics.go), for clients that use flespi's extensions. Clients that do
// not cost one sync.Map lookup per delivered message.
type subTable struct {
	byID sync.Map // client ID → *clientSubs
}

// clientSubs is one session's filters. The session's read loop adds and
// removes them; deliveries (any goroutine) read them.
type clientSubs struct {
	mu       sync.RWMutex
	filters  map[string]*extFilter // by filter as written
	extended atomic.Int32          // filters that are not plain
	refused  []refusal             // of the SUBSCRIBE being processed
	reason   string                // Reason String for its SUBACK
	pending  map[string]bool       // mochi filters of the SUBSCRIBE being processed (its ACL checks pass here)
}

// refusal is a filter OnSubscribe refused, by its index in the SUBSCRIBE.
type refusal struct {
	i    int
	code byte
}

// invalidFilter makes mochi refuse a filter (IsValidFilter fails); the
// SUBACK code and reason are then set by OnSubscribed and OnPacketEncode.
const invalidFilter = "#/"

func (t *subTable) get(id string) *clientSubs {
	if v, ok := t.byID.Load(id); ok {
		return v.(*clientSubs)
	}
	v, _ := t.byID.LoadOrStore(id, &clientSubs{filters: map[string]*extFilter{}})
	return v.(*clientSubs)
}

// forget drops a session's filters (clean start, expiry).
func (t *subTable) forget(id string) { t.byID.Delete(id) }

// subscribe rewrites pk's filters for mochi and records them as written.
func (t *subTable) subscribe(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	cs := t.get(cl.ID)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.refused, cs.reason = cs.refused[:0], ""
	if cs.pending == nil {
		cs.pending = map[string]bool{}
	}
	for i := range pk.Filters {
		f := pk.Filters[i].Filter
		x, err := parseFilter(f)
		if err != nil {
			code := packets.ErrTopicFilterInvalid.Code
			if err == errExpressionFilter {
				code = packets.ErrImplementationSpecificError.Code
			}
			cs.refused = append(cs.refused, refusal{i: i, code: code})
			if cs.reason != "" {
				cs.reason += "; "
			}
			cs.reason += strconv.Quote(f) + ": " + err.Error()
			pk.Filters[i].Filter = invalidFilter
			continue
		}
		if old := cs.filters[f]; old != nil && !old.plain {
			cs.extended.Add(-1)
		}
		cs.filters[f] = x
		cs.pending[x.mochi] = true
		if !x.plain {
			cs.extended.Add(1)
			pk.Filters[i].Filter = x.mochi
		}
	}
	return pk
}

// subscribed sets the SUBACK codes of the filters subscribe refused.
func (t *subTable) subscribed(cl *mqtt.Client, reasonCodes []byte) {
	cs := t.get(cl.ID)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, r := range cs.refused {
		if r.i < len(reasonCodes) && (cl.Properties.ProtocolVersion >= 5 || r.code < 0x80) {
			reasonCodes[r.i] = r.code
		}
	}
	cs.refused = cs.refused[:0]
	clear(cs.pending)
}

// subackReason returns (and clears) the Reason String for the SUBACK being
// sent to cl.
func (t *subTable) subackReason(cl *mqtt.Client) string {
	v, ok := t.byID.Load(cl.ID)
	if !ok {
		return ""
	}
	cs := v.(*clientSubs)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	r := cs.reason
	cs.reason = ""
	return r
}

// unsubscribe maps the filters of an UNSUBSCRIBE to what mochi holds.
func (t *subTable) unsubscribe(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	v, ok := t.byID.Load(cl.ID)
	if !ok {
		return pk
	}
	cs := v.(*clientSubs)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for i := range pk.Filters {
		f := pk.Filters[i].Filter
		x := cs.filters[f]
		if x == nil {
			continue
		}
		delete(cs.filters, f)
		if x.plain {
			continue
		}
		cs.extended.Add(-1)
		shared := false // another filter as written still needs mochi's superset
		for _, o := range cs.filters {
			shared = shared || o.mochi == x.mochi
		}
		if !shared {
			pk.Filters[i].Filter = x.mochi
		}
	}
	return pk
}

// delivers reports whether a message on topic, which mochi's superset
// filters matched, matches one of cl's filters as written. retained looks
// up the retained message's `timestamp` for modified_since. A filter of the
// SUBSCRIBE being processed passes: mochi's ACL check of a filter without
// wildcards looks like a delivery.
func (t *subTable) delivers(cl *mqtt.Client, topic string, retained func(string) (float64, bool)) (deliver, subscribing bool) {
	v, ok := t.byID.Load(cl.ID)
	if !ok {
		return true, false
	}
	cs := v.(*clientSubs)
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	if cs.pending[topic] {
		return true, true
	}
	if cs.extended.Load() == 0 {
		return true, false
	}
	for _, x := range cs.filters {
		if !x.matches(topic) {
			continue
		}
		if x.cid >= 0 && x.cid != AccountID {
			continue
		}
		if x.since > 0 {
			if ts, ok := retained(topic); ok && ts <= x.since {
				continue
			}
		}
		return true, false
	}
	return false, false
}

// written returns the filter as the client wrote it for mochi's filter f
// (the first one, when several share f).
func (t *subTable) written(cl *mqtt.Client, f string) []string {
	v, ok := t.byID.Load(cl.ID)
	if !ok {
		return []string{f}
	}
	cs := v.(*clientSubs)
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	var out []string
	for o, x := range cs.filters {
		if x.mochi == f {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return []string{f}
	}
	return out
}

// retainedTimestamp reads the `timestamp` user property of the retained
// message on topic.
func retainedTimestamp(srv *mqtt.Server) func(string) (float64, bool) {
	return func(topic string) (float64, bool) {
		pk, ok := srv.Topics.Retained.Get(topic)
		if !ok {
			return 0, false
		}
		for _, u := range pk.Properties.User {
			if u.Key == "timestamp" {
				v, err := strconv.ParseFloat(strings.TrimSpace(u.Val), 64)
				return v, err == nil
			}
		}
		return 0, false
	}
}
