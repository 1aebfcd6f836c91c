package history

// internMax bounds the interned strings; past it new strings are kept as
// they come (correct, just not shared).
const internMax = 1 << 16

// interner shares repeated strings between entries: topics (a fleet has a
// few thousand). (User properties are encoded with each entry: props.go.)
// Entries are charged nothing for an interned string; the table itself is
// bounded (internMax strings) and not charged.
type interner struct{ m map[string]string }

// str returns the shared copy of s, adding it when there is room, and
// whether the result is shared (false only when the table is full and s
// was not in it; the empty string counts as shared: it owns no memory).
func (in *interner) str(s string) (string, bool) {
	if len(s) == 0 {
		return s, true
	}
	if in.m == nil {
		in.m = make(map[string]string, 1024)
	}
	if t, ok := in.m[s]; ok {
		return t, true
	}
	if len(in.m) < internMax {
		in.m[s] = s
		return s, true
	}
	return s, false
}
