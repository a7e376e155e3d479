"""Shell completion for bash and zsh, generated from the command line's own parser: every command, option and
choice that the parser has is completed, so that a new one needs no change here.

What the parser says is read once (``commands``): each command's subcommands, options (whether an option takes a
value, and how that value is completed: one of its choices, a file, a folder, or nothing), and what its
positional arguments are. The scripts hold that as data, with a small fixed function that walks the words typed.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from confgen import __version__
from confgen.records import field, record

# How an option's value, or a positional argument, is completed.
FLAG, WORDS, FILE, FOLDER, TEXT = "flag", "words", "file", "folder", "text"
_FOLDER_METAVARS = {"DIR"}
_FILE_METAVARS = {"FILE", "REPORT", "PROFILE", "NAME"}


@record(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes: str  # FLAG, WORDS, FILE, FOLDER or TEXT
    words: tuple[str, ...] = ()
    metavar: str = ""
    nargs: str | int | None = None


@record
class Command:
    path: tuple[str, ...]  # () for confgen itself, ("probe", "scp") for `confgen probe scp`
    help: str = ""
    subcommands: dict[str, Command] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    positionals: list[Option] = field(default_factory=list)  # flags are empty; several for nargs "*" or "+"


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), help_: str = "") -> Command:
    """What ``parser`` completes, with its subcommands'."""
    command = Command(path, help_)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                command.subcommands[name] = commands(subparser, (*path, name), helps.get(name, ""))
        elif action.option_strings:
            command.options.append(_option(action, tuple(action.option_strings)))
        elif action.help != argparse.SUPPRESS:
            command.positionals.append(_option(action, ()))
    return command


def _option(action: argparse.Action, flags: tuple[str, ...]) -> Option:
    help_ = (action.help or "").replace("%%", "%").split("; ")[0].split(" (")[0]
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    if action.nargs == 0:
        return Option(flags, help_, FLAG)
    if action.choices:
        kind, words = WORDS, tuple(str(choice) for choice in action.choices)
    else:
        kind = FOLDER if metavar in _FOLDER_METAVARS else FILE if action.type is Path or metavar in _FILE_METAVARS \
            else TEXT
        words = ()
    return Option(flags, help_, kind, words, metavar, action.nargs)


def _all(command: Command) -> list[Command]:
    return [command, *(c for sub in command.subcommands.values() for c in _all(sub))]


# -- bash ---------------------------------------------------------------------------------------------------------

_BASH_WALK = r'''
_confgen() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path="" word kind i=1
    # The command typed so far (the subcommands among the words before the cursor), skipping options' values.
    # With '=' in COMP_WORDBREAKS, as by default, --format=json arrives as three words: --format, =, json.
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            kind=$(_confgen_value "$path" "$word")
            if [[ ${COMP_WORDS[i+1]} == "=" ]]; then
                ((i += 2))
            elif [[ -n $kind && $kind != flag ]]; then
                ((i += 1))
            fi
        elif [[ " $(_confgen_commands "$path") " == *" $word "* ]]; then
            path=${path:+$path }$word
        fi
        ((i += 1))
    done
    local option=""
    if [[ $cur == "=" && $prev == -* ]]; then
        option=$prev cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD >= 2)) && [[ ${COMP_WORDS[COMP_CWORD-2]} == -* ]]; then
        option=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $prev == -* ]]; then
        option=$prev
    fi
    kind=""
    [[ -n $option ]] && kind=$(_confgen_value "$path" "$option")
    if [[ -n $kind && $kind != flag ]]; then
        _confgen_complete "$kind" "$cur"
    elif [[ $cur == -* ]]; then
        _confgen_complete "words $(_confgen_options "$path")" "$cur"
    elif [[ -n $(_confgen_commands "$path") ]]; then
        _confgen_complete "words $(_confgen_commands "$path")" "$cur"
    else
        _confgen_complete "$(_confgen_positional "$path")" "$cur"
    fi
}

_confgen_complete() {  # $1: how (words W..., file, folder, text), $2: what is typed
    COMPREPLY=()
    case $1 in
        words\ *) mapfile -t COMPREPLY < <(compgen -W "${1#words }" -- "$2") ;;
        file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
        folder) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
    esac
}

complete -F _confgen confgen
'''


