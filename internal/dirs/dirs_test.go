package dirs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSamePlacesAsBefore: with and without the XDG variables, the
// directories are where hubtap kept its files before adrg/xdg (on Linux:
// ~/.config/hubtap and ~/.local/state/hubtap).
func TestSamePlacesAsBefore(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the default places checked here are Linux's")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")
	check := func(what string, got func() (string, error), want string) {
		t.Helper()
		dir, err := got()
		if err != nil || dir != want {
			t.Errorf("%s: %q (%v), want %q", what, dir, err, want)
		}
	}
	check("config", Config, filepath.Join(home, ".config", "hubtap"))
	check("state", State, filepath.Join(home, ".local", "state", "hubtap"))

	cfg, state := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_STATE_HOME", state)
	check("config with XDG_CONFIG_HOME", Config, filepath.Join(cfg, "hubtap"))
	check("state with XDG_STATE_HOME", State, filepath.Join(state, "hubtap"))
}

// TestPickPrefersExistingLegacy: where the XDG and the earlier place
// differ (macOS, Windows), a directory that exists only in the earlier
// place is kept; otherwise the XDG place wins.
func TestPickPrefersExistingLegacy(t *testing.T) {
	base, old := t.TempDir(), t.TempDir()
	legacy := filepath.Join(old, "hubtap")
	cases := []struct {
		name            string
		mkNew, mkLegacy bool
		want            string
	}{
		{name: "neither exists", want: filepath.Join(base, "hubtap")},
		{name: "only legacy exists", mkLegacy: true, want: legacy},
		{name: "both exist", mkNew: true, mkLegacy: true, want: filepath.Join(base, "hubtap")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_ = os.RemoveAll(filepath.Join(base, "hubtap"))
			_ = os.RemoveAll(legacy)
			if c.mkNew {
				_ = os.Mkdir(filepath.Join(base, "hubtap"), 0o700)
			}
			if c.mkLegacy {
				_ = os.Mkdir(legacy, 0o700)
			}
			got, err := pick(base, legacy)
			if err != nil || got != c.want {
				t.Fatalf("pick: %q (%v), want %q", got, err, c.want)
			}
		})
	}
	if _, err := pick("", ""); err == nil {
		t.Error("pick with no directory at all: no error")
	}
}
