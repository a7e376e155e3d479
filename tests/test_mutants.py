"""Mutation test: valid profiles broken in the ways people and disks break files; no mutant may crash confgen.

Each mutant is made from one valid profile by one operator with its own seeded random.Random, so a failure's id
(profile-operator-seed) reproduces it. CI runs a few hundred; ``CONFGEN_MUTANTS=20000 pytest tests/test_mutants.py``
soaks. What must hold for each mutant, with each YAML parser, is conftest.validate_with_each_parser's list.
"""

from __future__ import annotations

import math
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE_TEXT, filled_starter, validate_hostile, validate_with_each_parser

BASES = {"acme": EXAMPLE_TEXT, "init": filled_starter()}

# Scalars, as typed in YAML, that a profile's value may turn into: each is something YAML or confgen reads oddly.
ODD_SCALARS = (
    "null", "~", "4.10", "yes", "no", "on", "0x1F", "0o17", "0b101", "1_000", "-0", "0122", ".inf", "-.inf", ".nan",
    "1e400", "9" * 5000, '""', "''", " ", "[]", "{}", "[[]]", "{a: b}", "[a, b", "{a", "- item", "? key", "a: b",
    "!!binary aGVsbG8=", "!!binary ?not base64?", "!!python/object:os.system", "!!python/object/apply:os.system [ls]",
    "!!int not-a-number", "!!float x", "!!bool maybe", "!!timestamp 2026-13-45", "!!null x", "!!str", "!!set {a, b}",
    "!!omap [a: 1]", "!!map {a: b}", "!!seq [a]", "!local x", "!<tag:example.com,2000:x> y", "<<", "<<: {a: b}",
    "*undefined_alias", "&", "*", "2026-13-45", "2026-11-20T10:00:00Z", "2026-02-29", "x" * 100_000,
    '"' + "y" * 100_000 + '"', "\x00", '"\\0"', "\uffff", '"\\uffff"', '"\\ud800"', '"\\udfff\\ud800"',
    '"\\x85"', '"\\u2028"', '"a\\nb"', "'unterminated", '"unterminated', "中文の状態コード", "😀 🏥",
    "\u200b", "\u202e", "%", "@x", "`x", "|", ">-", "#", "TODO", "<placeholder>", "[Describe it]", "'0000'",
    "other", "A7XX", "0xA700",
)
INDENTS = ("+1", "-1", "+2", "-2", "tab", "tab-only")
# A `key: value` line, a `- key: value` item or a bare `key:`; the value is everything after the first ": ".
KEY_LINE = re.compile(r"^(?P<indent>[ \t]*(?:- )?)(?P<key>\"[^\"]*\"|'[^']*'|[^\s:#'\"][^:#]*?):(?P<gap>[ \t]*)"
                      r"(?P<value>.*?)(?P<newline>\r?\n?)$")

Mutator = Callable[[str, random.Random], bytes]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _keyed(lines: list[str]) -> list[int]:
    return [index for index, line in enumerate(lines) if KEY_LINE.match(line)]


def delete_line(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines).encode()


