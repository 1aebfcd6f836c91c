package filters

import (
	"regexp"
	"strconv"
	"strings"

	"hubtap/broker"
	"hubtap/internal/jsonscan"

	"github.com/tidwall/gjson"
)

type nodeOp uint8

const (
	nAnd      nodeOp = iota // kids, all true
	nOr                     // kids, any true
	nNot                    // kids[0] false
	nText                   // free text in topic or payload
	nExists                 // the field is present
	nCmp                    // field cmp lit
	nIn                     // field in list (neg: not in)
	nContains               // field contains text
	nRegex                  // field =~ re (neg: !~)
	nTopic                  // field ~= MQTT topic filter
)

// node is one compiled expression node. A single concrete type (not an
// interface per operator) keeps evaluation free of escapes to the heap.
type node struct {
	op   nodeOp
	kids []*node
	f    *field
	cmp  cmpOp
	neg  bool
	lit  lit        // nCmp
	list *list      // nIn
	text *substring // nText, nContains
	re   *regexp.Regexp
	pat  string // nTopic: the topic filter
	src  string // nText: the free text as printed
}

// evalCtx is one evaluation. It lives on the stack: the node tree is a
// concrete type, so nothing here escapes.
type evalCtx struct {
	in    Input            // a copy: a pointer would make the caller's Input escape
	p     string           // the payload, viewed in place (never retained)
	keys  []string         // Expr.keys
	state int8             // 1: read the payload as JSON; -1: every JSON field is missing
	saw   bool             // a JSON field was found: the answer may depend on validity
	top   byte             // first non-blank payload byte; 0 until looked at, 1 if none
	w     jsonscan.Members // over the top-level object, resumed by key
	found uint32           // bit i: keys[i] has been seen; its value is in vals[i]
	vals  [maxCachedKeys]string
}

// maxCachedKeys is how many distinct top-level keys one walk remembers;
// keys past it (a rare, very long expression) are looked up by a fresh walk.
const maxCachedKeys = 16

func (c *evalCtx) eval(n *node) bool {
	switch n.op {
	case nAnd:
		for _, k := range n.kids {
			if !c.eval(k) {
				return false
			}
		}
		return true
	case nOr:
		for _, k := range n.kids {
			if c.eval(k) {
				return true
			}
		}
		return false
	case nNot:
		return !c.eval(n.kids[0])
	case nText:
		return n.text.Match(c.in.Topic, c.in.Payload)
	}
	v := c.get(n.f)
	if v.kind == vMissing {
		return false // SQL-like: a missing field matches no comparison, not even != (docs/FILTERS.md)
	}
	switch n.op {
	case nExists:
		return true
	case nCmp:
		switch n.cmp {
		case opEq:
			return equal(v, &n.lit)
		case opNe:
			return !equal(v, &n.lit)
		}
		r, ok := order(v, &n.lit)
		switch {
		case !ok:
			return false
		case n.cmp == opLt:
			return r < 0
		case n.cmp == opLe:
			return r <= 0
		case n.cmp == opGt:
			return r > 0
		}
		return r >= 0
	case nIn:
		return n.list.has(v) != n.neg
	case nContains:
		s, ok := v.text()
		return ok && n.text.contains(s)
	case nRegex:
		s, ok := v.text()
		if !ok { // null: no text to match, so =~ is false and !~ true
			return n.neg
		}
		return n.re.MatchString(s) != n.neg
	case nTopic:
		return v.kind == vString && broker.MatchTopic(n.pat, v.s)
	}
	return false
}

// get returns a field's value for this message.
func (c *evalCtx) get(f *field) value {
	switch f.kind {
	case fTopic:
		return value{kind: vString, s: c.in.Topic}
	case fPayload:
		return value{kind: vString, s: c.p}
	case fQoS:
		return value{kind: vNumber, s: qosText(c.in.QoS)}
	case fRetain:
		return boolValue(c.in.Retain)
	case fDup:
		return boolValue(c.in.Dup)
	case fFlags:
		return value{kind: vString, s: c.in.Flags}
	case fProp:
		if c.in.User != nil {
			if s, ok := c.in.User(f.name); ok {
				return value{kind: vString, s: s}
			}
		}
		return value{}
	}
	return c.json(f)
}

