"""Load: read a profile file and compose its YAML into nodes that keep line, column and the characters typed.

The profile is composed, never constructed: no YAML tag can build an object, and a key written ``0122``
without quotes stays the characters "0122" instead of YAML 1.1's octal 82 (the validator reads ``node.value``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from confgen import rules
from confgen.diagnostics import Report
from confgen.files import read_regular, reason
from confgen.fontcover import outside_the_font, shown
from confgen.records import record
from confgen.yamlload import LOADER

# Where YAML (1.1, as both parsers read it) ends a line, and so how diagnostics number lines: CR LF, CR, LF, NEL,
# LS and PS.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# A complete profile is a few kilobytes (the example is under 6 kB); a profile larger than this is not one.
# The limit also bounds the memory and time that reading a stray file (a log, an image, /dev/zero) can take.
SIZE_LIMIT = 1024 * 1024


@record(frozen=True)
class Source:
    path: Path
    root: yaml.Node
    sha256: str  # of the bytes read, so that the statement names exactly the file it was built from
    text: str  # as read, for what YAML drops: the ignore comments


def load(path: Path, report: Report, data: bytes | None = None) -> Source | None:
    """Read and compose one profile; problems go to ``report`` and give ``None``. ``data``, when given, is the
    profile's bytes as read elsewhere (standard input, up to SIZE_LIMIT + 1 bytes), and ``path`` its name."""
    if data is None:
        try:
            data = read_regular(path, SIZE_LIMIT)  # a FIFO or a device is refused, never read
        except OSError as error:
            report.add(rules.F101, None, f"cannot read the profile: {reason(error)}")
            return None
    if len(data) > SIZE_LIMIT:
        report.add(rules.F103, None, f"the file is larger than {SIZE_LIMIT // 1024} KiB ({SIZE_LIMIT} bytes), the "
                                     "most confgen reads; a profile is a few kilobytes")
        return None
    text = _decode(data, report)
    if text is None:
        return None
    root = _compose(text, report)
    if root is None:
        return None
    expanded = _expanded_size(root)
    if expanded is None or expanded > SIZE_LIMIT:
        size = "without end (an alias refers to a collection it is inside of)" if expanded is None else \
            f"to {expanded:,} characters, more than the {SIZE_LIMIT // 1024} KiB a profile may be"
        report.add_at(rules.Y107, 1, 1, f"aliases (*name) repeat parts of the profile {size}; write the repeated "
                                        "parts out")
        return None
    report.json_paths = JsonPaths(root)
    return Source(path, root, hashlib.sha256(data).hexdigest(), text)


def check_file_name(path: Path, report: Report) -> None:
    """The statement prints the profile's file name ("About This Document"): report what it could not print."""
    name = path.name
    unprintable = next((c for c in name if not c.isprintable() or "\ud800" <= c <= "\udfff"), None)
    if unprintable is not None:
        byte = "\udc80" <= unprintable <= "\udcff"  # how Python reads a byte of a file name that is not UTF-8
        what = f"the byte 0x{ord(unprintable) - 0xDC00:02X}, which is not UTF-8" if byte else \
            f"the character U+{ord(unprintable):04X}, which cannot be printed"
        report.add(rules.S220, None, f"the file name, which the statement prints, has {what}; rename the file")
        return
    outside = outside_the_font(name)
    if outside:
        report.add(rules.S221, None, f"the file name, which the statement prints, has {shown(outside)}, which the "
                                     "packaged templates' font (DejaVu Sans) does not have: a PDF build fails (R402) "
                                     "unless a font of this machine or of --templates has it; or rename the file")


def _expanded_size(root: yaml.Node) -> int | None:
    """The characters of the profile's values as the validator meets them, every alias counted again; None
    when an alias refers to a collection it is inside of, which repeats without end.

    Composed nodes are shared, so memory stays bounded, but an alias of an alias (the "billion laughs") makes
    the tree that validation walks grow as a power of the file's size. Each node's size is computed once
    (children first, without recursion: nesting may be deep), so this is linear in the file.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # collections whose children are being counted
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = len(node.value) + 1
            continue
        children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else \
            list(node.value)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes or any(id(child) in open_nodes for child in children):
            return None
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


class JsonPaths:
    """Where each node of a composed profile is, as a JSON path (``$.document.product``), for reporters that
    give one.

    Only each node's parent and its step from there are stored; a path is spelt out when a diagnostic asks for
    it, so a deeply nested file costs memory in proportion to its size, not to the square of its depth.
    """

    def __init__(self, root: yaml.Node) -> None:
        self._steps: dict[int, tuple[int | None, str]] = {id(root): (None, "$")}
        stack = [root]
        while stack:
            node = stack.pop()
            children: list[tuple[yaml.Node, str]] = []
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    step = _key_step(key)
                    children += [(key, step), (value, step)]  # a diagnostic at a key is about its entry
            elif isinstance(node, yaml.SequenceNode):
                children = [(item, f"[{index}]") for index, item in enumerate(node.value)]
            for child, step in children:
                if id(child) not in self._steps:  # an aliased node keeps the place it was first written
                    self._steps[id(child)] = (id(node), step)
                    stack.append(child)

    def of(self, node: yaml.Node) -> str | None:
        steps: list[str] = []
        at: int | None = id(node)
        while at is not None:
            if at not in self._steps:
                return None
            at, step = self._steps[at]
            steps.append(step)
        return "".join(reversed(steps))


def _key_step(key: yaml.Node) -> str:
    if isinstance(key, yaml.ScalarNode) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.value):
        return f".{key.value}"
    if isinstance(key, yaml.ScalarNode):
        return "[" + json.dumps(key.value, ensure_ascii=False) + "]"
    return "[?]"  # a list or mapping as a key, which the validator refuses


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
        if mark and text[mark.index: mark.index + 1] == "\t":
            problem += "; YAML does not allow tabs for indentation: indent with spaces"
        problem += _hint(problem, lines[line - 1] if line <= len(lines) else "", column)
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


def _hint(problem: str, line: str, column: int) -> str:
    """What to say more about a syntax error on ``line``: the alias libyaml leaves unnamed, or that text written
    as prose needs quotes (YAML reads ': ' as a key, and a leading '[', '{', '*' or '&' as something else)."""
    if problem == "found undefined alias":
        name = re.match(r"\*([^\s,\[\]{}]+)", line[column - 1:])
        return f" '{name[1]}'" if name else ""
    value = line.partition(": ")[2].lstrip()
    if "mapping values are not allowed" in problem or (value[:1] in ("[", "{", "*", "&") and "expected" in problem):
        return "; a text with ': ' in it, or starting with [, {, * or &, must be written in quotes"
    return ""


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
