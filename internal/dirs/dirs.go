// Package dirs says where hubtap keeps its files: the XDG base directories
// as github.com/adrg/xdg resolves them, with a fallback to the places
// earlier versions of hubtap used, so nobody's config or session state
// moves on upgrade.
//
// On Linux and the BSDs the XDG and the earlier places are the same
// ($XDG_CONFIG_HOME or ~/.config, $XDG_STATE_HOME or ~/.local/state). They
// differ on macOS (adrg/xdg honours $XDG_CONFIG_HOME there, and puts state
// in ~/Library/Application Support) and on Windows (%LOCALAPPDATA% instead
// of %APPDATA%): there a directory that exists only in the earlier place
// is still used.
//
// adrg/xdg reads the environment once, when the program starts; tests that
// set XDG_* variables call Reload.
package dirs

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
)

// App is the name of hubtap's own subdirectory in each base directory.
const App = "hubtap"

// Config returns hubtap's configuration directory (hubtap.toml lives there):
// $XDG_CONFIG_HOME/hubtap, else ~/.config/hubtap on Linux. It does not
// create it.
func Config() (string, error) {
	legacy := ""
	if d, err := os.UserConfigDir(); err == nil { // what hubtap used before
		legacy = filepath.Join(d, App)
	}
	return pick(xdg.ConfigHome, legacy)
}

// State returns hubtap's state directory (the sessions file, crash
// reports): $XDG_STATE_HOME/hubtap, else ~/.local/state/hubtap on Linux. It
// does not create it.
func State() (string, error) {
	legacy := ""
	if d := os.Getenv("XDG_STATE_HOME"); d != "" { // what hubtap used before, on every OS
		legacy = filepath.Join(d, App)
	} else if home, err := os.UserHomeDir(); err == nil {
		legacy = filepath.Join(home, ".local", "state", App)
	}
	return pick(xdg.StateHome, legacy)
}

// Reload re-reads the XDG environment variables. Not safe to call while
// another goroutine resolves a directory; for tests.
func Reload() { xdg.Reload() }

// pick returns base/hubtap, or legacy when only legacy exists.
func pick(base, legacy string) (string, error) {
	if base == "" {
		if legacy == "" {
			return "", errors.New("no home directory to keep hubtap's files in")
		}
		return legacy, nil
	}
	dir := filepath.Join(base, App)
	if legacy == "" || legacy == dir || exists(dir) || !exists(legacy) {
		return dir, nil
	}
	return legacy, nil
}

func exists(dir string) bool {
	_, err := os.Stat(dir)
	return err == nil
}
