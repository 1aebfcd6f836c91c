package sim

import "strconv"

// Token is one token the simulator accepts, with what it may do. The
// values are public demo tokens, not secrets.
type Token struct {
	Name  string // short name: "demo", "acl"
	Value string // the token (DemoToken, ACLToken)
	May   string // what it may do, one line
}

// Tokens lists every token the simulator accepts (auth.go), in the order
// help texts show them. `hubtap sim --help` renders it;
// TestTokensMatchAuth keeps it in step with the permission model.
func Tokens() []Token {
	ch := strconv.Itoa(ACLChannelID)
	return []Token{
		{Name: "demo", Value: DemoToken,
			May: "full access: subscribe to any flespi/... or own topic, publish to own topics, REST over MQTT"},
		{Name: "acl", Value: ACLToken,
			May: "reads only flespi/message/gw/channels/" + ch + "/... (and REST replies): with ACL mode filter " +
				"(the default) a wildcard such as flespi/message/gw/channels/+/+ is granted and delivers only channel " + ch +
				", with refuse it gets SUBACK 0x87; a filter naming one forbidden topic gets 0x87 in both; " +
				"own topics are refused, publishes to them too"},
	}
}
