"""Y108: where YAML 1.1 (confgen's PyYAML) and YAML 1.2 (editors) read a plain scalar differently, validate warns,
with both readings and the spelling both read alike; and confgen's idea of YAML 1.2 is the one editors have: the
``yaml`` package yaml-language-server parses with (pinned in tests/checkers/package-lock.json)."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
import yaml
from conftest import PARSERS, Found, diagnose, edit, line_of
from test_html_checkers import NODE_MODULES, require

from confgen import readings, source
from confgen.build import check

# The piece of the example replaced, the plain scalar put there, the text Y108's message must hold, and the spelling
# the message gives, which both versions read alike.
REPORTED = {
    "unquoted code key": ('        "0117": Permanent', "0117", "        {}: Permanent",
                          "the key 0117 is the number 117 to YAML 1.2, which editors read (the number 79 to YAML 1.1),"
                          " while confgen reads the key as typed, '0117': write it \"0117\" in quotes", '"0117"'),
    "code key that is no octal": ('        "0211": Permanent', "0211", "        {}: Permanent",
                                  "the key 0211 is the number 211 to YAML 1.2", '"0211"'),
    "sent: no": ("          sent: false", "no", "          sent: {}",
                 "no is the boolean false to YAML 1.1, which confgen reads, but the text 'no' to YAML 1.2, which "
                 "editors read: write false for the boolean, or \"no\" in quotes for the text", "false"),
    "decimal_codes: On": ("  document_number: ACME-DCS-0042", "On",
                          "  document_number: ACME-DCS-0042\n  decimal_codes: {}", "On is the boolean true to YAML 1.1",
                          "true"),
    "decimal_codes: YES": ("  document_number: ACME-DCS-0042", "YES",
                           "  document_number: ACME-DCS-0042\n  decimal_codes: {}",
                           "write true for the boolean, or \"YES\" in quotes for the text", "true"),
    "0o17": ("  document_number: ACME-DCS-0042", "0o17", "  document_number: {}",
             "0o17 is the text '0o17' to YAML 1.1, which confgen reads, but the number 15 to YAML 1.2, which editors "
             "read: write \"0o17\" in quotes", '"0o17"'),
    "exponent without a dot": ("  document_number: ACME-DCS-0042", "1e5", "  document_number: {}",
                               "the number 100000 to YAML 1.2", '"1e5"'),
    "leading zero, no octal": ('  product_version: "4.2.0"', "0119", "  product_version: {}",
                               "0119 is the text '0119' to YAML 1.1, which confgen reads, but the number 119",
                               '"0119"'),
}


# What confgen refuses already, where text is due (S203, which says what YAML 1.1 reads and how to quote it), is not
# told again: the two versions disagree there, but not in silence.
REFUSED = {
    "sexagesimal": ('  product_version: "4.2.0"', "  product_version: 1:30", "YAML reads 1:30 as the number 90"),
    "binary": ("  document_number: ACME-DCS-0042", "  document_number: 0b101", "YAML reads 0b101 as the number 5"),
    "underscores": ("  document_number: ACME-DCS-0042", "  document_number: 1_000", "as the number 1000"),
    "yes": ("  product: Acme CT", "  product: yes", "YAML reads yes as the boolean true"),
    "in a flow list": ("related_fields: [ErrorComment]\n        \"A711\"", "related_fields: [off]\n        \"A711\"",
                       "YAML reads off as the boolean false"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_what_confgen_refuses_is_not_told_again(tmp_path: Path, name: str) -> None:
    old, new, says = REFUSED[name]
    [found] = diagnose(tmp_path, edit(old, new))
    assert found.rule == "S203"
    assert says in found.message
    assert "write it in quotes" in found.message


def y108(tmp_path: Path, text: str) -> list[Found]:
    return [f for f in diagnose(tmp_path, text) if f.rule == "Y108"]


@pytest.mark.parametrize("name", REPORTED)
def test_a_scalar_the_two_versions_read_differently_is_reported(tmp_path: Path, name: str) -> None:
    old, typed, new, message, spelling = REPORTED[name]
    text = edit(old, new.format(typed))
    [found] = y108(tmp_path, text)
    assert found.severity == "warning"
    assert found.line == line_of(text, next(line for line in new.format(typed).splitlines() if typed in line))
    assert message in found.message
    assert spelling in found.message.partition(": write ")[2], "the spelling both read alike is given"


@pytest.mark.parametrize("name", REPORTED)
def test_the_spelling_it_gives_is_read_alike(tmp_path: Path, name: str) -> None:
    old, _, new, _, spelling = REPORTED[name]
    assert y108(tmp_path, edit(old, new.format(spelling))) == []


def test_what_both_read_alike_is_not_reported(tmp_path: Path) -> None:
    alike = edit('  product_version: "4.2.0"', '  product_version: "4.2.0"\n  paper: A4\n  decimal_codes: true')
    alike = edit('  date: "2026-11-20"\n  document', "  date: 2026-11-20\n  document", alike)  # a date: as typed
    alike = edit("  document_number: ACME-DCS-0042", "  document_number: !!str 0122", alike)  # a tag says what it is
    alike = edit("  product: Acme CT", "  product: y", alike)  # text to PyYAML, as to YAML 1.2
    alike = edit("  manufacturer: Acme Medical Imaging", "  manufacturer: N", alike)
    assert y108(tmp_path, alike) == []
    # And the example itself, and what confgen init writes once filled in.
    from conftest import EXAMPLE_TEXT, filled_starter

    assert diagnose(tmp_path, EXAMPLE_TEXT) == []
    assert diagnose(tmp_path, filled_starter()) == []


def test_y108_is_suppressed_on_its_line(tmp_path: Path) -> None:
    text = edit('        "0117": Permanent', "        0117: Permanent")
    line = line_of(text, "0117:")
    lines = text.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "  # confgen: ignore[Y108] the device's own spelling\n"
    text = "".join(lines)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    report = check(path).report
    assert [d.format() for d in report.diagnostics] == []
    assert [(d.rule.id, d.line) for d in report.suppressed] == [("Y108", line)]


def test_a_number_to_yaml_1_1_is_told_with_its_value(tmp_path: Path) -> None:
    # Where confgen takes any value (outside what the format declares), the message names YAML 1.1's number.
    from confgen.diagnostics import Report

    path = tmp_path / "p.yaml"
    path.write_text("a: 1:30\nb: 0b101\nc: 0122\n", encoding="utf-8")
    report = Report(str(path))
    loaded = source.load(path, report)
    assert loaded is not None
    readings.check_readings(loaded.root, report)
    assert [d.message for d in report.sorted()] == [
        "1:30 is the number 90 to YAML 1.1, which confgen reads, but the text '1:30' to YAML 1.2, which editors read: "
        'write "1:30" in quotes for the text, or 90 for the number',
        "0b101 is the number 5 to YAML 1.1, which confgen reads, but the text '0b101' to YAML 1.2, which editors "
        'read: write "0b101" in quotes for the text, or 5 for the number',
        "0122 is the number 82 to YAML 1.1, which confgen reads, but the number 122 to YAML 1.2, which editors read: "
        'write "0122" in quotes for the text, or 82 for the number',
    ]


def test_both_parsers_give_the_same_findings(tmp_path: Path) -> None:
    from confgen.diagnostics import Report

    path = tmp_path / "p.yaml"
    path.write_text("a: [no, y, 1:30, 0o17, 0122, 08, 1e5, 0b1, 1_0, =, '0122', !!str 0122]\n0122: x\nTrue: n\n",
                    encoding="utf-8")
    found = {}
    for name, loader in PARSERS.items():
        with mock.patch.object(source, "LOADER", loader):
            report = Report(str(path))
            loaded = source.load(path, report)
            assert loaded is not None
            readings.check_readings(loaded.root, report)
            found[name] = [d.format() for d in report.sorted()]
    assert found["libyaml"] == found["python"]
    assert len(found["python"]) == 11, found["python"]


# -- confgen's YAML 1.2 is the editors' ------------------------------------------------------------------------------

# Short plain scalars made of what numbers, booleans and nulls are made of, and the words YAML gives a type.
ALPHABET = "019+-._:eExXoObB"
WORDS = ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", "true",
         "True", "TRUE", "false", "False", "FALSE", "tRUE", "null", "Null", "NULL", "nULL", "~", ".inf", "-.Inf",
         "+.INF", ".nan", ".NaN", ".NAN", ".Nan", "0x1F", "0x1f", "0o17", "0o18", "1:30", "190:20:30", "1:30.5",
         "2026-11-20", "0122", "0119", "0000", "+12", "-0", "1e5", "1E+5", "1.e5", ".5", "5.", "1_000", "0b101", "="]


def candidates() -> list[str]:
    generated = ["".join(chars) for size in (1, 2, 3) for chars in itertools.product(ALPHABET, repeat=size)]
    plain = []
    for text in [*WORDS, *generated]:
        try:
            node = yaml.compose(f"k: {text}\n")
        except yaml.YAMLError:
            continue
        value = node.value[0][1] if isinstance(node, yaml.MappingNode) else None
        if isinstance(value, yaml.ScalarNode) and value.value == text and value.style is None:
            plain.append(text)
    return plain


def test_confgens_yaml_1_2_reads_as_the_editors_parser_does() -> None:
    node = shutil.which("node")
    package = NODE_MODULES / "yaml"
    require(("node", node is not None), ("the yaml package in tests/checkers/node_modules (yaml-language-server's)",
                                         (package / "package.json").is_file()))
    assert node
    texts = candidates()
    assert len(texts) > 2000
    # As yaml-language-server parses (its parser/yamlParser07.js): version 1.2, not strict.
    script = ("const YAML = require(process.argv[1]); const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(texts.map(t => { let v; try { v = YAML.parse('k: ' + t, {version: '1.2', "
              "strict: false}); } catch (e) { return ['error']; } v = v === null ? null : v.k;"
              "return [v === null ? 'null' : typeof v, typeof v === 'number' ? String(v) : v]; })));")
    done = subprocess.run([node, "-e", script, str(package)], input=json.dumps(texts), capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    kinds = {"string": "text", "number": "number", "boolean": "boolean", "null": "null"}
    disagree = []
    for text, (kind, *value) in zip(texts, json.loads(done.stdout), strict=True):
        if kind == "error":  # not a plain scalar to that parser ("k: -" is a list): nothing to compare
            continue
        mine = readings._reading_12(text)
        theirs = (kinds[kind], value[0] if value else None)
        if theirs[0] == "number":
            number = float(str(theirs[1]).replace("Infinity", "inf"))
            same = mine[0] == "number" and (mine[1] == number or (math.isnan(number) and math.isnan(float(mine[1]))))
        else:
            same = mine == (theirs[0], theirs[1] if theirs[0] != "null" else None)
        if not same:
            disagree.append((text, mine, theirs))
    assert disagree == []
