package telematics

import "strings"

// Flags is the set of timestamp anomalies found in one message (see
// Tracker.Observe for the rules). The zero value means none.
type Flags uint8

// The anomaly flags, in the order String lists them.
const (
	// FlagFuture: the device timestamp is ahead of server.timestamp (or of
	// the receive time when there is none) by more than Config.Future. A
	// wrong device clock or GPS time (docs/FLESPI.md §8).
	FlagFuture Flags = 1 << iota
	// FlagGap: the device timestamp is more than Config.Gap after the newest
	// timestamp the device sent before. The device was silent or lost data.
	FlagGap
	// FlagOutOfOrder: the device timestamp is older than the newest one the
	// device sent before (and the message is not a duplicate).
	FlagOutOfOrder
	// FlagDuplicate: the same device timestamp as one of the device's recent
	// messages on the same topic.
	FlagDuplicate
	// FlagLatency: server.timestamp − timestamp is more than Config.Latency:
	// a buffered black-box record or a clock problem (docs/FLESPI.md §8).
	FlagLatency

	numFlags = 5
)

// AllFlags returns every flag, in the order String lists them.
func AllFlags() [numFlags]Flags {
	return [numFlags]Flags{FlagFuture, FlagGap, FlagOutOfOrder, FlagDuplicate, FlagLatency}
}

// flagName is the name of one single-bit flag.
func flagName(f Flags) string {
	switch f {
	case FlagFuture:
		return "future"
	case FlagGap:
		return "gap"
	case FlagOutOfOrder:
		return "out-of-order"
	case FlagDuplicate:
		return "duplicate"
	case FlagLatency:
		return "latency"
	}
	return ""
}

// Has reports whether every flag in g is set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// String returns the set flags' names joined by commas, e.g.
// "gap,out-of-order", in AllFlags order; "" when none is set.
func (f Flags) String() string {
	switch f {
	case 0:
		return ""
	case FlagFuture, FlagGap, FlagOutOfOrder, FlagDuplicate, FlagLatency:
		return flagName(f) // the common case: no allocation
	}
	var b strings.Builder
	for _, g := range AllFlags() {
		if f&g != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(flagName(g))
		}
	}
	return b.String()
}

// ParseFlags parses names as String writes them ("gap,future"; spaces around
// names are ignored), for filters. It reports false on an unknown name.
func ParseFlags(s string) (Flags, bool) {
	var f Flags
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, g := range AllFlags() {
			if flagName(g) == name {
				f, found = f|g, true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return f, true
}

// FlagCounts counts messages per flag, indexed in AllFlags order.
type FlagCounts [numFlags]uint64

// Of returns the count for one flag (the sum when f has several).
func (c FlagCounts) Of(f Flags) uint64 {
	var n uint64
	for i, g := range AllFlags() {
		if f&g != 0 {
			n += c[i]
		}
	}
	return n
}

// add counts each flag set in f once.
func (c *FlagCounts) add(f Flags) {
	for i, g := range AllFlags() {
		if f&g != 0 {
			c[i]++
		}
	}
}
