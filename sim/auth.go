package sim

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// Tokens accepted by the simulator. Like flespi tokens they are 64 ASCII
// letters and digits. They are public demo values, not secrets.
const (
	// DemoToken has full access: it may subscribe to any flespi/... or own
	// topic and publish to own (non-flespi) topics.
	DemoToken = "SimDemoOhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn9Wvgfygw2"
	// ACLToken is an ACL token limited to channel ACLChannelID: it may only
	// subscribe to filters that lie within
	// flespi/message/gw/channels/{ACLChannelID}/... Every other filter is
	// refused per filter in SUBACK with 0x87 Not authorized, and its
	// publishes to own topics are refused (PUBACK 0x87 under MQTT 5).
	ACLToken = "SimACLwMqZcUDIh7yfJs1ON43xKmTecQoXsf2o3gyrDO1xkxwnQrS7RPeMOkIUpk"
)

// Channel and account ids used by the simulated fleet.
const (
	// DemoChannelID is the first channel (protocol 14, devices around Warsaw).
	DemoChannelID = 1234
	// SecondChannelID is the second channel (protocol 21, devices around Riga).
	SecondChannelID = 1235
	// ACLChannelID is the only channel ACLToken may read.
	ACLChannelID = DemoChannelID
	// AccountID is the flespi customer id (cid) sent in the `cid` user
	// property of every PUBLISH and in the CONNACK `token` property.
	AccountID = 8201
)

// role is what a token grants. It is stored in the client's Username after a
// successful CONNECT (see flespiHook.OnConnect), so that later ACL checks,
// which mochi makes per SUBSCRIBE filter and per delivered message, are a
// cheap string comparison and the token itself is not kept on the client.
type role string

const (
	roleNone role = ""
	roleDemo role = "sim-demo-token"
	roleACL  role = "sim-acl-token"
)

// aclPrefix is the topic prefix ACLToken may read. It spells ACLChannelID
// out as a constant so ACL checks stay allocation-free; TestACLPrefix keeps
// the two in step.
const aclPrefix = "flespi/message/gw/channels/1234/"

// tokenRole resolves CONNECT credentials the way flespi does: the token as
// the username (password empty), "FlespiToken <token>" as the username, or
// the token as the password with any username.
func tokenRole(username, password []byte) role {
	lookup := func(tok []byte) role {
		switch string(tok) {
		case DemoToken:
			return roleDemo
		case ACLToken:
			return roleACL
		}
		return roleNone
	}
	if r := lookup(password); r != roleNone {
		return r
	}
	u := bytes.TrimPrefix(username, []byte("FlespiToken "))
	return lookup(u)
}

// flespiHook makes mochi behave like flespi where a client can tell: token
// auth, ACLs, the flespi/... publish ban, CONNACK user properties. It also
// works around two mochi v2.7.9 problems (see ignoreReceiveMaximum and
// OnPacketEncode).
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
	srv  *mqtt.Server
	rest *restResponder // answers flespi/rest/... (rest.go); nil with Config.NoREST
	gate *takeoverGate  // see gate.go
}

// ID names the hook in mochi's logs.
func (h *flespiHook) ID() string { return "flespi" }

