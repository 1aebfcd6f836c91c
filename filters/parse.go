package filters

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"hubtap/broker"
)

// parser is a recursive-descent parser over the whole token slice:
//
//	or      = and { ("||" | "or") and }
//	and     = unary { ("&&" | "and") unary }
//	unary   = ("!" | "not") unary | primary
//	primary = "(" or ")" | "exists" "(" path ")" | compare | text
//	compare = path ( cmpop value | "=~" string | "!~" string | "~=" string
//	               | ["not"] "in" "[" [value {"," value}] "]" | "contains" (string | number) )
//	value   = number | string | "true" | "false" | "null"
//	text    = word | number | string        (free text)
//
// Only unary and parentheses recurse; both count against MaxDepth.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int
	keys  []string // distinct top-level JSON keys, indexed by field.flat/head
}

func (p *parser) peek() token { return p.toks[p.i] }

// next consumes a token; tEOF is never consumed, so next keeps returning it.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) parse() (*node, error) {
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.junk(t)
	}
	return n, nil
}

func (p *parser) parseOr() (*node, error) {
	return p.parseChain(tOr, nOr, p.parseAnd)
}

func (p *parser) parseAnd() (*node, error) {
	return p.parseChain(tAnd, nAnd, p.parseUnary)
}

// parseChain parses operands joined by sep into one flat node of kind op.
func (p *parser) parseChain(sep tokKind, op nodeOp, operand func() (*node, error)) (*node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != sep {
		return first, nil
	}
	n := &node{op: op}
	add := func(k *node) {
		if k.op == op { // (a || b) || c is a || b || c
			n.kids = append(n.kids, k.kids...)
		} else {
			n.kids = append(n.kids, k)
		}
	}
	add(first)
	for p.peek().kind == sep {
		p.next()
		k, err := operand()
		if err != nil {
			return nil, err
		}
		add(k)
	}
	return n, nil
}

func (p *parser) enter(t token) error {
	if p.depth++; p.depth > MaxDepth {
		return errAt(p.src, t.off, "nested too deeply (more than 64 levels)")
	}
	return nil
}

func (p *parser) parseUnary() (*node, error) {
	t := p.peek()
	if t.kind != tNot {
		return p.parsePrimary()
	}
	p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	k, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	p.depth--
	return &node{op: nNot, kids: []*node{k}}, nil
}

func (p *parser) parsePrimary() (*node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		switch c := p.peek(); c.kind {
		case tRParen:
			p.next()
		case tEOF:
			return nil, errAt(p.src, t.off, "unbalanced parenthesis: ( is never closed")
		default:
			return nil, p.junk(c)
		}
		p.depth--
		return n, nil
	case tWord, tNum, tStr:
		if t.kind == tWord && !t.ticks && strings.EqualFold(t.text, "exists") && p.peek().kind == tLParen {
			return p.parseExists()
		}
		switch nt := p.peek(); {
		case nt.kind == tOp, nt.kind == tIn, nt.kind == tContains, nt.kind == tNot && p.toks[p.i+1].kind == tIn:
			if t.kind != tWord {
				return nil, errAt(p.src, t.off, "the left side of "+nt.text+" must be a field, such as position.speed")
			}
			return p.parseCompare(t)
		}
		return p.freeText(t)
	case tEOF:
		if p.i > 0 {
			return nil, errAt(p.src, t.off, "expected a term after "+p.toks[p.i-1].text)
		}
		return nil, errAt(p.src, t.off, "expected a term")
	}
	return nil, errAt(p.src, t.off, "expected a term before "+t.text)
}

// junk explains a token where && or || (or the end) should be.
func (p *parser) junk(t token) error {
	if t.kind == tRParen {
		return errAt(p.src, t.off, "unbalanced parenthesis: ) without (")
	}
	msg := "expected && or || before " + clip(t.text)
	if prev := p.toks[p.i-1]; isWordish(prev) && isWordish(t) {
		msg += `; quote phrases: "` + clip(p.src[prev.off:t.end]) + `"`
	}
	return errAt(p.src, t.off, msg)
}

func isWordish(t token) bool { return t.kind == tWord || t.kind == tNum }

// clip shortens s for an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 24 {
		return s
	}
	return string([]rune(s)[:23]) + "…"
}

