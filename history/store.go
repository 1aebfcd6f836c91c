package history

import (
	"time"
	"unsafe"

	"hubtap/broker"
)

// DefaultBudget is the Store budget used when NewStore is given 0 or less.
const DefaultBudget int64 = 256 << 20

// EntryOverhead is the fixed part of an entry's charge, in bytes: the
// entry's slot in its chunk (which embeds the broker.Message); 184 on 64-bit
// platforms.
const EntryOverhead = int64(unsafe.Sizeof(Entry{}))

// Entries live in fixed-size chunks so that growing never copies entries and
// a pointer from Get stays put until its entry is evicted.
const (
	chunkBits = 10
	chunkLen  = 1 << chunkBits // entries per chunk (~150 KiB)
	chunkMask = chunkLen - 1
)

// chunk holds chunkLen entries in memory the garbage collector does not
// scan. A full 256 MiB history is ~300,000 entries of ~8 pointers each;
// scanned, they made every collection follow ~2.5 million pointers, and
// under a burst the UI collects many times a second (docs/BENCHMARKS.md,
// "Burst"). Instead, each chunk's keep list holds everything its entries
// point to that nothing else keeps alive: the arena's slabs they were packed
// into, the few allocations kept apart (payloads above packMax, topics the
// interner did not take, sanitised topic copies, a time zone read from a
// file), and the interner, whose table holds the shared topics and never
// drops one. keep is the only pointer field, so it is all the collector
// scans; a *Entry from Get points inside raw and so keeps the whole chunk,
// keep included, alive: whatever holds an entry, or a string read from it,
// keeps its bytes.
//
// Every write of an entry goes through push, which fills keep first.
type chunk struct {
	keep   []unsafe.Pointer
	intern *interner
	raw    [chunkLen * unsafe.Sizeof(Entry{})]byte // chunkLen Entries; see entries
}

// entries is the chunk's slots. raw starts 8-byte aligned (after a slice
// and a pointer) and is exactly chunkLen Entries long.
func (c *chunk) entries() *[chunkLen]Entry { return (*[chunkLen]Entry)(unsafe.Pointer(&c.raw)) }

// hold adds p to keep unless it is nil or the last one added (entries
// packed one after another mostly share their slab).
func (c *chunk) hold(p unsafe.Pointer) {
	if p != nil && (len(c.keep) == 0 || c.keep[len(c.keep)-1] != p) {
		c.keep = append(c.keep, p)
	}
}

// Stats are a Store's counters, for the status bar.
type Stats struct {
	Kept       uint64 // entries held now (same as Len)
	Evicted    uint64 // entries removed to stay within the budget, over the Store's life
	Dropped    uint64 // messages lost before reaching the Store, as reported by AddDropped
	Unreadable uint64 // messages whose entry could not be built (a recovered panic); still kept
	Repeats    uint64 // redeliveries (same topic and payload seen recently, DUP set on one of the copies); kept, marked
	Bytes      int64  // bytes charged now (see Store.Bytes)
	Budget     int64  // the budget in bytes
}

// Store is the message history: a ring of Entries with a memory budget,
// evicting the oldest first. Every entry gets an absolute index, counting
// from 0 and never reused, so indices stay valid names across eviction.
//
// Store is single-writer and not safe for concurrent use: only the UI
// goroutine may call any method (Append from the BatchMsg case of Update).
// Nothing blocks. Other goroutines read through a Snapshot: appends never
// touch a slot a snapshot can see, eviction never writes to an entry, and a
// chunk is never reused, so a snapshot stays valid for as long as it is held.
//
// Memory is bounded by the budget: each entry is charged EntryOverhead plus
// the bytes its payload, summary, ident and properties take in the store's
// slabs (arena.go: packed end to end, so the charge is exact), and the size
// class (see allocSize) of anything kept apart: a topic that is not shared,
// a sanitised topic copy, a payload above packMax. Not charged: the spare
// slots of the first and last chunk (at most 2×1024 slots, ~300 KiB), the
// unused ends of the first and last slabs, and, after eviction, the up to
// 1023 entries that linger until their chunk is released.
//
// An entry larger than the whole budget is kept, alone: appending it evicts
// everything else, and Bytes exceeds Budget until the next Append evicts it.
// A debugger should not truncate the one message someone is looking for, and
// the payload is already in memory when it arrives.
type Store struct {
	// chunks[0] holds absolute indices from first&^chunkMask; a chunk is
	// dropped (and kept as spare) once first moves past its last slot.
	chunks     []*chunk
	first, end uint64
	bytes      int64
	budget     int64
	evicted    uint64
	dropped    uint64
	unreadable uint64
	summarize  summarizer
	observe    func(abs uint64, e *Entry) // see SetObserver
	recent     recentSet                  // hashes of recent messages, to spot redeliveries
	copies     copySet                    // recent messages by identity, to spot copies (identity.go)
	intern     *interner                  // shared topics (intern.go); never drops one, which chunks rely on
	arena      arena                      // slabs holding the entries' bytes (arena.go)
	repeats    uint64
}

