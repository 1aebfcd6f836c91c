// Package config reads and writes hubtap.toml: named profiles with a broker,
// where the token comes from (never the token itself, unless the user
// insists), session settings and the panes of a workspace. Errors name the
// file, the line and the field.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"hubtap/broker"
	"hubtap/filters"
	"hubtap/internal/dirs"
)

// File is hubtap.toml.
type File struct {
	Profiles map[string]*Profile `toml:"profiles"`
}

// Profile is one named workspace.
type Profile struct {
	URL                 string `toml:"url,omitempty"`
	TokenEnv            string `toml:"token_env,omitempty"`  // environment variable holding the token
	TokenFile           string `toml:"token_file,omitempty"` // file holding the token; must be mode 0600
	Token               string `toml:"token,omitempty"`      // inline: refused unless InsecureInlineToken
	InsecureInlineToken bool   `toml:"insecure_inline_token,omitempty"`
	Username            string `toml:"username,omitempty"`
	PasswordEnv         string `toml:"password_env,omitempty"`
	ClientID            string `toml:"client_id,omitempty"`
	SessionExpiry       string `toml:"session_expiry,omitempty"` // a Go duration: "1h", "0"
	QoS                 *int   `toml:"qos,omitempty"`
	Theme               string `toml:"theme,omitempty"`
	Layout              string `toml:"layout,omitempty"` // grid, stacked, side
	Resume              string `toml:"resume,omitempty"` // what space does on a paused pane: live (default) or in-place
	Demo                bool   `toml:"demo,omitempty"`
	ReadOnly            bool   `toml:"read_only,omitempty"` // no publishing, REST writes, commands or session deletion
	Panes               []Pane `toml:"panes,omitempty"`
}

// Pane is one message pane of a profile.
type Pane struct {
	Name    string   `toml:"name,omitempty"`
	Topics  []string `toml:"topics"`
	Filter  string   `toml:"filter,omitempty"`
	Columns []string `toml:"columns,omitempty"` // JSON fields shown as columns
}

// Path returns the config file's path: $XDG_CONFIG_HOME/hubtap/hubtap.toml,
// else ~/.config/hubtap/hubtap.toml (internal/dirs says where on macOS and
// Windows).
func Path() (string, error) {
	dir, err := dirs.Config()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "hubtap.toml"), nil
}

// Error is a problem in the config file, with where it is.
type Error struct {
	File, Field string
	Line        int // 0 when unknown
	Msg         string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		return loc + ": " + e.Field + ": " + e.Msg
	}
	return loc + ": " + e.Msg
}

// Load reads path. A missing file is an empty File, not an error.
func Load(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{Profiles: map[string]*Profile{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse decodes and checks a config file's text.
func Parse(path string, src []byte) (*File, error) {
	var f File
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Line: pe.Position.Line, Field: pe.LastKey, Msg: pe.Message}
		}
		if te := typeError(path, err); te != nil {
			return nil, te
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, &Error{File: path, Line: lineOfKey(src, k), Field: k.String(), Msg: "unknown field"}
	}
	if f.Profiles == nil {
		f.Profiles = map[string]*Profile{}
	}
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := f.Profiles[n].check(); err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				return nil, &Error{File: path, Line: lineOfKey(src, toml.Key{"profiles", n, fe.field}), Field: "profiles." + n + "." + fe.field, Msg: fe.msg}
			}
			return nil, &Error{File: path, Msg: err.Error()}
		}
	}
	return &f, nil
}

