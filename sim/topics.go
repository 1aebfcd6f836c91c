package sim

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// flespi's topic filter extensions (docs/FLESPI.md §4), which mochi does not
// know:
//
//   - comma lists in any level: flespi/state/gw/devices/12,34/connected;
//   - $filter/{spec}/ prefixes, alone or inside $share/{group}/;
//     the simulator applies cid={id} (only the simulated account's cid,
//     AccountID, matches anything) and modified_since>{unix} (compared with
//     the retained value's `timestamp` user property; live messages are
//     always newer); it refuses payload= and message= (flespi expression
//     filters, which it does not evaluate) and any other spec, with a
//     reason in the SUBACK.
//
// mochi is given a superset of the filter (each comma level becomes +, the
// $filter prefixes go), so its topic tree finds candidate deliveries, and
// flespiHook.OnACLCheck passes only those that match one of the client's
// filters as written (subs.go).

// extFilter is one subscription filter as the client wrote it.
type extFilter struct {
	orig   string  // as subscribed, e.g. "$share/g/$filter/cid=8201/flespi/state/gw/devices/1,2/+"
	mochi  string  // what mochi subscribes: "$share/g/flespi/state/gw/devices/+/+"
	levels []level // the topic filter's levels, without $share and $filter
	cid    int64   // $filter/cid=; -1 when absent
	since  float64 // $filter/modified_since>; 0 when absent
	plain  bool    // no extension: mochi's own matching is exact
}

// level is one level of a topic filter.
type level struct {
	alts []string // accepted values; nil with + or #
	one  bool     // +
	rest bool     // # (always last)
}

// errExpressionFilter and errUnknownFilter refuse a $filter spec; the
// SUBACK says why (subs.go).
var (
	errExpressionFilter = errors.New("the simulator does not evaluate flespi expression filters ($filter/payload= and $filter/message=); flespi accepts them")
	errUnknownFilter    = errors.New("unknown $filter form: flespi documents cid={id}, modified_since>{unix}, payload={expression} and message={expression}")
)

// parseFilter reads a SUBSCRIBE filter with flespi's extensions.
func parseFilter(f string) (*extFilter, error) {
	x := &extFilter{orig: f, cid: -1}
	share := ""
	rest := f
	if r, ok := strings.CutPrefix(rest, "$share/"); ok {
		group, after, ok := strings.Cut(r, "/")
		if !ok || group == "" {
			return nil, errors.New("$share/ needs a group and a filter")
		}
		share, rest = "$share/"+group+"/", after
	}
	for {
		r, ok := strings.CutPrefix(rest, "$filter/")
		if !ok {
			break
		}
		spec, after, ok := strings.Cut(r, "/")
		if !ok {
			return nil, errors.New("$filter/{spec}/ needs a filter after the spec")
		}
		if err := x.applySpec(spec); err != nil {
			return nil, err
		}
		rest = after
	}
	var sb strings.Builder
	sb.WriteString(share)
	for i, l := range strings.Split(rest, "/") {
		if i > 0 {
			sb.WriteByte('/')
		}
		switch {
		case l == "+":
			x.levels = append(x.levels, level{one: true})
			sb.WriteString("+")
		case l == "#":
			x.levels = append(x.levels, level{rest: true})
			sb.WriteString("#")
		case strings.Contains(l, ","):
			alts := strings.Split(l, ",")
			for _, a := range alts {
				if a == "" || strings.ContainsAny(a, "+#") {
					return nil, errors.New("comma list " + strconv.Quote(l) + ": every item must be a non-empty value without + or #")
				}
			}
			x.levels = append(x.levels, level{alts: alts})
			sb.WriteString("+")
		default:
			x.levels = append(x.levels, level{alts: []string{l}})
			sb.WriteString(l)
		}
	}
	x.mochi = sb.String()
	x.plain = x.mochi == f
	return x, nil
}

// applySpec takes in one $filter spec.
func (x *extFilter) applySpec(spec string) error {
	switch {
	case strings.HasPrefix(spec, "cid="):
		id, err := strconv.ParseInt(strings.TrimPrefix(spec, "cid="), 10, 64)
		if err != nil || id <= 0 {
			return errors.New("$filter/cid= needs a customer id")
		}
		x.cid = id
	case strings.HasPrefix(spec, "modified_since>"):
		v, err := strconv.ParseFloat(strings.TrimPrefix(spec, "modified_since>"), 64)
		if err != nil || v < 0 {
			return errors.New("$filter/modified_since> needs a Unix time")
		}
		x.since = v
	case strings.HasPrefix(spec, "payload="), strings.HasPrefix(spec, "message="):
		if _, err := url.PathUnescape(spec[strings.IndexByte(spec, '=')+1:]); err != nil {
			return errors.New("$filter expression is not URL-encoded: " + err.Error())
		}
		return errExpressionFilter
	default:
		return errUnknownFilter
	}
	return nil
}

// matches reports whether topic matches the filter as written (levels and
// comma lists; cid and modified_since are checked by the caller).
func (x *extFilter) matches(topic string) bool {
	if strings.HasPrefix(topic, "$") {
		return false
	}
	for i, l := range x.levels {
		if l.rest {
			return true
		}
		seg, after, more := strings.Cut(topic, "/")
		if !l.one {
			ok := false
			for _, a := range l.alts {
				ok = ok || a == seg
			}
			if !ok {
				return false
			}
		}
		if !more {
			// The topic ends here: the filter must end too, or go on with
			// a # (which also matches the parent level).
			return i == len(x.levels)-1 || (i == len(x.levels)-2 && x.levels[i+1].rest)
		}
		topic = after
	}
	return false
}