func boolValue(b bool) value {
	if b {
		return value{kind: vTrue}
	}
	return value{kind: vFalse}
}

func qosText(q byte) string {
	if q <= 9 {
		return "0123456789"[q : q+1]
	}
	return strconv.Itoa(int(q)) // not a valid QoS; allocating is fine
}

// json looks a JSON path up: the whole dotted key at top level, then the
// nested path. It takes the payload to be valid JSON unless the hint says
// otherwise; Expr.eval checks that assumption only when the answer depends on
// it. (gjson does not panic on invalid JSON; it returns odd results.)
func (c *evalCtx) json(f *field) value {
	if c.state < 0 {
		return value{}
	}
	if c.top == 0 {
		c.top = 1
		if i := jsonscan.SkipWS(c.p, 0); i < len(c.p) {
			c.top = c.p[i]
			c.w, _ = jsonscan.NewMembers(c.p) // finished at once unless c.top is '{'
		}
	}
	var v value
	switch c.top {
	case '{':
		if f.flat >= 0 {
			if raw, ok := c.key(f.flat); ok {
				v = rawValue(raw)
				break
			}
		}
		if raw, ok := c.key(f.head); ok {
			if f.rest == "" {
				v = rawValue(raw)
			} else {
				v = resultValue(gjson.Get(raw, f.rest))
			}
		}
	case '[':
		v = resultValue(gjson.Get(c.p, f.full))
	}
	if v.kind != vMissing {
		c.saw = true
	}
	return v
}

// key returns the raw value of top-level key keys[i], walking on from where
// the last lookup stopped and remembering every wanted key it passes.
func (c *evalCtx) key(i int) (string, bool) {
	if i >= maxCachedKeys {
		w, _ := jsonscan.NewMembers(c.p)
		for {
			k, esc, v, ok := w.Next()
			if !ok {
				return "", false
			}
			if jsonscan.Key(k, esc) == c.keys[i] {
				return v, true
			}
		}
	}
	bit := uint32(1) << i
	for c.found&bit == 0 {
		k, esc, v, ok := c.w.Next()
		if !ok {
			return "", false
		}
		k = jsonscan.Key(k, esc)
		for j, want := range c.keys[:min(len(c.keys), maxCachedKeys)] {
			if b := uint32(1) << j; c.found&b == 0 && k == want {
				c.found |= b
				c.vals[j] = v
			}
		}
	}
	return c.vals[i], true
}

// rawValue types a raw JSON value found by the walk (jsonscan.Members).
func rawValue(raw string) value {
	switch raw[0] {
	case '"':
		if len(raw) < 2 {
			return value{}
		}
		if strings.IndexByte(raw, '\\') < 0 {
			return value{kind: vString, s: raw[1 : len(raw)-1]}
		}
		return value{kind: vString, s: gjson.Parse(raw).Str} // escapes: decode (allocates)
	case '{', '[':
		return value{kind: vContainer, s: raw}
	case 't':
		if raw == "true" {
			return value{kind: vTrue}
		}
	case 'f':
		if raw == "false" {
			return value{kind: vFalse}
		}
	case 'n':
		if raw == "null" {
			return value{kind: vNull}
		}
	default:
		if _, ok := scanNum(raw); ok {
			return value{kind: vNumber, s: raw}
		}
	}
	return value{}
}

func resultValue(r gjson.Result) value {
	switch r.Type {
	case gjson.String:
		return value{kind: vString, s: r.Str}
	case gjson.Number:
		return value{kind: vNumber, s: r.Raw}
	case gjson.True:
		return value{kind: vTrue}
	case gjson.False:
		return value{kind: vFalse}
	case gjson.JSON:
		return value{kind: vContainer, s: r.Raw}
	}
	if r.Exists() {
		return value{kind: vNull}
	}
	return value{}
}
