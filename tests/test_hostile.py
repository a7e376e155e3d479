"""Reproducers of what the mutation and property tests found: each input once put a diagnostic in the wrong place
or crashed confgen; each test pins where the diagnostic belongs."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_of

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
