package sim

import (
	"encoding/json"
	"sort"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// flespiHook makes mochi behave like flespi where a client can tell: token
// auth, ACLs, the flespi/... publish ban, CONNACK user properties, flespi's
// filter extensions (topics.go, subs.go), in-order redelivery (order.go)
// and the session queue limit (overflow.go). It also works around mochi
// v2.7.9 problems (see ignoreReceiveMaximum, OnPacketEncode, gate.go,
// order.go).
//
// Refused CONNECTs get CONNACK 0x87 Not authorized (MQTT 3.x: return code 5,
// "not authorized", which is what flespi-io-js expects from flespi). mochi's
// own auth path (OnConnectAuthenticate returning false) always sends 0x86 Bad
// user name or password, so the check is made in OnConnect instead: mochi
// documents that OnConnect "may return a packets.Code as an error to halt the
// connection", and we send the CONNACK ourselves with Server.SendConnack just
// before halting. OnConnectAuthenticate repeats the check as a safety net.
type flespiHook struct {
	mqtt.HookBase
	srv      *mqtt.Server
	rest     *restResponder // answers flespi/rest/... (rest.go); nil with Config.NoREST
	gate     *takeoverGate  // see gate.go
	order    *resumeOrder   // see order.go
	subs     *subTable      // see subs.go
	queue    *queueLimit    // see overflow.go
	aclMode  ACLMode
	retained func(string) (float64, bool) // retainedTimestamp(srv)
}

// ID names the hook in mochi's logs.
func (h *flespiHook) ID() string { return "flespi" }

// Provides lists the hook methods mochi should call.
func (h *flespiHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnect, mqtt.OnConnectAuthenticate, mqtt.OnACLCheck,
		mqtt.OnPublish, mqtt.OnPacketEncode, mqtt.OnPacketSent, mqtt.OnSessionEstablish, mqtt.OnSessionEstablished,
		mqtt.OnSubscribe, mqtt.OnSubscribed, mqtt.OnUnsubscribe, mqtt.OnDisconnect, mqtt.OnClientExpired:
		return true
	}
	return false
}

// OnConnect checks the token. It runs on the connection's own goroutine
// before the client is visible to the rest of the broker, so rewriting
// Username here is not racy.
func (h *flespiHook) OnConnect(cl *mqtt.Client, pk packets.Packet) error {
	r := tokenRole(pk.Connect.Username, pk.Connect.Password)
	if r == roleNone {
		code := packets.ErrNotAuthorized // 0x87
		if cl.Properties.ProtocolVersion < 5 {
			code = packets.Err3NotAuthorized // v3 return code 5
		}
		_ = h.srv.SendConnack(cl, code, false, nil)
		return packets.ErrNotAuthorized
	}
	cl.Properties.Username = []byte(r)
	ignoreReceiveMaximum(cl)
	return nil
}

// ignoreReceiveMaximum makes mochi send to cl as if cl had sent no Receive
// Maximum, i.e. without a send quota. This breaks MQTT 5's rule that a server
// keeps at most Receive Maximum QoS 1 messages unacknowledged, and is on
// purpose: with a quota mochi v2.7.9 is unusable at telematics rates.
//
//   - It can deadlock: after each packet from a client whose quota is not
//     exhausted and who has unacknowledged messages, Inflight.NextImmediate
//     takes the inflight read lock twice (it calls GetAll, which locks again);
//     a publisher waiting for the write lock in between blocks both for good.
//     We hit this in testing (a raised instead of removed quota, 20k msg/s):
//     the broker froze and Close never returned.
//   - It does not scale: once the quota is used up, mochi releases one queued
//     message per packet the client sends, scanning and sorting the whole
//     queue each time, and loses the order of messages within a second.
//     A QoS 1 subscriber with hubtap's Receive Maximum of 64 got 72 msg/s of
//     20,000; TestSmallReceiveMaximum fails without this function.
//
// Without a quota none of that code runs. paho does not police the limit;
// a slow reader just reads later, which TCP turns into backpressure. A client
// that keeps up cannot tell the difference. It must run before mochi restores
// a resumed session, which copies Props.ReceiveMaximum into the session's
// quota; OnConnect does.
func ignoreReceiveMaximum(cl *mqtt.Client) {
	cl.Properties.Props.ReceiveMaximum = 0
	cl.State.Inflight.ResetSendQuota(0)
}

