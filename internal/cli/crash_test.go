package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// stubModel is a root model that counts its updates.
type stubModel struct{ updates int }

func (m stubModel) Init() tea.Cmd { return nil }
func (m stubModel) Update(tea.Msg) (tea.Model, tea.Cmd) {
	m.updates++
	return m, func() tea.Msg { panic("boom in a command") }
}
func (m stubModel) View() tea.View { return tea.NewView("") }

// TestGuard: the guard passes messages through; with testPanic the first
// window size panics in Update; a panicking command is recorded; the
// report names the panic and leaves the secrets out.
func TestGuard(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	const secret = "SECRETtokenVALUE0123456789"
	crash := &crashLog{secrets: []string{secret, ""}}
	g := guard{m: stubModel{}, log: crash}
	next, cmd := g.Update(tea.KeyPressMsg{Code: 'x'})
	if n := next.(guard).inner().(stubModel).updates; n != 1 || crash.crashed() {
		t.Fatalf("after one message: %d updates, crashed %v", n, crash.crashed())
	}
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("a panicking command did not re-panic")
			}
		}()
		cmd()
	}()
	if !crash.crashed() || crash.where != "a command" {
		t.Fatalf("the command's panic was not recorded: where %q", crash.where)
	}

	crash = &crashLog{secrets: []string{secret}}
	g = guard{m: stubModel{}, log: crash, testPanic: true}
	g.Update(tea.KeyPressMsg{Code: 'x'}) // not a window size: no panic
	func() {
		defer func() { _ = recover() }()
		g.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		t.Fatal("testPanic: a window size did not panic")
	}()
	crash.value = "panic with " + secret // as if the token were in the panic value
	path, err := crash.write()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != filepath.Join(os.Getenv("XDG_STATE_HOME"), "hubtap") {
		t.Errorf("report in %s, want the XDG state directory", path)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "crashed in Update") || strings.Contains(string(b), secret) {
		t.Fatalf("report: %s", b)
	}
}
