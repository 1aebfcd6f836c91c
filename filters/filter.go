// Package filters decides which history entries a pane shows.
//
// A filter is a small expression language over one MQTT message: JSON fields
// of the payload (flespi's flat dotted keys first, then nested paths), the
// pseudo-fields topic, qos, retain, dup, payload and prop.NAME, comparisons,
// regular expressions, MQTT topic patterns, lists, exists(), boolean
// operators and free text. docs/FILTERS.md is the user reference; the short
// form is in the Parse documentation.
//
// Evaluation reads the payload bytes in place: a hand-written scanner finds
// top-level keys (flespi messages are flat objects) and gjson handles nested
// paths. Nothing is unmarshalled, and the common predicates do not allocate.
//
// The package is pure: it imports neither the UI nor bubbletea, and every
// Filter it returns is immutable, so one may be evaluated off the UI
// goroutine (for example inside a tea.Cmd that filters a snapshot), from
// several goroutines at once.
package filters

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"
)

// Filter decides whether an entry is shown. Implementations are immutable and
// safe for concurrent use. Match never blocks, never retains its arguments and
// must not panic on any input.
type Filter interface {
	// Match reports whether a message with this topic and payload is shown.
	Match(topic string, payload []byte) bool
	// String returns the filter in a form that Parse accepts again.
	String() string
}

// MaxLen is the longest filter source Parse accepts, in bytes.
const MaxLen = 4096

// MaxDepth is how deeply Parse lets parentheses and negations nest.
const MaxDepth = 64

// ErrInvalidUTF8 is returned by Parse for a source that is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("filter is not valid UTF-8")

// JSONHint tells Eval what the caller already knows about the payload, so
// that it need not validate the JSON again. The zero value is JSONUnknown.
type JSONHint uint8

const (
	// JSONUnknown makes Eval validate the payload itself (gjson.Valid, linear
	// in its size) when the answer depends on it: at most once per call, and
	// only if a JSON field was found and the answer would differ were the
	// payload not JSON.
	JSONUnknown JSONHint = iota
	// JSONValid promises the payload is valid JSON (history.KindJSON). A
	// wrong promise gives wrong answers, never a panic.
	JSONValid
	// JSONInvalid says the payload is not JSON: every JSON field is missing.
	JSONInvalid
)

// Input is one message as Eval reads it. Eval only reads it, never retains
// it or anything it points to, and never calls User after returning.
type Input struct {
	Topic   string // the topic field, and a haystack for free text
	Payload []byte // JSON fields, the payload field, and a haystack for free text
	QoS     byte   // the qos field
	Retain  bool   // the retain field
	Dup     bool   // the dup field
	// User returns the first MQTT 5 user property named key (prop.key in
	// the language); nil means the message has none. It must not block.
	User func(key string) (string, bool)
	// JSON is what the caller knows about Payload; see JSONHint.
	JSON JSONHint
	// Flags names the message's anomalies, comma-separated ("gap,latency"),
	// for the flags field; "" when there are none.
	Flags string
}

// Expr is a compiled filter expression. It is immutable apart from a panic
// counter, and safe for concurrent use. It implements Filter.
type Expr struct {
	src    string   // canonical source, returned by String
	root   *node    // never nil
	keys   []string // top-level JSON keys the expression may read; see evalCtx
	panics atomic.Uint64
}

// Parse compiles what the user typed into a Filter; see Compile for the
// rules. A source that is empty or only white space yields a nil Filter and a
// nil error: nil means "show everything" (see Matches). Otherwise the Filter
// is an *Expr. Errors are a *SyntaxError for a mistake at a column, a plain
// error for a source longer than MaxLen bytes, or ErrInvalidUTF8.
func Parse(src string) (Filter, error) {
	e, err := Compile(src)
	if e == nil || err != nil {
		return nil, err // no typed nil inside the interface
	}
	return e, nil
}

