package app

import (
	"encoding/base64"
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
		n, err := history.WriteExport(snap, ids, all, path)
		return exportDoneMsg{path: path, n: n, err: err}
	}
}

// clipText is what copying a payload puts on the clipboard: the text itself
// when it is UTF-8, else base64 (a clipboard holds text).
func clipText(p []byte) string {
	if utf8.Valid(p) {
		return string(p)
	}
	return base64.StdEncoding.EncodeToString(p)
}
