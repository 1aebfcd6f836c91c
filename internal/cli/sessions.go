package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hubtap/internal/dirs"
)

// sessionState remembers, per client ID and broker, that hubtap left a
// persistent session behind, so that the next run can tell the user when
// the broker no longer has it (expired, or the broker restarted) and the
// messages queued meanwhile are gone. File: $XDG_STATE_HOME/hubtap/sessions.
type sessionState struct{ path string }

func newSessionState() sessionState {
	dir, err := dirs.State()
	if err != nil {
		return sessionState{}
	}
	return sessionState{path: filepath.Join(dir, "sessions")}
}

func sessionKey(clientID, host string) string { return clientID + "@" + host }

// read returns key → (left at, expiry).
func (s sessionState) read() map[string][2]int64 {
	out := map[string][2]int64{}
	f, err := os.Open(s.path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			continue
		}
		at, err1 := strconv.ParseInt(parts[1], 10, 64)
		exp, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 == nil && err2 == nil {
			out[parts[0]] = [2]int64{at, exp}
		}
	}
	return out
}

// had reports whether a persistent session was left for key.
func (s sessionState) had(key string) bool {
	if s.path == "" {
		return false
	}
	_, ok := s.read()[key]
	return ok
}

// left records (expiry > 0) or forgets (expiry 0) the session for key.
func (s sessionState) left(key string, expiry time.Duration) {
	if s.path == "" {
		return
	}
	all := s.read()
	now := time.Now().Unix()
	for k, v := range all { // forget sessions long expired
		if v[1] > 0 && now > v[0]+v[1]+7*24*3600 {
			delete(all, k)
		}
	}
	if expiry > 0 {
		all[key] = [2]int64{now, int64(expiry / time.Second)}
	} else {
		delete(all, key)
	}
	var b strings.Builder
	for k, v := range all {
		b.WriteString(k + "\t" + strconv.FormatInt(v[0], 10) + "\t" + strconv.FormatInt(v[1], 10) + "\n")
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err == nil {
		_ = os.WriteFile(s.path, []byte(b.String()), 0o600)
	}
}
