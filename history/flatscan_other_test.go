//go:build !amd64

package history

import "testing"

func TestCompactFlatPaths(t *testing.T) { checkCompactFlat(t, 20000) }
