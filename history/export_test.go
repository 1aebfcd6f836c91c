package history

import (
	"testing"
	"time"
)

func TestParseJump(t *testing.T) {
	newest := time.Date(2026, 11, 26, 10, 45, 30, 0, time.UTC)
	cases := map[string]string{
		"-5m":                  "2026-11-26T10:40:30Z",
		"90s":                  "2026-11-26T10:44:00Z",
		"+10s":                 "2026-11-26T10:45:40Z",
		"10:42":                "2026-11-26T10:42:00Z",
		"10:42:05":             "2026-11-26T10:42:05Z",
		"2026-11-25 23:59":     "2026-11-25T23:59:00Z",
		"2026-11-25T08:00:00Z": "2026-11-25T08:00:00Z",
	}
	for in, want := range cases {
		got, err := ParseJump(in, newest)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("ParseJump(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseJump("yesterday", newest); err == nil {
		t.Error("accepted nonsense")
	}
}
