package history

import "testing"

func TestMemoryPolicy(t *testing.T) {
	for _, c := range []struct{ budget, limit, queue int64 }{
		{budget: 32 << 20, limit: 72 << 20, queue: 2 << 20},
		{budget: 64 << 20, limit: 104 << 20, queue: 4 << 20},
		{budget: 256 << 20, limit: 296 << 20, queue: 8 << 20},
		{budget: 4 << 30, limit: 4<<30 + 40<<20, queue: 8 << 20},
	} {
		if got := MemoryLimit(c.budget); got != c.limit {
			t.Errorf("MemoryLimit(%d MiB) = %d MiB, want %d MiB", c.budget>>20, got>>20, c.limit>>20)
		}
		if got := QueueBytes(c.budget); got != c.queue {
			t.Errorf("QueueBytes(%d MiB) = %d MiB, want %d MiB", c.budget>>20, got>>20, c.queue>>20)
		}
		// The whole process must fit in budget + 64 MiB: the Go limit, plus
		// what peak RSS was measured above it (the binary's resident code
		// and data, outside the limit, and the overshoot of a collector
		// short of CPU): up to 18 MiB (docs/BENCHMARKS.md, "Burst").
		if lim := MemoryLimit(c.budget); lim+18<<20 > c.budget+64<<20 {
			t.Errorf("budget %d MiB: Go limit %d MiB leaves no room for the binary under budget + 64 MiB", c.budget>>20, lim>>20)
		}
		if h, q, x := HistoryBytes(c.budget), QueueBytes(c.budget), IndexBytes(c.budget); h+q+x != c.budget || h < c.budget*13/16-1 {
			t.Errorf("budget %d MiB: history %d + bridge %d + indexes %d MiB; want them to share the budget, history at least 13/16", c.budget>>20, h>>20, q>>20, x>>20)
		}
	}
}
