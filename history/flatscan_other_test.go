//go:build !amd64

package history

import "testing"

func TestCompactFlatPaths(t *testing.T) { checkCompactFlat(t, 20000) }

func forEachFlatPath(t *testing.T, f func(t *testing.T)) { f(t) }

func pathsAgree(_ *testing.T, d []byte) int { return compactFlat(d) } // one path here
