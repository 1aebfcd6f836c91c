package headless

import (
	"strings"
	"testing"
	"time"
)

func TestFlagsApply(t *testing.T) {
	cases := []struct {
		name    string
		f       Flags
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "retry forever", f: Flags{Retry: "forever"}, check: func(t *testing.T, c Config) {
			if c.Retry != RetryForever {
				t.Errorf("Retry = %d", c.Retry)
			}
		}},
		{name: "retry 5", f: Flags{Retry: "5"}, check: func(t *testing.T, c Config) {
			if c.Retry != 5 {
				t.Errorf("Retry = %d", c.Retry)
			}
		}},
		{name: "retry 0", f: Flags{Retry: "0"}, wantErr: `--retry "0": give a number of tries`},
		{name: "retry words", f: Flags{Retry: "always"}, wantErr: "or forever"},
		{name: "-W", f: Flags{Wait: 3, Raw: true}, check: func(t *testing.T, c Config) {
			if c.Timeout != 3*time.Second || c.Output != OutputRaw {
				t.Errorf("Timeout %s, Output %d", c.Timeout, c.Output)
			}
		}},
		{name: "-W negative", f: Flags{Wait: -1}, wantErr: "-W -1"},
		{name: "-F and -v", f: Flags{Template: "%t", Verbose: true}, wantErr: "choose one"},
		{name: "-N alone", f: Flags{NoEOL: true}, wantErr: "-N and --pretty go with -F or -v"},
		{name: "bad template", f: Flags{Template: "%t %s"}, wantErr: "-F: template column 4: unknown verb %s: did you mean %p (payload) or %t (topic)?"},
		{name: "-R and --retained-only", f: Flags{SkipRetained: true, RetainedOnly: true}, wantErr: "choose one"},
		{name: "-T bad filter", f: Flags{Hide: []string{"a/#/b"}}, wantErr: "#"},
		{name: "-v -N", f: Flags{Verbose: true, NoEOL: true, Hide: []string{"a/+"}}, check: func(t *testing.T, c Config) {
			if c.Format == nil || len(c.Hide) != 1 {
				t.Errorf("Format %v, Hide %v", c.Format != nil, c.Hide)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			err := c.f.Apply(&cfg)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, cfg)
		})
	}
}
