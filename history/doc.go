// Package history keeps what hubtap has received: a Store of Entries with a
// memory budget, each Entry computed once at ingest (payload Kind, device
// Ident, a sanitized one-line Summary and a sanitized topic) so that the UI
// only reads cached, terminal-safe strings.
//
// The package is pure: it imports broker and filters, never the UI or
// bubbletea. Everything here treats payloads and topics as hostile.
package history
