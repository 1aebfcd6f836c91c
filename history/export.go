package history

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// WriteExport writes the given entries of snap (all of it when all is
// true) to a new file at path (it refuses to overwrite one): a JSON array
// when path ends in .json, JSONL otherwise, each message as AppendJSONL
// writes it. It returns how many messages it wrote.
func WriteExport(snap Snapshot, ids []uint64, all bool, path string) (n int, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	asArray := strings.HasSuffix(strings.ToLower(path), ".json")
	var buf []byte
	write := func(e *Entry) error {
		m := e.Msg()
		buf = AppendJSONL(buf[:0], &m)
		if asArray {
			buf = buf[:len(buf)-1] // the newline
			sep := ",\n"
			if n == 0 {
				sep = "[\n"
			}
			if _, err := w.WriteString(sep); err != nil {
				return err
			}
		}
		_, err := w.Write(buf)
		n++
		return err
	}
	if all {
		for abs := snap.First(); abs < snap.End(); abs++ {
			if e, ok := snap.Get(abs); ok {
				if err := write(e); err != nil {
					return n, err
				}
			}
		}
	} else {
		for _, abs := range ids {
			if e, ok := snap.Get(abs); ok {
				if err := write(e); err != nil {
					return n, err
				}
			}
		}
	}
	if asArray {
		end := "\n]\n"
		if n == 0 {
			end = "[]\n"
		}
		if _, err := w.WriteString(end); err != nil {
			return n, err
		}
	}
	return n, w.Flush()
}

// ParseJump reads a jump target: a relative time (-5m, -1h30m, 90s: back
// from the newest message), a clock time today or on newest's day (10:42,
// 10:42:05), a date and time (2026-11-26 10:42:05) or RFC 3339.
func ParseJump(s string, newest time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("give a time: -5m, 10:42, 10:42:05 or 2026-11-26 10:42")
	}
	if d, err := time.ParseDuration(strings.TrimPrefix(s, "-")); err == nil {
		if strings.HasPrefix(s, "+") {
			return newest.Add(d), nil
		}
		return newest.Add(-d), nil
	}
	loc := newest.Location()
	for _, layout := range []string{"15:04:05.000", "15:04:05", "15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			y, mo, d := newest.Date()
			return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use -5m, 10:42, 10:42:05 or 2026-11-26 10:42", s)
}
