package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the UI out of the lower layers (see ../shared/STYLE.md §2).
func TestLayering(t *testing.T) {
	for _, pkg := range []string{"./broker", "./filters", "./history", "./themes", "./sim", "./telematics", "./config", "./headless"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "hubtap/ui") || strings.Contains(dep, "bubbletea") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
