"""Y108: a plain (unquoted) scalar that YAML 1.1 and YAML 1.2 read as different things.

confgen reads YAML 1.1 (PyYAML); editors read YAML 1.2 (yaml-language-server, and the YAML libraries of most
other tools). For most of what a profile holds they agree, but not for an unquoted ``no`` (1.1: false; 1.2: the
text "no"), ``1:30`` (1.1: the number 90), ``0o17`` (1.2: the number 15), or a code key such as ``0122`` (1.2: the
number 122, so an editor says "Property 122 is not allowed" of a key confgen reads as "0122"). Each such scalar
is reported with both readings and the spelling that both read alike.

What confgen reads is what it checks with: a key is the characters typed (validate.py reads ``node.value``), and
so is an unquoted date (a 1.1 timestamp, text in 1.2: the same characters either way); any other value is what
its 1.1 type makes of it. YAML 1.2's reading is the core schema of YAML 1.2.2 (10.3.2), as the ``yaml`` package
behind yaml-language-server reads it. ``y`` and ``n`` are booleans in YAML 1.1's specification, but PyYAML reads
them as text, as YAML 1.2 does: confgen and editors agree on them, and they are not reported.
"""

from __future__ import annotations

import math
import re

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from confgen import rules
from confgen.diagnostics import Report, Severity

_YAML = "tag:yaml.org,2002:"

# YAML 1.2.2's core schema (10.3.2): the plain scalars that are not text.
_NULL_12 = re.compile(r"null|Null|NULL|~|")
_BOOL_12 = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_12 = re.compile(r"[-+]?[0-9]+")
_OCTAL_12 = re.compile(r"0o[0-7]+")
_HEX_12 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT_12 = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITY_12 = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NAN_12 = re.compile(r"\.(?:nan|NaN|NAN)")
# Where a scalar YAML 1.1 reads as text may be something else in 1.2: the first character is enough to tell.
_MAYBE_NOT_TEXT_12 = re.compile(r"[-+.0-9~nNtTfF]|$")

# What the two versions read differently is short (a boolean word, a code, 1:30); a longer plain scalar is text, or a
# number both read alike (its digits), and converting one of thousands of digits is refused by Python.
_LONGEST = 40


_RESOLVER = Resolver()  # YAML 1.1's implicit types, as PyYAML resolves them (for both of its parsers)

Reading = tuple[str, object]  # ("text", "no"), ("boolean", False), ("number", 122), ("null", None)...


def check_readings(root: Node, report: Report) -> None:
    """A Y108 warning for each plain scalar of the profile that YAML 1.1 and YAML 1.2 read as different things,
    unless confgen has refused it already (``product: yes`` is an error, S203, that says what YAML reads and how
    to quote it): the two versions must not disagree in silence, and where confgen refuses, they do not."""
    refused = {(d.line, d.column) for d in report.diagnostics if d.severity is Severity.ERROR}
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: its node was looked at where it was written
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    _check(key, True, refused, report)
                else:
                    stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, ScalarNode):
            _check(node, False, refused, report)


def _check(node: ScalarNode, is_key: bool, refused: set[tuple[int | None, int | None]], report: Report) -> None:
    if node.style:  # quoted, or a block scalar: text in both (a plain one's style is None, or "" from libyaml)
        return
    typed = node.value
    if node.tag == _YAML + "str" and not _MAYBE_NOT_TEXT_12.match(typed):
        return  # text in both (the common case: prose), decided cheaply
    if len(typed) > _LONGEST:
        return
    if node.tag != _RESOLVER.resolve(ScalarNode, typed, (True, False)):  # type: ignore[no-untyped-call]
        return  # a tag written out (!!str 0122): both read what it says
    if (node.start_mark.line + 1, node.start_mark.column + 1) in refused:
        return
    message = _difference(node, is_key)
    if message is not None:
        report.add(rules.Y108, node, message)


def _difference(node: ScalarNode, is_key: bool) -> str | None:
    typed = node.value
    yaml11 = _reading_11(node)
    yaml12 = _reading_12(typed)
    quoted = f'"{typed}" in quotes'
    if is_key:
        # confgen reads a key as typed; an editor compares what YAML 1.2 reads, as text, with the schema's names.
        if _key_text(yaml12) == typed:
            return None
        return (f"the key {typed} is {_shown(yaml12)} to YAML 1.2, which editors read ({_shown(yaml11)} to YAML "
                f"1.1), while confgen reads the key as typed, '{typed}': write it {quoted}")
    if _same(yaml11, yaml12):
        return None
    if yaml11[0] == "boolean":
        spelling = f"{str(yaml11[1]).lower()} for the boolean, or {quoted} for the text"
    elif yaml11[0] == "number":
        spelling = f"{quoted} for the text, or {_number(yaml11[1])} for the number"
    else:
        spelling = quoted
    return (f"{typed} is {_shown(yaml11)} to YAML 1.1, which confgen reads, but {_shown(yaml12)} to YAML 1.2, which "
            f"editors read: write {spelling}")


def _reading_11(node: ScalarNode) -> Reading:
    """What YAML 1.1, as PyYAML resolved the scalar, reads it as; a date as its characters, as confgen does."""
    kind = node.tag.removeprefix(_YAML)
    if kind in ("str", "timestamp"):
        return ("text", node.value)
    if kind == "value":
        return ("the default-value key (=)", node.value)
    try:
        value = SafeConstructor().construct_object(node)
    except Exception:  # a scalar its tag cannot make (an explicit !!int "x"): not a reading to compare
        return (kind, node.value)
    if kind == "bool":
        return ("boolean", value)
    if kind in ("int", "float"):
        return ("number", value)
    if kind == "null":
        return ("null", None)
    return (kind, node.value)


def _reading_12(typed: str) -> Reading:
    """What YAML 1.2's core schema reads a plain scalar ``typed`` as."""
    if _NULL_12.fullmatch(typed):
        return ("null", None)
    if typed in _BOOL_12:
        return ("boolean", _BOOL_12[typed])
    if _INT_12.fullmatch(typed):
        return ("number", int(typed, 10))
    if _OCTAL_12.fullmatch(typed):
        return ("number", int(typed[2:], 8))
    if _HEX_12.fullmatch(typed):
        return ("number", int(typed[2:], 16))
    if _FLOAT_12.fullmatch(typed):
        return ("number", float(typed))
    infinity = _INFINITY_12.fullmatch(typed)
    if infinity:
        return ("number", -math.inf if infinity[1] == "-" else math.inf)
    if _NAN_12.fullmatch(typed):
        return ("number", math.nan)
    return ("text", typed)


def _same(first: Reading, second: Reading) -> bool:
    if first[0] != second[0]:
        return False
    if first[0] == "number":
        one, other = first[1], second[1]
        assert isinstance(one, int | float)
        assert isinstance(other, int | float)
        return one == other or (math.isnan(one) and math.isnan(other))
    return first[1] == second[1]


def _key_text(reading: Reading) -> str:
    """A key as an editor names it: what YAML 1.2 read, as JSON spells it."""
    kind, value = reading
    if kind == "boolean":
        return str(value).lower()
    if kind == "null":
        return "null"
    if kind == "number":
        return _number(value)
    return str(value)


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _shown(reading: Reading) -> str:
    kind, value = reading
    if kind == "text":
        return f"the text '{value}'"
    if kind == "boolean":
        return f"the boolean {str(value).lower()}"
    if kind == "null":
        return "nothing (null)"
    if kind == "number":
        return f"the number {_number(value)}"
    return str(kind)
