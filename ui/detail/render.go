package detail

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/tidwall/pretty"

	"hubtap/broker"
	"hubtap/flespi"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
)

// Caps on what the detail view renders of one payload. Beyond them it says
// how much it left out; nothing is ever parsed or drawn unbounded.
const (
	maxPrettyBytes = 256 << 10 // JSON pretty-printed and coloured up to this size
	maxTextBytes   = 64 << 10  // text or invalid JSON shown up to this size
	maxHexBytes    = 4 << 10   // binary shown as a hex dump up to this size
	maxLineCells   = 4096      // one logical line is cut here before wrapping
)

// renderEntry produces every line of the detail body for e at width w:
// header, properties, rule, payload. Lines are styled and at most w cells.
func renderEntry(st *themes.Styles, e *history.Entry, w int, hl Highlights, diff *Diff, alsoOn []string) ([]string, []ref) {
	if w < 8 {
		w = 8
	}
	props := e.Properties() // decoded from the store's slab: once per render
	var out []string
	field := func(label, value string) {
		line := st.Detail.Label.Render(padRight(label, 10)) + value
		out = append(out, wrap(line, w)...)
	}
	field("topic", st.Detail.Value.Render(e.TopicSafe))
	for i, t := range alsoOn { // already sanitized (Entry.TopicSafe)
		label := ""
		if i == 0 {
			label = "also on"
		}
		field(label, st.Detail.Value.Render(t)+st.Detail.Muted.Render("  (the same message)"))
	}
	field("received", st.Detail.Value.Render(e.Received.Format("2006-01-02 15:04:05.000000 -07:00"))+
		st.Detail.Muted.Render("  seq "+strconv.FormatUint(e.Seq, 10)))
	var flags []string
	flags = append(flags, "QoS "+strconv.Itoa(int(e.QoS)))
	if e.Retain {
		flags = append(flags, st.Detail.Warn.Render("retained"))
	}
	if e.Duplicate {
		flags = append(flags, st.Detail.Warn.Render("duplicate (DUP)"))
	}
	flags = append(flags, sizeText(len(e.Payload)), kindText(e.Kind))
	field("message", st.Detail.Value.Render(strings.Join(flags, " · ")))
	if e.Flags != 0 {
		field("anomaly", st.Detail.Warn.Render(strings.ReplaceAll(telematics.Flags(e.Flags).String(), ",", ", ")))
	}
	if strings.HasPrefix(e.Topic, "flespi/log/") { // a platform log record: its close code or command status in words
		if r, ok := flespi.DescribeLog(e.Topic, e.Payload); ok && r.Words != "" {
			field("in words", st.Detail.Value.Render(history.SanitizeLine(r.Words)))
		}
	}
	if p := props; p != nil {
		if p.ContentType != "" {
			field("content", st.Detail.Value.Render(history.SanitizeLine(p.ContentType)))
		}
		if p.PayloadFormat != nil {
			pf := "bytes"
			if *p.PayloadFormat == 1 {
				pf = "UTF-8"
			}
			field("format", st.Detail.Value.Render(pf))
		}
		if p.MessageExpiry != nil {
			field("expiry", st.Detail.Value.Render(strconv.FormatUint(uint64(*p.MessageExpiry), 10)+" s"))
		}
		if p.ResponseTopic != "" {
			field("response", st.Detail.Value.Render(history.SanitizeLine(p.ResponseTopic)))
		}
		if p.CorrelationData != nil {
			field("corr.data", st.Detail.Value.Render(correlation(p.CorrelationData)))
		}
		for _, id := range p.SubscriptionIDs {
			field("sub id", st.Detail.Value.Render(strconv.Itoa(id)))
		}
		for i, u := range p.User {
			label := ""
			if i == 0 {
				label = "user"
			}
			v := st.Detail.Key.Render(history.SanitizeLine(u.Key)) + st.Detail.Punct.Render("=") +
				st.Detail.Value.Render(history.SanitizeLine(u.Value))
			if u.Key == "timestamp" {
				if t, ok := unixText(u.Value); ok {
					v += st.Detail.Muted.Render("  " + t)
				}
			}
			field(label, v)
		}
	}
	if where := invisibleIn(e, props); where != "" {
		field("note", st.Detail.Warn.Render("invisible or direction-changing characters in the "+where+", shown as ⟨ZWSP⟩, ⟨RLO⟩ … markers"))
	}
	if diff != nil {
		out = append(out, diffLines(st, e, diff, w)...)
	}
	out = append(out, st.Detail.Rule.Render(strings.Repeat("─", w)))
	refs := make([]ref, len(out))
	lines, brefs := body(st, e, w, hl)
	out = append(out, lines...)
	if brefs == nil {
		brefs = make([]ref, len(lines))
	}
	return out, append(refs, brefs...)
}

