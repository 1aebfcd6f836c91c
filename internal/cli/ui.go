package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"hubtap/broker"
	"hubtap/history"
	"hubtap/telematics"
	"hubtap/themes"
	"hubtap/ui/app"
	"hubtap/ui/info"
)

// runUI is the live view: it connects (connect.go), records with
// --record, remembers the persistent session it leaves behind
// (sessions.go), bounds memory, runs the UI under the crash guard and, on
// exit, saves the workspace with --save-profile.
func runUI(cmd *cobra.Command, o *options) error {
	c, err := connect(o, uiSignals())
	if err != nil {
		return err
	}
	defer c.close()
	log := c.log
	log.Info("hubtap starting", "version", versionString())

	// The recorder is stopped (flushed) last but for the log, after the
	// client is closed, so every message the client acknowledged is on
	// disk, also after SIGTERM or SIGHUP (they end ctx, which ends the UI).
	rec := history.NewRecorder()
	if o.record != "" {
		if err := rec.Start(o.record); err != nil {
			return err
		}
	}
	defer func() {
		if err := rec.Stop(); err != nil {
			log.Warn("recording", "err", err)
		}
	}()
	bopts := c.broker
	bopts.Tap = rec.Write
	bopts.HoldRefused = true // after quit (bridge.Stop) what arrives stays queued for the next run

	sessions := newSessionState()
	skey := sessionKey(bopts.ClientID, c.url.Host)
	if !o.demo { // the demo broker starts empty every time
		bopts.HadSession = sessions.had(skey)
		defer sessions.left(skey, o.sessionExpiry)
	}
	budget, _ := parseSize(o.historyMem) // checked by checkDisplay
	memoryLimit(budget)

	bridge := broker.NewBridgeLimits(broker.UILimits(history.QueueBytes(budget)))
	bctx, cancelBridge := context.WithCancel(c.ctx)
	bridgeDone := make(chan struct{})
	crash := &crashLog{secrets: []string{o.token, o.password}}
	go crash.goroutine("the bridge", func() { defer close(bridgeDone); _ = bridge.Run(bctx) })()
	defer func() { cancelBridge(); <-bridgeDone }()

	client, err := broker.Connect(c.ctx, bopts, bridge)
	if err != nil {
		return err
	}
	cfg := app.Config{
		Store:         history.NewStore(history.HistoryBytes(budget)), // the bridge and the UI's indexes share the budget (history/memory.go)
		Source:        bridge,
		Client:        client,
		Recorder:      rec,
		Target:        c.url.Scheme + "://" + c.url.Host + c.url.Path,
		Topics:        bopts.Topics,
		Panes:         o.panes,
		Layout:        o.layout,
		Warning:       c.warning,
		NoMouse:       o.noMouse,
		ResumeInPlace: o.resume == "in-place",
		Telematics:    telematics.Config{Stale: o.stale},
		Demo:          o.demo,
		Ctx:           bctx,
		Requested: info.Requested{ClientID: bopts.ClientID, SessionExpiry: bopts.SessionExpiry, QoS: bopts.QoS,
			Scheme: c.url.Scheme, Creds: broker.CredentialsOf(&bopts)},
	}
	if o.tokenOnCmdline {
		cfg.StartNotice = "warning: --token is visible in the process list; prefer FLESPI_TOKEN or --token-file"
		cfg.Requested.Notes = append(cfg.Requested.Notes, "the token was given with --token: other users of this machine can see it in the process list")
	}
	if cfg.Toolbox, err = toolboxConfig(&o.tb, c.url, bopts.Token, client); err != nil {
		return err
	}
	opts := appearance(o, &cfg, []tea.ProgramOption{tea.WithContext(c.ctx), tea.WithFPS(o.fps), tea.WithOutput(cmd.OutOrStdout())})
	final, runErr := runProgram(app.New(cfg), opts, crash, cmd.ErrOrStderr())
	bridge.Stop() // nothing shows what arrives now: leave it unacknowledged
	if fm, ok := final.(app.Model); ok && o.saveProfile != "" {
		panes, layout := fm.Workspace()
		o.resume = fm.ResumeMode()
		if path, err := saveProfile(o, panes, layout); err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "hubtap: --save-profile:", err)
		} else {
			fmt.Fprintf(cmd.OutOrStdout(), "saved profile %q to %s (open it with: hubtap -p %s)\n", o.saveProfile, path, o.saveProfile)
		}
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Close(closeCtx); err != nil {
		log.Warn("disconnect", "err", err)
	}
	if fm, ok := final.(app.Model); ok {
		endOwnSession(cfg.Toolbox, fm.EndSessionOnQuit(), bopts.ClientID, cmd.OutOrStdout(), log)
	}
	return runErr
}

// memoryLimit sets the Go soft memory limit for a history budget, unless
// GOMEMLIMIT is set. The policy and its measured figures: history/memory.go.
func memoryLimit(budget int64) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(history.MemoryLimit(budget))
	}
}

// runProgram runs model under the crash guard (crash.go) and returns the
// final model (unwrapped). After a panic anywhere in the program, or in a
// goroutine run through crash.goroutine, it writes the crash report and
// says where on stderr, and returns errReported.
func runProgram(model tea.Model, opts []tea.ProgramOption, crash *crashLog, stderr io.Writer) (tea.Model, error) {
	p := tea.NewProgram(guard{m: model, log: crash, testPanic: testPanicInUpdate != ""}, opts...)
	crash.kill = p.Kill
	final, err := p.Run()
	if g, ok := final.(guard); ok {
		final = g.inner()
	}
	if crash.crashed() || errors.Is(err, tea.ErrProgramPanic) {
		if path, werr := crash.write(); werr == nil {
			fmt.Fprintf(stderr, "hubtap crashed; a report (without secrets) is in %s\n", path)
		} else {
			fmt.Fprintf(stderr, "hubtap crashed; the crash report could not be written: %v\n", werr)
		}
		return final, errReported
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return final, err
	}
	return final, nil
}

// appearance sets the theme from --theme, --no-color and NO_COLOR, and
// returns opts with the colour profile they need.
func appearance(o *options, cfg *app.Config, opts []tea.ProgramOption) []tea.ProgramOption {
	switch {
	case o.noColor || os.Getenv("NO_COLOR") != "":
		// Monochrome: the plain theme marks the selection with reverse video,
		// and the Ascii profile drops every colour that is left.
		cfg.Styles = themes.Build(themes.Plain())
		return append(opts, tea.WithColorProfile(colorprofile.Ascii))
	case o.theme == "auto":
		cfg.AutoTheme = true
	default:
		p, _ := themes.ByName(o.theme)
		cfg.Styles = themes.Build(p)
	}
	return opts
}
