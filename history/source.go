package history

import (
	"context"
	"fmt"
	"os"
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
	mu         sync.Mutex
	err        error
}

// fileBatch is how many messages one batch of a file carries.
const fileBatch = 4096

// OpenFile starts reading path in the background until ctx ends. It fails
// at once if the file cannot be opened.
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
	s := &FileSource{path: path, out: make(chan broker.Batch)}
	s.size.Store(st.Size())
	go func() {
		bad, err := ReadFile(ctx, path, fileBatch, func(msgs []broker.Message) bool {
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
	}()
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
