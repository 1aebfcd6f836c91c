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
// adrg/xdg reads the environment into package variables when the program
// starts; Config and State make it read again each time (under a lock: no
// other code of hubtap uses adrg/xdg), so they always follow the current
// environment, as tests that set XDG_* variables need. They are called a
// few times per run.
package dirs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/adrg/xdg"
)

// App is the name of hubtap's own subdirectory in each base directory.
const App = "hubtap"

// Config returns hubtap's configuration directory (hubtap.toml lives there):
// $XDG_CONFIG_HOME/hubtap, else ~/.config/hubtap on Linux. It does not
// create it.
func Config() (string, error) {
	base := current(func() string { return xdg.ConfigHome })
	legacy := ""
	if d, err := os.UserConfigDir(); err == nil { // what hubtap used before
		legacy = filepath.Join(d, App)
	}
	return pick(base, legacy)
}

// State returns hubtap's state directory (the sessions file, crash
// reports): $XDG_STATE_HOME/hubtap, else ~/.local/state/hubtap on Linux. It
// does not create it.
func State() (string, error) {
	base := current(func() string { return xdg.StateHome })
	legacy := ""
	if d := os.Getenv("XDG_STATE_HOME"); d != "" { // what hubtap used before, on every OS
		legacy = filepath.Join(d, App)
	} else if home, err := os.UserHomeDir(); err == nil {
		legacy = filepath.Join(home, ".local", "state", App)
	}
	return pick(base, legacy)
}

// mu serialises xdg.Reload, which rewrites adrg/xdg's package variables.
var mu sync.Mutex

// current re-reads the XDG environment and returns one base directory.
func current(get func() string) string {
	mu.Lock()
	defer mu.Unlock()
	xdg.Reload()
	return get()
}

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
