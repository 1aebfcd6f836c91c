package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
)

// cpuProfile handles the hidden flag --cpuprofile FILE (or --cpuprofile=FILE),
// used by the benchmarks (docs/BENCHMARKS.md): it writes a pprof CPU profile
// of the whole run, UI, sub or sim, to FILE. It returns args without the flag
// and a function that stops the profile; it is not listed in --help.
func cpuProfile(args []string, stderr io.Writer) ([]string, func()) {
	file := ""
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" { // topics follow: leave the rest alone
			out = append(out, args[i:]...)
			break
		}
		switch {
		case a == "--cpuprofile" || a == "-cpuprofile":
			if i+1 < len(args) {
				file = args[i+1]
				i++
			}
			continue
		case strings.HasPrefix(a, "--cpuprofile=") || strings.HasPrefix(a, "-cpuprofile="):
			_, file, _ = strings.Cut(a, "=")
			continue
		}
		out = append(out, a)
	}
	if file == "" {
		return args, func() {}
	}
	f, err := os.Create(file)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(stderr, "hubtap: --cpuprofile:", err)
		return out, func() {}
	}
	return out, func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
