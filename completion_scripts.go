package main

import (
	"fmt"
	"strings"
)

// The completion scripts, generated from completionCommands and
// completionTopics (completion.go). Each is self-contained: the bash one
// needs no bash-completion package, the zsh one works sourced or from $fpath.

func bashCompletion() string {
	cmds := completionCommands()
	var topics []string
	for _, t := range completionTopics() {
		topics = append(topics, t.filter)
	}
	var b strings.Builder
	b.WriteString(`# bash completion for hubtap                              -*- shell-script -*-
# Load it now:   source <(hubtap completion bash)
# For every new shell, put that line in ~/.bashrc or run once:
#   hubtap completion bash > ~/.local/share/bash-completion/completions/hubtap

# _hubtap_words WORDS: the words that start with $cur.
_hubtap_words() {
    local IFS=$' \t\n'
    mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$1" -- "$cur")
}

_hubtap_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -P "$prefix" -f -- "$cur")
}

# _hubtap_flags CMD: the flags of hubtap (CMD empty) or of a subcommand.
_hubtap_flags() {
    case $1 in
`)
	for _, c := range cmds {
		var names []string
		for _, f := range c.flags {
			names = append(names, f.dashed())
		}
		fmt.Fprintf(&b, "    '%s') echo '%s' ;;\n", c.name, strings.Join(names, " "))
	}
	b.WriteString(`    esac
}

# _hubtap_value CMD FLAG: completes FLAG's value; fails when FLAG takes none.
_hubtap_value() {
    case "$1:$2" in
`)
	for _, c := range cmds {
		for _, f := range c.flags {
			switch f.arg {
			case argText:
				fmt.Fprintf(&b, "    '%s:%s') ;;\n", c.name, f.name)
			case argFile:
				fmt.Fprintf(&b, "    '%s:%s') _hubtap_files ;;\n", c.name, f.name)
			case argWords:
				fmt.Fprintf(&b, "    '%s:%s') _hubtap_words '%s' ;;\n", c.name, f.name, strings.Join(f.words, " "))
			}
		}
	}
	b.WriteString(`    *) return 1 ;;
    esac
}

# _hubtap_args CMD: completes a positional argument.
_hubtap_args() {
    case $1 in
`)
	for _, c := range cmds {
		action := ""
		switch c.args {
		case argTopics:
			action = `_hubtap_words "$topics"`
			if c.name == "" {
				action = `if (( cword == 1 )); then _hubtap_words "` + strings.Join(subcommandNames(cmds), " ") +
					` $topics"; else _hubtap_words "$topics"; fi`
			}
		case argFile:
			action = "_hubtap_files"
		case argWords:
			action = fmt.Sprintf("(( cword == 2 )) && _hubtap_words '%s'", strings.Join(c.words, " "))
		default:
			action = ":"
		}
		fmt.Fprintf(&b, "    '%s') %s ;;\n", c.name, action)
	}
	fmt.Fprintf(&b, `    esac
}

_hubtap() {
    local topics='%s'
    local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= flag= prefix=
    COMPREPLY=()
    (( cword > 0 )) && prev=${COMP_WORDS[cword-1]}
    if (( cword > 1 )); then
        case ${COMP_WORDS[1]} in %s) cmd=${COMP_WORDS[1]} ;; esac
    fi

    # A flag's value: "--flag value" or "--flag=value", which bash splits at
    # "=" when COMP_WORDBREAKS has it (the default).
    if [[ $cur == = && $prev == -* ]]; then
        flag=$prev cur=
    elif [[ $prev == = ]] && (( cword > 1 )) && [[ ${COMP_WORDS[cword-2]} == -* ]]; then
        flag=${COMP_WORDS[cword-2]}
    elif [[ $cur == -*=* ]]; then
        flag=${cur%%%%=*} prefix=${cur%%%%=*}= cur=${cur#*=}
    elif [[ $prev == -?* ]]; then
        flag=$prev
    fi
    if [[ -n $flag ]]; then
        flag=${flag#-} && flag=${flag#-}
        _hubtap_value "$cmd" "$flag" && return 0
        prefix= # a boolean flag: complete the next word as usual
    fi

    if [[ $cur == -* ]]; then
        _hubtap_words "$(_hubtap_flags "$cmd")"
        return 0
    fi
    cur=${cur#[\"\']} # an opening quote is not part of the word
    _hubtap_args "$cmd"
    return 0
}

complete -F _hubtap hubtap
`, strings.Join(topics, " "), strings.Join(subcommandNames(cmds), "|"))
	return b.String()
}

// zshDesc escapes s for a description inside a single-quoted _arguments or
// _describe spec.
func zshDesc(s string) string {
	return strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}

