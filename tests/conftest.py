"""Shared helpers: the example profile as text to edit, and runs of the real command in-process."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import yaml

from confgen import source
from confgen.build import check
from confgen.cli import main
from confgen.profile import Profile
from confgen.render import render
from confgen.rules import ALL_RULES
from confgen.standard import available_editions
from confgen.starter import starter_profile
from confgen.statement import build_statement

# The network peers of the probe tests (storescp, Orthanc, SCPs written with pynetdicom), as fixtures.
pytest_plugins = ["peers"]


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' own user cache folder (the compiled templates, confgen.render.compiled_templates), for them and
    the commands they run: nothing from another run is used, and nothing is left in the user's."""
    from confgen.render import compiled_templates

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    compiled_templates.cache_clear()
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before
    compiled_templates.cache_clear()

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "profiles" / "acme-ct.yaml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) (?P<rule>[A-Z]\d{3}) "
                        r"(?P<message>.+)$")


def edit(old: str, new: str, text: str = EXAMPLE_TEXT) -> str:
    """The example profile with one exact piece replaced; fails loudly if the piece is not there."""
    assert text.count(old) == 1, f"expected exactly one {old!r} in the profile"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


@dataclass
class Found:
    rule: str
    line: int | None
    severity: str
    message: str


def diagnose(tmp_path: Path, text: str | bytes, name: str = "profile.yaml") -> list[Found]:
    """Validate ``text`` as a profile file; the diagnostics as (rule, line, severity, message)."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    report = check(path).report
    return [Found(d.rule.id, d.line, d.severity.value, d.message) for d in report.sorted()]


def rules_at(found: list[Found]) -> set[tuple[str, int | None]]:
    return {(f.rule, f.line) for f in found}


@dataclass
class Run:
    code: int
    out: str
    err: str

    def diagnostics(self) -> list[re.Match[str]]:
        matches = [DIAGNOSTIC.match(line) for line in self.out.splitlines()]
        assert all(matches), f"stdout has a line that is not a diagnostic:\n{self.out}"
        return [m for m in matches if m]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``confgen`` in-process with the given arguments."""

    def run(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors and --version
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# -- hostile input: what must hold for every file, whatever it holds (test_mutants.py, test_properties.py) ---------

NO_LINE = re.compile(r"^(?P<path>.+?): (?P<severity>error|warning) (?P<rule>[A-Z]\d{3}) (?P<message>.+)$")
# The line breaks of YAML 1.1, which numbers the lines that diagnostics give: CR LF, CR, LF, NEL, LS and PS.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
RULES = {rule.id: rule for rule in ALL_RULES}
# Messages that name the character or byte at their place (a byte that is not UTF-8 reads as U+DC80 to U+DCFF).
POINTS_AT = re.compile(r"byte 0x(?P<byte>[89A-F][0-9A-F]) cannot start"
                       r"|the control character U\+(?P<character>[0-9A-F]+) ")


def filled_starter() -> str:
    """``confgen init``'s profile with each placeholder replaced by fixed text: a profile that validates clean."""
    text = starter_profile("-", available_editions()[-1]).replace("<YYYY-MM-DD>", "2026-01-31")
    count = itertools.count(1)
    return re.sub(r"<[^<>\n]+>", lambda _: f"Real text {next(count)}", text)


def file_lines(data: bytes) -> list[str]:
    """The lines of a profile file as diagnostics number them, UTF-8 or not (bytes that are not UTF-8 count as a
    character each). A last line without a line break counts; an empty file is one empty line, as source.py says
    "empty" at 1:1."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    lines = LINE_BREAK.split(text)
    return lines[:-1] if len(lines) > 1 and lines[-1] == "" else lines


@dataclass
class Outcome:
    code: int
    out: str
    profile: Profile | None


def validate_hostile(path: Path, data: bytes) -> Outcome:
    """Write ``data`` to ``path``, run ``confgen validate`` on it in-process and assert what must hold for any file:
    nothing escapes, the exit code is 0, 1 or 2 and agrees with the diagnostics, every line of standard output is a
    well-formed diagnostic at a place inside the file (at the very character it names, if it names one), and no
    error means a profile (and errors mean none)."""
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    assert code in (0, 1, 2)
    assert err.getvalue().startswith("1 profile checked: "), err.getvalue()
    lines = file_lines(data)
    worst = 0
    for printed in out.getvalue().splitlines():
        found = DIAGNOSTIC.match(printed) or NO_LINE.match(printed)
        assert found, f"not a diagnostic: {printed!r}"
        assert found["path"] == str(path), printed
        rule = RULES.get(found["rule"])
        assert rule is not None, f"unknown rule: {printed!r}"
        assert found["severity"] == rule.severity.value, printed
        if found.re is DIAGNOSTIC:
            line, column = int(found["line"]), int(found["col"])
            assert 1 <= line <= len(lines), f"line {line} is not in a file of {len(lines)} lines: {printed!r}"
            assert 1 <= column <= len(lines[line - 1]) + 1, \
                f"column {column} is not in line {line} ({len(lines[line - 1])} characters): {printed!r}"
            # A diagnostic about a character or byte is where that character or byte is.
            at = lines[line - 1][column - 1:column]
            named = POINTS_AT.search(found["message"])
            if named:
                character = chr(int(named["byte"], 16) + 0xDC00) if named["byte"] else chr(int(named["character"], 16))
                assert at == character, f"{at!r} is at {line}:{column}, not {character!r}: {printed!r}"
        if rule.severity.value == "error":
            worst = max(worst, rule.exit_code)
    assert code == worst, f"exit code {code}, but the worst error says {worst}"
    result = check(path)
    assert [d.format() for d in result.report.sorted()] == out.getvalue().splitlines()
    assert (result.profile is not None) == (not result.report.has_errors)
    if result.profile is not None:  # and what validates clean is what YAML itself reads there
        loaded = yaml.load(data, Loader=source.LOADER)
        assert loaded["confgen"] == 1
        assert " ".join(loaded["document"]["product"].split()) == result.profile.document.product
    return Outcome(code, out.getvalue(), result.profile)


# Both YAML parsers: libyaml's, which confgen uses where it is installed, and the pure-Python fallback.
PARSERS = {"libyaml": getattr(yaml, "CSafeLoader", yaml.SafeLoader), "python": yaml.SafeLoader}


def validate_with_each_parser(path: Path, data: bytes) -> dict[str, Outcome]:
    """validate_hostile with each parser; they must agree on the exit code (but see _only_python_refuses), and what
    validates clean renders.

    A failure shows the file, enough of it to reproduce it.
    """
    outcomes = {}
    try:
        for name, loader in PARSERS.items():
            with mock.patch.object(source, "LOADER", loader):
                outcomes[name] = outcome = validate_hostile(path, data)
            if outcome.profile is not None:
                # Whatever validates clean is a statement: it renders, and its HTML can be written as UTF-8.
                render(build_statement(outcome.profile)).html.encode("utf-8")
        codes = {name: outcome.code for name, outcome in outcomes.items()}
        assert len(set(codes.values())) == 1 or _only_python_refuses(outcomes), f"the parsers disagree: {codes}"
    except Exception as error:
        raise AssertionError(f"this file ({len(data)} bytes) fails:\n{shown(data)}") from error
    return outcomes


def _only_python_refuses(outcomes: dict[str, Outcome]) -> bool:
    """The known disagreement: the pure-Python parser stops at a syntax error in a few files that libyaml reads,
    as it refuses a tab where YAML allows one (inside a plain scalar, after a block scalar's indicator) and a
    byte order mark at the start of a blank or comment line. The other way round, a file only libyaml refuses,
    is a defect."""
    python = [DIAGNOSTIC.match(line) for line in outcomes["python"].out.splitlines()]
    return outcomes["libyaml"].code == 0 and len(python) == 1 and python[0] is not None and python[0]["rule"] == "Y102"


def shown(data: bytes, limit: int = 2000) -> str:
    """``data`` for a failure message: enough to reproduce a small mutant, and the start of a large one."""
    text = repr(data[:limit])
    return text if len(data) <= limit else f"{text} ... ({len(data)} bytes)"
