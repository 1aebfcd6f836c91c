package filters

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF      tokKind = iota
	tWord             // a field path or a free-text word; may hold `quoted` segments
	tNum              // a word that is a decimal number: -?d+(.d+)?([eE][+-]?d+)?
	tStr              // "..." or '...'
	tOp               // a comparison: == != < <= > >= =~ !~ ~=
	tAnd              // && and
	tOr               // || or
	tNot              // ! not
	tIn               // in
	tContains         // contains
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
)

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opRe    // =~
	opNotRe // !~
	opTopic // ~=
)

var opText = [...]string{opEq: "==", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">=",
	opRe: "=~", opNotRe: "!~", opTopic: "~="}

type token struct {
	kind     tokKind
	off, end int    // byte offsets in the source
	text     string // src[off:end]
	str      string // tStr: the decoded value
	op       cmpOp  // tOp
	ticks    bool   // tWord: has a `quoted` segment
}

// special holds the ASCII bytes that end a word.
const special = "\"'`=!<>~&|()[],"

// keywordOf returns the token kind of a keyword (any case), or tEOF.
func keywordOf(w string) tokKind {
	switch {
	case strings.EqualFold(w, "and"):
		return tAnd
	case strings.EqualFold(w, "or"):
		return tOr
	case strings.EqualFold(w, "not"):
		return tNot
	case strings.EqualFold(w, "in"):
		return tIn
	case strings.EqualFold(w, "contains"):
		return tContains
	}
	return tEOF
}

// lex splits src into tokens, ending with a tEOF placed just after the last
// non-blank character.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for {
		i = skipSpace(src, i)
		if i >= len(src) {
			break
		}
		t, err := lexOne(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i = t.end
	}
	end := len(strings.TrimRightFunc(src, unicode.IsSpace))
	return append(toks, token{kind: tEOF, off: end, end: end}), nil
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, w := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, w = utf8.DecodeRuneInString(s[i:])
		}
		if !unicode.IsSpace(r) {
			break
		}
		i += w
	}
	return i
}

func lexOne(src string, i int) (token, error) {
	t := token{off: i}
	switch c := src[i]; c {
	case '(', ')', '[', ']', ',':
		t.kind, t.end = tokKind(tLParen+tokKind(strings.IndexByte("()[],", c))), i+1
	case '"', '\'':
		s, end, err := lexString(src, i)
		if err != nil {
			return t, err
		}
		t.kind, t.str, t.end = tStr, s, end
	case '&', '|':
		j := i
		for j < len(src) && src[j] == c {
			j++
		}
		run := src[i:j]
		if len(run) != 2 {
			return t, errAt(src, i, "unknown operator "+run+"; use "+string([]byte{c, c}))
		}
		t.kind, t.end = tAnd, j
		if c == '|' {
			t.kind = tOr
		}
	case '=', '!', '<', '>', '~':
		j := i
		for j < len(src) && strings.IndexByte("=!<>~", src[j]) >= 0 {
			j++
		}
		run := src[i:j]
		if strings.Trim(run, "!") == "" { // !, !!, ...: one negation each
			t.kind, t.end = tNot, i+1
			break
		}
		for op, s := range opText {
			if s == run {
				t.kind, t.op, t.end = tOp, cmpOp(op), j
			}
		}
		if t.kind != tOp {
			msg := "unknown operator " + run
			if run == "=" {
				msg += "; use =="
			}
			return t, errAt(src, i, msg)
		}
	default:
		end, ticks, err := lexWord(src, i)
		if err != nil {
			return t, err
		}
		t.kind, t.end, t.ticks = tWord, end, ticks
		w := src[i:end]
		if !ticks {
			if k := keywordOf(w); k != tEOF {
				t.kind = k
			} else if _, ok := scanNum(w); ok {
				t.kind = tNum
			}
		}
	}
	t.text = src[t.off:t.end]
	return t, nil
}

// lexWord reads a word from src[i:]: bytes up to white space or a special
// byte, with `quoted` segments (\` and \\ escape) taken whole.
func lexWord(src string, i int) (end int, ticks bool, err error) {
	for i < len(src) {
		c := src[i]
		switch {
		case c == '`':
			_, j, err := lexTicks(src, i)
			if err != nil {
				return 0, false, err
			}
			i, ticks = j, true
			continue
		case c < utf8.RuneSelf:
			if c <= ' ' && unicode.IsSpace(rune(c)) || strings.IndexByte(special, c) >= 0 {
				return i, ticks, nil
			}
			i++
		default:
			r, w := utf8.DecodeRuneInString(src[i:])
			if unicode.IsSpace(r) {
				return i, ticks, nil
			}
			i += w
		}
	}
	return i, ticks, nil
}

// lexTicks reads the `quoted` key starting at src[i] == '`'.
func lexTicks(src string, i int) (key string, end int, err error) {
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '`':
			return b.String(), j + 1, nil
		case '\\':
			if j+1 < len(src) && (src[j+1] == '`' || src[j+1] == '\\') {
				j++
			}
		}
		b.WriteByte(src[j])
	}
	return "", 0, errAt(src, i, "unclosed `")
}

// lexString decodes the string literal starting at src[i] (a quote). Escapes:
// \\ \" \' \n \r \t \uXXXX; any other backslash is kept as written, so that
// regular expressions such as "\d+" read naturally.
func lexString(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1, nil
		case c != '\\':
			b.WriteByte(c)
			continue
		case j+1 >= len(src):
			return "", 0, errAt(src, i, "unclosed string")
		}
		j++
		switch e := src[j]; e {
		case '\\', '"', '\'':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n, ok := hex4(src, j+1)
			if !ok {
				return "", 0, errAt(src, j-1, `bad \u escape: want 4 hex digits`)
			}
			j += n
			if utf16.IsSurrogate(r) {
				if r2, n2, ok := hex4(src, j+3); ok && src[j+1] == '\\' && src[j+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r, j = d, j+2+n2
					}
				}
			}
			b.WriteRune(r) // a lone surrogate becomes U+FFFD
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, errAt(src, i, "unclosed string")
}

// hex4 reads four hex digits at s[i:].
func hex4(s string, i int) (rune, int, bool) {
	if i < 0 || i+4 > len(s) {
		return 0, 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, 4, true
}
