package history

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"hubtap/internal/jsonscan"

	"github.com/charmbracelet/x/ansi"
	"github.com/tidwall/gjson"
)

// SummaryCells is the most terminal cells an Entry.Summary occupies. A
// longer summary is cut and ends in "…".
const SummaryCells = 200

const (
	textScan    = 1024     // bytes of a text payload read for its summary
	compactMax  = 1024     // bytes of compact JSON kept for a scalar or array summary
	compactScan = 64 << 10 // bytes of a JSON scalar or array scanned while compacting
	hugeJSON    = 1 << 20  // objects above this get the generic summary, read only as far as needed
	genBytes    = 320      // the generic object summary stops adding keys past this
	fieldMax    = 48       // bytes of one key or value in the generic object summary
	identMax    = 128      // bytes of Ident kept
	hexBytes    = 16       // bytes of a binary payload shown as hex
)

// summarizer computes Ident and Summary for a classified payload; the Store
// holds one so tests can inject a failing one.
type summarizer func(k Kind, p []byte) (ident, summary string)

// summarize is the summarizer used outside tests.
func summarize(k Kind, p []byte) (ident, summary string) {
	switch k {
	case KindEmpty:
		return "", "(empty)"
	case KindJSON:
		return summarizeJSON(p)
	case KindText:
		return "", summarizeText(p)
	}
	return "", summarizeBinary(p)
}

// summarizeText sanitizes the first textScan bytes: newlines become ␊.
func summarizeText(p []byte) string {
	cut := len(p)
	if cut > textScan {
		cut = runeStartBefore(p, textScan)
	}
	s := SanitizeLine(string(p[:cut]))
	if s == "" { // nothing but escape sequences in the part we read
		return "(no printable text, " + string(appendSize(nil, len(p))) + ")"
	}
	return capCells(s, cut < len(p))
}

// summarizeBinary renders "binary 123 B: 0a 1b 2c …" (first 16 bytes).
func summarizeBinary(p []byte) string {
	const hexdig = "0123456789abcdef"
	b := make([]byte, 0, 32+3*hexBytes)
	b = append(b, "binary "...)
	b = appendSize(b, len(p))
	b = append(b, ':')
	for _, c := range p[:min(len(p), hexBytes)] {
		b = append(b, ' ', hexdig[c>>4], hexdig[c&15])
	}
	if len(p) > hexBytes {
		b = append(b, " …"...)
	}
	return string(b)
}

// summarizeJSON handles a payload that Classify found valid.
func summarizeJSON(p []byte) (ident, summary string) {
	// gjson reads strings. broker.Message payloads are never modified, so
	// view the bytes without a copy; nothing derived from js is kept
	// without being cloned or rebuilt.
	js := unsafe.String(unsafe.SliceData(p), len(p))
	if i := jsonscan.SkipWS(js, 0); i < len(js) && js[i] == '{' {
		return summarizeObject(js, len(p) > hugeJSON)
	}
	var arr [compactMax + 8]byte
	b, more := appendCompact(arr[:0], js, compactMax)
	return "", capCells(SanitizeLine(string(b)), more)
}

// Bits of telemetry.have: which summary fields a flespi message carried.
const (
	fSpeed = 1 << iota
	fLat
	fLon
	fIgn
	fBatt
	fPwr
	fGSM
)

// telemetry holds the flespi fields a summary shows (docs/FLESPI.md §5).
type telemetry struct {
	speed, lat, lon, batt, pwr, gsm float64
	ign                             bool
	have                            uint
}

func (t *telemetry) num(bit uint, dst *float64, v string) {
	if t.have&bit == 0 && jsonscan.RawType(v) == gjson.Number {
		*dst = gjson.Parse(v).Num
		t.have |= bit
	}
}

// shows reports whether the telemetry summary would show anything.
func (t *telemetry) shows() bool {
	return t.have&(fSpeed|fIgn|fBatt|fPwr|fGSM) != 0 || t.have&(fLat|fLon) == fLat|fLon
}

