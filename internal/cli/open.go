package cli

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"hubtap/headless"
	"hubtap/history"
	"hubtap/ui/app"
)

// openCmd is `hubtap open FILE`: a recording in the same UI, without a
// broker, under the same crash guard as the live view.
func openCmd() *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "open [flags] FILE.jsonl[.gz]",
		Short: "browse a recording (from --record, r, or hubtap sub)",
		Long: `Browses a recording in the same UI, without a broker: filter (/), step,
jump (t), export (e).`,
		Example: `  hubtap open rec.jsonl
  hubtap open --history-mem 4GiB big.jsonl.gz`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usage(errors.New("give one recording file"))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return []cobra.Completion{"jsonl", "gz"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.checkDisplay(); err != nil {
				return usage(err)
			}
			return runOpen(cmd, o, args[0])
		},
	}
	cmd.Flags().SortFlags = false
	themeFlags(cmd, o, "1GiB", "memory `size`; a larger file keeps its newest messages")
	debugFlag(cmd, &o.debugFile)
	return cmd
}

// runOpen shows the recording file.
func runOpen(cmd *cobra.Command, o *options, file string) error {
	r, err := start(o.debugFile, uiSignals())
	if err != nil {
		return err
	}
	defer r.close()
	r.log.Info("hubtap open", "file", file, "version", versionString())
	src, err := history.OpenFile(r.ctx, file)
	if err != nil {
		return err // a file with no readable message says why (history.ErrNoMessages): exit 1
	}
	if !headless.IsTerminal(cmd.OutOrStdout()) {
		fmt.Fprintln(cmd.ErrOrStderr(), needTerminal)
		return errReported
	}
	budget, _ := parseSize(o.historyMem) // checked by checkDisplay
	cfg := app.Config{Store: history.NewStore(budget), Source: src, Loader: src, Ctx: r.ctx}
	opts := appearance(o, &cfg, []tea.ProgramOption{tea.WithContext(r.ctx), tea.WithFPS(o.fps), tea.WithOutput(cmd.OutOrStdout())})
	if _, err := runProgram(app.New(cfg), opts, &crashLog{}, cmd.ErrOrStderr()); err != nil {
		if errors.Is(err, errReported) {
			return err
		}
		return fmt.Errorf("ui: %w", err)
	}
	if msg := src.Summary(); msg != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "hubtap open:", msg) // a partly read file, after the screen is restored
	}
	return nil
}

// needTerminal is what hubtap open says when its output is not a terminal
// (instead of Bubble Tea's "could not open a new TTY").
const needTerminal = "hubtap open needs a terminal; a recording is JSONL, one message per line: read it in a script with jq (or zcat FILE.gz | jq)"
