package headless

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Options are the mosquitto_sub flags that change how a template prints.
type Options struct {
	NoEOL  bool // -N: no newline after each message
	Pretty bool // --pretty: %j and %J indented as mosquitto_sub does
}

// spec is one compiled piece of a template: a literal, or a verb with
// mosquitto_sub's optional alignment, zero padding, width and precision
// (%-08.3t).
type spec struct {
	verb  byte   // 0: literal; '{': JSON field; '@': time field; else the verb letter
	lit   string // the literal; the field path for '{'; the Go layout for '@'
	flat  string // '{': the path with its dots escaped (flespi's flat keys)
	align byte   // '-': left-aligned
	pad   byte   // ' ' or '0'
	width int
	prec  int // -1: none
}

// template is a compiled -F template.
type template struct {
	specs  []spec
	eol    bool
	pretty bool
}

// ParseTemplate compiles a mosquitto_sub -F template with default options
// (a newline after each message). See Compile.
func ParseTemplate(tpl string) (Format, error) { return Compile(tpl, Options{}) }

// Compile compiles a mosquitto_sub -F template. Every mosquitto_sub 2.0
// verb prints what mosquitto_sub prints for the same message, with the same
// %[-][0][width][.precision] rules; hubtap adds %d (DUP flag) and %{path}
// (a JSON field of the payload). The receive time stands in for
// mosquitto_sub's print time. An error names the column and the verb and
// suggests the closest verb.
func Compile(tpl string, o Options) (Format, error) {
	t := &template{eol: !o.NoEOL, pretty: o.Pretty}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.specs = append(t.specs, spec{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(tpl); i++ {
		col := i + 1
		switch c := tpl[i]; c {
		case '\\':
			if i+1 >= len(tpl) {
				return nil, fmt.Errorf("template column %d: \\ at the end (use \\\\ for a backslash)", col)
			}
			i++
			e, ok := escapes[tpl[i]]
			if !ok {
				return nil, fmt.Errorf("template column %d: unknown escape \\%c (known: \\\\ \\0 \\a \\e \\n \\r \\t \\v)", col, tpl[i])
			}
			lit.WriteByte(e)
		case '@':
			if i+1 >= len(tpl) {
				return nil, fmt.Errorf("template column %d: @ at the end (use @@ for an at sign)", col)
			}
			i++
			if tpl[i] == '@' {
				lit.WriteByte('@')
				continue
			}
			layout, ok := timeFields[tpl[i]]
			if !ok {
				return nil, fmt.Errorf("template column %d: unknown time field @%c (known: %s)", col, tpl[i], timeFieldList)
			}
			flush()
			t.specs = append(t.specs, spec{verb: '@', lit: layout, prec: -1})
		case '%':
			s := spec{pad: ' ', prec: -1}
			j := i + 1
			if j < len(tpl) && tpl[j] == '-' {
				s.align = '-'
				j++
			}
			if j < len(tpl) && tpl[j] == '0' {
				s.pad = '0'
				j++
			}
			for ; j < len(tpl) && tpl[j] >= '0' && tpl[j] <= '9'; j++ {
				s.width = min(s.width*10+int(tpl[j]-'0'), 1<<16)
			}
			if j < len(tpl) && tpl[j] == '.' {
				s.prec = 0
				for j++; j < len(tpl) && tpl[j] >= '0' && tpl[j] <= '9'; j++ {
					s.prec = min(s.prec*10+int(tpl[j]-'0'), 1<<16)
				}
			}
			if j >= len(tpl) {
				return nil, fmt.Errorf("template column %d: %q ends without a verb (use %%%% for a percent sign)", col, tpl[i:])
			}
			i = j
			switch v := tpl[i]; {
			case v == '%':
				lit.WriteByte('%')
				continue
			case v == '{':
				end := strings.IndexByte(tpl[i:], '}')
				if end < 2 {
					return nil, fmt.Errorf("template column %d: %%{ needs a field path and a closing }, as in %%{position.speed}", col)
				}
				s.verb, s.lit = '{', tpl[i+1:i+end]
				s.flat = gjson.Escape(s.lit) // flespi's flat keys ("position.speed") first
				i += end
			case strings.IndexByte(verbLetters, v) >= 0:
				s.verb = v
			default:
				return nil, fmt.Errorf("template column %d: unknown verb %%%c%s", col, v, suggest(v))
			}
			flush()
			t.specs = append(t.specs, s)
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return t.format, nil
}

// verbLetters are the verbs: mosquitto_sub's, and hubtap's %d.
const verbLetters = "ACDEFIjJlmpPqrRStUxXd"

var escapes = map[byte]byte{'\\': '\\', '0': 0, 'a': '\a', 'e': 0x1b, 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// verbWords says what each verb prints, for suggestions and help.
var verbWords = map[byte]string{
	'A': "topic alias", 'C': "content type", 'D': "correlation data", 'E': "message expiry", 'F': "payload format indicator",
	'I': "ISO 8601 time", 'j': "JSON record, payload as a string", 'J': "JSON record, payload as JSON", 'l': "payload length",
	'm': "message id", 'p': "payload", 'P': "user properties", 'q': "QoS", 'r': "retain flag", 'R': "response topic",
	'S': "subscription identifier", 't': "topic", 'U': "Unix time", 'x': "payload as hex", 'X': "payload as upper-case hex",
	'd': "DUP flag",
}

// suggest names the closest verb to an unknown one: the same letter in the
// other case, or what printf habits usually mean.
func suggest(v byte) string {
	alt := v ^ 0x20
	switch {
	case v == 's' || v == 'v':
		return ": did you mean %p (payload) or %t (topic)?"
	case v == 'n':
		return `: did you mean \n (a newline)?`
	case v == 'T':
		return ": did you mean %t (topic)?"
	case v == 'L':
		return ": did you mean %l (payload length)?"
	case (v|0x20) >= 'a' && (v|0x20) <= 'z' && strings.IndexByte(verbLetters, alt) >= 0:
		return fmt.Sprintf(": did you mean %%%c (%s)?", alt, verbWords[alt])
	}
	return " (verbs: %t %p %q %r %l %m %x %X %j %J %I %U %P %C %D %E %F %R %S %A %d %{field} %%)"
}

// timeFields maps mosquitto_sub's @ time fields (strftime letters) to Go
// layouts; "s" and "N" are handled apart.
var timeFields = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'H': "15", 'I': "03", 'M': "04", 'S': "05", 'p': "PM",
	'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'j': "002", 'z': "-0700", 'Z': "MST",
	'F': "2006-01-02", 'T': "15:04:05", 'D': "01/02/06", 'R': "15:04", 's': "s", 'N': "N",
}

const timeFieldList = "@Y @y @m @d @e @H @I @M @S @p @b @h @B @a @A @j @z @Z @F @T @D @R @s @N @@"