// summarizeObject reads the object's top-level members (jsonscan.Members:
// no conversion of values it does not show). flespi messages are flat objects
// with dotted keys, so "position.speed" is one key. The telemetry summary
// needs one walk; the generic summary, used when there is no telemetry to
// show, a second that stops once it is full. A huge object gets the generic
// summary from a single walk that stops once it is full.
func summarizeObject(js string, huge bool) (ident, summary string) {
	var (
		t               telemetry
		id, devID       string
		haveID, haveDev bool
		total           int
		arr             [genBytes + 2*fieldMax + 32]byte
	)
	if !huge {
		m, _ := jsonscan.NewMembers(js)
		for {
			k, esc, v, ok := m.Next()
			if !ok {
				break
			}
			total++
			t.member(jsonscan.Key(k, esc), v, &id, &devID, &haveID, &haveDev)
		}
		if id == "" {
			id = devID
		}
		if t.shows() {
			return pack(id, t.appendSummary(arr[:0], total))
		}
		ident = cleanIdent(id)
	}
	gen := append(arr[:0], '{')
	more := false
	m, _ := jsonscan.NewMembers(js)
	for n := 1; ; n++ {
		k, esc, v, ok := m.Next()
		if !ok {
			break
		}
		if len(gen) >= genBytes { // full, and there is more
			more = true
			break
		}
		k = jsonscan.Key(k, esc)
		if huge {
			t.member(k, v, &id, &devID, &haveID, &haveDev)
		}
		if n > 1 {
			gen = append(gen, ", "...)
		}
		gen = appendCapped(gen, k, fieldMax)
		gen = append(gen, ": "...)
		gen = appendValue(gen, v)
	}
	if huge {
		if id == "" {
			id = devID
		}
		ident = cleanIdent(id)
	}
	if more {
		gen = append(gen, ", …"...)
	}
	gen = append(gen, '}')
	return ident, capCells(SanitizeLine(string(gen)), false)
}

// member takes in one top-level member: the ident candidates and the
// telemetry fields. v is raw JSON; only the members shown are converted.
func (t *telemetry) member(k, v string, id, devID *string, haveID, haveDev *bool) {
	switch k {
	case "ident":
		if !*haveID {
			*id, *haveID = scalarText(v), true
		}
	case "device.id":
		if !*haveDev {
			*devID, *haveDev = scalarText(v), true
		}
	case "position.speed":
		t.num(fSpeed, &t.speed, v)
	case "position.latitude":
		t.num(fLat, &t.lat, v)
	case "position.longitude":
		t.num(fLon, &t.lon, v)
	case "engine.ignition.status":
		if t.have&fIgn == 0 && (v == "true" || v == "false") {
			t.ign, t.have = v == "true", t.have|fIgn
		}
	case "battery.voltage":
		t.num(fBatt, &t.batt, v)
	case "external.powersource.voltage":
		t.num(fPwr, &t.pwr, v)
	case "gsm.signal.level":
		t.num(fGSM, &t.gsm, v)
	}
}

// appendSummary renders, in this order and when present:
// "speed=47km/h 52.22968,21.01223 ign=on batt=4.05V gsm=80 +20 fields".
// pwr= (external.powersource.voltage) appears only without batt=. The count
// is of top-level keys not shown, ident and timestamps included.
func (t *telemetry) appendSummary(b []byte, total int) []byte {
	shown := 0
	sep := func() {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		shown++
	}
	if t.have&fSpeed != 0 {
		sep()
		b = append(b, "speed="...)
		b = appendRounded(b, t.speed, 1)
		b = append(b, "km/h"...)
	}
	if t.have&(fLat|fLon) == fLat|fLon {
		sep()
		shown++ // two keys
		b = strconv.AppendFloat(b, t.lat, 'f', 5, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, t.lon, 'f', 5, 64)
	}
	if t.have&fIgn != 0 {
		sep()
		if t.ign {
			b = append(b, "ign=on"...)
		} else {
			b = append(b, "ign=off"...)
		}
	}
	switch {
	case t.have&fBatt != 0:
		sep()
		b = append(b, "batt="...)
		b = appendRounded(b, t.batt, 2)
		b = append(b, 'V')
	case t.have&fPwr != 0:
		sep()
		b = append(b, "pwr="...)
		b = appendRounded(b, t.pwr, 2)
		b = append(b, 'V')
	}
	if t.have&fGSM != 0 {
		sep()
		b = append(b, "gsm="...)
		b = appendRounded(b, t.gsm, 1)
	}
	if rest := total - shown; rest > 0 {
		b = append(b, " +"...)
		b = strconv.AppendInt(b, int64(rest), 10)
		if rest == 1 {
			b = append(b, " field"...)
		} else {
			b = append(b, " fields"...)
		}
	}
	return b
}

