package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"hubtap/broker"
)

// FileSource feeds a recording to the UI in batches, as the broker bridge
// feeds live messages, for `hubtap open`. It never drops: the reader waits
// for the UI to take each batch.
type FileSource struct {
	path       string
	out        chan broker.Batch
	read, size atomic.Int64
	bad        atomic.Int64
	done       atomic.Bool
	ready      chan struct{} // closed at the first batch or at the end of reading
	finished   chan struct{} // closed when reading ended
	mu         sync.Mutex
	err        error
}

// fileBatch is how many messages one batch of a file carries.
const fileBatch = 4096

// OpenFile starts reading path in the background until ctx ends. It returns
// once the first batch is ready (or reading ended), and fails if the file
// cannot be opened or holds no readable message (the error wraps
// ErrNoMessages and says why).
func OpenFile(ctx context.Context, path string) (*FileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	s := &FileSource{path: path, out: make(chan broker.Batch), ready: make(chan struct{}), finished: make(chan struct{})}
	s.size.Store(st.Size())
	var once sync.Once
	isReady := func() { once.Do(func() { close(s.ready) }) }
	go func() {
		defer isReady()
		bad, err := ReadFile(ctx, path, fileBatch, func(msgs []broker.Message) bool {
			isReady()
			select {
			case s.out <- broker.Batch{Msgs: msgs}:
				return true
			case <-ctx.Done():
				return false
			}
		}, func(read, size int64) { s.read.Store(read); s.size.Store(size) })
		s.bad.Store(int64(bad))
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		s.done.Store(true)
		close(s.finished)
	}()
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if _, _, done, _, err := s.Progress(); done && errors.Is(err, ErrNoMessages) {
		return nil, err
	}
	return s, nil
}

// Next waits for the next batch; after the end of the file it waits for ctx.
func (s *FileSource) Next(ctx context.Context) (broker.Batch, bool) {
	select {
	case b := <-s.out:
		return b, true
	case <-ctx.Done():
		return broker.Batch{}, false
	}
}

// Done is closed when reading has ended (the whole file, an error, or ctx).
func (s *FileSource) Done() <-chan struct{} { return s.finished }

// Path returns the file's path.
func (s *FileSource) Path() string { return s.path }

// Progress returns bytes read, the file size, whether reading ended, the
// number of unreadable lines skipped and the error that ended it, if any.
func (s *FileSource) Progress() (read, size int64, done bool, bad int, err error) {
	s.mu.Lock()
	err = s.err
	s.mu.Unlock()
	return s.read.Load(), s.size.Load(), s.done.Load(), int(s.bad.Load()), err
}

// Summary says in one sentence what was not read from a file that loaded
// only partly ("rec.jsonl.gz: file ends early after 47 messages (unexpected
// EOF); 3 unreadable lines skipped"), or "" when every line was read or
// reading was cut short by the user.
func (s *FileSource) Summary() string {
	_, _, done, bad, err := s.Progress()
	var parts []string
	if done && err != nil && !errors.Is(err, context.Canceled) {
		parts = append(parts, err.Error())
	}
	if bad > 0 {
		parts = append(parts, strconv.Itoa(bad)+" unreadable lines skipped")
	}
	if len(parts) == 0 {
		return ""
	}
	return s.path + ": " + strings.Join(parts, "; ")
}
