package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
	"hubtap/history"
)

// TestOpenUnreadableExitsOne: a file with no readable message ends hubtap
// open with exit code 1 and one sentence, before any screen is drawn.
func TestOpenUnreadableExitsOne(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"empty.jsonl":   nil,
		"zero.jsonl.gz": nil,
		"random.bin":    {0x8e, 0x12, 0xff, 0x00, '\n', 0x41, 0x1b, '[', '2', 'J'},
		"other.json":    []byte(`{"a":1}` + "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			os.WriteFile(path, data, 0o600)
			var out, errb bytes.Buffer
			code := Run([]string{"open", path}, &out, &errb)
			msg := strings.TrimSpace(errb.String())
			if code != 1 || strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "no readable message") {
				t.Fatalf("exit %d, stderr %q; want exit 1 and one sentence saying \"no readable message\"", code, msg)
			}
		})
	}
}

// TestOpenWithoutTerminal: a good file with stdout not a terminal gets a
// sentence pointing at jq, not Bubble Tea's TTY error.
func TestOpenWithoutTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.jsonl")
	m := broker.Message{Topic: "a/b", Payload: []byte(`{"x":1}`), Received: time.Unix(1, 0)}
	os.WriteFile(path, history.AppendJSONL(nil, &m), 0o600)
	var out, errb bytes.Buffer
	if code := Run([]string{"open", path}, &out, &errb); code != 1 || strings.TrimSpace(errb.String()) != needTerminal {
		t.Fatalf("exit %d, stderr %q; want exit 1 and %q", code, errb.String(), needTerminal)
	}
}
