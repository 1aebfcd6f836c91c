package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering keeps the UI out of the lower layers. internal/cli is not
// listed: like main.go it wires every layer together, the UI included.
func TestLayering(t *testing.T) {
	for _, pkg := range []string{"./broker", "./filters", "./history", "./themes", "./sim", "./telematics", "./config", "./headless", "./internal/jsonscan", "./internal/dirs", "./flespi"} {
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

// TestUIComponentsStandAlone: a ui/<component> package imports ui/common and
// the pure packages, never a sibling component (siblings talk through the
// root, with messages); no ui package imports paho (the UI sees
// broker.Message and broker events only).
func TestUIComponentsStandAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./ui/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./ui/...: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imps := f[0], f[1:]
		n++
		for _, imp := range imps {
			if strings.Contains(imp, "paho") {
				t.Errorf("%s imports %s: the UI must not know the MQTT client", pkg, imp)
			}
			if pkg == "hubtap/ui/app" || pkg == "hubtap/ui/common" {
				continue
			}
			if strings.HasPrefix(imp, "hubtap/ui/") && imp != "hubtap/ui/common" {
				t.Errorf("%s imports its sibling %s: components talk through the root", pkg, imp)
			}
		}
		if pkg == "hubtap/ui/common" {
			for _, imp := range imps {
				if strings.HasPrefix(imp, "hubtap/ui/") {
					t.Errorf("ui/common imports %s: it must not know any component", imp)
				}
			}
		}
		if pkg == "hubtap/ui/app" {
			for _, imp := range imps {
				if imp == "github.com/tidwall/gjson" {
					t.Errorf("ui/app imports gjson: reading payloads belongs in history, telematics or broker")
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d ui packages listed", n)
	}
}
