package history

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// docs/FLESPI.md §5, Example A (topic flespi/message/gw/devices/182083).
const exampleA = `{"ident":"352625066004561","timestamp":1715843521.0,"server.timestamp":1715843522.418732,
 "channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213",
 "device.id":182083,"device.name":"Truck 17","device.type.id":744,
 "position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,
 "position.speed":47,"position.direction":281,"position.satellites":14,"position.hdop":0.8,
 "position.valid":true,"engine.ignition.status":true,"movement.status":true,
 "external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,
 "gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`

// Example B: an unknown ident on the channel topic.
const exampleB = `{"ident":"860000000000001","timestamp":1715843530,"server.timestamp":1715843530.912004,
 "channel.id":1234,"protocol.id":14,"peer":"10.0.0.7:5012","position.valid":false,
 "battery.voltage":3.71}`

// Example C: a buffered black-box record.
const exampleC = `{"ident":"352625066004561","timestamp":1715825100,"server.timestamp":1715843525.101,
 "channel.id":1234,"protocol.id":14,"device.id":182083,"device.name":"Truck 17",
 "device.type.id":744,"position.latitude":52.1,"position.longitude":20.95,
 "position.speed":0,"position.valid":true,"engine.ignition.status":false}`

// checkLine fails unless s is safe on one terminal row: valid UTF-8, no ESC,
// C0, DEL, C1 or bidi control, and at most maxCells wide (maxCells < 0: any).
func checkLine(t testing.TB, what, s string, maxCells int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s is not valid UTF-8: %q", what, s)
	}
	for _, r := range s {
		if r < 0x20 || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("%s contains control rune %U: %q", what, r, s)
		}
	}
	if maxCells >= 0 {
		if w := ansi.StringWidth(s); w > maxCells {
			t.Fatalf("%s is %d cells, more than %d: %q", what, w, maxCells, s)
		}
	}
	if strings.ContainsRune(s, 0x1b) {
		t.Fatalf("%s contains ESC", what)
	}
}
