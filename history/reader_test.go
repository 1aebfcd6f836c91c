package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hubtap/broker"
)

// jsonlFile returns n JSONL records, as --record writes them.
func jsonlFile(n int) []byte {
	var out []byte
	for i, m := range realistic(n) {
		if i%3 == 0 {
			m.Payload = []byte("text payload \xff") // base64 lines too
		}
		out = AppendJSONL(out, &m)
	}
	return out
}

func readAll(t *testing.T, path string) (n, bad int, err error) {
	t.Helper()
	bad, err = ReadFile(context.Background(), path, 64, func(b []broker.Message) bool { n += len(b); return true }, nil)
	return n, bad, err
}

func TestReadFileTruncatedGzipKeepsCompleteLines(t *testing.T) {
	raw := jsonlFile(500)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	dir := t.TempDir()
	for _, cut := range []int{gz.Len() / 4, gz.Len() / 2, gz.Len() - 9, gz.Len() - 1} {
		cutData := gz.Bytes()[:cut]
		// What a tolerant reader (zcat | jq) finds: complete lines in the
		// decompressed prefix.
		zr, err := gzip.NewReader(bytes.NewReader(cutData))
		if err != nil {
			t.Fatal(err)
		}
		prefix, _ := io.ReadAll(zr)
		want := bytes.Count(prefix, []byte("\n"))
		path := filepath.Join(dir, "t.jsonl.gz")
		os.WriteFile(path, cutData, 0o600)
		n, bad, err := readAll(t, path)
		var ends *EndsEarlyError
		if !errors.As(err, &ends) || ends.Messages != want || n != want || bad != 0 {
			t.Fatalf("cut at %d of %d bytes: read %d messages (bad %d), err %v; want %d messages and \"file ends early after %d messages\"",
				cut, gz.Len(), n, bad, err, want, want)
		}
		if !strings.Contains(err.Error(), "file ends early after") {
			t.Fatalf("error %q does not say the file ends early", err)
		}
	}
}

func TestReadFileCutPlainFile(t *testing.T) {
	raw := jsonlFile(10)
	dir := t.TempDir()
	lines := bytes.SplitAfter(raw, []byte("\n"))
	cutMid := filepath.Join(dir, "cut.jsonl")
	os.WriteFile(cutMid, raw[:len(raw)-len(lines[9])/2], 0o600)
	n, bad, err := readAll(t, cutMid)
	var ends *EndsEarlyError
	if !errors.As(err, &ends) || ends.Messages != 9 || n != 9 || bad != 0 {
		t.Fatalf("cut in the last line: read %d (bad %d), err %v; want 9 and ends early after 9", n, bad, err)
	}
	noNewline := filepath.Join(dir, "nonl.jsonl")
	os.WriteFile(noNewline, raw[:len(raw)-1], 0o600)
	if n, bad, err := readAll(t, noNewline); err != nil || n != 10 || bad != 0 {
		t.Fatalf("complete last line without newline: read %d (bad %d), err %v; want 10 and no error", n, bad, err)
	}
}

func TestReadFileNothingReadable(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 20000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(jsonlFile(3))
	zw.Close()
	cases := map[string]struct {
		data []byte
		why  string
	}{
		"empty":          {nil, "the file is empty"},
		"empty.gz":       {nil, "the file is empty"},
		"blank":          {[]byte("\n\n  \n"), "blank lines"},
		"random":         {random, "none of them a hubtap record"},
		"other.json":     {[]byte(`{"a":1}` + "\n" + `[1,2]` + "\n"), "2 lines, none of them"},
		"header.gz":      {gz.Bytes()[:5], "not a readable gzip file"},
		"first-line.gz":  {gz.Bytes()[:20], "ends before its first complete line"},
		"cut-record":     {jsonlFile(1)[:40], "cut short"},
		"gzip-of-random": {gzipped(random), "none of them a hubtap record"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			os.WriteFile(path, c.data, 0o600)
			n, _, err := readAll(t, path)
			if n != 0 || !errors.Is(err, ErrNoMessages) || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("read %d, err %v; want ErrNoMessages saying %q", n, err, c.why)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := OpenFile(ctx, path); !errors.Is(err, ErrNoMessages) {
				t.Fatalf("OpenFile: %v; want ErrNoMessages", err)
			}
		})
	}
}

func gzipped(p []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(p)
	zw.Close()
	return b.Bytes()
}

func TestReadFileSkipsTooLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.jsonl")
	data := append(bytes.Repeat([]byte("x"), maxLine+10), '\n')
	data = append(data, jsonlFile(2)...)
	os.WriteFile(path, data, 0o600)
	if n, bad, err := readAll(t, path); n != 2 || bad != 1 || err != nil {
		t.Fatalf("read %d (bad %d), err %v; want 2 messages and 1 unreadable line", n, bad, err)
	}
}

func TestOpenFileGoodFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ok.jsonl")
	os.WriteFile(path, jsonlFile(5), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := OpenFile(ctx, path)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	b, ok := src.Next(ctx)
	if !ok || len(b.Msgs) != 5 {
		t.Fatalf("first batch: %d messages, ok %v; want 5", len(b.Msgs), ok)
	}
}

func TestFileSourceSummary(t *testing.T) {
	raw := append([]byte("junk\n"), jsonlFile(20)...)
	path := filepath.Join(t.TempDir(), "part.jsonl")
	os.WriteFile(path, raw[:len(raw)-30], 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := OpenFile(ctx, path)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	if b, ok := src.Next(ctx); !ok || len(b.Msgs) != 19 {
		t.Fatalf("read %d messages, want 19", len(b.Msgs))
	}
	select {
	case <-src.Done():
	case <-ctx.Done():
		t.Fatal("reading never ended")
	}
	want := path + ": file ends early after 19 messages; 1 unreadable lines skipped"
	if got := src.Summary(); got != want {
		t.Fatalf("Summary() = %q, want %q", got, want)
	}
}
