package filters

import (
	"strings"

	"github.com/tidwall/gjson"
)

type fieldKind uint8

const (
	fJSON    fieldKind = iota
	fTopic             // topic: string
	fQoS               // qos: number
	fRetain            // retain: boolean
	fDup               // dup: boolean
	fPayload           // payload: the raw payload as a string
	fProp              // prop.NAME: an MQTT 5 user property, a string
	fFlags             // flags: the message's anomaly flags, e.g. "gap,out-of-order" ("" if none)
)

// field is a compiled path, resolved once at parse time.
type field struct {
	kind fieldKind
	src  string // as written; String prints it
	name string // fProp: the property name
	flat int    // index into the expression's keys of the whole dotted key; -1 if none
	head int    // index of the first segment
	rest string // gjson path of the other segments; "" if none
	full string // gjson path of every segment, for a top-level array
}

// seg is one path segment: bare, or `quoted` (taken literally, whole).
type seg struct {
	s      string
	quoted bool
}

// field compiles the path in word token t.
func (p *parser) field(t token) (*field, error) {
	segs, err := splitPath(p.src, t)
	if err != nil {
		return nil, err
	}
	f := &field{src: t.text, flat: -1}
	if s := segs[0]; !s.quoted {
		if len(segs) == 1 {
			switch s.s {
			case "topic":
				f.kind = fTopic
			case "qos":
				f.kind = fQoS
			case "retain":
				f.kind = fRetain
			case "dup":
				f.kind = fDup
			case "payload":
				f.kind = fPayload
			case "flags":
				f.kind = fFlags
			case "prop":
				return nil, errAt(p.src, t.off, "prop needs a name: prop.NAME")
			}
			if f.kind != fJSON {
				return f, nil
			}
		} else if s.s == "prop" {
			names := make([]string, len(segs)-1)
			for i, s := range segs[1:] {
				names[i] = s.s
			}
			f.kind, f.name = fProp, strings.Join(names, ".")
			return f, nil
		}
	}
	esc := make([]string, len(segs))
	plain := make([]string, len(segs))
	bare := true
	for i, s := range segs {
		plain[i] = s.s
		bare = bare && !s.quoted
		esc[i] = gjson.Escape(s.s)
		if s.s == "#" && !s.quoted {
			esc[i] = "#" // gjson: array length, or every element
		}
	}
	f.full = strings.Join(esc, ".")
	f.rest = strings.Join(esc[1:], ".")
	f.head = p.key(segs[0].s)
	if bare && len(segs) > 1 {
		f.flat = p.key(strings.Join(plain, "."))
	}
	return f, nil
}

// key returns the index of a top-level key in p.keys, adding it if new.
func (p *parser) key(k string) int {
	for i, x := range p.keys {
		if x == k {
			return i
		}
	}
	p.keys = append(p.keys, k)
	return len(p.keys) - 1
}

// splitPath splits a word into segments at dots outside backticks.
func splitPath(src string, t token) ([]seg, error) {
	raw := t.text
	var segs []seg
	for i := 0; ; i++ { // i is at the start of a segment
		if i < len(raw) && raw[i] == '`' {
			key, end, err := lexTicks(src, t.off+i)
			if err != nil {
				return nil, err
			}
			if key == "" {
				return nil, errAt(src, t.off+i, "empty `` key")
			}
			segs = append(segs, seg{s: key, quoted: true})
			i = end - t.off
		} else {
			j := i
			for j < len(raw) && raw[j] != '.' && raw[j] != '`' {
				j++
			}
			if j == i {
				return nil, errAt(src, t.off+i, "empty path segment in "+clip(raw))
			}
			segs = append(segs, seg{s: raw[i:j]})
			i = j
		}
		if i == len(raw) {
			return segs, nil
		}
		if raw[i] != '.' {
			return nil, errAt(src, t.off+i, "a `quoted` key must be a whole path segment, between dots")
		}
	}
}

// quote prints a string literal that lexString reads back as s.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[r>>4])
				b.WriteByte("0123456789abcdef"[r&15])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// String prints the node in canonical form, with only the parentheses that
// precedence needs.
func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	switch n.op {
	case nOr, nAnd:
		sep := " || "
		if n.op == nAnd {
			sep = " && "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.writeWrapped(b, n.op == nAnd && k.op == nOr)
		}
	case nNot:
		b.WriteByte('!')
		k := n.kids[0]
		k.writeWrapped(b, k.op != nNot && k.op != nText && k.op != nExists)
	case nText:
		b.WriteString(n.src)
	case nExists:
		b.WriteString("exists(" + n.f.src + ")")
	case nCmp:
		b.WriteString(n.f.src + " " + opText[n.cmp] + " " + n.lit.print)
	case nIn:
		b.WriteString(n.f.src)
		if n.neg {
			b.WriteString(" not")
		}
		b.WriteString(" in [")
		for i, l := range n.list.lits {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(l.print)
		}
		b.WriteByte(']')
	case nContains:
		b.WriteString(n.f.src + " contains " + n.lit.print)
	case nRegex:
		op := opRe
		if n.neg {
			op = opNotRe
		}
		b.WriteString(n.f.src + " " + opText[op] + " " + n.lit.print)
	case nTopic:
		b.WriteString(n.f.src + " ~= " + n.lit.print)
	}
}

func (n *node) writeWrapped(b *strings.Builder, wrap bool) {
	if wrap {
		b.WriteByte('(')
	}
	n.write(b)
	if wrap {
		b.WriteByte(')')
	}
}
