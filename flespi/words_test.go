package flespi

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDescribeLog(t *testing.T) {
	cases := []struct {
		topic, payload, kind, words string
	}{
		{"flespi/log/gw/devices/182001/disconnected", `{"event_code":301,"close_code":17,"timestamp":10}`, "disconnected",
			"disconnected: inactivity timeout: nothing came from the device for 10 minutes (close code 17)"},
		{"flespi/log/gw/devices/182001/disconnected", `{"event_code":301,"close_code":99}`, "disconnected",
			"disconnected: close code 99 (not documented)"},
		{"flespi/log/gw/devices/182001/connected", `{"event_code":300,"peer":"1.2.3.4:5"}`, "connected", "connected from 1.2.3.4:5"},
		{"flespi/log/gw/devices/182001/commands-queue/getinfo/processed", `{"id":3,"name":"getinfo","executed":true,"response":"OK"}`, "command",
			`command "getinfo" #3 processed, response "OK"`},
		{"flespi/log/gw/channels/1234/error", `{"reason":"undecodable data"}`, "error", "error: undecodable data"},
	}
	for _, c := range cases {
		t.Run(c.topic+c.payload, func(t *testing.T) {
			r, ok := DescribeLog(c.topic, []byte(c.payload))
			if !ok || r.Kind != c.kind || r.Words != c.words {
				t.Fatalf("got %+v (ok %v); want kind %q words %q", r, ok, c.kind, c.words)
			}
		})
	}
	if _, ok := DescribeLog("flespi/message/gw/devices/1", []byte(`{}`)); ok {
		t.Error("a message topic was read as a log record")
	}
}

func TestWhyDisconnected(t *testing.T) {
	var rs []Record
	for i, c := range []int{12, 17, 12, 99} {
		r, _ := DescribeLog("flespi/log/gw/devices/1/disconnected", []byte(`{"close_code":`+itoa(c)+`,"timestamp":`+itoa(i)+`}`))
		rs = append(rs, r)
	}
	got := strings.Join(WhyDisconnected(rs), "\n")
	want := "last disconnect: close code 99 (not documented)\n  2× ident collision: a new connection came with the same ident while this one was open\n" +
		"  1× inactivity timeout: nothing came from the device for 10 minutes\n  1× close code 99 (not documented)"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestTokenWords(t *testing.T) {
	tok := &Token{ID: 5, CID: 8201, Info: "demo", Expire: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()}
	tok.Access.Type = "2"
	tok.Access.ACL = []byte(`[{"uri":"gw/channels","methods":["GET"],"ids":[1234]}]`)
	got := strings.Join(TokenWords(tok, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)), "\n")
	for _, want := range []string{"type: ACL", "expires: ", "(in 31 days)", "gw/channels ids [1234]: GET", "account (cid): 8201"} {
		if !strings.Contains(got, want) {
			t.Errorf("token words lack %q:\n%s", want, got)
		}
	}
}

func TestMessageTargetAndStorageKey(t *testing.T) {
	ident, id, name, ch := MessageTarget("flespi/message/gw/channels/1234/352625066000001",
		[]byte(`{"ident":"352625066000001","device.id":182001,"device.name":"Truck 1","channel.id":1234,"timestamp":1796520386.5}`))
	if ident != "352625066000001" || id != 182001 || name != "Truck 1" || ch != 1234 {
		t.Fatalf("MessageTarget = %q %d %q %d", ident, id, name, ch)
	}
	if _, id, _, _ := MessageTarget("flespi/state/gw/devices/182007/telemetry/x", []byte("12")); id != 182007 {
		t.Fatalf("device id from the topic = %d, want 182007", id)
	}
	a, ta := StorageKey([]byte(`{"ident":"1","timestamp":1796520386}`))
	b, _ := StorageKey([]byte(`{"timestamp":1796520386.000000,"ident":"1","x":2}`))
	c, _ := StorageKey([]byte(`{"ident":"1","timestamp":1796520386.000001}`))
	if a != b || a == c || ta.Unix() != 1796520386 {
		t.Fatalf("StorageKey: %q %q %q %v", a, b, c, ta)
	}
}