// OnConnectAuthenticate accepts clients that OnConnect accepted.
func (h *flespiHook) OnConnectAuthenticate(cl *mqtt.Client, _ packets.Packet) bool {
	r := role(cl.Properties.Username)
	return r == roleDemo || r == roleACL
}

// OnSessionEstablish holds publishes while mochi moves a session over
// (gate.go), and forgets the filters of a session a clean start ends.
func (h *flespiHook) OnSessionEstablish(cl *mqtt.Client, pk packets.Packet) {
	if pk.Connect.Clean {
		h.subs.forget(cl.ID)
		h.order.forget(cl.ID)
	}
	h.gate.establish(cl)
}

// OnSessionEstablished releases them; mochi has resent the queue by now.
func (h *flespiHook) OnSessionEstablished(cl *mqtt.Client, _ packets.Packet) {
	h.order.resumed(cl)
	h.gate.release(cl)
}

// OnDisconnect forgets a session that ends with its connection.
func (h *flespiHook) OnDisconnect(cl *mqtt.Client, _ error, expire bool) {
	if expire && !cl.IsTakenOver() {
		h.subs.forget(cl.ID)
		h.order.forget(cl.ID)
	}
}

// OnClientExpired forgets a session mochi expired.
func (h *flespiHook) OnClientExpired(cl *mqtt.Client) {
	h.subs.forget(cl.ID)
	h.order.forget(cl.ID)
}

// OnSubscribe hands mochi a filter it can match for flespi's extensions
// (topics.go) and refuses forms the simulator does not know.
func (h *flespiHook) OnSubscribe(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	return h.subs.subscribe(cl, pk)
}

// OnSubscribed sets the SUBACK codes of refused forms.
func (h *flespiHook) OnSubscribed(cl *mqtt.Client, _ packets.Packet, reasonCodes []byte) {
	h.subs.subscribed(cl, reasonCodes)
}

// OnUnsubscribe maps filters as written to what mochi holds.
func (h *flespiHook) OnUnsubscribe(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	return h.subs.unsubscribe(cl, pk)
}

// OnACLCheck is called by mochi for each SUBSCRIBE filter (write=false), for
// each message delivered to a client (write=false, topic instead of filter)
// and for each client PUBLISH (write=true). It must stay cheap: for a
// delivery it is a string check, one sync.Map lookup (subs.go) and the
// session queue's length (overflow.go).
func (h *flespiHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if !aclAllows(role(cl.Properties.Username), h.aclMode, topic, write) {
		return false
	}
	if write || strings.HasPrefix(topic, "$share/") || strings.ContainsAny(topic, "+#") {
		return true // a publish, or a SUBSCRIBE filter
	}
	deliver, subscribing := h.subs.delivers(cl, topic, h.retained)
	switch {
	case subscribing:
		return true // a SUBSCRIBE filter without wildcards, not a delivery
	case !deliver:
		return false
	}
	return h.queue.admit(cl)
}

// OnPublish stamps every publish with its place in the broker's order
// (order.go) and discards client publishes to flespi/... topics: the
// client gets a normal PUBACK, nothing is retained and no subscriber sees
// the message. Requests to flespi/rest/... are also handed to the REST
// responder. Messages from the simulator itself (an inline client) pass
// unchanged.
func (h *flespiHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	h.order.stamp(&pk)
	if cl.Net.Inline && pk.FixedHeader.Retain && len(pk.Payload) > 0 {
		h.updateRetained(&pk)
	}
	if !cl.Net.Inline && strings.HasPrefix(pk.TopicName, "flespi/") {
		// REST over MQTT (rest.go): the request is answered, and still not forwarded.
		if h.rest != nil && strings.HasPrefix(pk.TopicName, restPrefix) {
			h.rest.offer(role(cl.Properties.Username), pk)
		}
		return pk, packets.CodeSuccessIgnore
	}
	return pk, nil
}

