package telematics

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	cases := []struct {
		name      string
		prev, cur string
		want      []Change
	}{
		{name: "equal", prev: `{"a":1,"b":"x"}`, cur: `{"b":"x","a":1}`, want: nil},
		{name: "added", prev: `{"a":1}`, cur: `{"a":1,"b":true}`,
			want: []Change{{Key: "b", New: "true", Kind: Added}}},
		{name: "removed", prev: `{"a":1,"battery.voltage":4.05}`, cur: `{"a":1}`,
			want: []Change{{Key: "battery.voltage", Old: "4.05", Kind: Removed}}},
		{name: "changed, sorted by key", prev: `{"position.speed":47,"ident":"1","engine.ignition.status":true}`,
			cur: `{"ident":"1","position.speed":0,"engine.ignition.status":false}`,
			want: []Change{
				{Key: "engine.ignition.status", Old: "true", New: "false", Kind: Changed},
				{Key: "position.speed", Old: "47", New: "0", Kind: Changed},
			}},
		{name: "all three", prev: `{"x":1,"y":2}`, cur: `{"y":3,"z":4}`,
			want: []Change{
				{Key: "x", Old: "1", Kind: Removed},
				{Key: "y", Old: "2", New: "3", Kind: Changed},
				{Key: "z", New: "4", Kind: Added},
			}},
		{name: "numbers by text", prev: `{"a":47}`, cur: `{"a":47.0}`,
			want: []Change{{Key: "a", Old: "47", New: "47.0", Kind: Changed}}},
		{name: "strings keep their quotes", prev: `{"device.name":"Truck 17"}`, cur: `{"device.name":"Truck 18"}`,
			want: []Change{{Key: "device.name", Old: `"Truck 17"`, New: `"Truck 18"`, Kind: Changed}}},
		{name: "nested object by raw text", prev: `{"can":{"a":1,"b":[1,2]},"k":1}`, cur: `{"can":{"a":1,"b":[1,3]},"k":1}`,
			want: []Change{{Key: "can", Old: `{"a":1,"b":[1,2]}`, New: `{"a":1,"b":[1,3]}`, Kind: Changed}}},
		{name: "nested equal", prev: `{"can":{"a":1}}`, cur: `{"can":{"a":1}}`, want: nil},
		{name: "repeated key: first wins", prev: `{"a":1,"a":2}`, cur: `{"a":1,"a":3}`, want: nil},
		{name: "from empty object", prev: `{}`, cur: `{"a":1}`, want: []Change{{Key: "a", New: "1", Kind: Added}}},
		{name: "not JSON, equal", prev: "hello", cur: "hello", want: nil},
		{name: "not JSON, different", prev: "hello", cur: "world",
			want: []Change{{Old: "hello", New: "world", Kind: Changed}}},
		{name: "object to text", prev: `{"a":1}`, cur: "a=1",
			want: []Change{{Old: `{"a":1}`, New: "a=1", Kind: Changed}}},
		{name: "scalars", prev: `47`, cur: `48`, want: []Change{{Old: "47", New: "48", Kind: Changed}}},
		{name: "arrays compared whole", prev: `[1]`, cur: `[1] `, want: nil},
		{name: "invalid JSON compared whole", prev: `{"a":1`, cur: `{"a":2`,
			want: []Change{{Old: `{"a":1`, New: `{"a":2`, Kind: Changed}}},
		{name: "first message: nothing before", prev: "", cur: `{"a":1}`,
			want: []Change{{Old: "", New: `{"a":1}`, Kind: Changed}}},
		{name: "raw ESC is invalid JSON: whole, neutralised", prev: `{"s":"a"}`, cur: "{\"s\":\"\x1b[2Jb\"}",
			want: []Change{{Old: `{"s":"a"}`, New: "{\"s\":\"␛[2Jb\"}", Kind: Changed}}},
		{name: "C1 controls are neutralised, bidi ones shown by name", prev: `{"s":"a"}`, cur: "{\"s\u202e\":\"b\u009b\"}",
			want: []Change{
				{Key: "s", Old: `"a"`, Kind: Removed},
				{Key: "s⟨RLO⟩", New: "\"b\uFFFD\"", Kind: Added},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Diff([]byte(tc.prev), []byte(tc.cur))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Diff(%s, %s)\n got %+v\nwant %+v", tc.prev, tc.cur, got, tc.want)
			}
		})
	}
}

func TestDiffCapsValues(t *testing.T) {
	big := `"` + strings.Repeat("é", 2000) + `"`
	got := Diff([]byte(`{"a":1}`), []byte(`{"a":`+big+`}`))
	if len(got) != 1 {
		t.Fatalf("got %d changes", len(got))
	}
	n := got[0].New
	if len(n) > MaxChangeBytes+len("…") || !strings.HasSuffix(n, "…") || !strings.HasPrefix(n, `"éé`) {
		t.Errorf("New not capped at a rune boundary: %d bytes, ends %q", len(n), n[len(n)-8:])
	}
}

func TestChangeKindString(t *testing.T) {
	for k, want := range map[ChangeKind]string{Added: "added", Removed: "removed", Changed: "changed"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}
