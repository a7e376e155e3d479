"""The configuration: defaults for the command line, from `[tool.confgen]` in pyproject.toml or the top level of
confgen.toml, in the working folder or the nearest folder above it that has one (confgen.toml first in a folder;
a pyproject.toml without `[tool.confgen]` is passed over). Options given on the command line win.

Every problem is a diagnostic at its line and column (F105-F109). tomllib gives no positions, so the text is
scanned for where each key and value is (``_Places``); it only has to find them, as tomllib has already read the
text as TOML.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

from confgen import rules
from confgen.diagnostics import Report
from confgen.files import read_regular, reason
from confgen.records import field, record

NAMES = ("confgen.toml", "pyproject.toml")
SIZE_LIMIT = 1024 * 1024  # a pyproject.toml is a few kilobytes

# Each setting, and what it takes as the diagnostics say it.
KEYS = {
    "output": "a folder's path, as text (relative to this file's folder)",
    "strict": "true or false",
    "format": "one of the formats",
    "templates": "a folder's path, as text (relative to this file's folder)",
    "pdf-variant": "one of the PDF variants",
    "jobs": "a whole number, 1 or more",
    "ignore": 'a list of rule IDs, such as ["D305"]',
}

Place = tuple[int, int]  # 1-based line and column
KeyPath = tuple[str | int, ...]


@record
class Config:
    """What the configuration file says: its valid settings by key (folders as paths from the working folder),
    the rules it ignores (each with where it says so), and its problems."""

    path: Path | None = None  # None: there is no configuration file
    settings: dict[str, object] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    report: Report = field(default_factory=lambda: Report(""))


def load_config(start: Path | None = None) -> Config:
    """The configuration that applies in ``start`` (the working folder by default)."""
    found = _find(start)
    if found is None:
        return Config()
    path, text, data = found
    config = Config(path, report=Report(_shown(path)))
    if text is None:
        config.report.add(rules.F105, None, f"cannot read the configuration: {data}")
        return config
    if isinstance(data, tuple):
        message, (line, column) = data
        config.report.add_at(rules.F105, line, column, f"not TOML: {message}")
        return config
    places = _Places(text)
    prefix: KeyPath = ("tool", "confgen") if path.name == "pyproject.toml" else ()
    table: object = data
    for step in prefix:
        table = table.get(step) if isinstance(table, dict) else None
    where = "[tool.confgen]" if prefix else path.name
    if not isinstance(table, dict):
        config.report.add_at(rules.F107, *places.key(prefix), f"tool.confgen must be a table ([tool.confgen]), not "
                                                               f"{_kind(table)}")
        return config
    _read(table, prefix, where, path.parent, places, config)
    return config


def _find(start: Path | None) -> tuple[Path, str | None, object] | None:
    """The configuration file, its text and what it holds (a table, or TOML's complaint and its place); with no
    text, why it cannot be read. None when there is no configuration."""
    try:
        folder = (start or Path.cwd()).absolute()
    except OSError:  # the working folder was removed
        return None
    for candidate in (folder, *folder.parents):
        for name in NAMES:
            path = candidate / name
            if not path.exists():
                continue
            text, problem = _read_text(path)
            if text is None:
                return path, None, problem  # whether or not it configures confgen, that cannot be known
            data = _parse(text)
            if name == "confgen.toml" or _has_table(text, data):
                return path, text, data
    return None


def _read_text(path: Path) -> tuple[str | None, str]:
    """The text of ``path``, or why it cannot be read."""
    try:
        data = read_regular(path, SIZE_LIMIT)
    except OSError as error:
        return None, reason(error)
    if len(data) > SIZE_LIMIT:
        return None, f"it is larger than {SIZE_LIMIT // 1024} KiB, the most confgen reads"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:
        return None, f"it is not UTF-8 text (byte 0x{data[error.start]:02X} at offset {error.start})"


def _parse(text: str) -> dict[str, object] | tuple[str, Place]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        if at:
            return message[: at.start()], (int(at[1]), int(at[2]))
        lines = text.split("\n")
        return message.removesuffix(" (at end of document)") + " at the end of the file", (len(lines),
                                                                                         len(lines[-1]) + 1)


def _has_table(text: str, data: object) -> bool:
    """Whether a pyproject.toml configures confgen; one that is not TOML does when it seems to."""
    if isinstance(data, dict):
        tool = data.get("tool")
        return isinstance(tool, dict) and "confgen" in tool
    return re.search(r"""^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*["']?confgen\b|^[ \t]*tool[ \t]*\.[ \t]*["']?confgen\b""",
                     text, re.MULTILINE) is not None


def _shown(path: Path) -> str:
    """How diagnostics name the configuration file: from the working folder."""
    try:
        return os.path.relpath(path)
    except (ValueError, OSError):
        return str(path)


def _read(table: Mapping[str, object], prefix: KeyPath, where: str, folder: Path, places: _Places,
          config: Config) -> None:
    from confgen.build import PDF_VARIANTS
    from confgen.formats import FORMATS

    report = config.report
    for key, value in table.items():
        path = (*prefix, key)
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), list(KEYS), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else f"; the keys are {', '.join(KEYS)}"
            if key == "tool" and not prefix:
                hint = "; in confgen.toml the settings are at the top level, without [tool.confgen]"
            report.add_at(rules.F106, *places.key(path), f"{key} is not a setting of confgen in {where}{hint}")
            continue
        place = places.value(path)
        wrong = f"{key} must be {KEYS[key]}, not {_kind(value)}"
        if key in ("output", "templates"):
            if not isinstance(value, str) or not value.strip() or "\0" in value:
                report.add_at(rules.F107, *place, wrong)
                continue
            folder_path = Path(os.path.relpath(folder / value)) if not Path(value).is_absolute() else Path(value)
            if key == "templates" and not folder_path.is_dir():
                report.add_at(rules.F107, *place, f"templates: there is no folder {folder_path}")
                continue
            config.settings[key] = folder_path
        elif key == "strict":
            if not isinstance(value, bool):
                report.add_at(rules.F107, *place, wrong)
                continue
            config.settings[key] = value
        elif key in ("format", "pdf-variant"):
            choices = FORMATS if key == "format" else PDF_VARIANTS
            if value not in choices:
                report.add_at(rules.F107, *place, f"{key} must be one of {', '.join(choices)}, not {_kind(value)}")
                continue
            config.settings[key] = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                report.add_at(rules.F107, *place, wrong)
                continue
            config.settings[key] = value
        else:
            _read_ignore(value, path, places, config)


