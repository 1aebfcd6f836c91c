package broker

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// PublishWarning is returned by PublishChecks for a topic the broker accepts
// but does nothing useful with. The publish dialog shows it and lets the user
// send anyway. Use errors.As.
type PublishWarning struct {
	Topic  string
	Reason string
}

// Error gives the sentence shown in the publish dialog.
func (w *PublishWarning) Error() string { return w.Topic + ": " + w.Reason }

// PublishChecks vets a topic before a user PUBLISH. It returns a plain error
// for a topic no broker accepts (empty, wildcards, NUL, invalid UTF-8, too
// long, $-prefixed) and a *PublishWarning for flespi/... topics other than
// flespi/rest/..., which flespi silently discards (docs/FLESPI.md §3, §9.10).
func PublishChecks(topic string) error {
	switch {
	case topic == "":
		return errors.New("empty topic")
	case len(topic) > 65535:
		return errors.New("topic longer than 65535 bytes")
	case !utf8.ValidString(topic):
		return errors.New("topic is not valid UTF-8")
	case strings.ContainsRune(topic, 0):
		return errors.New("topic contains a NUL character")
	case strings.ContainsAny(topic, "+#"):
		return fmt.Errorf("%q: + and # are wildcards, allowed in subscriptions only", topic)
	case strings.HasPrefix(topic, "$"):
		return fmt.Errorf("%q: topics starting with $ are reserved for the broker", topic)
	case strings.HasPrefix(topic, "flespi/rest/"):
		return nil
	case topic == "flespi" || strings.HasPrefix(topic, "flespi/"):
		return &PublishWarning{Topic: topic, Reason: "flespi silently discards client publishes to flespi/... topics " +
			"(only flespi/rest/... is accepted): the PUBACK will say success and no subscriber will see it"}
	}
	return nil
}
