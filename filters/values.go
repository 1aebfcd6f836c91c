package filters

import "strings"

// vkind is the JSON type of a value or literal.
type vkind uint8

const (
	vMissing vkind = iota
	vString
	vNumber
	vTrue
	vFalse
	vNull
	vContainer // a JSON object or array
)

// value is a field's value during one evaluation. s aliases the payload or
// the Input: it must not outlive the call.
type value struct {
	kind vkind
	s    string // vString: decoded text; vNumber, vContainer: raw JSON
}

// text is what contains and =~ search: strings, numbers as written,
// true/false, and containers as raw JSON. null has no text.
func (v value) text() (string, bool) {
	switch v.kind {
	case vString, vNumber, vContainer:
		return v.s, true
	case vTrue:
		return "true", true
	case vFalse:
		return "false", true
	}
	return "", false
}

// lit is a literal from the source, analysed once at compile time.
type lit struct {
	kind  vkind // vString, vNumber, vTrue, vFalse or vNull
	s     string
	n     num // vNumber, or a vString that reads as a number (nOK)
	nOK   bool
	f     float64 // n.float()
	print string  // as String prints it
}

func newLit(kind vkind, s string) lit {
	l := lit{kind: kind, s: s}
	if kind == vString || kind == vNumber {
		l.n, l.nOK = scanNum(s)
		l.f = l.n.float()
	}
	switch kind {
	case vString:
		l.print = quote(s)
	case vNumber:
		l.print = s
	case vTrue:
		l.print = "true"
	case vFalse:
		l.print = "false"
	case vNull:
		l.print = "null"
	}
	return l
}

// equal reports v == l under the typing rules (docs/FILTERS.md): strings
// equal exactly; numbers numerically, also against a string that reads as a
// number; booleans and null only themselves; containers nothing.
func equal(v value, l *lit) bool {
	switch v.kind {
	case vString:
		if l.kind == vString {
			return v.s == l.s
		}
		if l.kind == vNumber {
			n, ok := scanNum(v.s)
			return ok && cmpNum(n, l.n, l.f) == 0
		}
	case vNumber:
		if l.nOK {
			n, ok := scanNum(v.s)
			return ok && cmpNum(n, l.n, l.f) == 0
		}
	case vTrue, vFalse, vNull:
		return v.kind == l.kind
	}
	return false
}

// order compares v with l for < <= > >=: numerically when both read as
// numbers, else byte-wise when both are strings; ok is false otherwise.
func order(v value, l *lit) (c int, ok bool) {
	if (v.kind == vString || v.kind == vNumber) && l.nOK {
		if n, isNum := scanNum(v.s); isNum {
			return cmpNum(n, l.n, l.f), true
		}
	}
	if v.kind == vString && l.kind == vString {
		return strings.Compare(v.s, l.s), true
	}
	return 0, false
}

// list is the right side of in. Long lists index their strings.
type list struct {
	lits []lit
	strs map[string]struct{} // string literals, when there are many
}

const listIndexFrom = 8

func newList(lits []lit) *list {
	l := &list{lits: lits}
	if len(lits) >= listIndexFrom {
		l.strs = make(map[string]struct{})
		for _, x := range lits {
			if x.kind == vString {
				l.strs[x.s] = struct{}{}
			}
		}
	}
	return l
}

func (l *list) has(v value) bool {
	if l.strs != nil && v.kind == vString {
		if _, ok := l.strs[v.s]; ok {
			return true
		}
		if _, ok := scanNum(v.s); !ok {
			return false // only number literals could still match, numerically
		}
	}
	for i := range l.lits {
		if (l.strs == nil || v.kind != vString || l.lits[i].kind != vString) && equal(v, &l.lits[i]) {
			return true
		}
	}
	return false
}
