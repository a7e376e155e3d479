"""Shared helpers: the example profile as text to edit, and runs of the real command in-process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from confgen.build import check
from confgen.cli import main

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
