package history

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"hubtap/broker"
)

// maxLine bounds one JSONL record (a 16 MiB payload in base64 plus framing).
const maxLine = 24 << 20

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
	var src io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		src = gz
	}
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	out := make([]broker.Message, 0, batch)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		m, err := ParseJSONL(b)
		if err != nil {
			bad++
			continue
		}
		out = append(out, m)
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
	}
	if err := sc.Err(); err != nil {
		if strings.Contains(err.Error(), "token too long") {
			err = fmt.Errorf("line %d is longer than %d MiB", line+1, maxLine>>20)
		}
		return bad, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) > 0 {
		emit(out)
	}
	if progress != nil {
		progress(st.Size(), st.Size())
	}
	return bad, nil
}
