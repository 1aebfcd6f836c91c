package broker

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidateFilter checks an MQTT topic filter before it is sent, so a typo is
// explained locally rather than by a broker that may drop the connection
// (flespi answers a bad filter with DISCONNECT 0x8F). It accepts wildcards,
// $share/{group}/{filter} and flespi's comma lists within a level.
func ValidateFilter(f string) error {
	switch {
	case f == "":
		return errors.New("empty topic filter")
	case len(f) > 65535:
		return errors.New("topic filter longer than 65535 bytes")
	case !utf8.ValidString(f):
		return errors.New("topic filter is not valid UTF-8")
	case strings.ContainsRune(f, 0):
		return errors.New("topic filter contains a NUL character")
	}
	if rest, ok := strings.CutPrefix(f, "$share/"); ok {
		group, filter, ok := strings.Cut(rest, "/")
		if !ok || group == "" || filter == "" {
			return fmt.Errorf("%q: a shared subscription is $share/{group}/{filter}", f)
		}
		if strings.ContainsAny(group, "+#") {
			return fmt.Errorf("%q: the share group name cannot contain + or #", f)
		}
		f = filter
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.Contains(l, "#") && (l != "#" || i != len(levels)-1) {
			return fmt.Errorf("%q: # must be a whole level and the last one", f)
		}
		if strings.Contains(l, "+") && l != "+" {
			return fmt.Errorf("%q: + must be a whole level", f)
		}
	}
	return nil
}

// MatchTopic reports whether topic matches filter (MQTT wildcards, a
// $share/{group}/ prefix, and flespi comma lists such as "1,2" in a level).
func MatchTopic(filter, topic string) bool {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		if _, f, ok := strings.Cut(rest, "/"); ok {
			filter = f
		}
	}
	// Topics starting with $ are not matched by a leading wildcard.
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		tl, trest, tmore := strings.Cut(topic, "/")
		switch {
		case fl == "#":
			return true
		case fl == "+":
		case fl == tl:
		case strings.Contains(fl, ","):
			found := false
			for _, alt := range strings.Split(fl, ",") {
				if alt == tl {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		default:
			return false
		}
		if !fmore || !tmore {
			// "a/#" also matches "a".
			return fmore == tmore || (!tmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}
