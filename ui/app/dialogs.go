package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/ui/form"
	"hubtap/ui/msglog"
)

// Sender publishes and makes REST-over-MQTT requests; *broker.Client is one.
type Sender interface {
	Send(ctx context.Context, o broker.Outgoing) error
	Request(ctx context.Context, method, uri string, body []byte) (*broker.Reply, error)
}

type publishDoneMsg struct {
	o    broker.Outgoing
	err  error
	warn string
}

type restDoneMsg struct {
	method, uri string
	reply       *broker.Reply
	err         error
}

func (m *Model) sender() (Sender, bool) {
	s, ok := m.cfg.Client.(Sender)
	return s, ok && m.cfg.Client != nil
}

// openPublish opens the publish dialog, prefilled from the last message sent.
func (m *Model) openPublish() tea.Cmd {
	last := broker.Outgoing{QoS: 1}
	if len(m.sent) > 0 {
		last = m.sent[len(m.sent)-1]
	}
	var props []string
	for _, u := range last.User {
		props = append(props, u.Key+"="+u.Value)
	}
	retain := "no"
	if last.Retain {
		retain = "yes"
	}
	fields := []form.Field{
		{Label: "topic", Placeholder: "my/devices/42/commands", Value: last.Topic, Check: checkTopic, Choices: m.tree.Seen(2000)},
		{Label: "QoS", Value: strconv.Itoa(int(last.QoS)), Check: oneOf("0", "1"), Choices: []string{"0", "1"}},
		{Label: "retain", Value: retain, Check: oneOf("yes", "no"), Choices: []string{"yes", "no"}},
		{Label: "user props", Placeholder: "key=value, key2=value2", Value: strings.Join(props, ", "), Check: checkProps},
		{Label: "body (JSON)", Placeholder: `{"command":"getinfo"}`, Value: string(last.Payload), Check: checkJSON},
	}
	m.form = form.New(m.st, form.Spec{ID: "publish", Title: "publish", Fields: fields, Notes: m.sentNotes()})
	return m.openOverlay(overlayForm)
}

func (m *Model) sentNotes() []string {
	if len(m.sent) == 0 {
		return []string{m.st.List.Hint.Render("Publishing to flespi/... (but flespi/rest/...) is accepted and silently discarded by flespi.")}
	}
	notes := []string{m.st.Detail.Label.Render("sent")}
	for i := len(m.sent) - 1; i >= 0 && len(notes) < 8; i-- {
		o := m.sent[i]
		notes = append(notes, "  "+history.SanitizeLine(o.Topic)+"  "+history.SanitizeLine(string(o.Payload)))
	}
	return notes
}

func checkTopic(s string) error {
	err := broker.PublishChecks(strings.TrimSpace(s))
	var w *broker.PublishWarning
	if errors.As(err, &w) {
		return nil // shown after sending, not blocking
	}
	return err
}

func oneOf(vals ...string) func(string) error {
	return func(s string) error {
		for _, v := range vals {
			if strings.TrimSpace(s) == v {
				return nil
			}
		}
		return fmt.Errorf("one of %s", strings.Join(vals, ", "))
	}
}

func checkProps(s string) error {
	_, err := parseProps(s)
	return err
}

