package headless

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"hubtap/broker"
)

// Flags are `hubtap sub`'s mosquitto_sub-style flags as the command line
// gives them. The CLI binds each one and calls Apply; the checks and their
// words live here, so any CLI front end behaves the same.
type Flags struct {
	Template     string   // -F: a mosquitto_sub template; "" = JSONL
	Verbose      bool     // -v: "topic payload"
	NoEOL        bool     // -N: no newline after each message
	Pretty       bool     // --pretty: %j and %J indented
	SkipRetained bool     // -R
	RetainedOnly bool     // --retained-only
	Wait         int      // -W: seconds after connecting; 0 = no limit
	Hide         []string // -T (repeatable)
	Unsubscribe  []string // -U (repeatable)
	Raw          bool     // --raw: exact bytes even to a terminal
	Retry        string   // --retry N | forever; "" = DefaultRetry
}

// Apply checks the flags and sets cfg from them. Its errors are usage
// errors (exit code 2), one line each.
func (f *Flags) Apply(cfg *Config) error {
	o := Options{NoEOL: f.NoEOL, Pretty: f.Pretty}
	switch {
	case f.Template != "" && f.Verbose:
		return fmt.Errorf("-F and -v: choose one (-v is -F '%%t %%p')")
	case f.Template != "":
		tf, err := Compile(f.Template, o)
		if err != nil {
			return fmt.Errorf("-F: %w", err)
		}
		cfg.Format = tf
	case f.Verbose:
		cfg.Format = Verbose(o)
	case f.NoEOL || f.Pretty:
		return fmt.Errorf("-N and --pretty go with -F or -v (the default JSONL has one record per line)")
	}
	if f.SkipRetained && f.RetainedOnly {
		return fmt.Errorf("-R and --retained-only: choose one")
	}
	cfg.SkipRetained, cfg.RetainedOnly = f.SkipRetained, f.RetainedOnly
	if f.Wait < 0 {
		return fmt.Errorf("-W %d: give seconds, at least 1", f.Wait)
	}
	cfg.Timeout = time.Duration(f.Wait) * time.Second
	for _, t := range append(append([]string(nil), f.Hide...), f.Unsubscribe...) {
		if err := broker.ValidateFilter(t); err != nil {
			return err
		}
	}
	cfg.Hide, cfg.Unsubscribe = f.Hide, f.Unsubscribe
	if f.Raw {
		cfg.Output = OutputRaw
	}
	switch r := strings.TrimSpace(f.Retry); r {
	case "":
	case "forever":
		cfg.Retry = RetryForever
	default:
		n, err := strconv.Atoi(r)
		if err != nil || n < 1 {
			return fmt.Errorf("--retry %q: give a number of tries (at least 1) or forever", f.Retry)
		}
		cfg.Retry = n
	}
	return nil
}

// Help is the part of `hubtap sub --help` that explains templates, output
// and exit codes.
const Help = `Template verbs (-F), as mosquitto_sub 2.0 prints them:
  %t topic            %p payload            %l payload length    %q QoS
  %r retain (0/1)     %m message id         %x / %X payload hex  %I ISO 8601 time
  %U Unix time (s.ns) %P user properties    %C content type      %D correlation data
  %E message expiry   %F payload format     %R response topic    %S subscription id
  %A topic alias      %j JSON record, payload as string    %J same, payload as JSON
  %% a percent sign   and hubtap's own: %d DUP flag, %{position.speed} a JSON field
  Width and precision as in mosquitto_sub: %-20t %08l %.10p %5x.
  Time fields: @Y @m @d @H @M @S @z (strftime letters), @s seconds, @N nanoseconds, @@.
  Escapes: \n \t \r \a \e \v \0 \\.
  The receive time stands in for mosquitto_sub's print time.

Output: to a terminal, control sequences in payloads are shown as visible
markers (␛ ␍ �), as in the UI; a pipe or a file gets the exact bytes; --raw
forces exact bytes.

Retries: a connection reset or a broker restart is retried forever. A
permanent error (bad credentials, not authorized, certificate, unknown host,
connection refused, wrong scheme) is tried --retry times in a row (default 3,
about 3 s), then hubtap sub prints one sentence on stderr and exits.

Exit codes:
  0   -C reached, interrupted, or the reader went away (| head)
  1   another failure (e.g. writing the output failed)
  2   bad flags, template, URL or filter
  3   could not connect: host not found, connection refused, TLS/certificate, wrong scheme
  4   refused by the broker: credentials, not authorized, every subscription refused
  27  -W passed without a message (mosquitto_sub's timeout code; it uses it
      even when messages came)
`
