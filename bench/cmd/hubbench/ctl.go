package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
)

// ctl is a tmux control-mode client (tmux -C) attached to the bench
// session. Commands go over its stdin and their output comes back on its
// stdout, so pressing a key or capturing the screen costs the tmux server a
// few microseconds instead of starting a tmux client process (several
// milliseconds of CPU each on this machine, which polling every millisecond
// turned into a load of its own that delayed the very screen it measured).
type ctl struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	blocks chan ctlBlock
	mu     sync.Mutex // one command at a time
	seq    int        // numbers the tags that close each command's replies
}

type ctlBlock struct {
	lines []string
	err   bool
}

func startCtl(t *term) (*ctl, error) {
	cmd := exec.Command("tmux", "-L", t.sock, "-f", t.conf, "-C", "attach-session", "-t", t.session)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &ctl{cmd: cmd, in: in, blocks: make(chan ctlBlock, 16)}
	go c.read(out)
	// Pane output is already timestamped through pipe-pane: no %output
	// copies here. The attach itself may have a reply too, so write both
	// commands and read replies up to the marker's: then replies and
	// commands are in step.
	const marker = "hubbench-ctl-ready"
	if _, err := io.WriteString(in, "refresh-client -f no-output\ndisplay-message -p "+marker+"\n"); err != nil {
		c.close()
		return nil, err
	}
	for b := range c.blocks {
		if len(b.lines) == 1 && b.lines[0] == marker {
			return c, nil
		}
	}
	c.close()
	return nil, errors.New("tmux control mode ended before it answered")
}

// read splits stdout into command replies (%begin … %end or %error);
// notifications (lines starting with % outside a reply) are skipped.
func (c *ctl) read(r io.Reader) {
	defer close(c.blocks)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur *ctlBlock
	for sc.Scan() {
		l := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(l, "%begin "):
			cur = &ctlBlock{}
		case cur != nil && (strings.HasPrefix(l, "%end ") || strings.HasPrefix(l, "%error ")):
			cur.err = strings.HasPrefix(l, "%error ")
			c.blocks <- *cur
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		}
	}
}

// run sends one command and returns its output. The command is followed
// by a display-message of a fresh tag: tmux answers each command of a line
// in its own reply, so the command's reply is the one just before the tag's.
// Replies tmux sends on its own now and then (seen: an empty one between
// commands) are skipped that way instead of being taken for the answer.
func (c *ctl) run(ctx context.Context, cmd string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	tag := fmt.Sprintf("hubbench-tag-%d", c.seq)
	if _, err := io.WriteString(c.in, cmd+" ; display-message -p "+tag+"\n"); err != nil {
		return "", err
	}
	var prev *ctlBlock
	for {
		select {
		case b, ok := <-c.blocks:
			if !ok {
				return "", errors.New("tmux control mode ended")
			}
			if len(b.lines) != 1 || b.lines[0] != tag {
				prev = &b
				continue
			}
			if prev == nil {
				return "", fmt.Errorf("tmux %s: no reply before the tag", cmd)
			}
			out := strings.Join(prev.lines, "\n")
			if prev.err {
				return "", fmt.Errorf("tmux %s: %s", cmd, out)
			}
			return out, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func (c *ctl) close() {
	_ = c.in.Close()
	_ = c.cmd.Wait()
}
