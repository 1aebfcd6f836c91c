package sim

import "github.com/mochi-mqtt/server/v2/packets"

// mochi's packets package builds its own test fixtures, TPacketData (the
// encoding cases of every packet type, ~360 KB of small objects with
// pointers), at init in every program that links it; nothing outside
// mochi's tests reads them. In hubtap they would stay live for the life of
// the process, marked by every garbage collection: in `hubtap sub` about a
// third of the heap the collector marks per cycle, ~90 cycles per 200,000
// messages (docs/BENCHMARKS.md, "Where the QoS 0 difference to the
// reference is"). hubtap lets them go at start.
func init() { packets.TPacketData = nil }
