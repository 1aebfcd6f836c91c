package telematics

import (
	"math"
	"strconv"
	"strings"
	"unsafe"

	"hubtap/internal/jsonscan"

	"github.com/tidwall/gjson"
)

// Bits of fields.have and Device.Have: which values a message carried.
const (
	hasIdent Have = 1 << iota
	hasTimestamp
	hasServerTS
	hasDeviceID
	hasName

	// HavePosition: Device.Lat and Lon are set.
	HavePosition
	// HaveSpeed: Device.Speed is set.
	HaveSpeed
	// HaveIgnition: Device.Ignition is set.
	HaveIgnition
	// HaveBattery: Device.Battery is set.
	HaveBattery
	// HavePower: Device.Power is set.
	HavePower
	// HaveGSM: Device.GSM is set.
	HaveGSM
	// HaveLatency: Device.Latency is set.
	HaveLatency

	hasLat // only with hasLon does a message give a position
	hasLon
)

// Have is a bitmask of the Device values that are known (Device.Have).
type Have uint16

// allFields is every key readFields looks for.
const allFields = hasIdent | hasTimestamp | hasServerTS | hasDeviceID | hasName | hasLat | hasLon |
	HaveSpeed | HaveIgnition | HaveBattery | HavePower | HaveGSM

// fields are the values Observe reads from one flespi message. name aliases
// the payload: clone it before keeping it.
type fields struct {
	have                            Have
	ts, srv                         int64 // µs since the epoch
	lat, lon, speed, batt, pwr, gsm float64
	ign                             bool
	devID                           int64
	name                            string
}

// maxTimestamp bounds a plausible timestamp in seconds (year 33658), so the
// conversion to µs cannot overflow.
const maxTimestamp = 1e12

// readFields reads the flespi keys Observe needs in one pass over the
// object's top-level members (jsonscan.Members, which says why not gjson's
// ForEach). flespi keys are flat with dots ("position.speed" is one key), so
// no gjson path is involved and nothing needs escaping. Only the values of those keys are parsed. The first
// occurrence of a key wins, as in history's summary. p should be valid JSON
// (history.KindJSON); anything but an object yields no fields. It does not
// allocate unless a key or device.name has escapes.
func readFields(p []byte) (f fields) {
	// Payloads are never modified (broker.Message), so view the bytes
	// without a copy; only f.name aliases them.
	m, ok := jsonscan.NewMembers(unsafe.String(unsafe.SliceData(p), len(p)))
	if !ok {
		return f
	}
	for {
		k, esc, v, ok := m.Next()
		if !ok {
			break
		}
		switch jsonscan.Key(k, esc) {
		case "ident":
			if v != `""` && (v[0] == '"' || isNumber(v)) {
				f.have |= hasIdent
			}
		case "timestamp":
			f.ts = f.micros(hasTimestamp, f.ts, v)
		case "server.timestamp":
			f.srv = f.micros(hasServerTS, f.srv, v)
		case "device.id":
			if f.have&hasDeviceID == 0 {
				if m, frac, ok := decimal(v); ok && frac == 0 {
					f.devID, f.have = m, f.have|hasDeviceID
				}
			}
		case "device.name":
			if f.have&hasName == 0 && v[0] == '"' {
				f.name, f.have = stringValue(v), f.have|hasName
			}
		case "position.latitude":
			f.lat = f.num(hasLat, f.lat, v)
		case "position.longitude":
			f.lon = f.num(hasLon, f.lon, v)
		case "position.speed":
			f.speed = f.num(HaveSpeed, f.speed, v)
		case "engine.ignition.status":
			if f.have&HaveIgnition == 0 && (v == "true" || v == "false") {
				f.ign, f.have = v == "true", f.have|HaveIgnition
			}
		case "battery.voltage":
			f.batt = f.num(HaveBattery, f.batt, v)
		case "external.powersource.voltage":
			f.pwr = f.num(HavePower, f.pwr, v)
		case "gsm.signal.level":
			f.gsm = f.num(HaveGSM, f.gsm, v)
		}
		if f.have&allFields == allFields {
			break // the rest of the message has nothing Observe reads
		}
	}
	if f.have&(hasLat|hasLon) == hasLat|hasLon {
		f.have |= HavePosition
	}
	return f
}

// isNumber reports whether the raw JSON value v is a number.
func isNumber(v string) bool {
	return v != "" && (v[0] == '-' || v[0] >= '0' && v[0] <= '9')
}

// number parses the raw JSON number v; false if v is not a finite number.
// Plain decimals of up to 15 digits (every flespi value we read) take a
// fast path that is exact: both the digits and the power of ten are exact
// float64s, so one division rounds correctly (Clinger's fast path, the one
// strconv also takes, without its generality).
func number(v string) (float64, bool) {
	if m, frac, ok := decimal(v); ok { // at most 15 digits: |m| < 2⁵³
		return float64(m) / pow10[frac], true
	}
	if !isNumber(v) {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, false
	}
	return x, true
}

// pow10 holds the powers of ten that are exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// decimal reads v as [-]digits[.digits] with at most 15 digits in all: the
// digits as an integer m (negated for a minus sign) and how many follow the
// point. ok is false for anything else (exponents, more digits, not a
// number), which the caller hands to strconv.
func decimal(v string) (m int64, frac int, ok bool) {
	i, neg := 0, false
	if i < len(v) && v[i] == '-' {
		neg, i = true, 1
	}
	digits, point := 0, -1
	for ; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 15 {
				return 0, 0, false
			}
			m = m*10 + int64(c-'0')
			digits++
		case c == '.' && point < 0 && digits > 0:
			point = digits
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || point == digits {
		return 0, 0, false
	}
	if point >= 0 {
		frac = digits - point
	}
	if neg {
		m = -m
	}
	return m, frac, true
}

// stringValue decodes the raw JSON string v, without a copy unless it has
// escapes.
func stringValue(v string) string {
	if strings.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	return gjson.Parse(v).Str
}

// num returns v's number and sets bit, unless bit is already set (then old)
// or v is not a finite number.
func (f *fields) num(bit Have, old float64, v string) float64 {
	if f.have&bit != 0 {
		return old
	}
	x, ok := number(v)
	if !ok {
		return old
	}
	f.have |= bit
	return x
}

// micros is num for a Unix timestamp in seconds: it returns µs, rounded.
// flespi timestamps have at most 6 decimals, read exactly as integers.
func (f *fields) micros(bit Have, old int64, v string) int64 {
	if f.have&bit != 0 {
		return old
	}
	if m, frac, ok := decimal(v); ok && frac <= 6 && math.Abs(float64(m)) < maxTimestamp*pow10[frac] {
		f.have |= bit
		for ; frac < 6; frac++ {
			m *= 10 // at most 15 digits: no overflow
		}
		return m
	}
	x, ok := number(v)
	if !ok || !(math.Abs(x) < maxTimestamp) {
		return old
	}
	f.have |= bit
	return int64(math.Round(x * 1e6))
}
