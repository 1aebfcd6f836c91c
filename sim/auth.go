package sim

import (
	"bytes"
	"strings"
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

// ACLMode is how the simulator applies ACLToken's rights to subscriptions
// on flespi/... topics (docs/FLESPI.md §1 and §9). flespi documents that MQTT
// ACL rules cannot be written for flespi/... topics and that access to them
// follows the token's rights on the entities; which SUBACK a wildcard over
// forbidden entities gets is not documented.
type ACLMode string

// The ACL modes.
const (
	// ACLFilter (the default, the reading of flespi's documentation): any
	// flespi/... filter is granted, and only messages of entities the token
	// may read are delivered. A filter that names one forbidden topic, with
	// no wildcard, is refused (SUBACK 0x87).
	ACLFilter ACLMode = "filter"
	// ACLRefuse: a filter that could match a forbidden topic is refused in
	// SUBACK with 0x87 Not authorized.
	ACLRefuse ACLMode = "refuse"
)

// aclAllows is the whole permission model. name is a SUBSCRIBE filter (as
// mochi holds it: comma lists as +, no $filter; see topics.go), a topic a
// message is delivered on, or (write) a topic a client publishes to.
//
//   - Publishing to flespi/... is allowed here and then silently discarded by
//     OnPublish, as flespi does; requests to flespi/rest/... are answered
//     (rest.go).
//   - DemoToken may publish to its own topics and subscribe to anything except $SYS.
//   - ACLToken may not publish to own topics nor subscribe to them, and
//     reads only channel ACLChannelID's messages (aclPrefix) and REST
//     replies (flespi/rest/...). With ACLRefuse a filter must lie within
//     those; with ACLFilter any flespi/... filter with a wildcard is granted
//     and deliveries are checked one by one.
func aclAllows(r role, mode ACLMode, name string, write bool) bool {
	if write {
		if strings.HasPrefix(name, "flespi/") {
			return r != roleNone
		}
		return r == roleDemo
	}
	isFilter := strings.HasPrefix(name, "$share/") || strings.ContainsAny(name, "+#")
	name = stripShare(name)
	if strings.HasPrefix(name, "$") { // $SYS: flespi has no such topics
		return false
	}
	switch r {
	case roleDemo:
		return true
	case roleACL:
		within := (len(name) > len(aclPrefix) && strings.HasPrefix(name, aclPrefix)) ||
			(len(name) > len(restPrefix) && strings.HasPrefix(name, restPrefix)) // REST replies (rest.go)
		if mode == ACLFilter && isFilter {
			return within || strings.HasPrefix(name, "flespi/")
		}
		return within
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
