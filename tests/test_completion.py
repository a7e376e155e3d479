"""Shell completion: `confgen completion bash` sourced in a real bash, which is asked to complete as it does when
Tab is pressed (COMP_WORDS and COMP_CWORD set, the completion function called); and the zsh script read by zsh."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from confgen.cli import _parser
from confgen.completion import FLAG, FOLDER, WORDS, Command, commands

BASH = shutil.which("bash")


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = subprocess.run([sys.executable, "-m", "confgen", "completion", "bash"], capture_output=True, text=True,
                            check=True)
    path = tmp_path_factory.mktemp("completion") / "confgen.bash"
    path.write_text(result.stdout, encoding="utf-8")
    return path


def complete(script: Path, words: list[str], cwd: Path | None = None) -> list[str]:
    """What bash offers when Tab is pressed after ``words`` (the last is the word being typed; split as bash
    splits a line, '=' being a word of its own)."""
    assert BASH is not None
    program = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
               'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _confgen; printf "%s\\n" "${COMPREPLY[@]}"')
    result = subprocess.run([BASH, "--norc", "--noprofile", "-c", program, "bash", str(script), *words],
                            capture_output=True, text=True, check=False, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return [line for line in result.stdout.splitlines() if line]


pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


@pytest.mark.parametrize(("words", "offered"), [
    (["confgen", "val"], ["validate"]),
    (["confgen", ""], ["validate", "build", "init", "rules", "schema", "preview", "probe", "completion"]),
    (["confgen", "preview", "--pdf"], ["--pdf-variant"]),
    (["confgen", "validate", "--fo"], ["--format"]),
    (["confgen", "validate", "--format", ""], ["auto", "text", "json", "github", "sarif"]),
    (["confgen", "validate", "--format", "=", "s"], ["sarif"]),  # --format=s
    (["confgen", "build", "--strict", "--pdf-variant", "pdf/ua"], ["pdf/ua-1"]),
    (["confgen", "build", "-j", "2", "--no-st"], ["--no-strict"]),
    (["confgen", "probe", ""], ["scp", "scu"]),
    (["confgen", "probe", "scp", "--ho"], ["--host"]),
    (["confgen", "-q", "validate", "-"], None),  # no error, whatever is offered
    (["confgen", "completion", ""], ["bash", "zsh"]),
])
def test_bash_completes_commands_options_and_choices(script: Path, words: list[str],
                                                     offered: list[str] | None) -> None:
    found = complete(script, words)
    if offered is not None:
        assert found == offered


def test_bash_completes_files_and_folders_where_the_parser_takes_them(script: Path, tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profile.yaml").write_text("confgen: 1\n", encoding="utf-8")
    (tmp_path / "my device.yaml").write_text("confgen: 1\n", encoding="utf-8")
    assert sorted(complete(script, ["confgen", "validate", "pro"], tmp_path)) == ["profile.yaml", "profiles"]
    assert complete(script, ["confgen", "validate", "my"], tmp_path) == ["my device.yaml"], "a name with a space"
    assert complete(script, ["confgen", "build", "profile.yaml", "-o", "pro"], tmp_path) == ["profiles"]
    assert complete(script, ["confgen", "build", "--templates", "pro"], tmp_path) == ["profiles"]


def _every(command: Command) -> list[Command]:
    return [command, *(c for sub in command.subcommands.values() for c in _every(sub))]


def test_bash_completes_every_option_and_choice_of_the_parser(script: Path) -> None:
    # Whatever option a command gets later is offered without a change to the completion code.
    every = _every(commands(_parser()))
    assert {" ".join(c.path) for c in every} >= {"validate", "build", "probe scp", "probe scu", "completion"}
    for command in every:
        line = ["confgen", *command.path]
        assert complete(script, [*line, "--"]) == [f for o in command.options for f in o.flags if f.startswith("--")]
        for option in command.options:
            if option.takes == WORDS:
                assert complete(script, [*line, option.flags[-1], ""]) == list(option.words), option.flags
            elif option.takes == FLAG:
                assert "--help" in complete(script, [*line, option.flags[-1], "--h"]), "a flag takes no value"
        if command.subcommands:
            assert complete(script, [*line, ""]) == list(command.subcommands)


def test_an_option_added_to_the_parser_is_completed(tmp_path: Path) -> None:
    from confgen.completion import bash_script

    parser = _parser()
    validate = next(a for a in parser._actions if a.dest == "command").choices["validate"]  # type: ignore[index]
    validate.add_argument("--brand-new", choices=("one", "two"))
    script = tmp_path / "c.bash"
    script.write_text(bash_script(parser), encoding="utf-8")
    assert complete(script, ["confgen", "validate", "--bra"]) == ["--brand-new"]
    assert complete(script, ["confgen", "validate", "--brand-new", ""]) == ["one", "two"]


def test_the_folder_options_are_the_ones_that_take_a_folder() -> None:
    build = commands(_parser()).subcommands["build"]
    assert {o.flags[-1] for o in build.options if o.takes == FOLDER} == {"--output", "--templates"}


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_script_is_read_by_zsh_and_defines_its_functions(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "confgen", "completion", "zsh"], capture_output=True, text=True,
                            check=True)
    assert result.stdout.startswith("#compdef confgen\n")
    (tmp_path / "_confgen").write_text(result.stdout, encoding="utf-8")
    zsh = shutil.which("zsh")
    assert zsh is not None
    assert subprocess.run([zsh, "-n", str(tmp_path / "_confgen")], capture_output=True, check=False).returncode == 0
    # Loaded as a completion function by zsh's completion system, it defines one function per command.
    program = (f'fpath=({tmp_path} $fpath); autoload -Uz compinit; compinit -u -D; autoload -Uz _confgen; '
               '_confgen 2>/dev/null; print -l ${(k)functions[(I)_confgen*]}')
    listed = subprocess.run([zsh, "-f", "-c", program], capture_output=True, text=True, check=False)
    assert {"_confgen", "_confgen_validate", "_confgen_probe_scp"} <= set(listed.stdout.split()), listed.stderr


class _Terminal:
    """An interactive zsh in a pseudo-terminal, with the completion system on and confgen's function in $fpath."""

    def __init__(self, fpath: Path) -> None:
        import os
        import pty

        zsh = shutil.which("zsh")
        assert zsh is not None
        environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "TERM": "dumb"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: zsh without any user's startup files
            os.execve(zsh, [zsh, "-f", "-i"], environment)
        self.type(f"PS1='ready> '; fpath=({fpath} $fpath); autoload -Uz compinit; compinit -u -D; echo started\n")
        self.until("started")

    def type(self, text: str) -> None:
        import os

        os.write(self.fd, text.encode())

    def until(self, wanted: str, timeout: float = 60) -> str:
        """What the terminal shows until ``wanted`` appears in it (a bound, not a wait)."""
        import os
        import select
        import time

        shown = ""
        deadline = time.monotonic() + timeout
        while wanted not in shown:
            assert time.monotonic() < deadline, f"{wanted!r} never appeared; the terminal shows {shown[-500:]!r}"
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                shown += os.read(self.fd, 65536).decode(errors="replace")
        return shown

    def close(self) -> None:
        import os
        import signal

        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
@pytest.mark.parametrize(("typed", "shown"), [
    ("confgen vali\t", "confgen validate "),
    ("confgen validate --fo\t", "confgen validate --format "),
    ("confgen build --pdf-variant pdf/u\t", "--pdf-variant pdf/ua-1"),
    ("confgen probe s\t\t", "scu  -- play the SCP"),
    ("confgen validate --format \t\t", "sarif"),
])
def test_zsh_completes_as_tab_is_pressed(tmp_path: Path, typed: str, shown: str) -> None:
    result = subprocess.run([sys.executable, "-m", "confgen", "completion", "zsh"], capture_output=True, text=True,
                            check=True)
    (tmp_path / "_confgen").write_text(result.stdout, encoding="utf-8")
    terminal = _Terminal(tmp_path)
    try:
        terminal.type(typed)
        terminal.until(shown)
    finally:
        terminal.close()
