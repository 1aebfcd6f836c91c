package filters

import (
	"strconv"
	"testing"
)

// BenchmarkRealistic filters 1000 varied flespi messages (fleetMessages) in
// a loop; one op is one message, so ns/op is ns/msg and allocs/op is per
// message. "eval-valid" is the history re-filter path (the payload was
// classified at ingest, JSONValid); "match" is Filter.Match, which must
// validate the JSON itself whenever a field is found.
func BenchmarkRealistic(b *testing.B) {
	msgs := fleetMessages(1000)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	const topic = "flespi/message/gw/devices/182001"
	idents := `ident in ["` + benchIdents[0] + `","` + benchIdents[1] + `","` + benchIdents[2] + `"]`
	for _, bc := range []struct{ name, src string }{
		{"ident-and-speed", idents + ` && position.speed > 80`},
		{"speed-only", `position.speed > 80`},
		{"late-key", `event.priority.enum == 2`},
		{"nested-fallback-miss", `position.heading > 80`},
		{"free-text-hit", `Truck 17`},
		{"free-text-miss", `Truck 170`},
		{"free-text-and-speed", `"Truck 17" && position.speed > 80`},
	} {
		e, err := Compile(bc.src)
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"eval-valid", "match"} {
			b.Run(bc.name+"/"+mode, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(total / len(msgs)))
				in := Input{Topic: topic, JSON: JSONValid}
				i, hits := 0, 0
				for b.Loop() {
					p := msgs[i%len(msgs)]
					i++
					var ok bool
					if mode == "match" {
						ok = e.Match(topic, p)
					} else {
						in.Payload = p
						ok = e.Eval(&in)
					}
					if ok {
						hits++
					}
				}
				b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(100*float64(hits)/float64(i), "%hit")
			})
		}
	}
}

// BenchmarkMatch is the old substring filter's benchmark, on one message.
func BenchmarkMatch(b *testing.B) {
	payload := []byte(flespiMsg)
	for _, bc := range []struct{ name, src string }{
		{"ascii-hit", "Truck 17"},
		{"ascii-miss", "truck 18"},
		{"ascii-digit-miss", "9999"},
		{"unicode-miss", "größe"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f, err := Parse(bc.src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(payload) + len(flespiTopic)))
			n := 0
			for b.Loop() {
				f.Match(flespiTopic, payload)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func TestFleetMessagesAreRealistic(t *testing.T) {
	msgs := fleetMessages(1000)
	total, hits := 0, 0
	e := mustCompile(t, `ident in ["`+benchIdents[0]+`","`+benchIdents[1]+`","`+benchIdents[2]+`"] && position.speed > 80`)
	for i, m := range msgs {
		if !validJSON(string(m)) {
			t.Fatalf("message %d is not JSON: %s", i, m)
		}
		total += len(m)
		if e.Match("t", m) {
			hits++
		}
	}
	if avg := total / len(msgs); avg < 450 || avg > 650 {
		t.Fatalf("average message is %d bytes, want about 550", avg)
	}
	if hits == 0 || hits > 100 {
		t.Fatalf("%d of 1000 messages match, want a few percent", hits)
	}
	t.Logf("average %d bytes, %s matches", total/len(msgs), strconv.Itoa(hits))
}
