package history

import "unsafe"

// internMax bounds the interned strings; past it new strings are kept as
// they come (correct, just not shared).
const internMax = 1 << 16

// interner shares repeated strings between entries: topics (a fleet has a
// few thousand), user-property keys and short values (flespi's "cid").
// Entries are charged nothing for an interned string; the table itself is
// bounded (internMax strings) and not charged.
type interner struct{ m map[string]string }

// str returns the shared copy of s, adding it when there is room.
func (in *interner) str(s string) string {
	if in.m == nil {
		in.m = make(map[string]string, 1024)
	}
	if t, ok := in.m[s]; ok {
		return t
	}
	if len(in.m) < internMax {
		in.m[s] = s
	}
	return s
}

// shared reports whether s is the interned copy (not merely equal to it).
func (in *interner) shared(s string) bool {
	if len(s) == 0 {
		return true
	}
	t, ok := in.m[s]
	return ok && unsafe.StringData(t) == unsafe.StringData(s)
}