func parseProps(s string) ([]broker.UserProperty, error) {
	var out []broker.UserProperty
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q: write key=value", kv)
		}
		out = append(out, broker.UserProperty{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out, nil
}

func checkJSON(s string) error {
	if strings.TrimSpace(s) == "" || json.Valid([]byte(s)) {
		return nil
	}
	return errors.New("not valid JSON (leave empty for an empty payload)")
}

// openREST opens the REST-over-MQTT dialog.
func (m *Model) openREST() tea.Cmd {
	fields := []form.Field{
		{Label: "method", Value: "get", Check: oneOf("get", "post", "put", "patch", "delete"), Choices: []string{"get", "post", "put", "patch", "delete"}},
		{Label: "URI", Placeholder: "gw/devices/all", Value: "gw/devices/all", Check: func(s string) error {
			_, err := broker.RESTTopic("get", strings.TrimSpace(s))
			return err
		}, Choices: []string{"gw/devices/all", "gw/channels/all", "platform/customer"}},
		{Label: "body (JSON)", Placeholder: "for post and put", Check: checkJSON},
	}
	notes := []string{m.st.List.Hint.Render("flespi REST over MQTT (experimental): the request goes to flespi/rest/{method}/{uri};"),
		m.st.List.Hint.Render("the reply is paired by correlation data or topic, and shown in the detail view.")}
	m.form = form.New(m.st, form.Spec{ID: "rest", Title: "REST request", Fields: fields, Notes: notes, SubmitOnEnter: true})
	return m.openOverlay(overlayForm)
}

// onFormSubmit sends what a dialog collected.
func (m *Model) onFormSubmit(msg form.SubmitMsg) tea.Cmd {
	if msg.ID == "command" {
		return m.onCommandForm(msg)
	}
	s, ok := m.sender()
	if !ok {
		return nil
	}
	ctx := m.ctx
	switch msg.ID {
	case "publish":
		v := msg.Values
		props, _ := parseProps(v[3])
		q, _ := strconv.Atoi(strings.TrimSpace(v[1]))
		o := broker.Outgoing{Topic: strings.TrimSpace(v[0]), QoS: byte(q), Retain: strings.TrimSpace(v[2]) == "yes",
			User: props, Payload: []byte(strings.TrimSpace(v[4]))}
		if len(o.Payload) > 0 {
			o.ContentType = "application/json"
		}
		warn := ""
		var w *broker.PublishWarning
		if errors.As(broker.PublishChecks(o.Topic), &w) {
			warn = w.Error()
		}
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return publishDoneMsg{o: o, err: s.Send(ctx, o), warn: warn}
		}
	case "rest":
		method, uri, body := strings.TrimSpace(msg.Values[0]), strings.TrimSpace(msg.Values[1]), []byte(strings.TrimSpace(msg.Values[2]))
		if m.cfg.Toolbox.ReadOnly && !strings.EqualFold(method, "get") {
			return m.notify("read-only: REST "+method+" is disabled (only get; started with --read-only)", msglog.Warn)
		}
		note := m.notify("REST "+method+" "+uri+"…", msglog.Info)
		return tea.Batch(note, func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, broker.RESTTimeout)
			defer cancel()
			r, err := s.Request(ctx, method, uri, body)
			return restDoneMsg{method: method, uri: uri, reply: r, err: err}
		})
	}
	return nil
}

func (m *Model) onPublishDone(msg publishDoneMsg) tea.Cmd {
	if msg.err != nil {
		return m.notify("publish "+msg.o.Topic+": "+msg.err.Error(), msglog.Error)
	}
	m.sent = append(m.sent, msg.o)
	if len(m.sent) > 50 {
		m.sent = m.sent[1:]
	}
	text := "published to " + msg.o.Topic
	if msg.warn != "" {
		text += " · " + msg.warn
	}
	if msg.warn != "" {
		return m.notify(text, msglog.Warn)
	}
	return m.notify(text, msglog.Info)
}

func (m *Model) onRESTDone(msg restDoneMsg) tea.Cmd {
	if msg.err != nil {
		return m.notify("REST "+msg.method+" "+msg.uri+": "+msg.err.Error(), msglog.Error)
	}
	r := msg.reply
	how := "by topic"
	if r.Correlated {
		how = "by correlation data"
	}
	status := "status " + strconv.Itoa(r.Status)
	if len(r.Errors) > 0 {
		status += " (" + strings.Join(r.Errors, "; ") + ")"
	}
	lvl := msglog.Info
	if r.Status >= 400 {
		lvl = msglog.Error
	}
	note := m.notify("REST "+msg.method+" "+msg.uri+" → "+status+" in "+r.Elapsed.Round(time.Millisecond).String()+", paired "+how, lvl)
	e := history.NewEntry(broker.Message{Topic: r.Topic, Payload: r.Payload, QoS: 1, Received: m.now()})
	m.restReply = &e
	m.detail.SetEntry(m.restReply)
	m.detail.SetDiff(nil)
	m.detail.Prepare()
	return note
}