// appendRounded appends v rounded to dec decimals, without trailing zeros.
func appendRounded(b []byte, v float64, dec int) []byte {
	if p := math.Pow10(dec); math.Abs(v) < 1e15 {
		v = math.Round(v*p) / p
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// scalarText is a string's text or a number's literal, from raw JSON; ""
// for anything else.
func scalarText(v string) string {
	switch jsonscan.RawType(v) {
	case gjson.String:
		if len(v) >= 2 && strings.IndexByte(v, '\\') < 0 {
			return v[1 : len(v)-1]
		}
		return gjson.Parse(v).Str
	case gjson.Number:
		return v
	}
	return ""
}

// pack returns the ident (capped as cleanIdent does) and the summary sum
// (bytes that may be on the caller's stack) as strings. When both are
// already safe to print and the summary needs no cut, the common case, they
// share one allocation: one heap object per entry instead of two, which is
// what the GC's marking work counts with a full history.
func pack(id string, sum []byte) (ident, summary string) {
	if len(id) > identMax {
		id = id[:runeStartBefore(unsafe.Slice(unsafe.StringData(id), len(id)), identMax)]
	}
	view := unsafe.String(unsafe.SliceData(sum), len(sum)) // not kept
	if len(sum) == 0 || len(sum) > SummaryCells || !lineSafe(id) || !lineSafe(view) {
		return cleanIdent(id), capCells(SanitizeLine(string(sum)), false)
	}
	buf := make([]byte, len(id)+len(sum))
	copy(buf, id)
	copy(buf[len(id):], sum)
	return unsafe.String(unsafe.SliceData(buf), len(id)), unsafe.String(&buf[len(id)], len(sum))
}

// cleanIdent caps, sanitizes and copies an ident (it may alias the payload).
func cleanIdent(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > identMax {
		s = s[:runeStartBefore(unsafe.Slice(unsafe.StringData(s), len(s)), identMax)]
	}
	return strings.Clone(SanitizeLine(s))
}

// appendValue renders one value of the generic object summary: scalars as
// their JSON literal, nested objects and arrays compacted; all capped.
func appendValue(b []byte, v string) []byte {
	if jsonscan.RawType(v) == gjson.JSON {
		b, more := appendCompact(b, v, fieldMax)
		if more {
			b = append(b, "…"...)
		}
		return b
	}
	return appendCapped(b, v, fieldMax)
}

// appendCapped appends s, cut to at most limit bytes plus "…".
func appendCapped(b []byte, s string, limit int) []byte {
	if len(s) <= limit {
		return append(b, s...)
	}
	for i := 0; i < 3 && limit > 0 && !utf8.RuneStart(s[limit]); i++ {
		limit--
	}
	return append(append(b, s[:limit]...), "…"...)
}

// appendCompact appends valid JSON src without the blanks between tokens,
// stopping at a rune boundary once limit bytes are written or compactScan
// bytes are read. It reports whether it stopped early.
func appendCompact(dst []byte, src string, limit int) ([]byte, bool) {
	start := len(dst)
	inStr, esc := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if i >= compactScan || len(dst)-start >= limit && utf8.RuneStart(c) {
			return dst, true
		}
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		} else {
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '"':
				inStr = true
			}
		}
		dst = append(dst, c)
	}
	return dst, false
}

// capCells cuts a sanitized line to SummaryCells cells. more says the input
// was already cut, so the result ends in "…" either way.
func capCells(s string, more bool) string {
	if !more && len(s) <= SummaryCells {
		return s // a rune never takes more cells than bytes
	}
	w := ansi.StringWidth(s)
	switch {
	case w > SummaryCells:
		return ansi.Truncate(s, SummaryCells, "…")
	case more && w == SummaryCells:
		return ansi.Truncate(s, SummaryCells-1, "") + "…"
	case more:
		return s + "…"
	}
	return s
}

// runeStartBefore backs n (< len(p)) up by at most 3 bytes to a rune start.
func runeStartBefore(p []byte, n int) int {
	for i := 0; i < 3 && n > 0 && !utf8.RuneStart(p[n]); i++ {
		n--
	}
	return n
}

// appendSize appends a byte count: "123 B", "4.5 KiB", "10.0 MiB".
func appendSize(b []byte, n int) []byte {
	const unit = 1024
	if n < unit {
		b = strconv.AppendInt(b, int64(n), 10)
		return append(b, " B"...)
	}
	v, suffix := float64(n)/unit, " KiB"
	for _, s := range []string{" MiB", " GiB", " TiB"} {
		if v < unit {
			break
		}
		v, suffix = v/unit, s
	}
	b = strconv.AppendFloat(b, v, 'f', 1, 64)
	return append(b, suffix...)
}