def _read_ignore(value: object, path: KeyPath, places: _Places, config: Config) -> None:
    from confgen.suppress import refusal

    if not isinstance(value, list):
        config.report.add_at(rules.F107, *places.value(path), f"ignore must be {KEYS['ignore']}, not {_kind(value)}")
        return
    for index, item in enumerate(value):
        place = places.value((*path, index))
        if not isinstance(item, str):
            config.report.add_at(rules.F107, *place, f"ignore lists rule IDs as text, such as \"D305\", not "
                                                     f"{_kind(item)}")
            continue
        rule_id = item.strip().upper()
        refused = refusal(rule_id)
        if refused is not None:
            why, message = refused
            config.report.add_at(rules.F108 if why == "unknown" else rules.F109, *place, f"ignore: {message}")
            continue
        config.ignored.setdefault(rule_id, f"{config.report.path}:{place[0]}:{place[1]}")


def _kind(value: object) -> str:
    """A TOML value as a message names it."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"the date or time {value}" if value is not None else "nothing"


# -- where keys and values are ------------------------------------------------------------------------------------

_PUNCTUATION = "[]{}=,."
_TOKEN = re.compile(r'''
    (?P<newline>\r?\n)
  | (?P<space>[ \t]+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^\\]|\\.)*?"""{1,3}|\'\'\'.*?\'\'\'{1,3}|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')
  | (?P<punctuation>[\[\]{}=,.])
  | (?P<bare>[^\s\#\[\]{}=,."']+)
''', re.VERBOSE | re.DOTALL)


@record(frozen=True)
class _Token:
    kind: str
    text: str
    line: int
    column: int


def _tokens(text: str) -> Iterator[_Token]:
    line, line_start, at = 1, 0, 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:  # not TOML after all: tomllib has said so
            return
        kind = found.lastgroup or ""
        if kind not in ("space", "comment"):
            yield _Token(kind, found.group(), line, at - line_start + 1)
        for inner in re.finditer("\n", found.group()):
            line, line_start = line + 1, at + inner.end()
        at = found.end()


class _Places:
    """Where each key (``key``) and value (``value``) of a TOML text is, by its path of keys (and, inside an array,
    indexes): ("tool", "confgen", "ignore", 0) is the first rule that [tool.confgen]'s ignore lists."""

    def __init__(self, text: str) -> None:
        self._keys: dict[KeyPath, Place] = {}
        self._values: dict[KeyPath, Place] = {}
        self._stream = list(_tokens(text))
        self._at = 0
        table: KeyPath = ()
        while (token := self._peek()) is not None:
            if token.kind == "newline":
                self._at += 1
            elif token.text == "[":
                table = self._header()
            else:
                self._key_value(table)

    def key(self, path: KeyPath) -> Place:
        """Where the key at ``path`` is written (its last part); the nearest enclosing key's place, or 1:1."""
        while path and path not in self._keys:
            path = path[:-1]
        return self._keys.get(path, (1, 1))

    def value(self, path: KeyPath) -> Place:
        return self._values.get(path) or self.key(path)

    def _peek(self) -> _Token | None:
        return self._stream[self._at] if self._at < len(self._stream) else None

    def _next(self) -> _Token | None:
        token = self._peek()
        self._at += token is not None
        return token

    def _dotted(self, base: KeyPath, end: str) -> KeyPath:
        """A dotted key up to ``end`` (consumed), each part's place recorded under ``base``."""
        path = base
        while (token := self._next()) is not None and token.text != end and token.kind != "newline":
            if token.kind in ("bare", "string"):
                path = (*path, _key_text(token))
                self._keys.setdefault(path, (token.line, token.column))
        return path

    def _header(self) -> KeyPath:
        self._next()
        second = self._peek()
        array = second is not None and second.text == "["
        if array:
            self._next()
        path = self._dotted((), "]")
        if array:
            self._next()
        return path

    def _key_value(self, table: KeyPath) -> None:
        path = self._dotted(table, "=")
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        token = self._peek()
        if token is None:
            return
        self._values.setdefault(path, (token.line, token.column))
        if token.text == "[":
            self._next()
            index = 0
            while (item := self._peek()) is not None and item.text != "]":
                if item.kind == "newline" or item.text == ",":
                    self._next()
                    continue
                before = self._at
                self._value((*path, index))
                index += 1
                if self._at == before:  # never the case in TOML; never a loop either
                    self._next()
            self._next()
        elif token.text == "{":
            self._next()
            while (item := self._peek()) is not None and item.text != "}":
                if item.text == "," or item.kind == "newline":
                    self._next()
                    continue
                self._key_value(path)
            self._next()
        else:  # a scalar: its tokens up to the end of the value (a date and time may hold a space)
            while (item := self._peek()) is not None and item.kind != "newline" and item.text not in ",]}":
                self._next()


def _key_text(token: _Token) -> str:
    if token.kind == "bare":
        return token.text
    if token.text.startswith("'"):
        return token.text[1:-1]
    try:
        decoded = json.loads(token.text)  # TOML's escapes in a basic string are JSON's, less a few
    except ValueError:
        return token.text[1:-1]
    return decoded if isinstance(decoded, str) else token.text[1:-1]
