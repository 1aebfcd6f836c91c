package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenFileModeRule: --token-file and --password-file open to other
// users are refused as a profile's token_file is, with the chmod to run.
func TestTokenFileModeRule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.token")
	if err := os.WriteFile(path, []byte("tok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // whatever the umask
	for _, args := range [][]string{
		{"--token-file", path, "flespi/#"},
		{"sub", "--token-file", path, "flespi/#"},
		{"--url", "mqtt://127.0.0.1:1", "--username", "u", "--password-file", path, "a/#"},
	} {
		var out, errb bytes.Buffer
		code := Run(args, &out, &errb)
		if msg := errb.String(); code != 2 || !strings.Contains(msg, "chmod 600 "+path) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and \"chmod 600 %s\"", args, code, msg, path)
		}
	}
}
