//go:build amd64 && (linux || darwin)

package history

import (
	"syscall"
	"testing"

	"github.com/tidwall/gjson"
)

// TestFlatScanPageEnd: flatScan reads nothing past the payload, even where
// the next page is not readable (a read there is a crash, not a failure):
// each document, and each of its prefixes with '}' for its last byte, is placed at the
// very end of a page followed by an inaccessible one.
func TestFlatScanPageEnd(t *testing.T) {
	if !useFlatScan {
		t.Skip("no AVX-512 on this CPU: flatScan is not used here")
	}
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	docs := []string{`{"a":t}`, `{"a":tr}`, `{"a":tru}`, `{"a":f}`, `{"a":fals}`, `{"a":n}`, `{"a":true}`, `{"a":false}`, `{"a":null}`, `{"a":1,"b":f}`}
	for _, m := range flespiMessages(2) {
		docs = append(docs, string(m))
	}
	for _, d := range docs {
		for n := 3; n <= len(d); n++ { // cut short, '}' last
			b := mem[page-n : page]
			copy(b, d[:n])
			b[n-1] = '}'
			want := fastOther
			if gjson.ValidBytes(b) {
				want = fastValid
			}
			if got := compactFlat(b); got != want {
				t.Fatalf("compactFlat(%s) at a page's end = %d, want %d", b, got, want)
			}
		}
	}
}
