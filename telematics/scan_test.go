package telematics

import (
	"math"
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
)

type member struct{ k, v string }

func walk(js string) ([]member, bool) {
	m, ok := newMembers(js)
	if !ok {
		return nil, false
	}
	var out []member
	for {
		k, v, ok := m.next()
		if !ok {
			return out, true
		}
		out = append(out, member{k, v})
	}
}

func viaGJSON(js string) []member {
	var out []member
	gjson.Parse(js).ForEach(func(k, v gjson.Result) bool {
		out = append(out, member{k.Str, v.Raw})
		return true
	})
	return out
}

var memberSeeds = []string{
	`{}`,
	` { "a" : 1 , "b":"x\"y" ,"c":{"d":[1,{"e":"}"}]},"f":[],"g":true,"h":null,"i":-1.5e3 } `,
	`{"\u0069dent":"1","k\\":"\\","s":"a\\\\"}`,
	"{\"ident\":\"352625066004561\",\"timestamp\":1715843521.0,\"position.speed\":47}",
	`[1,2]`, `"str"`, `{"a":`, `{"a":1`, `{"a" 1}`, `{"a":"unterminated}`, `{"a":[1,2}`, `{,}`, `{"a":1,}`,
}

func TestMembers(t *testing.T) {
	for _, js := range memberSeeds {
		t.Run(js, func(t *testing.T) {
			got, ok := walk(js)
			if !gjson.Valid(js) {
				return // only "no panic" for invalid input
			}
			isObj := gjson.Parse(js).IsObject()
			if ok != isObj {
				t.Fatalf("object %v, gjson says %v", ok, isObj)
			}
			if want := viaGJSON(js); isObj && !equalMembers(got, want) {
				t.Errorf("members\n got %q\nwant %q", got, want)
			}
		})
	}
}

func FuzzMembers(f *testing.F) {
	for _, s := range memberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, js string) {
		got, ok := walk(js) // must not panic, whatever js is
		if !gjson.Valid(js) || !gjson.Parse(js).IsObject() {
			return
		}
		if want := viaGJSON(js); !ok || !equalMembers(got, want) {
			t.Errorf("%q: members\n got %q\nwant %q", js, got, want)
		}
	})
}

func equalMembers(a, b []member) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var numberSeeds = []string{
	"0", "-0", "47", "4.05", "52.229676", "-21.012229", "1715843521.418732", "1715843521", "999999999999999",
	"9999999999999999", "0.1", "1e3", "1.5E-2", "-", ".5", "5.", "1.2.3", "12a", "", "123456789012.345678",
}

func TestNumber(t *testing.T) {
	for _, v := range numberSeeds {
		t.Run(v, func(t *testing.T) { checkNumber(t, v) })
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range numberSeeds {
		f.Add(s)
	}
	f.Fuzz(checkNumber)
}

// checkNumber compares number with strconv on what JSON accepts as a number.
func checkNumber(t *testing.T, v string) {
	got, ok := number(v)
	isJSON := gjson.Valid(v) && gjson.Parse(v).Type == gjson.Number
	want, err := strconv.ParseFloat(v, 64)
	wantOK := isJSON && err == nil && !math.IsInf(want, 0)
	if !isJSON {
		return // only "no panic": number is never given anything else
	}
	if ok != wantOK || ok && got != want {
		t.Errorf("number(%q) = %v, %v; strconv: %v, %v", v, got, ok, want, err)
	}
}

func TestMicros(t *testing.T) {
	cases := []struct {
		v    string
		want int64
		ok   bool
	}{
		{"1715843521.418732", 1715843521418732, true},
		{"1715843521.4187326", 1715843521418733, true}, // 7 decimals: via float, rounded
		{"1715843521.1", 1715843521100000, true},
		{"1715843521", 1715843521000000, true},
		{"1715843521.0", 1715843521000000, true},
		{"-1.5", -1500000, true},
		{"1.7158435214e9", 1715843521400000, true},
		{"999999999999", 999999999999000000, true},
		{"1000000000000", 0, false}, // beyond maxTimestamp
		{"1e300", 0, false},
		{`"1715843521"`, 0, false},
		{"true", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.v, func(t *testing.T) {
			var f fields
			got := f.micros(hasTimestamp, 0, tc.v)
			if ok := f.have&hasTimestamp != 0; ok != tc.ok || got != tc.want {
				t.Errorf("micros(%s) = %d, %v; want %d, %v", tc.v, got, ok, tc.want, tc.ok)
			}
		})
	}
}