// tomlTypeError matches the decoder's words for a value of the wrong type
// (BurntSushi/toml v1.6 returns it as a plain error, not a ParseError).
var tomlTypeError = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): incompatible types: TOML value has type (\S+); destination has type (.+)$`)

// typeError turns the decoder's type mismatch into an Error in words:
// "hubtap.toml:3: profiles.a.url: expected a string in quotes, found a number".
func typeError(path string, err error) *Error {
	m := tomlTypeError.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	line, _ := strconv.Atoi(m[1])
	return &Error{File: path, Line: line, Field: m[2], Msg: "expected " + tomlWant(m[4]) + ", found " + tomlFound(m[3])}
}

func tomlWant(dst string) string {
	switch dst {
	case "string", "primitive (string-like)":
		return `a string in quotes (e.g. "mqtts://mqtt.flespi.io")`
	case "integer":
		return "a whole number without quotes"
	case "float":
		return "a number without quotes"
	case "boolean":
		return "true or false without quotes"
	case "slice":
		return `a list in brackets (e.g. ["flespi/message/gw/devices/+"])`
	case "map":
		return "a table"
	}
	return dst
}

func tomlFound(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map"):
		return "a table"
	case strings.Contains(t, "Time") || strings.Contains(t, "Local"):
		return "a date or time"
	}
	return t
}

type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func bad(field, format string, a ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, a...)}
}

func (p *Profile) check() error {
	if p.URL != "" {
		if _, err := broker.ParseURL(p.URL); err != nil {
			return bad("url", "%v", err)
		}
	}
	if p.Token != "" && !p.InsecureInlineToken {
		return bad("token", "a token written in the config file can leak (backups, dotfile repos): use token_env or token_file, or set insecure_inline_token = true")
	}
	if p.SessionExpiry != "" {
		if _, err := p.Expiry(); err != nil {
			return bad("session_expiry", "%v", err)
		}
	}
	if p.QoS != nil && *p.QoS != 0 && *p.QoS != 1 {
		return bad("qos", "must be 0 or 1")
	}
	switch p.Theme {
	case "", "auto", "dark", "light", "high-contrast", "plain":
	default:
		return bad("theme", "%q is not auto, dark, light, high-contrast or plain", p.Theme)
	}
	switch p.Layout {
	case "", "grid", "stacked", "side":
	default:
		return bad("layout", "%q is not grid, stacked or side", p.Layout)
	}
	switch p.Resume {
	case "", "live", "in-place":
	default:
		return bad("resume", "%q is not live or in-place", p.Resume)
	}
	if len(p.Panes) > 9 {
		return bad("panes", "at most 9 panes")
	}
	for i, pn := range p.Panes {
		for _, t := range pn.Topics {
			if err := broker.ValidateFilter(t); err != nil {
				return bad("panes", "pane %d: %v", i+1, err)
			}
		}
		for j, c := range pn.Columns {
			if slices.Contains(pn.Columns[:j], c) {
				return bad("panes", "pane %d: column %q is given twice: name each field once", i+1, c)
			}
		}
		if pn.Filter != "" {
			if _, err := filters.Compile(pn.Filter); err != nil {
				return bad("panes", "pane %d: filter: %v", i+1, err)
			}
		}
	}
	return nil
}

// Expiry parses session_expiry ("" means the default, 1h).
func (p *Profile) Expiry() (time.Duration, error) {
	if p.SessionExpiry == "" {
		return time.Hour, nil
	}
	if p.SessionExpiry == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(p.SessionExpiry)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 1h or 30m", p.SessionExpiry)
	}
	return d, nil
}

// ResolveToken returns the profile's token: from token_env, token_file
// (which must not be readable by others) or, if allowed, inline. "" if none.
func (p *Profile) ResolveToken() (string, error) {
	switch {
	case p.TokenEnv != "":
		return strings.TrimSpace(os.Getenv(p.TokenEnv)), nil
	case p.TokenFile != "":
		b, err := ReadSecretFile(expandHome(p.TokenFile))
		if err != nil {
			return "", fmt.Errorf("token_file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	case p.Token != "" && p.InsecureInlineToken:
		return p.Token, nil
	}
	return "", nil
}

// ReadSecretFile reads a file holding a token or a password. It refuses a
// file that anyone but its owner may read or write (any bit of mode 0o077
// set), with a sentence saying how to fix it: one rule for --token-file,
// --password-file and a profile's token_file.
func ReadSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s is open to other users (mode %v): run chmod 600 %s", path, perm, path)
	}
	return io.ReadAll(io.LimitReader(f, 64<<10))
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// Save writes f to path (0600, directory created), replacing the file.
func Save(path string, f *File) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# hubtap profiles: hubtap -p NAME opens one; hubtap --save-profile NAME writes the workspace on exit.\n")
	buf.WriteString("# Tokens: use token_env (an environment variable) or token_file (mode 0600), not the token itself.\n\n")
	if err := toml.NewEncoder(&buf).Encode(f); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// lineOfKey finds the line where key is set: its table header, then the
// key inside it (or the header line when the key is not written there).
func lineOfKey(src []byte, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	table, field := key[:len(key)-1], key[len(key)-1]
	want := strings.Join(table, ".")
	cur, headerLine := "", 0
	for i, raw := range strings.Split(string(src), "\n") {
		l := strings.TrimSpace(raw)
		if strings.HasPrefix(l, "[") {
			name := strings.Trim(l, "[] ")
			if j := strings.IndexByte(name, ']'); j >= 0 {
				name = name[:j]
			}
			cur = strings.ReplaceAll(strings.ReplaceAll(name, `"`, ""), " ", "")
			if cur == want+"."+field {
				return i + 1 // the field is a table (or an array of tables) of its own
			}
			if cur == want || strings.HasPrefix(cur, want+".") {
				if headerLine == 0 {
					headerLine = i + 1
				}
			}
			continue
		}
		if (cur == want || strings.HasPrefix(cur, want+".")) && strings.HasPrefix(l, field) {
			rest := strings.TrimSpace(strings.TrimPrefix(l, field))
			if strings.HasPrefix(rest, "=") {
				return i + 1
			}
		}
	}
	return headerLine
}
