package cli

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"hubtap/config"
)

// applyProfile fills options from profile o.profile in hubtap.toml; flags
// given on the command line win over the profile. fs holds the flags of
// the command (the UI or sub): a field whose flag the command does not
// have (sub has no --theme) is harmless to set.
func applyProfile(o *options, fs *pflag.FlagSet) error {
	set := func(name string) bool { return fs.Changed(name) }
	path, err := config.Path()
	if err != nil {
		return err
	}
	f, err := config.Load(path)
	if err != nil {
		return err
	}
	p, ok := f.Profiles[o.profile]
	if !ok {
		return fmt.Errorf("no profile %q in %s (hubtap --save-profile %s writes one when hubtap exits)", o.profile, path, o.profile)
	}
	if p.URL != "" && !set("url") {
		o.url = p.URL
	}
	if !set("token") && !set("token-file") && (p.TokenEnv != "" || p.TokenFile != "" || p.Token != "") {
		tok, err := p.ResolveToken()
		if err != nil {
			return fmt.Errorf("%s: profile %s: %w", path, o.profile, err)
		}
		if tok == "" && p.TokenEnv != "" {
			return fmt.Errorf("%s: profile %s: the environment variable %s (token_env) is empty", path, o.profile, p.TokenEnv)
		}
		o.token, o.tokenEnv, o.profileTokenFile = tok, p.TokenEnv, p.TokenFile
	}
	if p.Username != "" && !set("username") {
		o.username = p.Username
	}
	if p.PasswordEnv != "" && !set("password") && !set("password-file") {
		o.password = os.Getenv(p.PasswordEnv)
	}
	if p.ClientID != "" && !set("client-id") {
		o.clientID = p.ClientID
	}
	if p.SessionExpiry != "" && !set("session-expiry") {
		o.sessionExpiry, _ = p.Expiry() // checked by config.Parse
	}
	if p.QoS != nil && !set("qos") {
		o.qos = *p.QoS
	}
	if p.Theme != "" && !set("theme") {
		o.theme = p.Theme
	}
	if p.ReadOnly && !set("read-only") {
		o.tb.readOnly = true
	}
	if p.Demo && !set("demo") {
		o.demo = true
	}
	o.layout = p.Layout
	if p.Resume != "" && !set("resume") {
		o.resume = p.Resume
	}
	if len(o.topics) == 0 {
		o.panes = append(o.panes, p.Panes...)
		for _, pn := range p.Panes {
			for _, t := range pn.Topics {
				if !slices.Contains(o.topics, t) {
					o.topics = append(o.topics, t)
				}
			}
		}
	}
	return nil
}

// saveProfile writes the workspace as profile o.saveProfile, keeping the
// file's other profiles. The token itself is never written: only where it
// came from (an environment variable or a file).
func saveProfile(o *options, panes []config.Pane, layout string) (string, error) {
	path, err := config.Path()
	if err != nil {
		return "", err
	}
	f, err := config.Load(path)
	if err != nil {
		return "", err
	}
	p := &config.Profile{ClientID: o.clientID, Layout: layout, Demo: o.demo, Username: o.username}
	if o.resume == "in-place" {
		p.Resume = o.resume
	}
	if !o.demo {
		p.URL = o.url
	}
	switch {
	case o.tokenEnv != "":
		p.TokenEnv = o.tokenEnv
	case o.tokenFile != "":
		p.TokenFile = o.tokenFile
	case o.profileTokenFile != "":
		p.TokenFile = o.profileTokenFile
	}
	if o.sessionExpiry != time.Hour {
		p.SessionExpiry = o.sessionExpiry.String()
		if o.sessionExpiry == 0 {
			p.SessionExpiry = "0"
		}
	}
	if o.qos != 1 {
		q := o.qos
		p.QoS = &q
	}
	if o.theme != "" && o.theme != "auto" {
		p.Theme = o.theme
	}
	p.Panes = append(p.Panes, panes...)
	f.Profiles[o.saveProfile] = p
	return path, config.Save(path, f)
}