func body(st *themes.Styles, e *history.Entry, w int, hl Highlights) ([]string, []ref) {
	p := e.Payload
	switch e.Kind {
	case history.KindEmpty:
		return []string{st.Detail.Muted.Render("(empty payload)")}, nil
	case history.KindBinary:
		return hexDump(st, p, w), nil
	case history.KindJSON:
		if len(p) <= maxPrettyBytes {
			return jsonLines(st, p, w, hl)
		}
		lines, shown, cut := textLines(st, p[:maxTextBytes], w, hl)
		return append([]string{st.Detail.Warn.Render("large JSON payload (" + sizeText(len(p)) + "), not pretty-printed: " +
			shownText(shown, len(p), cut))}, lines...), nil
	}
	lines, shown, cut := textLines(st, p[:min(len(p), maxTextBytes)], w, hl)
	if shown < len(p) {
		lines = append([]string{st.Detail.Warn.Render("truncated: " + shownText(shown, len(p), cut))}, lines...)
	}
	return lines, nil
}

// shownText says truthfully how much of a payload of total bytes the text
// view shows: shown bytes, and whether long lines were cut.
func shownText(shown, total int, cut bool) string {
	s := sizeText(shown) + " of " + sizeText(total) + " shown as text"
	if cut {
		s += ", lines cut at " + strconv.Itoa(maxLineCells) + " bytes"
	}
	return s
}

// invisibleIn names the parts of e (with its properties p) that hold
// invisible or direction-changing characters (zero-width spaces, bidi
// overrides ...), or "".
func invisibleIn(e *history.Entry, p *broker.Properties) string {
	var parts []string
	if history.HasInvisible(e.Topic) {
		parts = append(parts, "topic")
	}
	if p != nil {
		for _, u := range p.User {
			if history.HasInvisible(u.Key) || history.HasInvisible(u.Value) {
				parts = append(parts, "user properties")
				break
			}
		}
	}
	if e.Kind == history.KindJSON || e.Kind == history.KindText {
		if history.HasInvisible(string(e.Payload[:min(len(e.Payload), maxPrettyBytes)])) {
			parts = append(parts, "payload")
		}
	}
	return strings.Join(parts, " and ")
}

// jsonLines pretty-prints, sanitises each line, colours its tokens and wraps it.
func jsonLines(st *themes.Styles, p []byte, w int, hl Highlights) ([]string, []ref) {
	pp := pretty.PrettyOptions(p, &pretty.Options{Width: 80, Indent: "  "})
	var out []string
	var refs []ref
	var track pathTracker
	for _, raw := range strings.Split(strings.TrimRight(string(pp), "\n"), "\n") {
		line := history.SanitizeLine(capCells(raw))
		r := track.line(line)
		for _, l := range wrap(hl.apply(st, line, colorJSON(st, line), true), w) {
			out = append(out, l)
			refs = append(refs, r)
		}
	}
	return out, refs
}

// textLines shows p as text lines, and returns how many of p's bytes they
// show (lines longer than maxLineCells bytes are cut) and whether any was cut.
func textLines(st *themes.Styles, p []byte, w int, hl Highlights) (out []string, shown int, cut bool) {
	s := strings.ToValidUTF8(string(p), "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	shown = len(p)
	for _, raw := range strings.Split(s, "\n") {
		capped := capCells(raw)
		if len(capped) != len(raw) {
			cut = true
			shown -= len(raw) - cutAt(raw)
		}
		line := history.SanitizeLine(capped)
		out = append(out, wrap(hl.apply(st, line, st.Detail.Text.Render(line), false), w)...)
	}
	return out, max(shown, 0), cut
}

// hexDump shows offset, 16 bytes in hex, and their printable ASCII.
func hexDump(st *themes.Styles, p []byte, w int) []string {
	var out []string
	if len(p) > maxHexBytes {
		out = append(out, st.Detail.Warn.Render("binary payload, first "+sizeText(maxHexBytes)+" of "+sizeText(len(p))))
		p = p[:maxHexBytes]
	} else {
		out = append(out, st.Detail.Muted.Render("binary payload"))
	}
	per := 16
	if w < 76 {
		per = 8
	}
	for off := 0; off < len(p); off += per {
		chunk := p[off:min(off+per, len(p))]
		var b strings.Builder
		b.WriteString(padLeft(strconv.FormatInt(int64(off), 16), 6))
		b.WriteString("  ")
		for i := 0; i < per; i++ {
			if i < len(chunk) {
				b.WriteString(hex.EncodeToString(chunk[i : i+1]))
			} else {
				b.WriteString("  ")
			}
			b.WriteByte(' ')
		}
		b.WriteByte(' ')
		for _, c := range chunk {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		out = append(out, wrap(st.Detail.Bytes.Render(b.String()), w)...)
	}
	return out
}

// colorJSON styles the tokens of one pretty-printed, sanitised JSON line.
func colorJSON(st *themes.Styles, line string) string {
	var b strings.Builder
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ':
			j := i
			for j < len(line) && line[j] == ' ' {
				j++
			}
			b.WriteString(line[i:j])
			i = j
		case c == '"':
			j := i + 1
			for j < len(line) {
				if line[j] == '\\' {
					j += 2
					continue
				}
				if line[j] == '"' {
					j++
					break
				}
				j++
			}
			j = min(j, len(line))
			k := j
			for k < len(line) && line[k] == ' ' {
				k++
			}
			if k < len(line) && line[k] == ':' {
				b.WriteString(st.Detail.Key.Render(line[i:j]))
			} else {
				b.WriteString(st.Detail.String.Render(line[i:j]))
			}
			i = j
		case c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':':
			b.WriteString(st.Detail.Punct.Render(line[i : i+1]))
			i++
		default:
			j := i
			for j < len(line) && !strings.ContainsRune(" ,:{}[]\"", rune(line[j])) {
				j++
			}
			if j == i { // a non-ASCII rune outside a string (cannot happen in valid JSON)
				_, size := utf8.DecodeRuneInString(line[i:])
				j = i + size
			}
			tok := line[i:j]
			switch {
			case tok == "true" || tok == "false":
				b.WriteString(st.Detail.Bool.Render(tok))
			case tok == "null":
				b.WriteString(st.Detail.Null.Render(tok))
			default:
				b.WriteString(st.Detail.Number.Render(tok))
			}
			i = j
		}
	}
	return b.String()
}