def delete_range(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    del lines[start:start + rng.randint(2, 12)]
    return "".join(lines).encode()


def duplicate_line(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return "".join(lines).encode()


def indent(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    line = lines[index]
    body = line.lstrip(" ")
    spaces = len(line) - len(body)
    how = rng.choice(INDENTS)
    if how == "tab":
        lines[index] = "\t" + line
    elif how == "tab-only":
        lines[index] = "\t" + body
    else:
        lines[index] = " " * max(0, spaces + int(how)) + body
    return "".join(lines).encode()


def swap_adjacent(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    index = rng.randrange(len(lines) - 1)
    lines[index], lines[index + 1] = lines[index + 1], lines[index]
    return "".join(lines).encode()


def swap_key_and_value(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    index = rng.choice(_keyed(lines))
    found = KEY_LINE.match(lines[index])
    assert found
    lines[index] = f"{found['indent']}{found['value'] or 'value'}: {found['key']}{found['newline']}"
    return "".join(lines).encode()


def swap_two_keys(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    first, second = rng.sample(_keyed(lines), 2)
    a, b = KEY_LINE.match(lines[first]), KEY_LINE.match(lines[second])
    assert a
    assert b
    lines[first] = lines[first][:a.start("key")] + b["key"] + lines[first][a.end("key"):]
    lines[second] = lines[second][:b.start("key")] + a["key"] + lines[second][b.end("key"):]
    return "".join(lines).encode()


def _with_value(line: str, value: str) -> str:
    found = KEY_LINE.match(line)
    assert found
    return f"{found['indent']}{found['key']}: {value}{found['newline'] or ''}"


def odd_scalar(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    index = rng.choice(_keyed(lines))
    lines[index] = _with_value(lines[index], rng.choice(ODD_SCALARS))
    return "".join(lines).encode()


def anchor_and_alias(text: str, rng: random.Random) -> bytes:
    """``&a`` on one value (a scalar, or the mapping or list under a bare key), ``*a`` in place of another."""
    lines = _lines(text)
    anchored, aliased = rng.sample(_keyed(lines), 2)
    found = KEY_LINE.match(lines[anchored])
    assert found
    lines[anchored] = _with_value(lines[anchored], f"&a {found['value']}".rstrip())
    lines[aliased] = _with_value(lines[aliased], "*a")
    return "".join(lines).encode()


def line_breaks(text: str, rng: random.Random) -> bytes:
    """Every line break, or one, written as CR LF, CR alone, NEL, LS or PS (YAML 1.1 breaks), or as none."""
    newline = rng.choice(("\r\n", "\r", "\x85", "\u2028", "\u2029", ""))
    if rng.random() < 0.5:
        return text.replace("\n", newline).encode()
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = lines[index].replace("\n", newline)
    return "".join(lines).encode()


def insert_bytes(text: str, rng: random.Random) -> bytes:
    data = text.encode()
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]


def truncate(text: str, rng: random.Random) -> bytes:
    data = text.encode()
    return data[:rng.randrange(len(data))]


def flip_byte(text: str, rng: random.Random) -> bytes:
    data = bytearray(text.encode())
    data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    return bytes(data)


OPERATORS: dict[str, Mutator] = {operator.__name__: operator for operator in (
    delete_line, delete_range, duplicate_line, indent, swap_adjacent, swap_key_and_value, swap_two_keys,
    odd_scalar, anchor_and_alias, line_breaks, insert_bytes, truncate, flip_byte,
)}
TOTAL = int(os.environ.get("CONFGEN_MUTANTS", "300"))
SEEDS = math.ceil(TOTAL / (len(BASES) * len(OPERATORS)))


def mutant(base: str, operator: str, seed: int) -> bytes:
    """The mutant with this id: the same bytes on every run and every machine."""
    return OPERATORS[operator](BASES[base], random.Random(f"{base}-{operator}-{seed}"))


@pytest.mark.parametrize("base", BASES)
def test_the_profiles_mutated_are_valid(tmp_path: Path, base: str) -> None:
    outcome = validate_hostile(tmp_path / "profile.yaml", BASES[base].encode())
    assert (outcome.code, outcome.out) == (0, "")


def test_mutants_are_deterministic_and_mutated() -> None:
    for base in BASES:
        for operator in OPERATORS:
            made = [mutant(base, operator, seed) for seed in range(3)]
            assert made == [mutant(base, operator, seed) for seed in range(3)]
            assert any(data != BASES[base].encode() for data in made), f"{operator} changed nothing in {base}"


@pytest.mark.parametrize(("base", "operator", "seed"),
                         [(b, o, s) for b in BASES for o in OPERATORS for s in range(SEEDS)])
def test_no_mutant_crashes(tmp_path: Path, base: str, operator: str, seed: int) -> None:
    validate_with_each_parser(tmp_path / "profile.yaml", mutant(base, operator, seed))
