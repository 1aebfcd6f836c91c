package sim

import (
	"strconv"
	"strings"
)

// Help returns the text for `hubtap sim --help` (and the demo's help): the
// tokens, what each may do, and every topic family the simulator publishes,
// with what it does not simulate. Plain text, lines under 80 columns.
func Help() string {
	ch := strconv.Itoa(DemoChannelID)
	ch2 := strconv.Itoa(SecondChannelID)
	var toks strings.Builder
	for _, t := range Tokens() {
		toks.WriteString("  " + t.Name + "  " + t.Value + "\n")
		toks.WriteString(wrap("may: "+t.May, 4, 76))
	}
	r := strings.NewReplacer("{ch}", ch, "{ch2}", ch2, "{account}", strconv.Itoa(AccountID),
		"{tokens}", toks.String(), "{queue}", strconv.Itoa(DefaultSessionQueue))
	return r.Replace(helpText)
}

// wrap breaks s into lines of at most width columns, each indented.
func wrap(s string, indent, width int) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(s) {
		switch {
		case line == 0:
			b.WriteString(strings.Repeat(" ", indent))
		case line+1+len(w) > width-indent:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			line = 0
		default:
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\n")
	return b.String()
}

const helpText = `A local MQTT 5 broker that behaves like flespi (mqtt.flespi.io), with
simulated trackers: registered devices 182001, 182002, ... on channels {ch}
(around Warsaw) and {ch2} (around Riga), plus two idents with no registered
device. Account (cid) {account}. Details and sources: docs/FLESPI.md.

Tokens (public demo values; the MQTT username, password empty;
"FlespiToken <token>" as the username, or the token as the password, work
too):
{tokens}
Topics (retained: R):
  flespi/message/gw/channels/{channel}/{ident}  every parsed message
  flespi/message/gw/devices/{id}                the same message of a
                                                registered device, with
                                                device.* fields
  flespi/state/gw/devices/{id}/telemetry/{param}  R one publication per
                                                parameter per message up to
                                                1,000 msg/s (full); above, or
                                                with light, one parameter per
                                                device every 2 s
  flespi/state/gw/devices/{id}                  R the device object
  flespi/state/gw/devices/{id}/connected        R true/false
  flespi/state/gw/devices/{id}/last_active      R Unix seconds
  flespi/state/gw/devices/{id}/name             R "Truck 17"
  flespi/state/gw/channels/{channel}/connections_count  R
  flespi/state/platform/customer/counters/+     R devices_count,
                                                channels_count
  flespi/log/gw/devices/{id}/connected          connection records; and
  flespi/log/gw/devices/{id}/disconnected       close_code 17 (inactivity),
                                                12 (ident collision), 19
                                                (garbage traffic)
  flespi/log/gw/devices/{id}/commands-queue/{name}/{status}
                                                queued, sent, processed for
                                                a command posted over REST
  flespi/log/gw/channels/{channel}/error        channel errors
  flespi/rest/{method}/{api-uri}                REST over MQTT: get
                                                gw/devices/...,
                                                gw/channels/...,
                                                platform/customer; post
                                                gw/devices/{id}/commands-queue.
                                                One reply: on the Response
                                                Topic if the request has one,
                                                else on the request topic
  Subscribe to flespi/log/gw/devices/+/# (not +/+) to see command records.

Listeners: MQTT over TCP, and with --ws-listen, --tls and --wss over
WebSocket, TLS and secure WebSocket (a throw-away CA; pass its ca.pem).

Filters: comma lists in any level (flespi/state/gw/devices/182001,182003/
connected), $share/{group}/..., $filter/cid={id}/... and
$filter/modified_since>{unix}/...; $filter/payload= and $filter/message=
(flespi expressions) are refused with SUBACK 0x83 and a reason.

Sessions: persistent sessions queue QoS 1 messages while offline and resend
them in order on resume (DUP only on messages really sent before). Past
{queue} queued messages a session overflows: DISCONNECT 0x97 with the reason,
the queue is deleted, the session kept (flespi's limit is 1 GB).

Not simulated: other entities (streams, calculators, intervals, modems,
containers), settings topics, subaccounts, token expiry, QoS 2 (granted as
1), the 0x8F DISCONNECT flespi may send after a bad filter, and any write
over REST but commands.
`