// updateRetained works around a data race in mochi v2.7.9: every retained
// publish rewrites its topic node's retainPath (topics.go RetainMessage,
// under the node's lock), while a subscription's scan for retained messages
// reads retainPath with no lock (scanMessages). The simulator re-retains
// its state topics all the time, so a wildcard subscription raced with it
// (the race detector caught it in CI). For a topic that already has a
// retained message, the node's retainPath is already right: store the new
// packet in the retained store directly (it has its own lock) and let mochi
// deliver it live without the retain flag, as MQTT forwards live messages
// anyway. A first retain of a topic still goes through mochi.
func (h *flespiHook) updateRetained(pk *packets.Packet) {
	if _, ok := h.srv.Topics.Retained.Get(pk.TopicName); !ok {
		return
	}
	h.srv.Topics.Retained.Add(pk.TopicName, pk.Copy(false))
	pk.FixedHeader.Retain = false
}

// OnPacketSent records what reached a client's socket (order.go).
func (h *flespiHook) OnPacketSent(cl *mqtt.Client, pk packets.Packet, _ []byte) {
	h.order.wrote(cl, &pk)
}

// OnPacketEncode runs just before mochi encodes any packet for a client.
//
// It undoes a mochi v2.7.9 over-reach: when a client sends Request Problem
// Information = 0 (paho does whenever ConnectProperties is set and the field
// is left false), mochi drops user properties from every packet, including
// PUBLISH, so flespi's `timestamp` and `cid` would vanish. MQTT 5 (3.1.2.11.7)
// limits that request to packets other than PUBLISH, CONNACK and DISCONNECT.
//
// It clears DUP on resent messages that were never sent (order.go), adds
// the reason to a SUBACK that refused a filter form (subs.go), and adds
// flespi's CONNACK user properties: `token` (a JSON string describing the
// token, with cid) and `subscriptions` (a JSON array of the session's
// subscriptions, on every CONNACK: [] for a new session, as MQTT Board
// expects it whatever Session Present says).
func (h *flespiHook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	switch pk.FixedHeader.Type {
	case packets.Publish:
		pk.Mods.DisallowProblemInfo = false
		if pk.FixedHeader.Dup {
			h.order.undup(cl, &pk)
		}
		return pk
	case packets.Disconnect:
		pk.Mods.DisallowProblemInfo = false
		return pk
	case packets.Suback:
		if r := h.subs.subackReason(cl); r != "" && cl.Properties.ProtocolVersion >= 5 {
			pk.Properties.ReasonString = r
		}
		return pk
	case packets.Connack:
		pk.Mods.DisallowProblemInfo = false
	default:
		return pk
	}
	if pk.ReasonCode >= 0x80 {
		return pk
	}
	if pk.SessionPresent {
		h.order.resume(cl)
	}
	r := role(cl.Properties.Username)
	if r == roleNone || cl.Properties.ProtocolVersion < 5 {
		return pk
	}
	user := make([]packets.UserProperty, 0, len(pk.Properties.User)+2)
	user = append(user, pk.Properties.User...)
	user = append(user, packets.UserProperty{Key: "token", Val: tokenInfo(r)},
		packets.UserProperty{Key: "subscriptions", Val: subscriptionsJSON(cl, h.subs)})
	pk.Properties.User = user
	return pk
}

// tokenInfo is the CONNACK `token` property. flespi documents only cid; the
// other keys are the simulator's own and clients should not rely on them.
func tokenInfo(r role) string {
	if r == roleACL {
		return `{"id":5502,"cid":8201,"info":"hubtap sim ACL token","access":{"type":2}}`
	}
	return `{"id":5501,"cid":8201,"info":"hubtap sim demo token","access":{"type":1}}`
}

// subscriptionsJSON lists a client's subscriptions in the shape flespi's
// CONNACK `subscriptions` property uses.
func subscriptionsJSON(cl *mqtt.Client, st *subTable) string {
	type sub struct {
		Topic          string `json:"topic"`
		QoS            byte   `json:"qos"`
		NoLocal        bool   `json:"no_local"`
		RAP            bool   `json:"rap"`
		RetainHandling byte   `json:"retain_handling"`
		SubscriptionID int    `json:"subscription_id,omitempty"`
	}
	all := cl.State.Subscriptions.GetAll()
	out := make([]sub, 0, len(all))
	for _, s := range all {
		for _, f := range st.written(cl, s.Filter) { // as the client wrote it (subs.go)
			out = append(out, sub{
				Topic: f, QoS: s.Qos, NoLocal: s.NoLocal, RAP: s.RetainAsPublished,
				RetainHandling: s.RetainHandling, SubscriptionID: s.Identifier,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	b, err := json.Marshal(out)
	if err != nil {
		return "[]"
	}
	return string(b)
}
