package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tmuxConf: no status line (the pane is the whole window), a 256-colour
// terminal type, and dead panes stay so they can be respawned. (window-size
// manual, so that the control-mode client does not resize the window, is
// set once the server runs: tmux 3.3a exits when it is in the file.)
const tmuxConf = `set -g status off
set -g default-terminal "tmux-256color"
set -g remain-on-exit on
set -g history-limit 100
`

// term is a tmux server of our own (its own socket) with one session, whose
// pane output is piped into a FIFO that a goroutine timestamps.
type term struct {
	sock, conf, session string
	w, h                int
	out                 *stream
	fifo                *os.File
	ctl                 *ctl // keys and screen captures without a process each (ctl.go)
}

func (t *term) tmux(ctx context.Context, args ...string) (string, error) {
	return run(ctx, "tmux", append([]string{"-L", t.sock, "-f", t.conf}, args...)...)
}

func startTerm(ctx context.Context, work string, w, h int) (*term, error) {
	if _, err := exec.LookPath("tmux"); err != nil {
		return nil, errors.New("tmux not installed (apt-get install tmux)")
	}
	t := &term{sock: fmt.Sprintf("hubbench-%d", os.Getpid()), conf: filepath.Join(work, "tmux.conf"), session: "hubbench", w: w, h: h}
	if err := os.WriteFile(t.conf, []byte(tmuxConf), 0o644); err != nil {
		return nil, err
	}
	fifo := filepath.Join(work, "pane.fifo")
	_ = os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return nil, fmt.Errorf("mkfifo: %w", err)
	}
	f, err := os.OpenFile(fifo, os.O_RDWR, 0) // O_RDWR: does not wait for a writer
	if err != nil {
		return nil, err
	}
	t.fifo = f
	t.out = &stream{}
	go t.out.read(f)
	if _, err := t.tmux(ctx, "new-session", "-d", "-s", t.session, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sleep 100000"); err != nil {
		t.close()
		return nil, err
	}
	if _, err := t.tmux(ctx, "pipe-pane", "-t", t.session, "cat > "+fifo); err != nil {
		t.close()
		return nil, err
	}
	if _, err := t.tmux(ctx, "set-option", "-g", "window-size", "manual"); err != nil {
		t.close()
		return nil, err
	}
	if t.ctl, err = startCtl(t); err != nil {
		t.close()
		return nil, fmt.Errorf("tmux control mode: %w", err)
	}
	return t, nil
}

func (t *term) close() {
	if t.ctl != nil {
		t.ctl.close()
	}
	_, _ = run(context.Background(), "tmux", "-L", t.sock, "kill-server")
	if t.fifo != nil {
		_ = t.fifo.Close()
	}
}

func (t *term) capture(ctx context.Context) (string, error) {
	return t.ctl.run(ctx, "capture-pane -p -t "+t.session)
}

// sendKey presses key (a tmux key name) in the pane.
func (t *term) sendKey(ctx context.Context, key string) error {
	_, err := t.ctl.run(ctx, "send-keys -t "+t.session+" "+key)
	return err
}

// respawn starts argv in the pane (killing what ran there) and returns the
// time just before tmux was asked to.
func (t *term) respawn(ctx context.Context, argv []string) (time.Time, error) {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	t0 := time.Now()
	_, err := t.tmux(ctx, "respawn-pane", "-k", "-t", t.session, "exec "+strings.Join(q, " "))
	return t0, err
}

func (t *term) pid(ctx context.Context) (int, error) {
	out, err := t.tmux(ctx, "display-message", "-p", "-t", t.session, "#{pane_pid}")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

// waitScreen polls the screen until ok holds; it returns when it did.
func (t *term) waitScreen(ctx context.Context, timeout time.Duration, ok func(string) bool) (time.Time, string, error) {
	deadline := time.Now().Add(timeout)
	for {
		s, err := t.capture(ctx)
		if err != nil {
			return time.Time{}, "", err
		}
		if ok(s) {
			return time.Now(), s, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, s, fmt.Errorf("screen did not change as expected within %s; last screen:\n%s", timeout, s)
		}
		time.Sleep(time.Millisecond)
	}
}

// quit presses q and waits for the pane's process to end.
func (t *term) quit(ctx context.Context) {
	_, _ = t.tmux(ctx, "send-keys", "-t", t.session, "q")
	for range 300 {
		out, err := t.tmux(ctx, "display-message", "-p", "-t", t.session, "#{pane_dead}")
		if err != nil || strings.TrimSpace(out) == "1" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stream records when pane output arrived and how much.
type stream struct {
	mu     sync.Mutex
	chunks []chunk
	// watch, when set, is looked for in the output; found is when it first
	// appeared after watch was set (zero until then).
	watch string
	tail  []byte // the end of the output so far, for a watch split across reads
	found time.Time
}

type chunk struct {
	at time.Time
	n  int
}

func (s *stream) read(f *os.File) {
	buf := make([]byte, 256<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			now := time.Now()
			s.mu.Lock()
			s.chunks = append(s.chunks, chunk{at: now, n: n})
			if s.watch != "" && s.found.IsZero() {
				s.tail = append(s.tail, buf[:n]...)
				if strings.Contains(string(s.tail), s.watch) {
					s.found = now
				}
				if k := len(s.tail) - len(s.watch); k > 0 {
					s.tail = append(s.tail[:0], s.tail[k:]...)
				}
			}
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// expect starts looking for text in the output from now on.
func (s *stream) expect(text string) {
	s.mu.Lock()
	s.watch, s.tail, s.found = text, s.tail[:0], time.Time{}
	s.mu.Unlock()
}

// seen returns when the expected text came out (zero if not yet).
func (s *stream) seen() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.found
}

// frameGap separates frames: a frame is written in one go (microseconds),
// and bubbletea draws at most 60 frames per second (16.7 ms apart).
const frameGap = 3 * time.Millisecond

// between returns the bytes and the frames (bursts of output) in [from, to).
func (s *stream) between(from, to time.Time) (bytes int64, frames int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var prev time.Time
	for _, c := range s.chunks {
		if c.at.Before(from) {
			prev = c.at
			continue
		}
		if !c.at.Before(to) {
			break
		}
		bytes += int64(c.n)
		if prev.IsZero() || c.at.Sub(prev) > frameGap {
			frames++
		}
		prev = c.at
	}
	return bytes, frames
}