def bash_script(parser: argparse.ArgumentParser) -> str:
    root = commands(parser)
    every = _all(root)
    lines = [f"# bash completion for confgen {__version__}, generated from its parser by `confgen completion bash`.",
             '# Load it from ~/.bashrc with: eval "$(confgen completion bash)"', "",
             "_confgen_commands() {  # the subcommands of the command $1", '    case "$1" in']
    lines += [f"        {_quoted(' '.join(c.path))}) echo {_quoted(' '.join(c.subcommands))} ;;" for c in every
              if c.subcommands]
    lines += ["    esac", "}", "", "_confgen_options() {  # the options of the command $1", '    case "$1" in']
    lines += [f"        {_quoted(' '.join(c.path))}) echo {_quoted(' '.join(f for o in c.options for f in o.flags))} ;;"
              for c in every]
    lines += ["    esac", "}", "",
              "_confgen_value() {  # how the value of option $2 of the command $1 is completed (flag: it takes none)",
              '    case "$1|$2" in']
    for command in every:
        for option in command.options:
            patterns = "|".join(_quoted(f"{' '.join(command.path)}|{flag}") for flag in option.flags)
            lines.append(f"        {patterns}) echo {_quoted(_how(option))} ;;")
    lines += ["    esac", "}", "", "_confgen_positional() {  # how the arguments of the command $1 are completed",
              '    case "$1" in']
    lines += [f"        {_quoted(' '.join(c.path))}) echo {_quoted(_how(c.positionals[0]))} ;;" for c in every
              if c.positionals and not c.subcommands]
    lines += ["    esac", "}"]
    return "\n".join(lines) + "\n" + _BASH_WALK


def _how(option: Option) -> str:
    return f"words {' '.join(option.words)}" if option.takes == WORDS else option.takes


def _quoted(text: str) -> str:
    # Always quoted, even when empty: a case pattern of its own.
    return shlex.quote(text) if text else '""'


# -- zsh ----------------------------------------------------------------------------------------------------------

def zsh_script(parser: argparse.ArgumentParser) -> str:
    root = commands(parser)
    lines = ["#compdef confgen",
             f"# zsh completion for confgen {__version__}, generated from its parser by `confgen completion zsh`.",
             '# Install it as _confgen in a folder of $fpath, such as: confgen completion zsh > "${fpath[1]}/_confgen"',
             ""]
    for command in _all(root):
        lines += _zsh_function(command)
    lines += ['_confgen "$@"']
    return "\n".join(lines) + "\n"


def _zsh_name(command: Command) -> str:
    return "_confgen" + "".join(f"_{part.replace('-', '_')}" for part in command.path)


def _zsh_function(command: Command) -> list[str]:
    specs = [_zsh_option(option) for option in command.options]
    lines = [f"{_zsh_name(command)}() {{"]
    if command.subcommands:
        lines += ['    local curcontext="$curcontext" state line', "    typeset -A opt_args", "    _arguments -C \\"]
        lines += [f"        {spec} \\" for spec in specs]
        lines += ["        ': :->command' \\", "        '*:: :->argument'", "    case $state in", "        command)",
                  "            local -a subcommands=("]
        lines += [f"                {_zsh_quoted(f'{name}:{_zsh_text(sub.help)}')}"
                  for name, sub in command.subcommands.items()]
        lines += ["            )", "            _describe -t commands 'confgen command' subcommands ;;",
                  "        argument)", '            curcontext="${curcontext%:*:*}:confgen-$words[1]:"',
                  "            case $words[1] in"]
        lines += [f"                {_zsh_quoted(name)}) {_zsh_name(sub)} ;;"
                  for name, sub in command.subcommands.items()]
        lines += ["            esac ;;", "    esac"]
    else:
        specs += [_zsh_positional(positional) for positional in command.positionals]
        lines += ["    _arguments \\"] + [f"        {spec} \\" for spec in specs[:-1]]
        lines += [f"        {specs[-1]}" if specs else "        '*: :'"]
    return [*lines, "}", ""]


def _zsh_action(option: Option) -> str:
    if option.takes == WORDS:
        return f"({' '.join(option.words)})"
    return {FILE: "_files", FOLDER: "_files -/"}.get(option.takes, " ")


def _zsh_option(option: Option) -> str:
    exclusive = f"({' '.join(option.flags)})" if len(option.flags) > 1 else ""
    names = option.flags[0] if len(option.flags) == 1 else "{" + ",".join(option.flags) + "}"
    described = f"[{_zsh_text(option.help)}]"
    value = "" if option.takes == FLAG else f":{option.metavar or 'VALUE'}:{_zsh_action(option)}"
    # The exclusion list and the description are quoted; the brace list of names is not, so that zsh expands it.
    return f"{_zsh_quoted(exclusive)}{names}{_zsh_quoted(described + value)}"


def _zsh_positional(option: Option) -> str:
    how = {"*": "*:", "+": "*:", "?": "::"}.get(str(option.nargs), ":")
    return _zsh_quoted(f"{how}{option.metavar}:{_zsh_action(option)}")


def _zsh_text(text: str) -> str:
    """A description inside an _arguments spec: brackets and colons would end it."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def _zsh_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'" if text else ""
