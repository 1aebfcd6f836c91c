package history

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"hubtap/broker"
)

// Recorder writes every received message as one JSONL line (AppendJSONL).
// Write is called on paho's goroutine, before the UI's bridge can drop
// anything, so every message the client acknowledged is recorded. It
// buffers in memory and flushes at least every flushEvery, when the buffer
// fills (then the disk write happens in Write: back-pressure, never loss),
// and on Stop. Safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	path    string
	lines   uint64
	bytes   int64
	err     error // first write error; recording stops on it
	buf     []byte
	enc     JSONLEncoder
	stopped chan struct{}
}

// flushEvery bounds how long a recorded line may sit in memory.
const flushEvery = 200 * time.Millisecond

// NewRecorder returns a stopped recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Start creates path (0600; an existing file is appended to, never
// truncated) and records from now on. It fails if already recording.
func (r *Recorder) Start(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f != nil {
		return fmt.Errorf("already recording to %s", r.path)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	r.f, r.w, r.path, r.lines, r.bytes, r.err = f, bufio.NewWriterSize(f, 1<<20), path, 0, 0, nil
	r.stopped = make(chan struct{})
	go r.flusher(r.stopped)
	return nil
}

func (r *Recorder) flusher(stopped chan struct{}) {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-stopped:
			return
		case <-t.C:
			r.mu.Lock()
			if r.w != nil && r.err == nil {
				if err := r.w.Flush(); err != nil {
					r.err = err
				}
			}
			r.mu.Unlock()
		}
	}
}

// Write records m if recording. It never drops: a full buffer is written
// out here.
func (r *Recorder) Write(m *broker.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil || r.err != nil {
		return
	}
	r.buf = r.enc.Append(r.buf[:0], m)
	n, err := r.w.Write(r.buf)
	r.bytes += int64(n)
	if err != nil {
		r.err = err
		return
	}
	r.lines++
}

// Flush writes buffered lines to the file and syncs it.
func (r *Recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}

func (r *Recorder) flushLocked() error {
	if r.w == nil {
		return nil
	}
	if err := r.w.Flush(); err != nil && r.err == nil {
		r.err = err
	}
	if err := r.f.Sync(); err != nil && r.err == nil && !errors.Is(err, os.ErrInvalid) {
		r.err = err
	}
	return r.err
}

// Stop flushes, closes the file and returns the first error, if any.
// Stopping a stopped recorder does nothing.
func (r *Recorder) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	close(r.stopped)
	err := r.flushLocked()
	if cerr := r.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	r.f, r.w = nil, nil
	return err
}

// RecordStatus is what the status bar shows about a recording.
type RecordStatus struct {
	Active bool
	Path   string
	Lines  uint64
	Bytes  int64
	Err    error
}

// Status returns the recorder's state.
func (r *Recorder) Status() RecordStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RecordStatus{Active: r.f != nil, Path: r.path, Lines: r.lines, Bytes: r.bytes, Err: r.err}
}