// wrap splits a styled line into lines of at most w cells.
func wrap(s string, w int) []string {
	if ansi.StringWidth(s) <= w {
		return []string{s}
	}
	return strings.Split(ansi.Hardwrap(s, w, true), "\n")
}

// capCells cuts absurdly long logical lines before styling and wrapping.
func capCells(s string) string {
	if len(s) <= maxLineCells {
		return s
	}
	return s[:cutAt(s)] + "… (line cut at " + strconv.Itoa(maxLineCells) + " bytes)"
}

// cutAt is where capCells cuts s: at most maxLineCells bytes, on a rune start.
func cutAt(s string) int {
	if len(s) <= maxLineCells {
		return len(s)
	}
	cut := maxLineCells
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return cut
}

func kindText(k history.Kind) string {
	switch k {
	case history.KindJSON:
		return "JSON"
	case history.KindText:
		return "text"
	case history.KindBinary:
		return "binary"
	}
	return "empty"
}

// sizeText formats a byte count: 623 B, 4.2 KiB, 3.4 MiB.
func sizeText(n int) string {
	switch {
	case n < 1024:
		return strconv.Itoa(n) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

func correlation(b []byte) string {
	printable := len(b) <= 128
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			printable = false
			break
		}
	}
	if printable {
		return strconv.Quote(string(b))
	}
	if len(b) > 64 {
		return hex.EncodeToString(b[:64]) + "… (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return hex.EncodeToString(b)
}

// unixText turns flespi's "1715843522.418732" into a readable UTC time.
func unixText(s string) (string, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1e9 || f > 1e10 {
		return "", false
	}
	sec := int64(f)
	t := time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return t.Format("2006-01-02 15:04:05.000 UTC"), true
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

func padLeft(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}

// Diff is what changed against the same device's previous different
// message (telematics.PrevOf: copies of the same message are passed over).
type Diff struct {
	Prev    *history.Entry // nil: this is the device's first message in history
	Changes []telematics.Change
}

func diffLines(st *themes.Styles, e *history.Entry, d *Diff, w int) []string {
	var out []string
	add := func(s string) { out = append(out, wrap(s, w)...) }
	out = append(out, st.Detail.Rule.Render(strings.Repeat("─", w)))
	if d.Prev == nil {
		add(st.Detail.Muted.Render("diff: no earlier message of this device in history"))
		return out
	}
	gap := e.Received.Sub(d.Prev.Received).Round(time.Millisecond)
	add(st.Detail.Label.Render("diff against this device's previous different message (seq " + strconv.FormatUint(d.Prev.Seq, 10) +
		", " + gap.String() + " earlier): " + strconv.Itoa(len(d.Changes)) + " fields changed"))
	for _, c := range d.Changes {
		key := history.SanitizeLine(c.Key)
		if key == "" {
			key = "(value)"
		}
		switch c.Kind {
		case telematics.Added:
			add(st.Detail.String.Render("+ "+key) + st.Detail.Punct.Render(": ") + history.SanitizeLine(c.New))
		case telematics.Removed:
			add(st.Detail.Null.Render("- "+key) + st.Detail.Punct.Render(": ") + history.SanitizeLine(c.Old))
		default:
			add(st.Detail.Number.Render("~ "+key) + st.Detail.Punct.Render(": ") + history.SanitizeLine(c.Old) +
				st.Detail.Muted.Render(" → ") + history.SanitizeLine(c.New))
		}
	}
	return out
}
