package filters

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNilAndLimits(t *testing.T) {
	cases := []struct {
		src     string
		wantNil bool
		wantErr string
	}{
		{src: "", wantNil: true},
		{src: "  \t\n", wantNil: true},
		{src: "bad \xff utf8", wantErr: "not valid UTF-8"},
		{src: strings.Repeat("x", MaxLen+1), wantErr: "longer than the 4096-byte limit"},
		{src: strings.Repeat("x", MaxLen)},
	}
	for _, c := range cases {
		t.Run(clip(c.src), func(t *testing.T) {
			f, err := Parse(c.src)
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || f != nil {
					t.Fatalf("Parse = %v, %v; want error containing %q", f, err, c.wantErr)
				}
			case err != nil:
				t.Fatalf("Parse: %v", err)
			case c.wantNil != (f == nil):
				t.Fatalf("Parse = %v, want nil: %v", f, c.wantNil)
			}
		})
	}
	if _, err := Parse("\xc3"); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("err = %v, want ErrInvalidUTF8", err)
	}
}

// TestParseString checks the canonical form: keywords become symbols,
// strings get double quotes, parentheses only where precedence needs them.
func TestParseString(t *testing.T) {
	cases := []struct{ src, want string }{
		{src: "  Truck 17 ", want: "Truck 17"}, // free text as a whole: as typed
		{src: "DEVICES/182083", want: "DEVICES/182083"},
		{src: "Warsaw, Poland", want: "Warsaw, Poland"},
		{src: "Größe", want: "Größe"},
		{src: "a or b and not c", want: "a || b && !c"},
		{src: "a OR b AND NOT c", want: "a || b && !c"},
		{src: "(a || b) && c", want: "(a || b) && c"},
		{src: "a || (b && c)", want: "a || b && c"},
		{src: "a && (b && c)", want: "a && b && c"},
		{src: "((a))", want: "a"},
		{src: "!!a", want: "!!a"},
		{src: "! ( x == 1 )", want: "!(x == 1)"},
		{src: "not (a or b)", want: "!(a || b)"},
		{src: "!exists( a.b )", want: "!exists(a.b)"},
		{src: "x=='a'", want: `x == "a"`},
		{src: `x != 'it\'s'`, want: `x != "it's"`},
		{src: "x<1&&y<=2||z>3&&w>=4", want: "x < 1 && y <= 2 || z > 3 && w >= 4"},
		{src: `x in [1,"b" , true,null, FALSE]`, want: `x in [1, "b", true, null, false]`},
		{src: "x NOT IN []", want: "x not in []"},
		{src: `name contains 'TRUCK'`, want: `name contains "TRUCK"`},
		{src: `ident contains 4561`, want: `ident contains 4561`},
		{src: `x =~ "\d+\.\d"`, want: `x =~ "\\d+\\.\\d"`},
		{src: `x !~ "a\nb\u0001"`, want: `x !~ "a\nb\u0001"`},
		{src: `topic ~= "a/+/c"`, want: `topic ~= "a/+/c"`},
		{src: `"Truck 17" && position.speed > 80`, want: `"Truck 17" && position.speed > 80`},
		{src: `'Truck 17'`, want: `"Truck 17"`},
		{src: `-5 && x`, want: `-5 && x`},
		{src: "`a b`.c == 1 && prop.`x y` == 2", want: "`a b`.c == 1 && prop.`x y` == 2"},
		{src: `x == "\uD83D\uDE00"`, want: `x == "😀"`},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			f, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := f.String(); got != c.want {
				t.Fatalf("String() = %q, want %q", got, c.want)
			}
			g, err := Parse(f.String())
			if err != nil || g.String() != f.String() {
				t.Fatalf("String does not round-trip: %q -> %v, %v", f.String(), g, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("(", n) + "a" + strings.Repeat(")", n) }
	cases := []struct {
		src     string
		col     int
		wantMsg string
	}{
		{src: "position.speed >", col: 17, wantMsg: "expected a value after >"},
		{src: "position.speed >   ", col: 17, wantMsg: "expected a value after >"},
		{src: `ident == "abc`, col: 10, wantMsg: "unclosed string"},
		{src: `ident == 'abc\'`, col: 10, wantMsg: "unclosed string"},
		{src: "(a == 1", col: 1, wantMsg: "unbalanced parenthesis: ( is never closed"},
		{src: "a == 1)", col: 7, wantMsg: "unbalanced parenthesis: ) without ("},
		{src: "(a || (b)", col: 1, wantMsg: "unbalanced parenthesis"},
		{src: "a === 1", col: 3, wantMsg: "unknown operator ==="},
		{src: "a = 1", col: 3, wantMsg: "unknown operator =; use =="},
		{src: "a => 1", col: 3, wantMsg: "unknown operator =>"},
		{src: "speed > > 3", col: 9, wantMsg: "expected a value after >"},
		{src: `x =~ "("`, col: 6, wantMsg: "bad regex: missing closing )"},
		{src: `x =~ 5`, col: 6, wantMsg: `expected a value after =~; want a "string"`},
		{src: "a &&", col: 5, wantMsg: "expected a term after &&"},
		{src: "&& a", col: 1, wantMsg: "expected a term before &&"},
		{src: "a & b", col: 3, wantMsg: "unknown operator &; use &&"},
		{src: "a ||| b", col: 3, wantMsg: "unknown operator |||"},
		{src: "()", col: 2, wantMsg: "expected a term before )"},
		{src: "!", col: 2, wantMsg: "expected a term after !"},
		{src: "truck 17 && x > 1", col: 7, wantMsg: `expected && or || before 17; quote phrases: "truck 17"`},
		{src: "x == 1 y == 2", col: 8, wantMsg: "expected && or || before y"},
		{src: "80 < speed", col: 1, wantMsg: "the left side of < must be a field"},
		{src: `"a" in [1]`, col: 1, wantMsg: "the left side of in must be a field"},
		{src: "x in 1", col: 6, wantMsg: "expected [ after in"},
		{src: "x in [1, 2", col: 6, wantMsg: "unclosed ["},
		{src: "x in [1,]", col: 9, wantMsg: "expected a value after ,"},
		{src: "x in [1 2]", col: 9, wantMsg: "expected , or ] in the list"},
		{src: "x == online", col: 6, wantMsg: `expected a value after ==; want "online" in quotes`},
		{src: "x contains", col: 11, wantMsg: "expected a value after contains"},
		{src: `topic ~= "a/#/b"`, col: 10, wantMsg: "bad topic filter: "},
		{src: "exists(x", col: 7, wantMsg: "unbalanced parenthesis: ( is never closed"},
		{src: "exists()", col: 8, wantMsg: "expected a field name in exists( )"},
		{src: "exists(x y)", col: 10, wantMsg: "expected ) after x"},
		{src: "prop == 1", col: 1, wantMsg: "prop needs a name"},
		{src: "a..b == 1", col: 3, wantMsg: "empty path segment"},
		{src: "a. == 1", col: 3, wantMsg: "empty path segment"},
		{src: "`a`b == 1", col: 4, wantMsg: "a `quoted` key must be a whole path segment"},
		{src: "`` == 1", col: 1, wantMsg: "empty `` key"},
		{src: "`abc == 1", col: 1, wantMsg: "unclosed `"},
		{src: "`abc` && x", col: 1, wantMsg: "backticks quote field names"},
		{src: `x == "a\uZZZZ"`, col: 8, wantMsg: `bad \u escape`},
		{src: "größe ==", col: 9, wantMsg: "expected a value after =="},
		{src: "名前 === 1", col: 4, wantMsg: "unknown operator ==="},
		{src: deep(MaxDepth + 1), col: MaxDepth + 1, wantMsg: "nested too deeply"},
		{src: strings.Repeat("!", MaxDepth+1) + "a", col: MaxDepth + 1, wantMsg: "nested too deeply"},
		{src: strings.Repeat("not ", MaxDepth+1) + "a", col: 4*MaxDepth + 1, wantMsg: "nested too deeply"},
	}
	for _, c := range cases {
		t.Run(clip(c.src), func(t *testing.T) {
			f, err := Parse(c.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse = %v, %v; want a *SyntaxError", f, err)
			}
			if f != nil {
				t.Fatal("a filter came back along with the error")
			}
			if se.Col != c.col || !strings.HasPrefix(se.Msg, c.wantMsg) || se.Src != c.src {
				t.Fatalf("error = col %d %q (src %q); want col %d %q", se.Col, se.Msg, se.Src, c.col, c.wantMsg)
			}
		})
	}
	for _, ok := range []string{deep(MaxDepth), strings.Repeat("!", MaxDepth) + "a"} {
		if _, err := Parse(ok); err != nil {
			t.Errorf("depth %d must parse: %v", MaxDepth, err)
		}
	}
}

func TestSyntaxErrorText(t *testing.T) {
	cases := []struct{ src, wantErr, wantCaret string }{
		{src: "position.speed >", wantErr: "col 17: expected a value after >",
			wantCaret: "position.speed >\n                ^"},
		{src: `ident == "abc`, wantErr: "col 10: unclosed string",
			wantCaret: "ident == \"abc\n         ^"},
		{src: "\tx = 1", wantErr: "col 4: unknown operator =; use ==",
			wantCaret: " x = 1\n   ^"},
		{src: "名前 = 1", wantErr: "col 4: unknown operator =; use ==", // wide runes: two cells each
			wantCaret: "名前 = 1\n     ^"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, err := Parse(c.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v", err)
			}
			if se.Error() != c.wantErr {
				t.Errorf("Error() = %q, want %q", se.Error(), c.wantErr)
			}
			if se.Caret() != c.wantCaret {
				t.Errorf("Caret() =\n%s\nwant\n%s", se.Caret(), c.wantCaret)
			}
		})
	}
}
