package common

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Input is the one-line text input every dialog uses (the prompt, the
// palette, the publish and REST forms), so they all behave alike:
//
//   - a prefilled value is "selected": the first key that types text (or
//     deletes) replaces it, any movement key keeps it for editing;
//   - an error set by the owner is shown until the next edit clears it.
//
// It wraps bubbles' textinput; Update returns the concrete type.
type Input struct {
	textinput.Model
	fresh bool   // the value is prefilled and not yet edited
	err   string // shown by the owner; cleared on the next edit
}

// NewInput returns an empty, blurred input.
func NewInput() Input {
	in := textinput.New()
	in.CharLimit = 1 << 20
	return Input{Model: in}
}

// Prefill sets a value that the first typed key replaces.
func (in *Input) Prefill(v string) {
	in.SetValue(v)
	in.CursorEnd()
	in.fresh = v != ""
}

// SetText sets a value to edit (it is not replaced by typing).
func (in *Input) SetText(v string) {
	in.SetValue(v)
	in.CursorEnd()
	in.fresh = false
}

// Fresh reports whether the value is still the untouched prefill.
func (in Input) Fresh() bool { return in.fresh }

// SetError shows err's text until the next edit ("" or nil clears it).
func (in *Input) SetError(err error) {
	in.err = ""
	if err != nil {
		in.err = err.Error()
	}
}

// Error returns the error on show ("" none).
func (in Input) Error() string { return in.err }

// Update edits the value. A key that types text or deletes replaces a fresh
// prefill; any change of the value clears the error.
func (in Input) Update(msg tea.Msg) (Input, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && in.fresh {
		switch s := kp.String(); {
		case kp.Text != "" && kp.Mod&^tea.ModShift == 0: // printable (shift allowed)
			in.SetValue("")
			in.fresh = false
		case s == "backspace" || s == "delete" || s == "ctrl+u" || s == "ctrl+w":
			in.SetValue("")
			in.fresh = false
			in.err = ""
			return in, nil
		case s == "left" || s == "right" || s == "home" || s == "end" || s == "ctrl+a" || s == "ctrl+e":
			in.fresh = false // the user edits the prefill
		}
	}
	before := in.Value()
	var cmd tea.Cmd
	in.Model, cmd = in.Model.Update(msg)
	if in.Value() != before {
		in.err = ""
		in.fresh = false
	}
	return in, cmd
}
