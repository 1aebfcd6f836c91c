package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the UI out of the lower layers (see ../shared/STYLE.md §2).
func TestLayering(t *testing.T) {
	for _, pkg := range []string{"./broker", "./filters", "./history", "./themes", "./sim", "./telematics", "./config", "./headless", "./internal/jsonscan"} {
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

// TestJSONScanImports keeps internal/jsonscan a leaf that filters, history
// and telematics can all share: the standard library and gjson, nothing of
// hubtap's, so it can never close an import cycle.
func TestJSONScanImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{range .Imports}}{{.}} {{end}}`, "./internal/jsonscan").CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./internal/jsonscan: %v\n%s", err, out)
	}
	for _, imp := range strings.Fields(string(out)) {
		std := !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !strings.HasPrefix(imp, "hubtap")
		if !std && imp != "github.com/tidwall/gjson" {
			t.Errorf("internal/jsonscan imports %s; only the standard library and gjson are allowed", imp)
		}
	}
}
