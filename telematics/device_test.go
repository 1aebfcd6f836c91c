package telematics

import (
	"slices"
	"testing"
	"time"
)

func TestSortDevices(t *testing.T) {
	ds := []Device{
		{Key: "b", Name: "Van 02", Messages: 10, Rate: 1, LastSeen: at(3 * time.Second), Speed: 50, Battery: 4.0, GSM: 80,
			Have: HaveSpeed | HaveBattery | HaveGSM, Flagged: 2},
		{Key: "a", Name: "Truck 01", Messages: 30, Rate: 3, LastSeen: at(1 * time.Second), Speed: 0, GSM: 40,
			Have: HaveSpeed | HaveGSM, Flagged: 0},
		{Key: "c", Messages: 20, Rate: 2, LastSeen: at(2 * time.Second), Battery: 3.7, Power: 12.4,
			Have: HaveBattery | HavePower, Flagged: 2},
		{Key: "t/1", By: ByTopic, Topic: "t/1", Messages: 20, Rate: 0.5, LastSeen: at(4 * time.Second)},
	}
	cases := []struct {
		by   Column
		desc bool
		want []string
	}{
		{by: ColIdent, want: []string{"a", "b", "c", "t/1"}},
		{by: ColIdent, desc: true, want: []string{"t/1", "c", "b", "a"}},
		{by: ColName, want: []string{"a", "b", "c", "t/1"}}, // no name: last, by label
		{by: ColName, desc: true, want: []string{"b", "a", "c", "t/1"}},
		{by: ColMessages, desc: true, want: []string{"a", "c", "t/1", "b"}}, // ties by label
		{by: ColMessages, want: []string{"b", "c", "t/1", "a"}},
		{by: ColRate, desc: true, want: []string{"a", "c", "b", "t/1"}},
		{by: ColLastSeen, want: []string{"a", "c", "b", "t/1"}}, // longest silent first
		{by: ColLastSeen, desc: true, want: []string{"t/1", "b", "c", "a"}},
		{by: ColSpeed, desc: true, want: []string{"b", "a", "c", "t/1"}}, // no speed: last
		{by: ColSpeed, want: []string{"a", "b", "c", "t/1"}},
		{by: ColBattery, want: []string{"c", "b", "a", "t/1"}},
		{by: ColBattery, desc: true, want: []string{"b", "c", "a", "t/1"}},
		{by: ColPower, desc: true, want: []string{"c", "a", "b", "t/1"}},
		{by: ColGSM, want: []string{"a", "b", "c", "t/1"}},
		{by: ColAnomalies, desc: true, want: []string{"b", "c", "a", "t/1"}},
	}
	for _, tc := range cases {
		name := tc.by.String()
		if tc.desc {
			name += " desc"
		}
		t.Run(name, func(t *testing.T) {
			in := slices.Clone(ds)
			slices.Reverse(in) // the result must not depend on the input order
			SortDevices(in, tc.by, tc.desc)
			got := make([]string, len(in))
			for i := range in {
				got[i] = in[i].Key
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	cols := Columns()
	if len(cols) != int(numColumns) || cols[0] != ColIdent || cols[len(cols)-1] != ColAnomalies {
		t.Fatalf("Columns() = %v", cols)
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if s := c.String(); s == "" || seen[s] {
			t.Errorf("column %d: name %q empty or repeated", c, s)
		} else {
			seen[s] = true
		}
	}
}

func TestFlagsString(t *testing.T) {
	cases := []struct {
		f    Flags
		want string
	}{
		{0, ""},
		{FlagFuture, "future"},
		{FlagGap, "gap"},
		{FlagOutOfOrder, "out-of-order"},
		{FlagDuplicate, "duplicate"},
		{FlagLatency, "latency"},
		{FlagLatency | FlagOutOfOrder, "out-of-order,latency"},
		{FlagFuture | FlagGap | FlagOutOfOrder | FlagDuplicate | FlagLatency, "future,gap,out-of-order,duplicate,latency"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.f.String(); got != tc.want {
				t.Errorf("String() = %q", got)
			}
			back, ok := ParseFlags(tc.want)
			if !ok || back != tc.f {
				t.Errorf("ParseFlags(%q) = %v, %v", tc.want, back, ok)
			}
		})
	}
	if f, ok := ParseFlags(" gap , latency "); !ok || f != FlagGap|FlagLatency {
		t.Errorf("spaces: %v %v", f, ok)
	}
	if _, ok := ParseFlags("gap,late"); ok {
		t.Error("unknown name accepted")
	}
	if !(FlagGap | FlagFuture).Has(FlagGap) || FlagGap.Has(FlagGap|FlagFuture) {
		t.Error("Has")
	}
	var c FlagCounts
	c.add(FlagGap | FlagLatency)
	c.add(FlagGap)
	if c.Of(FlagGap) != 2 || c.Of(FlagLatency) != 1 || c.Of(FlagGap|FlagLatency) != 3 || c.Of(FlagFuture) != 0 {
		t.Errorf("FlagCounts %v", c)
	}
}

func TestKeyKindString(t *testing.T) {
	if ByIdent.String() != "ident" || ByDeviceID.String() != "device.id" || ByTopic.String() != "topic" {
		t.Error("KeyKind names")
	}
}