// Compile is Parse returning the concrete type; it returns nil, nil for an
// empty or blank source.
//
// The language, in brief (docs/FILTERS.md has the full reference):
//
//	position.speed > 80 && ident in ["352625066004561", "352625066004562"]
//	device.name =~ "^Truck" || !exists(device.id)
//	topic ~= "flespi/message/gw/devices/+" and prop.cid == 8201
//	"Truck 17" && not engine.ignition.status == true
//
// A source with no quotes, no operator characters = ! < > ~ & | ( ) [ ] and no
// keyword (and, or, not, in, contains) is free text as a whole, as before:
// "truck 17" finds that text, ignoring case, in the topic or the payload.
// Compile runs in time linear in the source (regular expressions aside) and
// never blocks.
func Compile(src string) (*Expr, error) {
	s := strings.TrimSpace(src)
	switch {
	case s == "":
		return nil, nil
	case len(s) > MaxLen:
		return nil, fmt.Errorf("filter is %d bytes, longer than the %d-byte limit", len(s), MaxLen)
	case !utf8.ValidString(s):
		return nil, ErrInvalidUTF8
	}
	if isPlainText(s) {
		return &Expr{src: s, root: &node{op: nText, text: newSubstring(s), src: s}}, nil
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Expr{src: root.String(), root: root, keys: p.keys}, nil
}

// Matches reports whether f shows the message, treating a nil f (the result
// of parsing an empty source) as "show everything".
func Matches(f Filter, topic string, payload []byte) bool {
	return f == nil || f.Match(topic, payload)
}

// Match reports whether the expression holds for a message with only a topic
// and a payload: qos is 0, retain and dup are false, no prop.* exists, and
// the payload is validated when a JSON field is found (see JSONUnknown).
func (e *Expr) Match(topic string, payload []byte) bool {
	in := Input{Topic: topic, Payload: payload}
	return e.Eval(&in)
}

// Eval reports whether the expression holds for in. It does not allocate for
// the common predicates (numbers, string equality, in, exists, contains,
// free text with an ASCII needle). It never panics: a panic inside is
// counted (see Panics) and the message does not match.
func (e *Expr) Eval(in *Input) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			e.panics.Add(1)
			ok = false
		}
	}()
	return e.eval(in)
}

// eval is Eval without the recover, for the fuzz tests.
//
// With JSONUnknown it first evaluates as if the payload were valid JSON. If
// a JSON field was found, the answer for an invalid payload (every JSON field
// missing) may differ, so it evaluates that too; only when the two answers
// differ does it pay for validation. A filter that rejects most messages thus
// rarely validates: when the fields are missing both answers are "no".
func (e *Expr) eval(in *Input) bool {
	p := unsafe.String(unsafe.SliceData(in.Payload), len(in.Payload))
	c := evalCtx{in: *in, keys: e.keys, p: p, state: 1}
	if in.JSON == JSONInvalid {
		c.state = -1
	}
	r := c.eval(e.root)
	if in.JSON != JSONUnknown || !c.saw {
		return r
	}
	c = evalCtx{in: *in, keys: e.keys, p: p, state: -1}
	if c.eval(e.root) == r || validJSON(p) {
		return r
	}
	return !r
}

// Panics returns how many Eval calls on e recovered from a panic (a bug in
// this package, never expected); the UI may show it as a counter.
func (e *Expr) Panics() uint64 { return e.panics.Load() }

// String returns the expression in canonical form: Parse(e.String()) gives an
// equivalent expression with the same String. Free text as a whole is
// returned as typed, trimmed.
func (e *Expr) String() string { return e.src }

// isPlainText reports whether s is free text as a whole: no character that
// the expression language gives a meaning to and no keyword.
func isPlainText(s string) bool {
	if strings.ContainsAny(s, "\"'`=!<>~&|()[]") {
		return false
	}
	for _, w := range strings.Fields(s) {
		if keywordOf(w) != tEOF {
			return false
		}
	}
	return true
}

// propLike are first path segments people write for MQTT user properties,
// which the language reads as prop.NAME (a payload path of that name is
// rarely what they meant).
var propLike = []string{"user", "users", "userprop", "userprops", "user_properties", "userproperties", "props", "properties", "property"}

// Hints returns advice for a filter that matches nothing: for a payload
// path that looks like a user property (user.cid, properties.cid), how to
// name the property (prop.cid).
func (e *Expr) Hints() []string {
	var out []string
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if f := n.f; f != nil && f.kind == fJSON {
			if head, name, ok := strings.Cut(f.src, "."); ok && name != "" && slices.Contains(propLike, strings.ToLower(head)) {
				h := "MQTT user properties are prop.NAME: did you mean prop." + name + " instead of " + f.src + " (a payload field)?"
				if !slices.Contains(out, h) {
					out = append(out, h)
				}
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(e.root)
	return out
}

// Highlights lists what the expression looks at, for highlighting in a
// viewer: the JSON fields it reads (as written, e.g. "position.speed") and
// its free-text terms (as searched, lower-case for ASCII). Negated parts are
// included too: they are still what the user is asking about.
func (e *Expr) Highlights() (fields, texts []string) {
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if (n.op == nText || n.op == nContains) && n.text != nil && n.text.needle != "" {
			texts = append(texts, n.text.needle)
		}
		if n.f != nil && n.f.kind == fJSON && !slices.Contains(fields, n.f.src) {
			fields = append(fields, n.f.src)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(e.root)
	return fields, texts
}