// Provides lists the hook methods mochi should call.
func (h *flespiHook) Provides(b byte) bool {
	switch b {
	case mqtt.OnConnect, mqtt.OnConnectAuthenticate, mqtt.OnACLCheck,
		mqtt.OnPublish, mqtt.OnPacketEncode, mqtt.OnSessionEstablish, mqtt.OnSessionEstablished:
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

// OnACLCheck is called by mochi for each SUBSCRIBE filter (write=false), for
// each message delivered to a client (write=false, topic instead of filter)
// and for each client PUBLISH (write=true). It must stay cheap.
func (h *flespiHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	return aclAllows(role(cl.Properties.Username), topic, write)
}

// aclAllows is the whole permission model.
//
//   - Publishing to flespi/... is allowed here and then silently discarded by
//     OnPublish, as flespi does; requests to flespi/rest/... are answered
//     (rest.go).
//   - DemoToken may publish to its own topics and subscribe to anything except $SYS.
//   - ACLToken may not publish to own topics and may only subscribe within
//     aclPrefix, or within flespi/rest/ to read REST replies.
func aclAllows(r role, filter string, write bool) bool {
	if write {
		if strings.HasPrefix(filter, "flespi/") {
			return r != roleNone
		}
		return r == roleDemo
	}
	filter = stripShare(filter)
	if strings.HasPrefix(filter, "$") { // $SYS: flespi has no such topics
		return false
	}
	switch r {
	case roleDemo:
		return true
	case roleACL:
		return (len(filter) > len(aclPrefix) && strings.HasPrefix(filter, aclPrefix)) ||
			(len(filter) > len(restPrefix) && strings.HasPrefix(filter, restPrefix)) // REST replies (rest.go)
	}
	return false
}

// stripShare removes a "$share/{group}/" prefix so the ACL applies to the
// real filter.
func stripShare(filter string) string {
	rest, ok := strings.CutPrefix(filter, "$share/")
	if !ok {
		return filter
	}
	if _, f, ok := strings.Cut(rest, "/"); ok {
		return f
	}
	return filter
}

// OnPublish discards client publishes to flespi/... topics: the client gets a
// normal PUBACK, nothing is retained and no subscriber sees the message.
// Requests to flespi/rest/... are also handed to the REST responder.
// Messages from the simulator itself (an inline client) pass unchanged.
func (h *flespiHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if !cl.Net.Inline && strings.HasPrefix(pk.TopicName, "flespi/") {
		// REST over MQTT (rest.go): the request is answered, and still not forwarded.
		if h.rest != nil && strings.HasPrefix(pk.TopicName, restPrefix) {
			h.rest.offer(role(cl.Properties.Username), pk)
		}
		return pk, packets.CodeSuccessIgnore
	}
	return pk, nil
}

// OnPacketEncode runs just before mochi encodes any packet for a client.
//
// It undoes a mochi v2.7.9 over-reach: when a client sends Request Problem
// Information = 0 (paho does whenever ConnectProperties is set and the field
// is left false), mochi drops user properties from every packet, including
// PUBLISH, so flespi's `timestamp` and `cid` would vanish. MQTT 5 (3.1.2.11.7)
// limits that request to packets other than PUBLISH, CONNACK and DISCONNECT.
//
// It also adds flespi's CONNACK user properties: `token` (a JSON string
// describing the token, with cid) and, when a session is resumed,
// `subscriptions` (a JSON array of the restored subscriptions).
func (h *flespiHook) OnPacketEncode(cl *mqtt.Client, pk packets.Packet) packets.Packet {
	switch pk.FixedHeader.Type {
	case packets.Publish, packets.Disconnect:
		pk.Mods.DisallowProblemInfo = false
		return pk
	case packets.Connack:
		pk.Mods.DisallowProblemInfo = false
	default:
		return pk
	}
	if pk.ReasonCode >= 0x80 || cl.Properties.ProtocolVersion < 5 {
		return pk
	}
	r := role(cl.Properties.Username)
	if r == roleNone {
		return pk
	}
	user := make([]packets.UserProperty, 0, len(pk.Properties.User)+2)
	user = append(user, pk.Properties.User...)
	user = append(user, packets.UserProperty{Key: "token", Val: tokenInfo(r)})
	if pk.SessionPresent {
		user = append(user, packets.UserProperty{Key: "subscriptions", Val: subscriptionsJSON(cl)})
	}
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
func subscriptionsJSON(cl *mqtt.Client) string {
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
		out = append(out, sub{
			Topic: s.Filter, QoS: s.Qos, NoLocal: s.NoLocal, RAP: s.RetainAsPublished,
			RetainHandling: s.RetainHandling, SubscriptionID: s.Identifier,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	b, err := json.Marshal(out)
	if err != nil {
		return "[]"
	}
	return string(b)
}
