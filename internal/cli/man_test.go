package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// TestManPage: `hubtap man` writes a page that man(1) renders without
// warnings, naming every command and every visible flag of each.
func TestManPage(t *testing.T) {
	var page bytes.Buffer
	if code := Run([]string{"man"}, &page, io.Discard); code != 0 {
		t.Fatalf("hubtap man: exit %d", code)
	}
	if !strings.HasPrefix(page.String(), ".TH HUBTAP 1 ") {
		t.Fatalf("not a man page:\n%.200s", page.String())
	}
	man := needProgram(t, "man", "man-db groff-base")
	path := filepath.Join(t.TempDir(), "hubtap.1")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, man, "--warnings", "-l", path)
	cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=100", "LANG=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("man -l: %v\n%s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("man -l warns:\n%s", stderr.String())
	}
	text := string(out)
	for _, want := range []string{"NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "ENVIRONMENT", "FILES", "FLESPI_TOKEN",
		"Connection flags", "Tokens (public demo values"} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	root := newRoot(io.Discard, io.Discard)
	for _, c := range commands(root) {
		if !strings.Contains(text, c.CommandPath()) {
			t.Errorf("the rendered page does not name %q", c.CommandPath())
		}
		for _, f := range flagGroups(c) {
			for _, name := range flagNames(f.flags) {
				if !strings.Contains(text, name) {
					t.Errorf("the rendered page lacks %s of %s", name, c.CommandPath())
				}
			}
		}
	}
}

// flagNames returns "--name" for each flag of fs.
func flagNames(fs *pflag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) { out = append(out, "--"+f.Name) })
	return out
}