// SetObserver sets a function called for every entry, in order, after it is
// built and before it is stored, with the absolute index it gets. It may set
// e.Flags; it must not keep e. UI goroutine only, like every Store method.
func (s *Store) SetObserver(fn func(abs uint64, e *Entry)) { s.observe = fn }

// NewStore returns an empty Store with a budget in bytes; budget <= 0 means
// DefaultBudget (256 MiB). Its slabs and chunks are allocated by Append.
func NewStore(budget int64) *Store {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Store{budget: budget, summarize: summarize, intern: &interner{}}
}

// Append turns msgs into entries (NewEntry), appends them in order and evicts
// the oldest entries as needed to stay within the budget. It returns the
// absolute index range [first, first+n) given to msgs; n is len(msgs). When
// one batch alone exceeds the budget, its own earliest entries may already be
// evicted when Append returns (Get reports them as gone). Append does not
// retain msgs: each entry's bytes are copied into the store's slabs
// (arena.go), except topics and payloads above packMax, which are shared.
func (s *Store) Append(msgs []broker.Message) (first, n uint64) {
	return s.AppendEntries(prepare(msgs, s.summarize))
}

// Prepare builds the entries for msgs (NewEntry: classification, summary,
// ident), the part of appending that reads payloads and needs no Store. It
// is safe to call on any goroutine, so the UI calls it where it waits for
// the next batch, and the UI goroutine is left with AppendEntries.
func Prepare(msgs []broker.Message) []Entry { return prepare(msgs, summarize) }

func prepare(msgs []broker.Message, sum summarizer) []Entry {
	es := make([]Entry, len(msgs))
	for i := range msgs {
		var err error
		es[i], err = buildEntry(msgs[i], sum)
		es[i].unreadable = err != nil
	}
	return es
}

// AppendEntries appends entries made by Prepare, in order, as Append does
// (Append is Prepare then AppendEntries). It copies what it keeps into the
// store's slabs and does not retain es; it keeps topic strings, and
// payloads above packMax as they are (a broker.Message's payload is never
// modified).
func (s *Store) AppendEntries(es []Entry) (first, n uint64) {
	first = s.end
	for i := range es {
		e := es[i]
		if e.unreadable {
			s.unreadable++
			e.unreadable = false
		}
		safeIsTopic := unsafe.StringData(e.TopicSafe) == unsafe.StringData(e.Topic)
		var topicShared bool
		e.Topic, topicShared = s.intern.str(e.Topic)
		if safeIsTopic {
			e.TopicSafe = e.Topic
		}
		if len(e.Topic) == 0 { // no pointer left behind (an empty string may still point into a buffer)
			e.Topic = ""
		}
		if len(e.TopicSafe) == 0 {
			e.TopicSafe = ""
		}
		e.cost = s.arena.pack(&e, topicShared)
		if !topicShared {
			s.arena.hold(unsafe.Pointer(unsafe.StringData(e.Topic)))
		}
		if unsafe.StringData(e.TopicSafe) != unsafe.StringData(e.Topic) {
			s.arena.hold(unsafe.Pointer(unsafe.StringData(e.TopicSafe)))
		}
		// A redelivery: a copy of something in the window, where the broker
		// set DUP on this copy or on the one before (mochi can resend a
		// message, with DUP, before the original send reaches the client).
		if was, wasDup := s.recent.seen(e.Topic, e.Payload, e.Duplicate); was && (e.Duplicate || wasDup) {
			e.Repeat = true
			s.repeats++
		}
		abs := first + uint64(i)
		if e.idKey == 0 { // built without Prepare
			e.idKey = identityKey(&e)
		}
		e.CopyOf = s.copies.copyOf(identitySeed, abs, &e)
		if s.observe != nil {
			s.observe(abs, &e)
		}
		if e.CopyOf != 0 { // a copy carries its first copy's anomaly flags
			if o, ok := s.Get(e.Original(abs)); ok {
				e.Flags = o.Flags
			}
		}
		for s.end > s.first && s.bytes+e.cost > s.budget {
			s.evictOldest()
		}
		s.push(&e)
	}
	return first, uint64(len(es))
}

