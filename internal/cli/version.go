package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at link time by packagers who build without the module's build info
// (a tarball, -buildvcs=false):
//
//	go build -ldflags "-X hubtap/internal/cli.version=v1.2.0 -X hubtap/internal/cli.commit=0123abcd -X hubtap/internal/cli.date=2026-12-06T00:00:00Z" .
//
// Each one, when set, wins over what runtime/debug reports. They are never
// changed at run time.
var (
	version string // module version, e.g. v1.2.0
	commit  string // VCS revision
	date    string // commit or build date, RFC 3339
)

// buildInfo is what the version line says.
type buildInfo struct {
	version, commit, date, goVersion string
	dirty                            bool
}

// readBuildInfo takes the module version, the commit and its date from
// the binary's build info (go build in a git checkout, go install
// module@version) and the -X overrides.
func readBuildInfo() buildInfo {
	b := buildInfo{version: "(devel)", commit: "unknown", goVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			b.version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.commit = s.Value
			case "vcs.time":
				b.date = s.Value
			case "vcs.modified":
				b.dirty = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.version = version
	}
	if commit != "" {
		b.commit, b.dirty = commit, false
	}
	if date != "" {
		b.date = date
	}
	return b
}

// versionString is the one line --version and `hubtap version` print, e.g.
// "hubtap v1.2.0 (commit 0123abcd4567, 2026-12-06T00:00:00Z, go1.26.8)".
func versionString() string {
	b := readBuildInfo()
	c := b.commit
	if len(c) > 12 {
		c = c[:12]
	}
	if b.dirty {
		c += "-dirty"
	}
	s := "hubtap " + b.version + " (commit " + c
	if b.date != "" {
		s += ", " + b.date
	}
	return s + ", " + b.goVersion + ")"
}

// versionCmd is `hubtap version`, the same as --version.
func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "version",
		Short:             "print the version, commit and build date",
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return err
		},
	}
}
