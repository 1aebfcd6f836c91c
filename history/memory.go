package history

// The memory policy of a live UI process: what the --history-mem budget
// covers and what the process may use on top of it. Measured figures are in
// docs/BENCHMARKS.md ("Memory under a burst").

const (
	// MemoryOverhead is what the Go soft memory limit allows beyond the
	// history budget: the bridge's backlog (QueueBytes, at most 16 MiB), one
	// batch being ingested, paho's buffers, the UI's caches and the Go
	// runtime's own structures, plus room for the garbage paho makes per
	// message (about 6 KB), so the collector runs a few times a second
	// rather than back to back. The binary's code and data (about 12 MiB
	// resident) are outside the Go limit, so peak RSS stays under
	// budget + 64 MiB.
	MemoryOverhead = 48 << 20

	minQueueBytes = 4 << 20
	maxQueueBytes = 16 << 20
)

// MemoryLimit returns the Go soft memory limit (debug.SetMemoryLimit) for a
// UI process whose history holds at most budget bytes.
func MemoryLimit(budget int64) int64 {
	return budget + MemoryOverhead
}

// QueueBytes returns how many bytes of messages may wait between the broker
// and history (broker.BridgeLimits.Bytes) for a history budget: an eighth of
// it, between 4 and 16 MiB. At 50,000 messages/s of 600 bytes, 16 MiB is
// about half a second of traffic: enough to ride out a slow frame, small
// next to the budget. Beyond it the bridge drops, and counts.
func QueueBytes(budget int64) int64 {
	return min(max(budget/8, minQueueBytes), maxQueueBytes)
}
