// Package bench holds hubtap's benchmark suite: Go benchmarks of the UI's
// per-frame work (go test -bench . ./bench/), the drain publisher
// (cmd/publish) and the driver that measures real processes (cmd/hubbench),
// all run by bench/run.sh. See docs/BENCHMARKS.md.
package bench

import (
	"math/rand/v2"
	"strconv"
	"time"

	"hubtap/broker"
)

// Ident returns device dev's 15-digit IMEI-like ident.
func Ident(dev int) string {
	s := strconv.Itoa(1000003 * dev % 9999991)
	for len(s) < 7 {
		s = "0" + s
	}
	return "35262506" + s
}

// Topic returns the flespi channel topic device dev publishes to.
func Topic(dev int) string {
	return "flespi/message/gw/channels/" + strconv.Itoa(1234+dev%2) + "/" + Ident(dev)
}

// CID is the account ID flespi puts in the cid user property of every
// PUBLISH (docs/FLESPI.md §6).
const CID = "8201"

// AppendMessage appends message i of device dev: a flat flespi device
// message of about 550 bytes (docs/FLESPI.md §5), its values drawn from rng.
func AppendMessage(b []byte, rng *rand.Rand, dev int, i int64) []byte {
	ts := 1795687828.0 + float64(i)/1000
	f := func(key string, v float64, prec int) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = strconv.AppendFloat(b, v, 'f', prec, 64)
	}
	b = append(b, `{"ident":"`...)
	b = append(b, Ident(dev)...)
	b = append(b, '"')
	f("timestamp", ts, 3)
	f("server.timestamp", ts+0.4, 6)
	f("channel.id", float64(1234+dev%2), 0)
	f("protocol.id", 14, 0)
	b = append(b, `,"peer":"85.12.126.127:39770"`...)
	f("device.id", float64(182000+dev), 0)
	b = append(b, `,"device.name":"Tractor `...)
	b = strconv.AppendInt(b, int64(dev), 10)
	b = append(b, '"')
	f("device.type.id", 744, 0)
	f("position.latitude", 52.2+rng.Float64()/10, 6)
	f("position.longitude", 20.9+rng.Float64()/10, 6)
	f("position.altitude", float64(100+rng.IntN(50)), 0)
	f("position.speed", float64(rng.IntN(120)), 0)
	f("position.direction", float64(rng.IntN(360)), 0)
	f("position.satellites", float64(5+rng.IntN(12)), 0)
	f("position.hdop", 0.5+float64(rng.IntN(20))/10, 1)
	b = append(b, `,"position.valid":true,"engine.ignition.status":true,"movement.status":true`...)
	f("external.powersource.voltage", 27+rng.Float64()*2, 2)
	f("battery.voltage", 4+rng.Float64()/5, 2)
	f("gsm.signal.level", float64(50+rng.IntN(50)), 0)
	f("gsm.mcc", 260, 0)
	f("gsm.mnc", 1, 0)
	f("din", float64(rng.IntN(4)), 0)
	f("vehicle.mileage", 12345.6+float64(i)/100, 1)
	f("event.priority.enum", 0, 0)
	return append(b, '}')
}

// Messages returns n messages from 200 devices as the broker package hands
// them over: QoS 1, flespi's two user properties, received 20 µs apart.
func Messages(n int) []broker.Message {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	msgs := make([]broker.Message, n)
	for i := range msgs {
		dev := i % 200
		msgs[i] = broker.Message{
			Seq:      uint64(i + 1),
			Topic:    Topic(dev),
			Payload:  AppendMessage(nil, rng, dev, int64(i)),
			QoS:      1,
			Received: t0.Add(time.Duration(i) * 20 * time.Microsecond),
			Props: &broker.Properties{User: []broker.UserProperty{
				{Key: "timestamp", Value: strconv.FormatFloat(1795687828+float64(i)/1000, 'f', 6, 64)},
				{Key: "cid", Value: "8201"},
			}},
		}
	}
	return msgs
}
