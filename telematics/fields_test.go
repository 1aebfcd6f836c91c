package telematics

import (
	"math"
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
)

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
