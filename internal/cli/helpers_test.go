package cli

import (
	"os"
	"os/exec"
	"testing"
)

// needProgram returns the path of an external program a test runs. When it
// is missing the test skips, saying which Debian package brings it, but
// under CI (CI=true) it fails: CI installs every program (.ci/run), so a
// missing one there is a broken setup, not a reason to test less.
func needProgram(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, and CI=true: .ci/run should have installed it (apt-get install -y %s)", name, pkg)
	}
	t.Skipf("%s is not installed: apt-get install -y %s (under CI=true this fails)", name, pkg)
	return ""
}
