package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `# fleet
[profiles.fleet]
url = "mqtts://mqtt.flespi.io"
token_env = "HUBTAP_TEST_TOKEN"
client_id = "hubtap-fleet"
session_expiry = "2h"
layout = "grid"

[[profiles.fleet.panes]]
name = "channel"
topics = ["flespi/message/gw/channels/1234/+"]

[[profiles.fleet.panes]]
name = "truck 17"
topics = ["flespi/message/gw/devices/182083"]
filter = "position.speed > 80"

[[profiles.fleet.panes]]
topics = ["flespi/state/gw/devices/182083/#"]

[profiles.demo]
demo = true
`

func TestParseGood(t *testing.T) {
	f, err := Parse("hubtap.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Profiles["fleet"]
	if p == nil || len(p.Panes) != 3 || p.Panes[1].Filter != "position.speed > 80" || p.ClientID != "hubtap-fleet" {
		t.Fatalf("parsed %+v", p)
	}
	if d, _ := p.Expiry(); d.Hours() != 2 {
		t.Fatalf("expiry %v", d)
	}
	t.Setenv("HUBTAP_TEST_TOKEN", "  tok  ")
	if tok, err := p.ResolveToken(); err != nil || tok != "tok" {
		t.Fatalf("token %q %v", tok, err)
	}
	if !f.Profiles["demo"].Demo {
		t.Fatal("demo profile")
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"syntax", "[profiles.x]\nurl = \"mqtt://a\nclient_id = 1\n", "hubtap.toml:2"},
		{"unknown field", "[profiles.x]\nurl = \"mqtt://a\"\ntopic = \"a/b\"\n", "hubtap.toml:3: profiles.x.topic: unknown field"},
		{"unknown pane field", "[profiles.x]\n[[profiles.x.panes]]\ntopics = [\"a\"]\nfiltr = \"x\"\n", "hubtap.toml:4: profiles.x.panes.filtr: unknown field"},
		{"bad url", "[profiles.x]\nclient_id = \"c\"\nurl = \"http://a\"\n", `hubtap.toml:3: profiles.x.url: bad broker URL`},
		{"inline token", "[profiles.x]\ntoken = \"abc\"\n", "hubtap.toml:2: profiles.x.token: a token written in the config file can leak"},
		{"bad expiry", "[profiles.x]\nsession_expiry = \"soon\"\n", "hubtap.toml:2: profiles.x.session_expiry"},
		{"bad qos", "[profiles.x]\nqos = 2\n", "hubtap.toml:2: profiles.x.qos: must be 0 or 1"},
		{"bad topic", "[profiles.x]\n[[profiles.x.panes]]\ntopics = [\"a/#/b\"]\n", "hubtap.toml:2: profiles.x.panes: pane 1"},
		{"bad filter", "[profiles.x]\n[[profiles.x.panes]]\ntopics = [\"a\"]\nfilter = \"speed >\"\n", "profiles.x.panes: pane 1: filter: col"},
		{"bad resume", "[profiles.x]\nresume = \"later\"\n", "hubtap.toml:2: profiles.x.resume: \"later\" is not live or in-place"},
		{"wrong type", "[profiles.x]\nqos = \"one\"\n", "hubtap.toml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("hubtap.toml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestTokenFileMustBePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tok")
	os.WriteFile(path, []byte("secret\n"), 0o644)
	p := &Profile{TokenFile: path}
	if _, err := p.ResolveToken(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable token file was accepted: %v", err)
	}
	os.Chmod(path, 0o600)
	if tok, err := p.ResolveToken(); err != nil || tok != "secret" {
		t.Fatalf("token %q %v", tok, err)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", "hubtap.toml")
	f, _ := Parse("x", []byte(good))
	f.Profiles["new"] = &Profile{URL: "mqtt://localhost", Panes: []Pane{{Name: "all", Topics: []string{"#"}}}}
	if err := Save(path, f); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Profiles) != 3 || g.Profiles["new"].Panes[0].Topics[0] != "#" || len(g.Profiles["fleet"].Panes) != 3 {
		t.Fatalf("round trip: %+v", g.Profiles)
	}
	if missing, err := Load(filepath.Join(t.TempDir(), "none.toml")); err != nil || len(missing.Profiles) != 0 {
		t.Fatal("a missing file is not an empty config")
	}
}

func TestTypeErrorsInWords(t *testing.T) {
	cases := []struct{ src, want string }{
		{"[profiles.a]\nurl = 5\n", `h.toml:2: profiles.a.url: expected a string in quotes (e.g. "mqtts://mqtt.flespi.io"), found a number`},
		{"[profiles.a]\n\nqos = \"1\"\n", "h.toml:3: profiles.a.qos: expected a whole number without quotes, found a string"},
		{"[profiles.a]\ndemo = \"yes\"\n", "h.toml:2: profiles.a.demo: expected true or false without quotes, found a string"},
		{"[profiles.a]\n[[profiles.a.panes]]\ntopics = \"x/#\"\n", `h.toml:3: profiles.a.panes.topics: expected a list in brackets (e.g. ["flespi/message/gw/devices/+"]), found a string`},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, err := Parse("h.toml", []byte(c.src))
			if err == nil || err.Error() != c.want {
				t.Fatalf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestDuplicateColumnsRefused(t *testing.T) {
	src := "[profiles.a]\n[[profiles.a.panes]]\ntopics = [\"x/#\"]\ncolumns = [\"ident\", \"position.speed\", \"ident\"]\n"
	_, err := Parse("h.toml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), `pane 1: column "ident" is given twice`) {
		t.Fatalf("got %v, want the duplicate column refused", err)
	}
}
