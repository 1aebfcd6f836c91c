package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"hubtap/internal/dirs"
)

// crashLog remembers the first panic anywhere in the UI process, so that
// after the terminal is restored a report can be written. Secrets are
// removed from the report before it reaches the disk.
type crashLog struct {
	mu      sync.Mutex
	value   any
	stack   []byte
	where   string
	secrets []string
	kill    func() // stops the program and restores the terminal
}

func (c *crashLog) record(where string, r any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == nil {
		c.value, c.stack, c.where = r, debug.Stack(), where
	}
}

func (c *crashLog) crashed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value != nil
}

// goroutine wraps fn, run on a goroutine of ours: a panic is recorded and
// the program killed (which restores the terminal), instead of crashing the
// process with the terminal in raw mode.
func (c *crashLog) goroutine(where string, fn func()) func() {
	return func() {
		defer func() {
			if r := recover(); r != nil {
				c.record(where, r)
				if c.kill != nil {
					c.kill()
				}
			}
		}()
		fn()
	}
}

// write saves the report in the XDG state directory and returns its path.
func (c *crashLog) write() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir, err := dirs.State()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "crash-"+time.Now().Format("20060102-150405")+".txt")
	report := fmt.Sprintf("hubtap crashed in %s at %s\n%s\n\npanic: %v\n\n%s", c.where, time.Now().Format(time.RFC3339),
		versionString(), c.value, c.stack)
	for _, s := range c.secrets {
		if s != "" {
			report = strings.ReplaceAll(report, s, "[redacted]")
		}
	}
	return path, os.WriteFile(path, []byte(report), 0o600)
}

// guard wraps the root model: a panic in Update, View or a command is
// recorded, then re-raised so Bubble Tea restores the terminal and quits.
type guard struct {
	m   tea.Model
	log *crashLog
	// testPanic makes the first WindowSizeMsg panic in Update, so tests can
	// check the crash path (see testPanicInUpdate).
	testPanic bool
}

// testPanicInUpdate, set at link time by the crash test
// (-ldflags "-X hubtap/internal/cli.testPanicInUpdate=yes"), sets
// guard.testPanic in the binary it builds. Empty in every other build.
var testPanicInUpdate string

func (g guard) catch(where string) {
	if r := recover(); r != nil {
		g.log.record(where, r)
		panic(r)
	}
}

func (g guard) Init() tea.Cmd { return g.wrap(g.m.Init()) }

func (g guard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer g.catch("Update")
	if g.testPanic {
		if _, ok := msg.(tea.WindowSizeMsg); ok {
			panic("test panic in Update (guard.testPanic)")
		}
	}
	m, cmd := g.m.Update(msg)
	g.m = m
	return g, g.wrap(cmd)
}

func (g guard) View() tea.View {
	defer g.catch("View")
	return g.m.View()
}

// wrap makes a command record its panics; batches are wrapped inside.
func (g guard) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		defer g.catch("a command")
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			out := make(tea.BatchMsg, len(b))
			for i, c := range b {
				out[i] = g.wrap(c)
			}
			return out
		}
		return msg
	}
}

// inner returns the wrapped model.
func (g guard) inner() tea.Model { return g.m }
