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
	acl := strconv.Itoa(ACLChannelID)
	r := strings.NewReplacer("{ch}", ch, "{ch2}", ch2, "{acl}", acl, "{account}", strconv.Itoa(AccountID),
		"{demo}", DemoToken, "{acltoken}", ACLToken, "{queue}", strconv.Itoa(DefaultSessionQueue))
	return r.Replace(helpText)
}

const helpText = `A local MQTT 5 broker that behaves like flespi (mqtt.flespi.io), with
simulated trackers: registered devices 182001, 182002, ... on channels {ch}
(around Warsaw) and {ch2} (around Riga), plus two idents with no registered
device. Account (cid) {account}. Details and sources: docs/FLESPI.md.

Tokens (MQTT username, password empty; "FlespiToken <token>" as the
username, or the token as the password, work too):
  demo  {demo}
        full access: any flespi/... filter, own topics, REST over MQTT
  ACL   {acltoken}
        reads channel {acl} only: flespi/message/gw/channels/{acl}/... and
        its REST replies. By default (--acl-mode filter) a wildcard such as
        flespi/message/gw/channels/+/+ is granted and delivers only channel
        {acl}; with refuse it gets SUBACK 0x87. Own topics: refused.

Topics (retained: R):
  flespi/message/gw/channels/{channel}/{ident}  every parsed message
  flespi/message/gw/devices/{id}                the same message of a
                                                registered device, with
                                                device.* fields
  flespi/state/gw/devices/{id}/telemetry/{param}  R one publication per
                                                parameter per message
                                                (--demo-telemetry=light: one
                                                parameter per device per 2 s)
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
