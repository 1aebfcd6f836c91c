package headless

import (
	"hubtap/broker"
	"hubtap/history"
)

// Format turns a message into output bytes. It appends to dst and returns it.
type Format func(dst []byte, m *broker.Message) []byte

// JSONL returns the recording format (history.AppendJSONL): one JSON object
// per line. The Format keeps the last formatted receive time
// (history.JSONLEncoder), so it is for one goroutine at a time.
func JSONL() Format {
	var e history.JSONLEncoder
	return e.Append
}

// Verbose is mosquitto_sub -v: the topic, a space and the payload; an
// empty payload prints as "(null)" (and, with NoEOL, not at all).
func Verbose(o Options) Format {
	return func(dst []byte, m *broker.Message) []byte {
		if len(m.Payload) == 0 {
			if o.NoEOL {
				return dst
			}
			dst = append(dst, m.Topic...)
			return append(dst, " (null)\n"...)
		}
		dst = append(dst, m.Topic...)
		dst = append(dst, ' ')
		dst = append(dst, m.Payload...)
		if !o.NoEOL {
			dst = append(dst, '\n')
		}
		return dst
	}
}
