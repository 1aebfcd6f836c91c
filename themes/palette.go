// Package themes turns a colour palette into the lipgloss styles every UI
// component reads. Styles are built once per theme (Build) and shared
// read-only; nothing else in hubtap calls lipgloss.NewStyle.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette holds semantic colour tokens only. A theme is a Palette.
type Palette struct {
	Name                                    string
	Fg, Muted, Faint, Accent                color.Color
	Border, BorderFocus                     color.Color
	SelFg, SelBg                            color.Color
	OK, Warn, Err                           color.Color
	JSONKey, JSONStr, JSONNum, JSONBool     color.Color
	JSONNull, JSONPunct, Topic, Ident, Time color.Color
}

// Dark is the default palette for dark terminal backgrounds.
func Dark() Palette {
	return Palette{
		Name:  "dark",
		Fg:    lipgloss.Color("#D8DEE9"),
		Muted: lipgloss.Color("#8A93A6"), Faint: lipgloss.Color("#5C6370"),
		Accent: lipgloss.Color("#7AA2F7"),
		Border: lipgloss.Color("#4C566A"), BorderFocus: lipgloss.Color("#7AA2F7"),
		SelFg: lipgloss.Color("#1A1B26"), SelBg: lipgloss.Color("#7AA2F7"),
		OK: lipgloss.Color("#9ECE6A"), Warn: lipgloss.Color("#E0AF68"), Err: lipgloss.Color("#F7768E"),
		JSONKey: lipgloss.Color("#7DCFFF"), JSONStr: lipgloss.Color("#9ECE6A"),
		JSONNum: lipgloss.Color("#FF9E64"), JSONBool: lipgloss.Color("#BB9AF7"),
		JSONNull: lipgloss.Color("#F7768E"), JSONPunct: lipgloss.Color("#8A93A6"),
		Topic: lipgloss.Color("#7DCFFF"), Ident: lipgloss.Color("#E0AF68"), Time: lipgloss.Color("#8A93A6"),
	}
}

// Light is the palette for light terminal backgrounds.
func Light() Palette {
	return Palette{
		Name:  "light",
		Fg:    lipgloss.Color("#2E3440"),
		Muted: lipgloss.Color("#5E6675"), Faint: lipgloss.Color("#9AA1AD"),
		Accent: lipgloss.Color("#2457C5"),
		Border: lipgloss.Color("#B0B7C3"), BorderFocus: lipgloss.Color("#2457C5"),
		SelFg: lipgloss.Color("#FFFFFF"), SelBg: lipgloss.Color("#2457C5"),
		OK: lipgloss.Color("#2E7D32"), Warn: lipgloss.Color("#A66300"), Err: lipgloss.Color("#C62828"),
		JSONKey: lipgloss.Color("#005F87"), JSONStr: lipgloss.Color("#2E7D32"),
		JSONNum: lipgloss.Color("#B35900"), JSONBool: lipgloss.Color("#7B1FA2"),
		JSONNull: lipgloss.Color("#C62828"), JSONPunct: lipgloss.Color("#5E6675"),
		Topic: lipgloss.Color("#005F87"), Ident: lipgloss.Color("#A66300"), Time: lipgloss.Color("#5E6675"),
	}
}

// HighContrast is for low vision, bright rooms and washed-out projectors:
// white text and borders, saturated colours from the 16-colour set's bright
// half, black on yellow for the selection. It assumes a dark background.
func HighContrast() Palette {
	return Palette{
		Name:  "high-contrast",
		Fg:    lipgloss.Color("#FFFFFF"),
		Muted: lipgloss.Color("#E4E4E4"), Faint: lipgloss.Color("#C6C6C6"),
		Accent: lipgloss.Color("#FFFF00"),
		Border: lipgloss.Color("#FFFFFF"), BorderFocus: lipgloss.Color("#FFFF00"),
		SelFg: lipgloss.Color("#000000"), SelBg: lipgloss.Color("#FFFF00"),
		OK: lipgloss.Color("#00FF00"), Warn: lipgloss.Color("#FFFF00"), Err: lipgloss.Color("#FF5F5F"),
		JSONKey: lipgloss.Color("#00FFFF"), JSONStr: lipgloss.Color("#00FF00"),
		JSONNum: lipgloss.Color("#FFAF00"), JSONBool: lipgloss.Color("#FF87FF"),
		JSONNull: lipgloss.Color("#FF5F5F"), JSONPunct: lipgloss.Color("#FFFFFF"),
		Topic: lipgloss.Color("#00FFFF"), Ident: lipgloss.Color("#FFFF00"), Time: lipgloss.Color("#E4E4E4"),
	}
}

// Plain has no colours at all: for NO_COLOR-like output and golden tests.
// Selection still shows, as reverse video.
func Plain() Palette {
	n := lipgloss.NoColor{}
	return Palette{Name: "plain", Fg: n, Muted: n, Faint: n, Accent: n, Border: n, BorderFocus: n,
		SelFg: n, SelBg: n, OK: n, Warn: n, Err: n, JSONKey: n, JSONStr: n, JSONNum: n, JSONBool: n,
		JSONNull: n, JSONPunct: n, Topic: n, Ident: n, Time: n}
}

// Names lists the themes ByName knows, for help, completion and errors.
func Names() []string { return []string{"dark", "light", "high-contrast", "plain"} }

// ByName returns the palette called name (see Names).
func ByName(name string) (Palette, bool) {
	switch name {
	case "dark":
		return Dark(), true
	case "light":
		return Light(), true
	case "high-contrast", "contrast", "hc":
		return HighContrast(), true
	case "plain", "none", "mono":
		return Plain(), true
	}
	return Palette{}, false
}
