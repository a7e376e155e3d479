"""Reproducers of what the mutation and property tests found: each input once put a diagnostic in the wrong place
or crashed confgen; each test pins where the diagnostic belongs."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from conftest import EXAMPLE_TEXT, PARSERS, diagnose, edit, line_of, rules_at

from confgen import source
from confgen.build import check


def _place(tmp_path: Path, data: bytes) -> tuple[str, int | None, int | None]:
    path = tmp_path / "profile.yaml"
    path.write_bytes(data)
    [diagnostic] = check(path).report.diagnostics
    return diagnostic.rule.id, diagnostic.line, diagnostic.column


def test_control_character_after_non_ascii_text(tmp_path: Path) -> None:
    # libyaml gives the place of a control character as a byte offset; read as a character offset, it fell
    # lines after the character, past the end of a file whose text before it was not all ASCII.
    text = edit("  product: Acme CT\n", "  product: Acme CT — Ünïcödé édition\n") + "\x01\n"
    assert _place(tmp_path, text.encode()) == ("Y102", len(text.splitlines()), 1)
    text = edit("  product: Acme CT\n", "  product: Acmé\x01 CT\n")
    assert _place(tmp_path, text.encode()) == ("Y102", line_of(text, "Acmé"), len("  product: Acmé") + 1)


def test_y101_column_counts_characters(tmp_path: Path) -> None:
    # The column of a byte that is not UTF-8 was counted in bytes, so "é" before it counted twice.
    data = edit("  product: Acme CT\n", "  product: Acmé CT\n").encode().replace(b"CT\n", b"CT \xff\n", 1)
    assert _place(tmp_path, data) == ("Y101", line_of(EXAMPLE_TEXT, "product: Acme CT"), len("  product: Acmé CT ") + 1)


def test_y101_and_y102_number_lines_as_yaml_does(tmp_path: Path) -> None:
    # YAML's lines end at CR LF, CR, LF, NEL, LS and PS; the places of bytes that are not UTF-8 and of control
    # characters were counted in LF-ended lines, so in a file with CR line ends they were all on line 1.
    line = line_of(EXAMPLE_TEXT, "product: Acme CT")
    for newline in ("\r", "\r\n", "\u2028"):
        text = EXAMPLE_TEXT.replace("\n", newline)
        data = text.encode().replace(b"Acme CT", b"Acme \xff", 1)
        assert _place(tmp_path, data) == ("Y101", line, len("  product: Acme ") + 1)
        assert _place(tmp_path, text.replace("Acme CT", "Acme \x01", 1).encode()) == \
            ("Y102", line, len("  product: Acme ") + 1)


def test_clean_profile_with_every_kind_of_line_break(tmp_path: Path) -> None:
    for newline in ("\r", "\r\n", "\x85", "\u2028", "\u2029"):
        assert diagnose(tmp_path, EXAMPLE_TEXT.replace("\n", newline)) == []


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "\\U0000D800"])
def test_lone_surrogate_escape_is_a_syntax_error_with_each_parser(tmp_path: Path, parser: str, escape: str) -> None:
    # libyaml refuses the escape of a lone UTF-16 surrogate; the pure-Python parser reads it as a character no
    # UTF-8 file can hold, so the profile validated clean and `confgen build` failed writing it (R401 from the PDF
    # engine, or an uncaught UnicodeEncodeError writing the HTML).
    text = edit("  product: Acme CT", f'  product: "Acme {escape} CT"')
    with mock.patch.object(source, "LOADER", PARSERS[parser]):
        assert rules_at(diagnose(tmp_path, text)) == {("Y102", line_of(text, "product:"))}


@pytest.mark.parametrize(("old", "new", "at"), [
    ("    scu:\n      statuses:\n", "    scu:\n      statuses: !!str\n", "statuses: !!str"),
    ('        "B006":\n          condition', '        "B006": !!str\n          condition', '"B006": !!str'),
    ("  revisions:\n", "  revisions: !!map\n", "revisions: !!map"),
    ("document:\n", "document: !!seq\n", "document: !!seq"),
    ("  product: Acme CT", "  product: !!map Acme CT", "product: !!map"),
])
def test_y105_a_tag_for_another_kind_of_node(tmp_path: Path, old: str, new: str, at: str) -> None:
    # A mapping tagged !!str (or a list !!map, a text !!map) validated clean, though YAML cannot read it: the
    # tag was checked to be a plain one, not one for the kind of node it is on.
    text = edit(old, new)
    assert rules_at(diagnose(tmp_path, text)) == {("Y105", line_of(text, at))}
