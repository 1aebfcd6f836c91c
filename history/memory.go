package history

// The memory policy of a live UI process: what the --history-mem budget
// covers and what the process may use on top of it. Measured figures are in
// docs/BENCHMARKS.md ("Memory under a burst").

const (
	// MemoryOverhead is what the Go soft memory limit allows beyond the
	// budget (which covers history, the bridge's backlog and what the UI
	// keeps beside history: HistoryBytes, QueueBytes, IndexBytes): the batch
	// being ingested, paho's buffers and the Go runtime's own, plus room
	// for garbage (paho makes
	// about 6 KB per message, ingest 2 KB, a frame 100 KB), so the collector
	// runs a few times a second rather than back to back. The binary's code
	// and data are outside the Go limit, and the heap overshoots the soft
	// limit while a collection that is short of CPU catches up: together
	// peak RSS was measured 12-18 MiB above the limit in 4 of 5 bursts of a
	// million messages (2 cores, load average 5-12), so it stays under
	// budget + 64 MiB; once, 33 MiB (a collector starved of CPU).
	MemoryOverhead = 40 << 20

	minQueueBytes = 2 << 20
	maxQueueBytes = 8 << 20
)

// MemoryLimit returns the Go soft memory limit (debug.SetMemoryLimit) for a
// UI process whose history holds at most budget bytes.
func MemoryLimit(budget int64) int64 {
	return budget + MemoryOverhead
}

// QueueBytes returns how many bytes of messages may wait between the broker
// and history (broker.BridgeLimits.Bytes) within a budget: a sixteenth of
// it, between 2 and 8 MiB. At 50,000 messages/s of 600 bytes (charged about
// 750 bytes each in the bridge), 8 MiB is a fifth of a second of traffic:
// enough to ride out a slow frame. Beyond it the bridge drops, and counts.
func QueueBytes(budget int64) int64 {
	return min(max(budget/16, minQueueBytes), maxQueueBytes)
}

// IndexBytes returns the share of a budget set aside for what the UI keeps
// beside the store, per message and per device: each pane's row index, the
// redelivery and copy windows, the topic and device trees, and the small
// objects the runtime cannot pack as tightly as the store's slabs. An
// eighth: with a full 256 MiB history of flespi messages the live heap was
// 248 MiB with a sixteenth set aside, which left the collector too little
// room (docs/BENCHMARKS.md, "Burst").
func IndexBytes(budget int64) int64 { return budget / 8 }

// HistoryBytes returns the history store's own budget (history.NewStore)
// within a --history-mem budget: what the bridge (QueueBytes) and the UI's
// indexes (IndexBytes) leave.
func HistoryBytes(budget int64) int64 {
	return budget - QueueBytes(budget) - IndexBytes(budget)
}
