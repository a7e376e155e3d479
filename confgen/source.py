"""Load: read a profile file and compose its YAML into nodes that keep line, column and the characters typed.

The profile is composed, never constructed: no YAML tag can build an object, and a key written ``0122``
without quotes stays the characters "0122" instead of YAML 1.1's octal 82 (the validator reads ``node.value``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from confgen import rules
from confgen.diagnostics import Report

# libyaml's parser is about ten times faster; the pure-Python one is the fallback where it is missing.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Where YAML (1.1, as both parsers read it) ends a line, and so how diagnostics number lines: CR LF, CR, LF, NEL,
# LS and PS.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class Source:
    path: Path
    root: yaml.Node


def load(path: Path, report: Report) -> Source | None:
    """Read and compose one profile; problems go to ``report`` and give ``None``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report.add(rules.F101, None, f"cannot read the profile: {error.strerror or error}")
        return None
    text = _decode(data, report)
    if text is None:
        return None
    root = _compose(text, report)
    if root is None:
        return None
    return Source(path, root)


def _decode(data: bytes, report: Report) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # What comes before the first byte that is not UTF-8 is UTF-8.
        line, column = _line_and_column(data[: error.start].decode("utf-8"))
        report.add_at(rules.Y101, line, column,
                      f"the file is not UTF-8 text: byte 0x{data[error.start]:02X} cannot start a character here; "
                      "save the profile as UTF-8")
        return None


def _compose(text: str, report: Report) -> yaml.Node | None:
    try:
        documents = yaml.compose_all(text, Loader=LOADER)
        root = next(documents, None)
        second = next(documents, None)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        lines = text.splitlines() or [""]
        if line > len(lines):
            # libyaml places an error at the end of the stream on the line after the last one.
            line, column = len(lines), len(lines[-1]) + 1
            context += " at the end of the file"
        report.add_at(rules.Y102, line, column, f"YAML syntax error: {problem}{context}")
        return None
    except yaml.reader.ReaderError as error:
        # The parser stops at the first character YAML does not allow. It is looked for here: libyaml's position
        # is a byte offset into its UTF-8 copy of the text, not an offset into the text.
        found = yaml.reader.Reader.NON_PRINTABLE.search(text)
        line, column = _line_and_column(text[: found.start()]) if found else (1, 1)
        character = error.character if isinstance(error.character, str) else chr(error.character)
        report.add_at(rules.Y102, line, column, f"YAML syntax error: the control character U+{ord(character):04X} "
                                                "is not allowed in YAML")
        return None
    except yaml.YAMLError as error:
        report.add_at(rules.Y102, 1, 1, f"YAML syntax error: {error}")
        return None
    except RecursionError:
        report.add_at(rules.Y102, 1, 1, "YAML syntax error: the nesting is too deep to read")
        return None
    if second is not None:
        report.add_at(rules.Y103, _document_start(text, second), 1,
                      "a profile is one YAML document; this file starts another one here")
        return None
    if root is None or (root.tag == "tag:yaml.org,2002:null" and not root.value):
        report.add_at(rules.Y106, 1, 1, "the profile is empty; `confgen init` writes a starting profile")
        return None
    return root


def _document_start(text: str, document: yaml.Node) -> int:
    """The line of the ``---`` that opens ``document``: a marker at column 0 on or before its first node."""
    lines = text.splitlines()
    for index in range(min(document.start_mark.line, len(lines) - 1), -1, -1):
        if lines[index].startswith("---"):
            return index + 1
    return document.start_mark.line + 1


def _line_and_column(before: str) -> tuple[int, int]:
    """1-based line and column of the place that ``before`` (the file up to it) ends at, as YAML numbers them."""
    breaks = _LINE_BREAK.split(before)
    return len(breaks), len(breaks[-1]) + 1
