package history

import (
	"fmt"
	"unicode/utf8"

	"hubtap/broker"
	"hubtap/filters"
)

// Entry is one received message as the UI reads it: the broker.Message plus
// what was computed once at ingest. Every string field is safe to print on
// one terminal row. An Entry is immutable once built; the Store owns the
// ones it holds.
type Entry struct {
	broker.Message // Seq, Topic, Payload, QoS, Retain, Duplicate, Received, Props: as received

	// Ident is the device ident: JSON "ident", else "device.id" as text, else
	// "". Sanitized, at most 128 bytes.
	Ident string
	// Summary is one sanitized line of at most SummaryCells cells (see NewEntry).
	Summary string
	// TopicSafe is Topic sanitized with SanitizeLine: the very same string
	// (no copy) when Topic is already safe. Not length-capped.
	TopicSafe string
	// Kind is how the payload was classified.
	Kind Kind
	// Flags are anomaly flags set by the store's observer (telematics
	// checks such as gap or future timestamp); history does not read them.
	Flags uint8
	// Repeat marks a redelivery: the same topic and payload arrived shortly
	// before, and the broker set DUP on this copy or on that one. Stats
	// counts it apart (Repeats).
	Repeat bool

	unreadable bool // set by Prepare when building the entry failed; counted by the Store

	// CopyOf is 0 for a message seen for the first time, else how many
	// entries back its first copy is (Original gives the index): the same
	// message that arrived again on another topic or through other
	// subscriptions, e.g. a flespi device message on both its channel and
	// its device topic (identity.go). Counts, rates, anomaly checks and the
	// diff skip copies; panes list them.
	CopyOf uint32

	// props holds the MQTT 5 properties, encoded, once the Store has packed
	// the entry (Message.Props is then nil): read them with Properties or
	// UserValue, and the whole message with Msg (props.go).
	props string

	cost  int64  // bytes charged to the Store's budget; set by Store.Append
	idKey uint64 // identity key (identity.go), computed by Prepare
}

// NewEntry computes an Entry from a message: Kind, Ident, Summary and
// TopicSafe, reading JSON with gjson (no full unmarshal). Summaries:
//
//   - a flespi telemetry object: "speed=47km/h 52.22968,21.01223 ign=on batt=4.05V gsm=80 +20 fields"
//     (each part only when present; pwr=27.9V replaces batt= when there is no battery.voltage);
//   - other objects: "{ident: "x", timestamp: 1715843521, …}", first keys only;
//   - JSON scalars and arrays: compact JSON;
//   - text: the sanitized text, newlines shown as ␊;
//   - binary: "binary 123 B: 0a 1b 2c …" (first 16 bytes);
//   - empty: "(empty)".
//
// Cost is linear in the payload at worst (validation) and reads at most a few
// KiB for the summary; objects above 1 MiB get the generic summary. NewEntry
// never panics: if building the entry fails, the result is a KindBinary entry
// whose Summary starts with "unreadable".
func NewEntry(m broker.Message) Entry {
	e, _ := buildEntry(m, summarize)
	return e
}

// buildEntry is NewEntry with an injectable summarizer; err is non-nil when a
// panic was recovered and e is the "unreadable" fallback.
func buildEntry(m broker.Message, sum summarizer) (e Entry, err error) {
	e.Message = m
	err = safely("history: read message", func() error {
		e.TopicSafe = SanitizeLine(m.Topic)
		e.Kind = Classify(m.Payload)
		e.Ident, e.Summary = sum(e.Kind, m.Payload)
		e.idKey = identityKey(&e)
		return nil
	})
	if err != nil {
		e.Kind = KindBinary
		e.Ident = ""
		e.TopicSafe = printableASCII(m.Topic)
		e.Summary = "unreadable " + string(appendSize(nil, len(m.Payload)))
		e.idKey = identityKey(&e) // binary now: a payload hash, no parsing
	}
	return e, err
}

// Matches reports whether f shows this entry; a nil f shows everything.
func (e *Entry) Matches(f filters.Filter) bool {
	return filters.Matches(f, e.Topic, e.Payload)
}

// safely runs fn and turns a panic into an error (STYLE §6): one bad message
// must not end the session.
func safely(op string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: recovered panic: %v", op, r)
		}
	}()
	return fn()
}

// printableASCII is the last-resort topic rendering after a recovered panic:
// it keeps printable ASCII and shows every other byte as U+FFFD. It is too
// simple to fail.
func printableASCII(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		} else {
			b = utf8.AppendRune(b, utf8.RuneError)
		}
	}
	return string(b)
}
