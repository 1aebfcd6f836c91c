package app

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/themes"
)

type fakeClient struct {
	sent []broker.Outgoing
	reqs []string
}

func (f *fakeClient) Subscribe(context.Context, ...string) ([]broker.SubResult, error) {
	return nil, nil
}
func (f *fakeClient) Unsubscribe(context.Context, ...string) error { return nil }
func (f *fakeClient) Send(_ context.Context, o broker.Outgoing) error {
	f.sent = append(f.sent, o)
	return nil
}
func (f *fakeClient) Request(_ context.Context, method, uri string, body []byte) (*broker.Reply, error) {
	f.reqs = append(f.reqs, method+" "+uri)
	return &broker.Reply{Topic: "flespi/rest/" + method + "/" + uri, Payload: []byte(`{"result":[{"id":182001,"name":"Truck 01"}]}`),
		Status: 200, Elapsed: 12 * time.Millisecond, Correlated: true}, nil
}

func keys(t *testing.T, m Model, ks ...tea.KeyPressMsg) Model {
	t.Helper()
	for _, k := range ks {
		nm, cmd := m.Update(k)
		m = run(t, nm.(Model), cmd)
	}
	return m
}

func TestPublishAndRESTDialogs(t *testing.T) {
	fc := &fakeClient{}
	m := New(Config{Styles: themes.Build(themes.Plain()), Store: history.NewStore(1 << 20), Source: noSource{},
		Client: fc, Topics: []string{"#"}, Now: func() time.Time { return t0 }})
	m = update(t, m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = keys(t, m, press("p"))
	if m.overlay != overlayForm || !strings.Contains(screen(t, m), "publish") {
		t.Fatal("p did not open the publish dialog")
	}
	m = typeText(t, m, "my/devices/42/cmd")
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab}, tea.KeyPressMsg{Code: tea.KeyTab})
	m = typeText(t, m, "source=hubtap")
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
	m = typeText(t, m, `{"cmd":`)
	if s := screen(t, m); !strings.Contains(s, "not valid JSON") {
		t.Fatalf("invalid JSON not flagged:\n%s", s)
	}
	m = keys(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if len(fc.sent) != 0 {
		t.Fatal("an invalid body was sent")
	}
	m = typeText(t, m, `1}`)
	m = keys(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(fc.sent) != 1 {
		t.Fatalf("sent %d messages", len(fc.sent))
	}
	o := fc.sent[0]
	if o.Topic != "my/devices/42/cmd" || o.QoS != 1 || string(o.Payload) != `{"cmd":1}` || len(o.User) != 1 || o.User[0].Key != "source" {
		t.Fatalf("sent %+v", o)
	}
	if s := screen(t, m); !strings.Contains(s, "published to my/devices/42/cmd") {
		t.Fatalf("no notice:\n%s", s)
	}
	// REST: the defaults ask for gw/devices/all, and one enter sends from
	// any field (the body is optional).
	m = keys(t, m, press("R"), tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(fc.reqs) != 1 || fc.reqs[0] != "get gw/devices/all" {
		t.Fatalf("requests %v", fc.reqs)
	}
	s := screen(t, m)
	if !strings.Contains(s, "status 200") || !strings.Contains(s, `"name": "Truck 01"`) {
		t.Fatalf("REST reply not shown:\n%s", s)
	}
}
