package sim

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	"github.com/tidwall/gjson"
)

func TestRESTAnswer(t *testing.T) {
	s := startSim(t, Config{Rate: -1, Devices: 4, Seed: 3})
	devs := s.Devices()
	id := func(i int) string { return strconv.FormatInt(devs[i].ID, 10) }
	cases := []struct {
		r            role
		method, uri  string
		body         string
		tooLarge     bool
		status       int
		results      int    // len(result); -1: no result
		errCode      int    // errors[0].code; 0: no errors
		check        string // gjson path that must exist, if any
		checkWant    string // its value
		mustNotMatch string // text the body must not contain
	}{
		{r: roleDemo, method: "get", uri: "gw/devices/all", status: 200, results: 4,
			check: "result.0.configuration.ident", checkWant: devs[0].Ident},
		{r: roleDemo, method: "get", uri: "gw/devices/" + id(1), status: 200, results: 1, check: "result.0.name", checkWant: devs[1].Name},
		{r: roleDemo, method: "get", uri: "gw/devices/" + id(0) + "," + id(2), status: 200, results: 2},
		{r: roleDemo, method: "get", uri: "gw/devices/" + id(0) + ",999", status: 200, results: 1, errCode: 404,
			check: "errors.0.id", checkWant: "999"},
		{r: roleDemo, method: "get", uri: "gw/devices/999", status: 404, results: -1, errCode: 404,
			check: "errors.0.reason", checkWant: "device not found"},
		{r: roleDemo, method: "get", uri: "gw/devices/abc", status: 400, results: -1, errCode: codeBadRequest},
		{r: roleDemo, method: "get", uri: "gw/devices/all?fields=id,name", status: 200, results: 4},
		{r: roleDemo, method: "get", uri: "gw/channels/all", status: 200, results: 2, check: "result.1.protocol_id", checkWant: "21"},
		{r: roleDemo, method: "get", uri: "gw/channels/" + strconv.Itoa(SecondChannelID), status: 200, results: 1},
		{r: roleDemo, method: "get", uri: "platform/customer", status: 200, results: 1,
			check: "result.0.id", checkWant: strconv.Itoa(AccountID), mustNotMatch: "Sim"},
		{r: roleDemo, method: "get", uri: "gw/streams/all", status: 404, results: -1, errCode: 404},
		{r: roleDemo, method: "get", uri: "gw/devices/" + id(0) + "/telemetry/all", status: 404, results: -1, errCode: 404},
		{r: roleDemo, method: "post", uri: "gw/devices", body: `[{"name":"x"}]`, status: 404, results: -1, errCode: 404},
		{r: roleDemo, method: "put", uri: "gw/devices/" + id(0), body: `{"name":"x"}`, status: 405, results: -1, errCode: 405},
		{r: roleDemo, method: "delete", uri: "gw/devices/all", status: 405, results: -1, errCode: 405},
		{r: roleDemo, method: "put", uri: "gw/devices/" + id(0), body: `{"name":`, status: 400, results: -1, errCode: codeBadRequest},
		{r: roleDemo, method: "post", uri: "gw/devices/all", tooLarge: true, status: 413, results: -1, errCode: 413},
		{r: roleDemo, method: "head", uri: "gw/devices/all", status: 400, results: -1, errCode: codeBadRequest},
		{r: roleDemo, method: "post", uri: "gw/devices/" + id(0) + "/commands-queue", body: `[{"name":"getinfo","properties":{}}]`,
			status: 200, results: 1, check: "result.0.name", checkWant: "getinfo"},
		{r: roleDemo, method: "post", uri: "gw/devices/999/commands-queue", body: `[{"name":"getinfo"}]`, status: 404, results: -1, errCode: 404},
		{r: roleDemo, method: "post", uri: "gw/devices/" + id(0) + "/commands-queue", body: `{"name":"getinfo"}`, status: 400, results: -1, errCode: codeBadRequest},
		{r: roleDemo, method: "get", uri: "gw/devices/" + id(0) + "/commands-queue", status: 405, results: -1, errCode: 405},
		{r: roleACL, method: "post", uri: "gw/devices/" + id(0) + "/commands-queue", body: `[{"name":"getinfo"}]`, status: 403, results: -1, errCode: 403},
		{r: roleACL, method: "get", uri: "gw/channels/" + strconv.Itoa(ACLChannelID), status: 200, results: 1},
		{r: roleACL, method: "get", uri: "gw/channels/" + strconv.Itoa(ACLChannelID) + "?fields=id", status: 200, results: 1},
		{r: roleACL, method: "get", uri: "gw/channels/" + strconv.Itoa(SecondChannelID), status: 403, results: -1, errCode: 403},
		{r: roleACL, method: "get", uri: "gw/channels/all", status: 403, results: -1, errCode: 403},
		{r: roleACL, method: "get", uri: "gw/devices/all", status: 403, results: -1, errCode: 403},
		{r: roleACL, method: "delete", uri: "gw/channels/" + strconv.Itoa(ACLChannelID), status: 403, results: -1, errCode: 403},
	}
	for _, tc := range cases {
		t.Run(string(tc.r)+" "+tc.method+" "+tc.uri, func(t *testing.T) {
			status, body := s.restAnswer(tc.r, tc.method, tc.uri, []byte(tc.body), tc.tooLarge)
			if status != tc.status {
				t.Errorf("status %d, want %d: %s", status, tc.status, body)
			}
			if !gjson.ValidBytes(body) {
				t.Fatalf("body is not JSON: %s", body)
			}
			res := gjson.GetBytes(body, "result")
			switch {
			case tc.results < 0 && res.Exists():
				t.Errorf("unexpected result: %s", body)
			case tc.results >= 0 && len(res.Array()) != tc.results:
				t.Errorf("%d results, want %d: %s", len(res.Array()), tc.results, body)
			}
			code := gjson.GetBytes(body, "errors.0.code").Int()
			if int(code) != tc.errCode {
				t.Errorf("errors[0].code %d, want %d: %s", code, tc.errCode, body)
			}
			if tc.errCode != 0 && gjson.GetBytes(body, "errors.0.reason").String() == "" {
				t.Errorf("error without a reason: %s", body)
			}
			if tc.check != "" {
				if got := gjson.GetBytes(body, tc.check).String(); got != tc.checkWant {
					t.Errorf("%s = %q, want %q: %s", tc.check, got, tc.checkWant, body)
				}
			}
			if tc.mustNotMatch != "" && bytes.Contains(body, []byte(tc.mustNotMatch)) {
				t.Errorf("body contains %q: %s", tc.mustNotMatch, body)
			}
		})
	}
}

