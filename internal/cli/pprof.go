package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
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

// tuneForPipe sets the Go runtime for `hubtap sub`, a single pipeline
// (paho's reader, its router, the writer) that should keep up with the
// broker (docs/BENCHMARKS.md, "Drain"):
//
//   - GOMAXPROCS 1: the goroutines hand each message over on one core
//     instead of waking each other across two, and the broker (often on
//     the same machine) keeps the other core. Measured: about half the CPU
//     per message on 2 cores;
//   - GC percent 400: paho allocates several KB per message, almost all of
//     it garbage at once; a larger heap goal runs the GC ~4× less often for
//     a few tens of MiB more RSS.
//
// GOMAXPROCS and GOGC in the environment win.
func tuneForPipe() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
