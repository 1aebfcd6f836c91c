package history

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"hubtap/broker"
)

// maxLine bounds one JSONL record (a 16 MiB payload in base64 plus framing).
// A longer line is skipped and counted as unreadable.
const maxLine = 24 << 20

// ErrNoMessages means a file held no readable hubtap record at all (it is
// empty, not a recording, or cut before its first complete line). `hubtap
// open` exits non-zero with it.
var ErrNoMessages = errors.New("no readable message")

// EndsEarlyError means a file stopped in the middle of a record or of its
// gzip stream (a copy cut short, a recorder killed mid-write). Every complete
// record before that point was read.
type EndsEarlyError struct {
	Messages int   // records read before the end
	Cause    error // the decompressor's or reader's error; nil for a cut last line
}

func (e *EndsEarlyError) Error() string {
	s := "file ends early after " + strconv.Itoa(e.Messages) + " messages"
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

func (e *EndsEarlyError) Unwrap() error { return e.Cause }

// countingReader counts bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// ReadFile reads a recording (.jsonl, or .jsonl.gz by its magic bytes) and
// calls emit with batches of messages, in file order, and progress with the
// compressed bytes read so far and the file size. Sequence numbers are kept
// as recorded. Lines that are not records are skipped and counted; emit
// returning false stops early. It returns the number of bad lines.
//
// A file that ends early (a gzip stream cut short or corrupt, or a last line
// cut in the middle) still yields every complete record before the cut, and
// the error is an *EndsEarlyError. When no record at all could be read the
// error wraps ErrNoMessages and says why, in words.
func ReadFile(ctx context.Context, path string, batch int, emit func([]broker.Message) bool, progress func(read, size int64)) (bad int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	var read int64
	br := bufio.NewReaderSize(countingReader{f, &read}, 1<<20)
	src := br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return 0, fmt.Errorf("%s: %w: not a readable gzip file (%v)", path, ErrNoMessages, err)
		}
		defer gz.Close()
		src = bufio.NewReaderSize(gz, 1<<20)
	}
	lr := lineReader{r: src}
	out := make([]broker.Message, 0, batch)
	n, lines := 0, 0
	var ends error
	for {
		line, complete, rerr := lr.next()
		if len(line) > 0 || rerr == nil {
			lines++
		}
		switch {
		case lr.tooLong:
			bad++
		case len(bytes.TrimSpace(line)) == 0:
		default:
			m, perr := ParseJSONL(line)
			switch {
			case perr == nil:
				out = append(out, m)
				n++
			case !complete && bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")):
				ends = &EndsEarlyError{Messages: n} // the last record, cut short
			default:
				bad++
			}
		}
		if len(out) == batch {
			if err := ctx.Err(); err != nil {
				return bad, err
			}
			if !emit(out) {
				return bad, nil
			}
			out = make([]broker.Message, 0, batch)
			if progress != nil {
				progress(read, st.Size())
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			ends = &EndsEarlyError{Messages: n, Cause: rerr}
			break
		}
	}
	if len(out) > 0 {
		emit(out)
	}
	if progress != nil {
		progress(st.Size(), st.Size())
	}
	if n == 0 {
		return bad, fmt.Errorf("%s: %w: %s", path, ErrNoMessages, whyEmpty(lines, bad, ends))
	}
	if ends != nil {
		return bad, ends // not wrapped with the path: the status bar shows it next to the path
	}
	return bad, nil
}

// whyEmpty says in words why a file gave no message.
func whyEmpty(lines, bad int, ends error) string {
	var e *EndsEarlyError
	switch {
	case errors.As(ends, &e) && e.Cause != nil:
		return "it ends before its first complete line (" + e.Cause.Error() + ")"
	case ends != nil:
		return "its only record is cut short"
	case lines == 0:
		return "the file is empty"
	case bad == 0:
		return "it holds only blank lines"
	}
	return strconv.Itoa(bad) + " lines, none of them a hubtap record (is this a recording from --record or hubtap sub -o jsonl?)"
}

// lineReader splits a stream into lines without a length limit below
// maxLine, and says whether each ended with a newline.
type lineReader struct {
	r       *bufio.Reader
	long    []byte
	tooLong bool // the line just returned was longer than maxLine (and is empty)
}

// next returns the next line without its "\n" (valid until the next call),
// whether a newline ended it, and the read error that ended the stream (io.EOF
// at a clean end), if any.
func (l *lineReader) next() (line []byte, complete bool, err error) {
	l.long, l.tooLong = l.long[:0], false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !l.tooLong && len(l.long)+len(chunk) <= maxLine {
				l.long = append(l.long, chunk...)
			} else {
				l.tooLong, l.long = true, l.long[:0]
			}
			continue
		}
		complete = err == nil
		if l.tooLong {
			return nil, complete, err
		}
		line = chunk
		if len(l.long) > 0 {
			l.long = append(l.long, chunk...)
			line = l.long
		}
		if complete {
			line = line[:len(line)-1]
		}
		return line, complete, err
	}
}
