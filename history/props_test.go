package history

import (
	"reflect"
	"testing"

	"hubtap/broker"
)

// FuzzPropsRoundTrip: any properties encode and decode to the same value,
// and UserValue finds what the decoded list holds first, without
// allocating.
func FuzzPropsRoundTrip(f *testing.F) {
	f.Add("application/json", "reply/to", []byte{1, 2}, byte(1), uint32(60), uint16(3), 7, "timestamp", "1715843522.418732", "cid", true)
	f.Add("", "", []byte(nil), byte(0), uint32(0), uint16(0), 0, "", "", "k", false)
	f.Fuzz(func(t *testing.T, ct, rt string, cd []byte, pf byte, exp uint32, alias uint16, sub int, k, v, ask string, opt bool) {
		p := &broker.Properties{ContentType: ct, ResponseTopic: rt, CorrelationData: cd}
		if opt {
			p.PayloadFormat, p.MessageExpiry, p.TopicAlias = &pf, &exp, &alias
		}
		if sub > 0 {
			p.SubscriptionIDs = []int{sub, sub + 1}
		}
		if k != "" || v != "" {
			p.User = []broker.UserProperty{{Key: k, Value: v}, {Key: ask, Value: v + "!"}}
		}
		enc := string(encodeProps(nil, p))
		if got := decodeProps(enc); !reflect.DeepEqual(got, p) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, p)
		}
		m := broker.Message{Props: p}
		want, wantOK := m.UserValue(ask)
		got, ok := userValue(enc, ask)
		if got != want || ok != wantOK {
			t.Fatalf("userValue(%q) = %q, %v; want %q, %v", ask, got, ok, want, wantOK)
		}
		if n := testing.AllocsPerRun(10, func() { userValue(enc, ask) }); n != 0 {
			t.Fatalf("userValue allocates %.0f times", n)
		}
	})
}
