package filters

import "strconv"

// num is a decimal number held as text. Integers compare exactly, whatever
// their length (a 20-digit ICCID does not fit a float64); anything else
// compares as float64.
type num struct {
	text   string // as written: -?d+(.d+)?([eE][+-]?d+)?
	isInt  bool
	neg    bool   // isInt only; false for zero
	digits string // isInt only: no leading zeros ("0" for zero)
}

// scanNum parses s strictly: no blanks, no '+', no hex, no inf or nan. It
// does not allocate.
func scanNum(s string) (n num, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		n.neg = true
		i++
	}
	start := i
	i = digitsEnd(s, i)
	if i == start {
		return n, false
	}
	intEnd := i
	if i < len(s) && s[i] == '.' {
		if j := digitsEnd(s, i+1); j > i+1 {
			i = j
		} else {
			return n, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if j := digitsEnd(s, i); j > i {
			i = j
		} else {
			return n, false
		}
	}
	if i != len(s) {
		return n, false
	}
	n.text = s
	if intEnd == len(s) {
		n.isInt = true
		d := s[start:]
		for len(d) > 1 && d[0] == '0' {
			d = d[1:]
		}
		n.digits = d
		n.neg = n.neg && d != "0"
	}
	return n, true
}

func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// float returns the value as a float64 (±Inf when out of range).
func (n num) float() float64 {
	f, _ := strconv.ParseFloat(n.text, 64)
	return f
}

// cmpNum compares a with b: -1, 0 or +1. bf is b.float(), computed once by
// the caller (literals keep it).
func cmpNum(a num, b num, bf float64) int {
	if a.isInt && b.isInt {
		return cmpInt(a, b)
	}
	af := a.float()
	switch {
	case af < bf:
		return -1
	case af > bf:
		return 1
	}
	return 0
}

func cmpInt(a, b num) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := 0
	switch {
	case len(a.digits) != len(b.digits):
		c = 1
		if len(a.digits) < len(b.digits) {
			c = -1
		}
	case a.digits < b.digits:
		c = -1
	case a.digits > b.digits:
		c = 1
	}
	if a.neg {
		c = -c
	}
	return c
}
