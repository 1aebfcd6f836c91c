package broker

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Subscription is one subscription of a session as flespi lists it in the
// CONNACK `subscriptions` user property (docs/FLESPI.md §6: the keys MQTT
// Board reads): the filter as the client wrote it, with its options.
type Subscription struct {
	Topic             string `json:"topic"`
	QoS               byte   `json:"qos"`
	NoLocal           bool   `json:"no_local"`
	RetainAsPublished bool   `json:"rap"`
	RetainHandling    byte   `json:"retain_handling"`
	ID                int    `json:"subscription_id,omitempty"` // 0: none
}

// ParseSubscriptions reads flespi's CONNACK `subscriptions` user property: a
// JSON array of {topic, qos, no_local, rap, retain_handling,
// subscription_id?}. Read it on every CONNACK, whatever Session Present
// says: MQTT Board does, and the simulator sends it every time ([] for a
// new session). Entries without a topic, or with a QoS or retain handling
// out of range, are an error; unknown keys are ignored. An empty array
// gives an empty, non-nil slice.
func ParseSubscriptions(s string) ([]Subscription, error) {
	var raw []struct {
		Topic          *string `json:"topic"`
		QoS            *int    `json:"qos"`
		NoLocal        bool    `json:"no_local"`
		RAP            bool    `json:"rap"`
		RetainHandling int     `json:"retain_handling"`
		ID             int     `json:"subscription_id"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("CONNACK subscriptions: not a JSON array of subscriptions: %w", err)
	}
	out := make([]Subscription, 0, len(raw))
	for i, r := range raw {
		switch {
		case r.Topic == nil || *r.Topic == "":
			return nil, fmt.Errorf("CONNACK subscriptions: entry %d: %w", i, errors.New("no topic"))
		case r.QoS != nil && (*r.QoS < 0 || *r.QoS > 2):
			return nil, fmt.Errorf("CONNACK subscriptions: entry %d (%s): qos %d out of range", i, *r.Topic, *r.QoS)
		case r.RetainHandling < 0 || r.RetainHandling > 2:
			return nil, fmt.Errorf("CONNACK subscriptions: entry %d (%s): retain_handling %d out of range", i, *r.Topic, r.RetainHandling)
		case r.ID < 0 || r.ID > 268_435_455:
			return nil, fmt.Errorf("CONNACK subscriptions: entry %d (%s): subscription_id %d out of range", i, *r.Topic, r.ID)
		}
		sub := Subscription{Topic: *r.Topic, NoLocal: r.NoLocal, RetainAsPublished: r.RAP,
			RetainHandling: byte(r.RetainHandling), ID: r.ID}
		if r.QoS != nil {
			sub.QoS = byte(*r.QoS)
		}
		out = append(out, sub)
	}
	return out, nil
}

// Subscriptions returns the session's subscriptions from the CONNACK
// `subscriptions` user property (ParseSubscriptions), and false when the
// broker sent none (not flespi, or MQTT 3). A malformed property is an error.
func (s SessionInfo) Subscriptions() ([]Subscription, bool, error) {
	for _, u := range s.User {
		if u.Key == "subscriptions" {
			subs, err := ParseSubscriptions(u.Value)
			return subs, true, err
		}
	}
	return nil, false, nil
}
