package app

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"hubtap/history"
)

// Loader reports how far an offline file has been read (see hubtap open).
type Loader interface {
	Path() string
	Progress() (read, size int64, done bool, bad int, err error)
}

// recordDoneMsg is the result of starting or stopping a recording.
type recordDoneMsg struct {
	started bool
	path    string
	err     error
}

// exportDoneMsg is the result of an export.
type exportDoneMsg struct {
	path string
	n    int
	err  error
}

// toggleRecord starts recording to a new file in the working directory, or
// stops the recording.
func toggleRecord(r *history.Recorder, now time.Time) tea.Cmd {
	if r.Status().Active {
		return func() tea.Msg {
			path := r.Status().Path
			return recordDoneMsg{started: false, path: path, err: r.Stop()}
		}
	}
	path := "hubtap-" + now.Format("20060102-150405") + ".jsonl"
	return func() tea.Msg { return recordDoneMsg{started: true, path: path, err: r.Start(path)} }
}

// export writes the given entries of snap (all of it when all is true) to
// path: a JSON array when path ends in .json, JSONL otherwise.
func export(snap history.Snapshot, ids []uint64, all bool, path string) tea.Cmd {
	return func() tea.Msg {
		n, err := writeExport(snap, ids, all, path)
		return exportDoneMsg{path: path, n: n, err: err}
	}
}

func writeExport(snap history.Snapshot, ids []uint64, all bool, path string) (n int, err error) {
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
	write := func(e *history.Entry) error {
		buf = history.AppendJSONL(buf[:0], &e.Message)
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

// clipText is what copying a payload puts on the clipboard: the text itself
// when it is UTF-8, else base64 (a clipboard holds text).
func clipText(p []byte) string {
	if utf8.Valid(p) {
		return string(p)
	}
	return base64.StdEncoding.EncodeToString(p)
}

// parseJump reads a jump target: a relative time (-5m, -1h30m, 90s: back
// from the newest message), a clock time today or on newest's day (10:42,
// 10:42:05), a date and time (2026-11-26 10:42:05) or RFC 3339.
func parseJump(s string, newest time.Time) (time.Time, error) {
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