func (p *parser) freeText(t token) (*node, error) {
	switch {
	case t.kind == tStr:
		return &node{op: nText, text: newSubstring(t.str), src: quote(t.str)}, nil
	case t.ticks:
		return nil, errAt(p.src, t.off, "backticks quote field names; put free text in \"quotes\"")
	}
	return &node{op: nText, text: newSubstring(t.text), src: t.text}, nil
}

func (p *parser) parseExists() (*node, error) {
	open := p.next()
	w := p.next()
	if w.kind != tWord {
		return nil, errAt(p.src, w.off, "expected a field name in exists( )")
	}
	f, err := p.field(w)
	if err != nil {
		return nil, err
	}
	switch c := p.next(); c.kind {
	case tRParen:
		return &node{op: nExists, f: f}, nil
	case tEOF:
		return nil, errAt(p.src, open.off, "unbalanced parenthesis: ( is never closed")
	default:
		return nil, errAt(p.src, c.off, "expected ) after "+clip(w.text))
	}
}

func (p *parser) parseCompare(t token) (*node, error) {
	f, err := p.field(t)
	if err != nil {
		return nil, err
	}
	op := p.next()
	switch op.kind {
	case tNot:
		p.next() // in, checked by parsePrimary
		return p.parseIn(f, true)
	case tIn:
		return p.parseIn(f, false)
	case tContains:
		v := p.next()
		var l lit
		switch v.kind {
		case tStr:
			l = newLit(vString, v.str)
		case tNum:
			l = newLit(vNumber, v.text)
		default:
			return nil, p.expectedValue(v, op, "text")
		}
		return &node{op: nContains, f: f, lit: l, text: newSubstring(l.s)}, nil
	}
	switch op.op {
	case opRe, opNotRe, opTopic:
		v := p.next()
		if v.kind != tStr {
			return nil, p.expectedValue(v, op, "a \"string\"")
		}
		n := &node{op: nRegex, f: f, neg: op.op == opNotRe, lit: newLit(vString, v.str)}
		if op.op == opTopic {
			if err := broker.ValidateFilter(v.str); err != nil {
				return nil, errAt(p.src, v.off, "bad topic filter: "+err.Error())
			}
			n.op, n.pat = nTopic, v.str
			return n, nil
		}
		if n.re, err = regexp.Compile(v.str); err != nil {
			return nil, errAt(p.src, v.off, "bad regex: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return n, nil
	}
	l, err := p.value(op)
	if err != nil {
		return nil, err
	}
	return &node{op: nCmp, f: f, cmp: op.op, lit: l}, nil
}

func (p *parser) parseIn(f *field, neg bool) (*node, error) {
	open := p.next()
	if open.kind != tLBrack {
		return nil, errAt(p.src, open.off, "expected [ after in")
	}
	lits := []lit{}
	if p.peek().kind == tRBrack {
		p.next()
	} else {
		for {
			l, err := p.value(p.toks[p.i-1])
			if err != nil {
				return nil, err
			}
			lits = append(lits, l)
			switch t := p.next(); t.kind {
			case tComma:
				continue
			case tRBrack:
			case tEOF:
				return nil, errAt(p.src, open.off, "unclosed [: expected ]")
			default:
				return nil, errAt(p.src, t.off, "expected , or ] in the list")
			}
			break
		}
	}
	return &node{op: nIn, f: f, neg: neg, list: newList(lits)}, nil
}

// value reads a literal that follows the token after.
func (p *parser) value(after token) (lit, error) {
	v := p.next()
	switch v.kind {
	case tNum:
		return newLit(vNumber, v.text), nil
	case tStr:
		return newLit(vString, v.str), nil
	case tWord:
		if !v.ticks {
			switch strings.ToLower(v.text) {
			case "true":
				return newLit(vTrue, ""), nil
			case "false":
				return newLit(vFalse, ""), nil
			case "null":
				return newLit(vNull, ""), nil
			}
		}
		return lit{}, p.expectedValue(v, after, `"`+clip(v.text)+`" in quotes`)
	}
	return lit{}, p.expectedValue(v, after, "")
}

func (p *parser) expectedValue(v, after token, want string) error {
	msg := "expected a value after " + after.text
	if want != "" {
		msg += "; want " + want
	}
	return errAt(p.src, v.off, msg)
}
