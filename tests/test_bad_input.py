"""Hostile and broken input: each class gets a diagnostic with a line where one exists, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLE_TEXT, diagnose, edit, line_of, rules_at

from confgen.source import SIZE_LIMIT


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    found = diagnose(tmp_path, png)
    assert rules_at(found) == {("Y101", 1)}


def test_no_read_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may run as root, whom chmod does not stop; the refusal is what the operating system would say.
    from confgen.build import check

    profile = tmp_path / "locked.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    original = os.open

    def refuse(path: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if Path(str(path)) == profile:
            raise PermissionError(13, "Permission denied")
        return original(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    found = check(profile).report.diagnostics
    assert [(d.rule.id, d.line) for d in found] == [("F101", None)]
    assert "Permission denied" in found[0].message


def test_tab_indentation_is_named(tmp_path: Path) -> None:
    text = edit("  manufacturer:", "\tmanufacturer:")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("Y102", line_of(text, "\tmanufacturer"))}
    assert "tabs" in found[0].message


def test_f103_larger_than_the_limit_names_the_limit(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT + "#" * (SIZE_LIMIT - len(EXAMPLE_TEXT.encode("utf-8"))) + "\n"
    found = diagnose(tmp_path, text)
    assert [(f.rule, f.line) for f in found] == [("F103", None)]
    assert "1024 KiB" in found[0].message


def test_a_profile_at_the_limit_is_read(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT + "#" * (SIZE_LIMIT - len(EXAMPLE_TEXT.encode("utf-8")) - 1) + "\n"
    assert len(text.encode("utf-8")) == SIZE_LIMIT
    assert diagnose(tmp_path, text) == []


def test_f101_a_device_that_never_ends_is_refused_unread(tmp_path: Path) -> None:
    from confgen.build import check

    found = check(Path("/dev/zero")).report.diagnostics
    assert [(d.rule.id, d.message) for d in found] == [
        ("F101", "cannot read the profile: it is a device, not a regular file")]


def test_y107_billion_laughs_is_refused_before_it_is_walked(tmp_path: Path) -> None:
    # Nine levels of ten aliases: a few hundred bytes that stand for a billion strings.
    levels = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    text = edit("confgen: 1\n", "confgen: 1\nbomb:\n" + "".join(f"  {level}\n" for level in levels))
    found = diagnose(tmp_path, edit("  product: Acme CT", "  product: *a9", text))
    assert [(f.rule, f.line) for f in found] == [("Y107", 1)]


def test_deep_nesting(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", "  product: " + "[" * 100_000 + "]" * 100_000)
    found = diagnose(tmp_path, text)
    assert len(found) == 1
    assert found[0].rule in {"S203", "Y102"}
    assert found[0].line == line_of(text, "product:")


def test_very_long_text_is_accepted(tmp_path: Path) -> None:
    assert diagnose(tmp_path, edit("  product: Acme CT", "  product: " + "Acme " * 100_000)) == []


@pytest.mark.parametrize(("value", "says"), [
    ("null", "empty"),
    ("~", "empty"),
    ("", "empty"),
    ("42", "the number 42"),
    ("4.10", "the number 4.1"),
    ("yes", "the boolean true"),
    ("off", "the boolean false"),
    ("[Acme, CT]", "not a list"),
    ("{name: CT}", "not a mapping"),
])
def test_null_numbers_and_booleans_where_text_is_expected(tmp_path: Path, value: str, says: str) -> None:
    text = edit("  product: Acme CT", f"  product: {value}")
    found = diagnose(tmp_path, text)
    assert rules_at(found) <= {("S203", line_of(text, "  product:")), ("S207", line_of(text, "  product:"))}
    assert len(found) == 1
    assert says in found[0].message


@pytest.mark.parametrize("key", ["12", "true", "null", "[a, b]", "{a: 1}", "2026-01-01"])
def test_keys_that_are_not_text(tmp_path: Path, key: str) -> None:
    text = edit("document:\n", f"document:\n  {key}: x\n" if key[0] not in "[{" else f"document:\n  ? {key}\n  : x\n")
    found = diagnose(tmp_path, text)
    assert len(found) == 1
    assert found[0].rule in {"S201", "S203"}
    assert found[0].line == line_of(text, "document:") + 1


def test_json_paths_point_at_the_value(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = edit("  product: Acme CT", "  product: 42")
    text = edit('        "0122": >-', '        "0112": >-', text)
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    run = cli("validate", "--format", "json", str(tmp_path / "p.yaml"))
    found = {(d["rule"], d["line"], d["json_path"]) for d in json.loads(run.out)}
    assert ("S203", line_of(text, "product: 42"), "$.document.product") in found
    assert ("D310", line_of(text, '"0112"'), '$.services.storage.scu.statuses["0112"]') in found


def test_y107_aliases_that_expand_past_the_limit(tmp_path: Path) -> None:
    # Small on disk, huge to walk: 2,000 revisions that each repeat one 100 kB description.
    text = edit('  revisions:\n    - revision: "A"', '  revisions:\n    - &r {revision: "Z", date: "2025-01-01", '
                f'description: "{"x" * 100_000}"}}\n' + "    - *r\n" * 2000 + '    - revision: "A"')
    assert len(text.encode("utf-8")) < SIZE_LIMIT
    found = diagnose(tmp_path, text)
    assert [(f.rule, f.line) for f in found] == [("Y107", 1)]
    assert "more than the 1024 KiB" in found[0].message


def test_y107_an_alias_inside_itself(tmp_path: Path) -> None:
    found = diagnose(tmp_path, edit("confgen: 1\n", "confgen: 1\nloop: &a [1, *a]\n"))
    assert [(f.rule, f.line) for f in found] == [("Y107", 1)]
    assert "without end" in found[0].message


def test_aliases_that_reuse_a_text_are_fine(tmp_path: Path) -> None:
    text = edit('        "B000": Treated as success.', '        "B000": &logged Treated as success.')
    text = edit('        "B007": Treated as success. The warning and any Error Comment are written to the service log.',
                '        "B007": *logged', text)
    assert diagnose(tmp_path, text) == []


@pytest.mark.parametrize("value", ["!!python/int 1", "!!python/object/apply:os.system [1]"])
def test_y105_the_format_version_is_plain_data_too(tmp_path: Path, value: str) -> None:
    text = edit("confgen: 1\n", f"confgen: {value}\n")
    assert rules_at(diagnose(tmp_path, text)) == {("Y105", line_of(text, "confgen: !!"))}


@pytest.mark.parametrize(("value", "says"), [
    ('"Foo\\u0007Corp"', "the control character U+0007"),
    ('"Acme\\u202eTC"', "the control character U+202E"),  # a right-to-left override reorders what is read
])
def test_s203_characters_a_statement_cannot_print(tmp_path: Path, value: str, says: str) -> None:
    text = edit("  product: Acme CT", f"  product: {value}")
    found = diagnose(tmp_path, text)
    assert rules_at(found) == {("S203", line_of(text, "  product:"))}
    assert says in found[0].message


def test_s208_a_placeholder_broken_over_two_lines(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", '  product: "<commercial\n    product name>"')
    assert rules_at(diagnose(tmp_path, text)) == {("S208", line_of(text, "  product:"))}
