package filters

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// flespiMsg is docs/FLESPI.md §5, Example A, on one line.
const flespiMsg = `{"ident":"352625066004561","timestamp":1715843521.0,"server.timestamp":1715843522.418732,` +
	`"channel.id":1234,"protocol.id":14,"peer":"85.12.34.56:40213",` +
	`"device.id":182083,"device.name":"Truck 17","device.type.id":744,` +
	`"position.latitude":52.229676,"position.longitude":21.012229,"position.altitude":112,` +
	`"position.speed":47,"position.direction":281,"position.satellites":14,"position.hdop":0.8,` +
	`"position.valid":true,"engine.ignition.status":true,"movement.status":true,` +
	`"external.powersource.voltage":27.9,"battery.voltage":4.05,"gsm.signal.level":80,` +
	`"gsm.mcc":260,"gsm.mnc":2,"din":1,"event.priority.enum":0}`

const flespiTopic = "flespi/message/gw/devices/182083"

// mustCompile fails the test unless src compiles to a non-nil expression.
func mustCompile(t testing.TB, src string) *Expr {
	t.Helper()
	e, err := Compile(src)
	if err != nil || e == nil {
		t.Fatalf("Compile(%q) = %v, %v", src, e, err)
	}
	return e
}

// props makes an Input.User from key/value pairs.
func props(kv ...string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

// refContainsFoldASCII is an obviously correct reference for ASCII needles.
func refContainsFoldASCII(h, needle []byte) bool {
	return bytes.Contains(asciiLower(h), asciiLower(needle))
}

func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}

// benchIdents are the idents the realistic benchmark filters on; the fleet
// has 50 devices, so about 6% of messages pass the ident test.
var benchIdents = [3]string{"352625066004561", "352625066004562", "352625066004563"}

// fleetMessages builds n varied flespi telemetry messages (about 550 bytes
// each, flat keys in flespi's usual order) from a fixed seed.
func fleetMessages(n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	msgs := make([][]byte, n)
	var b strings.Builder
	for i := range msgs {
		dev := rng.IntN(50)
		ident := fmt.Sprintf("3526250660%05d", 4561+dev)
		ts := 1715843521 + i
		b.Reset()
		fmt.Fprintf(&b, `{"ident":%q,"timestamp":%d.%06d,"server.timestamp":%d.%06d,`, ident, ts, rng.IntN(1e6), ts+1, rng.IntN(1e6))
		fmt.Fprintf(&b, `"channel.id":1234,"protocol.id":14,"peer":"85.12.%d.%d:%d",`, rng.IntN(256), rng.IntN(256), 1024+rng.IntN(60000))
		fmt.Fprintf(&b, `"device.id":%d,"device.name":"Truck %d","device.type.id":744,`, 182000+dev, dev)
		if rng.IntN(10) > 0 { // 10%: a heartbeat without position
			fmt.Fprintf(&b, `"position.latitude":%.6f,"position.longitude":%.6f,"position.altitude":%d,`, 52+rng.Float64(), 21+rng.Float64(), rng.IntN(300))
			fmt.Fprintf(&b, `"position.speed":%d,"position.direction":%d,"position.satellites":%d,"position.hdop":%.1f,"position.valid":true,`, rng.IntN(130), rng.IntN(360), 4+rng.IntN(12), 0.5+rng.Float64())
		}
		fmt.Fprintf(&b, `"engine.ignition.status":%t,`, rng.IntN(2) == 0)
		fmt.Fprintf(&b, `"external.powersource.voltage":%.1f,"battery.voltage":%.2f,"gsm.signal.level":%d,`, 12+rng.Float64()*16, 3.6+rng.Float64()/2, rng.IntN(101))
		b.WriteString(`"gsm.mcc":260,`)
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, `"can.engine.rpm":%d,"can.fuel.level":%d,`, 600+rng.IntN(2000), rng.IntN(101))
		}
		fmt.Fprintf(&b, `"din":%d,"event.priority.enum":%d}`, rng.IntN(16), rng.IntN(3))
		msgs[i] = []byte(b.String())
	}
	return msgs
}
