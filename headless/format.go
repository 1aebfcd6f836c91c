package headless

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"hubtap/broker"
	"hubtap/history"
)

// Format turns a message into output bytes. It appends to dst and returns it.
type Format func(dst []byte, m *broker.Message) []byte

// JSONL is the recording format (history.AppendJSONL): one JSON object per line.
func JSONL(dst []byte, m *broker.Message) []byte { return history.AppendJSONL(dst, m) }

// part is one compiled piece of a template.
type part func(dst []byte, m *broker.Message) []byte

// ParseTemplate compiles a mosquitto_sub -F style template. A newline ends
// every message. Verbs:
//
//	%t topic          %p payload (raw bytes)   %q QoS        %r retain (0/1)
//	%d dup (0/1)      %l payload length        %x payload as hex
//	%I receive time, ISO 8601 with µs            %U receive time, Unix seconds.nanoseconds
//	%P user properties as key=value, space-separated
//	%j the JSONL record (without its newline)
//	%{path} a JSON field of the payload, flat dotted key first
//	        (%{position.speed}), then a gjson path; empty when missing
//	%% a percent sign; \n \t \\ escapes
func ParseTemplate(tpl string) (Format, error) {
	var parts []part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			parts = append(parts, func(dst []byte, _ *broker.Message) []byte { return append(dst, s...) })
			lit.Reset()
		}
	}
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		switch {
		case c == '\\' && i+1 < len(tpl):
			i++
			switch tpl[i] {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			case '\\':
				lit.WriteByte('\\')
			default:
				return nil, fmt.Errorf("template column %d: unknown escape \\%c", i, tpl[i])
			}
		case c == '%':
			if i+1 >= len(tpl) {
				return nil, fmt.Errorf("template column %d: %% at the end (use %%%% for a percent sign)", i+1)
			}
			i++
			if tpl[i] == '%' {
				lit.WriteByte('%')
				continue
			}
			if tpl[i] == '{' {
				end := strings.IndexByte(tpl[i:], '}')
				if end < 2 {
					return nil, fmt.Errorf("template column %d: %%{ needs a field path and a closing }", i)
				}
				flush()
				parts = append(parts, fieldPart(tpl[i+1:i+end]))
				i += end
				continue
			}
			p, ok := verbs[tpl[i]]
			if !ok {
				return nil, fmt.Errorf("template column %d: unknown verb %%%c", i, tpl[i])
			}
			flush()
			parts = append(parts, p)
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return func(dst []byte, m *broker.Message) []byte {
		for _, p := range parts {
			dst = p(dst, m)
		}
		return append(dst, '\n')
	}, nil
}

var verbs = map[byte]part{
	't': func(dst []byte, m *broker.Message) []byte { return append(dst, m.Topic...) },
	'p': func(dst []byte, m *broker.Message) []byte { return append(dst, m.Payload...) },
	'q': func(dst []byte, m *broker.Message) []byte { return strconv.AppendUint(dst, uint64(m.QoS), 10) },
	'r': func(dst []byte, m *broker.Message) []byte { return appendBit(dst, m.Retain) },
	'd': func(dst []byte, m *broker.Message) []byte { return appendBit(dst, m.Duplicate) },
	'l': func(dst []byte, m *broker.Message) []byte { return strconv.AppendInt(dst, int64(len(m.Payload)), 10) },
	'x': func(dst []byte, m *broker.Message) []byte { return hex.AppendEncode(dst, m.Payload) },
	'I': func(dst []byte, m *broker.Message) []byte {
		return m.Received.AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	},
	'U': func(dst []byte, m *broker.Message) []byte {
		dst = strconv.AppendInt(dst, m.Received.Unix(), 10)
		dst = append(dst, '.')
		ns := strconv.AppendInt(nil, int64(m.Received.Nanosecond())+int64(time.Second), 10)
		return append(dst, ns[1:]...) // 9 digits, zero-padded
	},
	'P': func(dst []byte, m *broker.Message) []byte {
		if m.Props == nil {
			return dst
		}
		for i, u := range m.Props.User {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, u.Key...)
			dst = append(dst, '=')
			dst = append(dst, u.Value...)
		}
		return dst
	},
	'j': func(dst []byte, m *broker.Message) []byte {
		dst = history.AppendJSONL(dst, m)
		return dst[:len(dst)-1]
	},
}

func appendBit(dst []byte, b bool) []byte {
	if b {
		return append(dst, '1')
	}
	return append(dst, '0')
}

// fieldPart picks a JSON value: the flat dotted key first (flespi's keys
// contain dots), then the path as gjson syntax. Strings are printed
// unquoted, other values as their JSON text.
func fieldPart(path string) part {
	flat := gjson.Escape(path)
	return func(dst []byte, m *broker.Message) []byte {
		r := gjson.GetBytes(m.Payload, flat)
		if !r.Exists() && flat != path {
			r = gjson.GetBytes(m.Payload, path)
		}
		if !r.Exists() {
			return dst
		}
		if r.Type == gjson.String {
			return append(dst, r.Str...)
		}
		return append(dst, r.Raw...)
	}
}