// Get returns the entry at absolute index abs in O(1), or false when abs was
// evicted or not appended yet. The pointer is into the Store and must be
// treated as read-only. After eviction the entry is no longer reachable by
// index; do not keep the pointer across Appends.
func (s *Store) Get(abs uint64) (*Entry, bool) {
	if abs < s.first || abs >= s.end {
		return nil, false
	}
	return &s.chunks[abs>>chunkBits-s.first>>chunkBits].entries()[abs&chunkMask], true
}

// First returns the absolute index of the oldest kept entry (End when empty).
func (s *Store) First() uint64 { return s.first }

// End returns one past the absolute index of the newest entry: the index the
// next appended message will get.
func (s *Store) End() uint64 { return s.end }

// Len returns how many entries are kept.
func (s *Store) Len() int { return int(s.end - s.first) }

// Bytes returns the bytes charged for the kept entries (see Store). It is at
// most the budget, except while a single oversized entry is kept alone.
func (s *Store) Bytes() int64 { return s.bytes }

// Stats returns the Store's counters.
func (s *Store) Stats() Stats {
	return Stats{
		Kept:       s.end - s.first,
		Evicted:    s.evicted,
		Dropped:    s.dropped,
		Unreadable: s.unreadable,
		Repeats:    s.repeats,
		Bytes:      s.bytes,
		Budget:     s.budget,
	}
}

// AddDropped adds n to Stats.Dropped: messages lost before the Store, such as
// the bridge's drops. n is a delta; a caller holding the bridge's running
// total passes the difference from the last total it reported.
func (s *Store) AddDropped(n uint64) { s.dropped += n }

// processLocal is time.Local as the process started: the runtime's own
// Location, never freed (time.Local itself could be reassigned).
var processLocal = time.Local

// push stores e, packed by the arena just before: what the arena held for
// it (arena.held) goes into the chunk's keep list before e is written.
func (s *Store) push(e *Entry) {
	off := s.end & chunkMask
	if off == 0 {
		s.chunks = append(s.chunks, &chunk{intern: s.intern}) // the interner, not the Store: an entry held after its Store is gone keeps only its chunk
	}
	c := s.chunks[len(s.chunks)-1]
	for _, p := range s.arena.held {
		c.hold(p)
	}
	s.arena.held = s.arena.held[:0]
	if loc := e.Received.Location(); loc != processLocal && loc != time.UTC {
		c.hold(unsafe.Pointer(loc)) // a zone parsed from a recording
	}
	if e.Props != nil { // pack encodes them (props.go); a Properties value would be invisible here
		panic("history: an entry is stored with unpacked properties")
	}
	c.entries()[off] = *e
	s.end++
	s.bytes += e.cost
}

func (s *Store) evictOldest() {
	c := s.chunks[0]
	e := &c.entries()[s.first&chunkMask]
	s.bytes -= e.cost
	// The entry is left as it is: a Snapshot may be reading it. Its memory is
	// released with its chunk, once every entry of the chunk is evicted (at
	// most chunkLen-1 evicted entries linger, ~0.6 MB of flespi messages).
	s.first++
	s.evicted++
	if s.first&chunkMask == 0 { // moved past c's last slot
		s.chunks[0] = nil
		s.chunks = s.chunks[1:]
	}
}
