package broker

import (
	"context"
	"fmt"

	"github.com/eclipse/paho.golang/paho"
)

// Outgoing is a message to publish: topic, payload, QoS, retain and MQTT 5
// user properties, content type and response topic.
type Outgoing struct {
	Topic         string
	Payload       []byte
	QoS           byte
	Retain        bool
	ContentType   string
	ResponseTopic string
	User          []UserProperty
}

// Send publishes o and waits for its PUBACK (QoS 1) or its write (QoS 0).
// It blocks: call it from a tea.Cmd. A refusal in the PUBACK comes back as
// a *ReasonError in words.
func (c *Client) Send(ctx context.Context, o Outgoing) error {
	if err := PublishChecks(o.Topic); err != nil {
		if _, warn := err.(*PublishWarning); !warn {
			return err
		}
	}
	p := &paho.Publish{Topic: o.Topic, Payload: o.Payload, QoS: o.QoS, Retain: o.Retain,
		Properties: &paho.PublishProperties{ContentType: o.ContentType, ResponseTopic: o.ResponseTopic}}
	for _, u := range o.User {
		p.Properties.User = append(p.Properties.User, paho.UserProperty{Key: u.Key, Value: u.Value})
	}
	resp, err := c.cm.Publish(ctx, p)
	if resp != nil && resp.ReasonCode >= 0x80 {
		reason := ""
		if resp.Properties != nil {
			reason = resp.Properties.ReasonString
		}
		return &ReasonError{Packet: "PUBACK", Code: resp.ReasonCode, Server: reason}
	}
	if err != nil {
		return fmt.Errorf("publish %s: %w", o.Topic, err)
	}
	return nil
}
