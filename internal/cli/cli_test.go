package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestSubAgainstDemo: `hubtap sub -C 1000 'flespi/#'` with the built-in
// demo broker prints 1000 JSONL lines, each a JSON object (jq parses it)
// with the topic and the payload.
func TestSubAgainstDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run([]string{"sub", "--demo", "--quiet", "-C", "1000", "flespi/#"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1000 {
		t.Fatalf("%d lines, want 1000", len(lines))
	}
	for i, l := range lines {
		var rec struct {
			Topic   string          `json:"topic"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || !strings.HasPrefix(rec.Topic, "flespi/") || len(rec.Payload) == 0 {
			t.Fatalf("line %d: %v: %s", i+1, err, l)
		}
	}
}

// TestBadFlagsExitTwo: a bad value is one line on stderr and exit code 2,
// before anything starts; every subcommand takes its own flags.
func TestBadFlagsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--fps", "0"},
		{"--resume", "later"},
		{"--qos", "2"},
		{"open", "--fps", "500", "x.jsonl"},
		{"sub", "--qos", "3", "a/b"},
	} {
		var out, errb bytes.Buffer
		if code := Run(args, &out, &errb); code != 2 || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}
