// Package telematics turns a stream of history entries into per-device state
// for flespi troubleshooting (issue 7, docs/FLESPI.md §5 and §8): a Tracker groups
// messages by device, keeps the last known position, ignition, voltages and
// GSM level, a message rate and staleness, and flags timestamp anomalies
// (future, gap, out-of-order, duplicate, latency) per message. Diff compares
// two messages of one device field by field.
//
// The package is pure: no I/O, no goroutines, no UI. A Tracker is
// single-writer (the UI goroutine that appends to history) and bounded.
package telematics