func TestACLAllowsREST(t *testing.T) {
	cases := []struct {
		r      role
		filter string
		write  bool
		want   bool
	}{
		{roleACL, "flespi/rest/#", false, true},
		{roleACL, "flespi/rest/get/gw/channels/1234", false, true},
		{roleACL, "flespi/rest/get/gw/devices/all", true, true},
		{roleACL, "flespi/rest", false, false},
		{roleACL, "flespi/rest/", false, false},
		{roleACL, "flespi/restx/#", false, false},
		{roleACL, "flespi/+/get/gw/devices/all", false, false},
		{roleACL, "hubtap/rest/x/1", false, false},
		{roleDemo, "flespi/rest/#", false, true},
		{roleNone, "flespi/rest/#", false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.r)+" "+tc.filter+" write="+strconv.FormatBool(tc.write), func(t *testing.T) {
			if got := aclAllows(tc.r, ACLRefuse, tc.filter, tc.write); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidResponseTopic(t *testing.T) {
	cases := map[string]bool{
		"hubtap/rest/me/1": true, "a": true,
		"": false, "flespi/state/gw/devices/1/connected": false, "flespi": false,
		"$SYS/x": false, "a/+/b": false, "a/#": false, "a\x00b": false, "\xff": false,
	}
	for topic, want := range cases {
		t.Run(topic, func(t *testing.T) {
			if got := validResponseTopic(topic); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// restRequestPublish is a request with MQTT 5 Response Topic and Correlation Data.
func restRequestPublish(topic, respTopic string, corr []byte) *paho.Publish {
	p := &paho.Publish{Topic: topic, QoS: 1}
	if respTopic != "" {
		p.Properties = &paho.PublishProperties{ResponseTopic: respTopic, CorrelationData: corr}
	}
	return p
}

// TestRESTOverMQTT: the reply goes once, to the Response Topic with the
// Correlation Data when the request has one, else to the request topic; it
// carries no user property but timestamp and cid; the request itself is not
// forwarded; a response topic under flespi/ is not published to.
func TestRESTOverMQTT(t *testing.T) {
	s := startSim(t, Config{Rate: -1, Devices: 5, Seed: 4})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, DemoToken, "t-rest", 16)
	const resp = "hubtap/rest/t-rest/1"
	forged := "flespi/state/gw/devices/" + strconv.FormatInt(s.Devices()[0].ID, 10) + "/connected"
	mustSubscribe(ctx, t, c, resp, "flespi/rest/#", forged)
	if m := next(ctx, t, c); m.Topic != forged || !m.Retain {
		t.Fatalf("first message %s retain=%v, want the retained %s", m.Topic, m.Retain, forged)
	}
	checkReply := func(m *paho.Publish, topic string, corr []byte) {
		t.Helper()
		if m.Topic != topic {
			t.Fatalf("reply on %s, want %s (once; the request must not be forwarded)", m.Topic, topic)
		}
		if m.Retain || m.QoS != 1 {
			t.Errorf("reply retain=%v qos=%d, want a QoS 1 live message", m.Retain, m.QoS)
		}
		var gotCorr []byte
		var user []paho.UserProperty
		if m.Properties != nil {
			gotCorr, user = m.Properties.CorrelationData, m.Properties.User
		}
		if !bytes.Equal(gotCorr, corr) {
			t.Errorf("reply on %s has correlation data %q, want %q", m.Topic, gotCorr, corr)
		}
		if len(user) != 2 || userProp(m, "cid") != strconv.Itoa(AccountID) || userProp(m, "timestamp") == "" {
			t.Errorf("reply user properties %v, want timestamp and cid only", user)
		}
	}

	// 1. With a Response Topic: the reply goes there, and only there.
	const req = "flespi/rest/get/gw/devices/all"
	corr := []byte("0123456789abcdef")
	if _, err := c.Publish(ctx, restRequestPublish(req, resp, corr)); err != nil {
		t.Fatalf("publish request: %v", err)
	}
	m := next(ctx, t, c)
	checkReply(m, resp, corr)
	if n := len(gjson.GetBytes(m.Payload, "result").Array()); n != 5 {
		t.Errorf("reply has %d devices, want 5: %s", n, m.Payload)
	}
	// 2. Without one: on the request topic. The responder answers in order,
	// so had it also answered request 1 on its request topic, that copy
	// would come first.
	const req2 = "flespi/rest/get/gw/devices/999"
	if _, err := c.Publish(ctx, restRequestPublish(req2, "", nil)); err != nil {
		t.Fatalf("publish %s: %v", req2, err)
	}
	m = next(ctx, t, c)
	checkReply(m, req2, nil)
	if gjson.GetBytes(m.Payload, "errors.0.code").Int() != 404 {
		t.Errorf("reply %s, want a 404 error", m.Payload)
	}
	// 3. A response topic the client may not publish to is ignored: the
	// reply goes to the request topic (had the sim published to the forged
	// state topic, that copy would arrive).
	if _, err := c.Publish(ctx, restRequestPublish(req2, forged, corr)); err != nil {
		t.Fatalf("publish request: %v", err)
	}
	checkReply(next(ctx, t, c), req2, nil)
}

// TestRESTACLToken: the ACL token reads replies on the request topic only
// (its own namespace is closed to it, so it sends no Response Topic) and
// may GET only its channel.
func TestRESTACLToken(t *testing.T) {
	s := startSim(t, Config{Rate: -1, Devices: 2, Seed: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, ACLToken, "t-rest-acl", 16)
	if got := subscribe(ctx, t, c, "flespi/rest/#", "hubtap/rest/t-rest-acl/1"); !bytes.Equal(got, []byte{1, 0x87}) {
		t.Fatalf("SUBACK % x, want 01 87", got)
	}
	for _, tc := range []struct {
		uri    string
		status string
	}{
		{"gw/channels/" + strconv.Itoa(ACLChannelID), ""},
		{"gw/devices/all", "403"},
		{"gw/channels/" + strconv.Itoa(SecondChannelID), "403"},
	} {
		topic := "flespi/rest/get/" + tc.uri
		if _, err := c.Publish(ctx, restRequestPublish(topic, "", nil)); err != nil {
			t.Fatalf("publish %s: %v", topic, err)
		}
		m := next(ctx, t, c)
		if code := gjson.GetBytes(m.Payload, "errors.0.code").String(); m.Topic != topic || code != tc.status {
			t.Fatalf("got %s error code %q %s, want %q on %s", m.Topic, code, m.Payload, tc.status, topic)
		}
		if tc.status == "403" && !strings.Contains(gjson.GetBytes(m.Payload, "errors.0.reason").String(), "access denied") {
			t.Errorf("403 without a reason: %s", m.Payload)
		}
	}
}

// TestRESTOff: with NoREST the request is discarded like any flespi/... publish.
func TestRESTOff(t *testing.T) {
	s := startSim(t, Config{Rate: -1, Devices: 2, NoREST: true})
	if s.rest != nil {
		t.Fatal("NoREST started a responder")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mustConnect(ctx, t, s, DemoToken, "t-rest-off", 16)
	mustSubscribe(ctx, t, c, "flespi/rest/#", "custom/#")
	for _, p := range []*paho.Publish{
		restRequestPublish("flespi/rest/get/gw/devices/all", "custom/reply", []byte("x")),
		{Topic: "custom/marker", QoS: 1, Payload: []byte("m")},
	} {
		if _, err := c.Publish(ctx, p); err != nil {
			t.Fatalf("publish %s: %v", p.Topic, err)
		}
	}
	if m := next(ctx, t, c); m.Topic != "custom/marker" {
		t.Fatalf("got %s %s, want only the marker", m.Topic, m.Payload)
	}
}
