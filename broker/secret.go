package broker

import (
	"fmt"
	"log/slog"
)

// Secret holds a token or password. It prints, formats and logs as
// [redacted]; only Reveal gives the value, and only the connect path calls it.
type Secret string

// redacted is what every printing path shows instead of a secret.
const redacted = "[redacted]"

// String implements fmt.Stringer.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer, so %#v does not leak either.
func (Secret) GoString() string { return redacted }

// Format implements fmt.Formatter: every verb (%s, %v, %q, %x, ...) prints [redacted].
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText implements encoding.TextMarshaler so JSON/TOML encoders redact too.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret's value. Call it only to hand the value to the wire.
func (s Secret) Reveal() string { return string(s) }

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s == "" }