func zshCompletion() string {
	cmds := completionCommands()
	var b strings.Builder
	b.WriteString(`#compdef hubtap
# zsh completion for hubtap
# Load it now (after compinit):  source <(hubtap completion zsh)
# Or install it for every shell:  hubtap completion zsh > "${fpath[1]}/_hubtap"

_hubtap_topics() {
  local -a topics
  topics=(
`)
	for _, t := range completionTopics() {
		fmt.Fprintf(&b, "    '%s:%s'\n", zshDesc(t.filter), zshDesc(t.desc))
	}
	b.WriteString(`  )
  _describe -t topics 'topic filter' topics
}

_hubtap_first() {
  if (( CURRENT == 2 )); then
    local -a cmds
    cmds=(
`)
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "      '%s:%s'\n", c.name, zshDesc(c.desc))
		}
	}
	b.WriteString(`    )
    _describe -t commands 'hubtap command' cmds
  fi
  _hubtap_topics
}
`)
	for _, c := range cmds {
		fn := "_hubtap"
		if c.name != "" {
			fn += "_" + c.name
		}
		fmt.Fprintf(&b, "\n%s() {\n", fn)
		if c.name == "" {
			fmt.Fprintf(&b, `  local curcontext="$curcontext"
  if (( CURRENT > 2 )); then
    case $words[2] in
      (%s)
        local cmd=$words[2]
        shift words
        (( CURRENT-- ))
        curcontext="${curcontext%%:*:*}:hubtap-$cmd:"
        _hubtap_$cmd
        return
        ;;
    esac
  fi
`, strings.Join(subcommandNames(cmds), "|"))
		}
		b.WriteString("  _arguments -S")
		for _, f := range c.flags {
			d := zshDesc(f.desc)
			eq := "="
			if len(f.name) == 1 {
				eq = "" // -F value
			}
			switch f.arg {
			case argNone:
				fmt.Fprintf(&b, " \\\n    '%s[%s]'", f.dashed(), d)
			case argText:
				fmt.Fprintf(&b, " \\\n    '%s%s[%s]:%s: '", f.dashed(), eq, d, f.name)
			case argFile:
				fmt.Fprintf(&b, " \\\n    '%s%s[%s]:file:_files'", f.dashed(), eq, d)
			case argWords:
				fmt.Fprintf(&b, " \\\n    '%s%s[%s]:%s:(%s)'", f.dashed(), eq, d, f.name, strings.Join(f.words, " "))
			}
		}
		switch c.args {
		case argTopics:
			if c.name == "" {
				b.WriteString(" \\\n    '1: :_hubtap_first'")
			}
			b.WriteString(" \\\n    '*: :_hubtap_topics'")
		case argFile:
			b.WriteString(" \\\n    '1:recording:_files'")
		case argWords:
			fmt.Fprintf(&b, " \\\n    '1:%s:(%s)'", c.name, strings.Join(c.words, " "))
		}
		b.WriteString("\n}\n")
	}
	b.WriteString(`
if [[ $funcstack[1] == _hubtap ]]; then
  _hubtap "$@" # autoloaded from $fpath
else
  compdef _hubtap hubtap # sourced
fi
`)
	return b.String()
}

// fishQuote quotes s as one fish word.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fishCompletion() string {
	cmds := completionCommands()
	subs := strings.Join(subcommandNames(cmds), " ")
	var b strings.Builder
	fmt.Fprintf(&b, `# fish completion for hubtap
# Load it now:  hubtap completion fish | source
# Install it:   hubtap completion fish > ~/.config/fish/completions/hubtap.fish

# __hubtap_in CMD: the command line is for subcommand CMD (main: hubtap itself).
function __hubtap_in --argument-names want
    set -l words (commandline -opc)
    set -l cmd main
    if set -q words[2]; and contains -- $words[2] %s
        set cmd $words[2]
    end
    test "$cmd" = "$want"
end

function __hubtap_first
    test (count (commandline -opc)) -eq 1
end

complete -c hubtap -e
complete -c hubtap -f
`, subs)
	for _, c := range cmds {
		if c.name != "" {
			fmt.Fprintf(&b, "complete -c hubtap -n __hubtap_first -a %s -d %s\n", c.name, fishQuote(c.desc))
		}
	}
	for _, c := range cmds {
		name := c.name
		if name == "" {
			name = "main"
		}
		cond := fishQuote("__hubtap_in " + name)
		fmt.Fprintf(&b, "\n# hubtap %s\n", strings.TrimSpace(c.name+" [flags]"))
		for _, f := range c.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			val := ""
			switch f.arg {
			case argText:
				val = " -x"
			case argFile:
				val = " -r -F"
			case argWords:
				val = " -x -a " + fishQuote(strings.Join(f.words, " "))
			}
			fmt.Fprintf(&b, "complete -c hubtap -n %s %s%s -d %s\n", cond, opt, val, fishQuote(f.desc))
		}
		switch c.args {
		case argTopics:
			for _, t := range completionTopics() {
				fmt.Fprintf(&b, "complete -c hubtap -n %s -a %s -d %s\n", cond, fishQuote(t.filter), fishQuote(t.desc))
			}
		case argFile:
			fmt.Fprintf(&b, "complete -c hubtap -n %s -F\n", cond)
		case argWords:
			first := fishQuote("__hubtap_in " + c.name + "; and test (count (commandline -opc)) -eq 2")
			fmt.Fprintf(&b, "complete -c hubtap -n %s -a %s\n", first, fishQuote(strings.Join(c.words, " ")))
		}
	}
	return b.String()
}
