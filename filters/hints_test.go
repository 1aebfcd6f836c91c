package filters

import "testing"

func TestHintsForUserPropertyPaths(t *testing.T) {
	for src, want := range map[string]int{
		`user.cid == "8201"`:                          1,
		`properties.timestamp > 1 && user.cid == "1"`: 2,
		`prop.cid == "8201"`:                          0,
		`position.speed > 80`:                         0,
		`user == "x"`:                                 0, // a payload key named user, no dot: nothing to suggest
	} {
		e, err := Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if h := e.Hints(); len(h) != want {
			t.Errorf("%s: hints %q, want %d", src, h, want)
		}
	}
}
