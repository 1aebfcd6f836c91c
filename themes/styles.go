package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is the shape of every style the UI uses, grouped by component.
// Build it once per palette; read it from many components; never mutate.
type Styles struct {
	Palette Palette

	Frame struct {
		Border, BorderFocused lipgloss.Style // the box-drawing characters
		Title, TitleFocused   lipgloss.Style
		Info                  lipgloss.Style // right-aligned counters in the top border
	}
	List struct {
		Time, Topic, Ident, Summary, Flag lipgloss.Style
		Selected, SelectedBlurred         lipgloss.Style
		Hint, Paused                      lipgloss.Style
	}
	Detail struct {
		Label, Value, Muted, Warn, Rule, Match, Cursor      lipgloss.Style
		Key, String, Number, Bool, Null, Punct, Text, Bytes lipgloss.Style
	}
	Status struct {
		Bar, OK, Warn, Err, Muted, Counter, Key lipgloss.Style
	}
	Help  struct{ Key, Desc, Sep lipgloss.Style }
	Input struct{ Prompt, Text, Error lipgloss.Style }
}

// Build turns a palette into styles. It is the only place that calls
// lipgloss.NewStyle.
func Build(p Palette) *Styles {
	s := &Styles{Palette: p}
	fg := lipgloss.NewStyle().Foreground(p.Fg)
	c := func(col color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(col) }

	s.Frame.Border = c(p.Border)
	s.Frame.BorderFocused = c(p.BorderFocus)
	s.Frame.Title = c(p.Muted).Bold(true)
	s.Frame.TitleFocused = c(p.Accent).Bold(true)
	s.Frame.Info = c(p.Muted)

	s.List.Time = c(p.Time)
	s.List.Topic = c(p.Topic)
	s.List.Ident = c(p.Ident)
	s.List.Summary = fg
	s.List.Flag = c(p.Warn).Bold(true)
	s.List.Selected = lipgloss.NewStyle().Foreground(p.SelFg).Background(p.SelBg).Reverse(isPlain(p))
	s.List.SelectedBlurred = lipgloss.NewStyle().Reverse(true)
	s.List.Hint = c(p.Muted)
	s.List.Paused = c(p.Warn).Bold(true)

	s.Detail.Label = c(p.Muted)
	s.Detail.Value = fg
	s.Detail.Muted = c(p.Faint)
	s.Detail.Warn = c(p.Warn)
	s.Detail.Rule = c(p.Border)
	s.Detail.Match = lipgloss.NewStyle().Foreground(p.SelFg).Background(p.Warn).Bold(true).Reverse(isPlain(p))
	s.Detail.Cursor = lipgloss.NewStyle().Background(p.Faint).Reverse(isPlain(p))
	s.Detail.Key = c(p.JSONKey)
	s.Detail.String = c(p.JSONStr)
	s.Detail.Number = c(p.JSONNum)
	s.Detail.Bool = c(p.JSONBool)
	s.Detail.Null = c(p.JSONNull)
	s.Detail.Punct = c(p.JSONPunct)
	s.Detail.Text = fg
	s.Detail.Bytes = c(p.Muted)

	s.Status.Bar = fg
	s.Status.OK = c(p.OK).Bold(true)
	s.Status.Warn = c(p.Warn).Bold(true)
	s.Status.Err = c(p.Err).Bold(true)
	s.Status.Muted = c(p.Muted)
	s.Status.Counter = fg
	s.Status.Key = c(p.Accent)

	s.Help.Key = c(p.Accent)
	s.Help.Desc = c(p.Muted)
	s.Help.Sep = c(p.Faint)

	s.Input.Prompt = c(p.Accent).Bold(true)
	s.Input.Text = fg
	s.Input.Error = c(p.Err)
	return s
}

func isPlain(p Palette) bool {
	_, ok := p.SelBg.(lipgloss.NoColor)
	return ok
}
