"""Validate: walk a composed profile along the profile format's declaration (confgen/format.py), check it against
the standard, and gather every problem.

The walk follows the YAML nodes, so each diagnostic points at the key or value it is about; something missing is
reported at the key of the mapping it is missing from. Only keys the format knows are descended into. What a
status-code table says is checked by the DICOM rules' own checks (confgen/rules/dicom.py).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from confgen import dictionary, rules
from confgen.diagnostics import Report
from confgen.fontcover import outside_the_font, shown
from confgen.format import (
    DOCUMENT,
    FORMAT_VERSION,
    Choice,
    Date,
    Edition,
    Failures,
    Flag,
    FormatVersion,
    Key,
    Keyed,
    ListOf,
    Logo,
    OneOf,
    Prose,
    Spec,
    Statuses,
    Text,
    profile_format,
)
from confgen.profile import (
    Case,
    Document,
    FailureProfile,
    Paragraphs,
    Profile,
    Revision,
    StatusEntry,
    TableProfile,
)
from confgen.readings import check_readings
from confgen.records import field, record
from confgen.rules.dicom import (
    GIVE,
    KEY_CHECKS,
    ROW_CHECKS,
    TABLE_CHECKS,
    Given,
    Row,
    StatusKey,
    Table,
    comment_not_sendable,
    failures_not_addressed,
    related_fields,
    unexpected_field,
)
from confgen.source import Source
from confgen.standard import CodeRange, Standard, available_editions, load_standard
from confgen.suppress import read_ignores

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _NULL, _TIMESTAMP = (_YAML + t for t in ("str", "int", "bool", "null", "timestamp"))
_PLAIN_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
# The plain tags each kind of node can have: YAML cannot read a mapping tagged !!str, or a text tagged !!map.
_KIND_TAGS: dict[type[Node], set[str]] = {
    ScalarNode: _PLAIN_TAGS - {_YAML + "map", _YAML + "seq"},
    SequenceNode: {_YAML + "seq"},
    MappingNode: {_YAML + "map"},
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Control characters other than white space, and the bidirectional overrides and isolates that reorder what a
# reader sees ("Trojan Source"): none has a place in a statement.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
# What a "\ud800" escape gives: libyaml refuses it, the pure-Python parser makes it a character no file can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")
# An ignore comment written inside a text, where YAML reads it as part of the text.
_IGNORE_IN_TEXT = re.compile(r"#\s*confgen\s*:\s*ignore\b")

# Text that a template or a starting profile leaves behind; a statement must not be published with any of it.
# Annex N writes instructions in square brackets, opening with a capitalised instruction ("[Describe the ...",
# "[List the ...", "[In the ...") and placeholders as a standalone token in angle brackets ("<AE1>").
LEFTOVERS = (
    re.compile(r"\b(?:TODO|TBD|FIXME)\b", re.IGNORECASE),
    re.compile(r"\[\s*(?:Describe|List|In the|For each|Throughout|Document|Provide|Specify|Insert|Add|Remove|Delete"
               r"|Replace|Fill)\b[^\]]*\]?"),
    re.compile(r"(?<![\w<])<<?[A-Za-z][^<>\n]*>>?"),
)
ERROR_COMMENT = 0x00000902  # (0000,0902), the command element that carries an SCP's comment text


def validate(source: Source, report: Report) -> Profile | None:
    """The profile in ``source`` if it has no errors; every problem found goes to ``report``.

    The profile's ignore comments suppress what they name on their lines. Whether one has gone stale is told once
    every table has been checked: where the walk stopped early (another format, an unknown edition), the finding
    an ignore was written for was never looked for.
    """
    ignores = read_ignores(source.text, source.root, report)
    report.suppressions = ignores
    walk = _Walk(report, source.path.parent)
    profile = walk.profile(source)
    check_readings(source.root, report)  # after the walk: what it refused already is not told again
    if walk.reached_the_tables:
        ignores.report_stale(report)
    return profile


class Fields(dict[str, Node]):
    """The values of a checked mapping by key, and the key nodes, which is where diagnostics point."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_at: dict[str, ScalarNode] = {}


@record
class Checked:
    """A mapping walked along its declaration: each key's value as checked (None where it was wrong), the key
    nodes, and the nodes of each list's items."""

    node: Node
    values: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, ScalarNode] = field(default_factory=dict)
    items: dict[str, list[Node]] = field(default_factory=dict)

    @property
    def sound(self) -> bool:
        return None not in self.values.values()

    def given(self, where: str, listed: bool = False) -> Given:
        return Given(self.values, self.keys, where, listed)


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Walk:
    def __init__(self, report: Report, folder: Path) -> None:
        self.report = report
        self.folder = folder  # the profile's folder, where a logo is looked for
        self.standard: Standard | None = None
        self.reached_the_tables = False

    # -- the profile ------------------------------------------------------------------------------------------

    def profile(self, source: Source) -> Profile | None:
        # The format's version and edition come first: what the services may hold depends on the edition. The
        # document does not, and is checked whatever the edition says.
        top = self.mapping(source.root, source.root, _TOP_NAMES, _TOP_REQUIRED, "the profile")
        if top is None:
            return None
        if "confgen" in top and not self.format_version(top["confgen"]):
            return None  # another format: the rest of the checks would only mislead
        standard = self.edition(top["standard"]) if "standard" in top else None
        self.standard = standard
        declared = profile_format(standard).keys if standard else (Key("document", DOCUMENT, True),)
        checked = Checked(source.root)
        for key in declared:
            if key.name in top and key.name not in ("confgen", "standard"):
                checked.keys[key.name] = top.keys_at[key.name]
                checked.values[key.name] = self.value(key.value, top[key.name], top.keys_at[key.name], key.name)
        self.reached_the_tables = standard is not None
        if self.report.has_errors or standard is None or not checked.sound:
            return None
        return Profile(source.path, source.sha256, standard.edition, _document(checked.values["document"]),
                       _services(standard, checked.values.get("services")),
                       _failures(checked.values.get("communication_failures")))

    def format_version(self, node: Node) -> bool:
        if not self.plain(node):
            return False
        if isinstance(node, ScalarNode) and node.tag == _INT and node.value == str(FORMAT_VERSION):
            return True
        if isinstance(node, ScalarNode) and node.tag == _STR and node.value.strip() == str(FORMAT_VERSION):
            message = f"confgen: '{node.value}' is text; write the format version as the number {FORMAT_VERSION}, " \
                      "without quotes"
        else:
            shown = node.value if isinstance(node, ScalarNode) else self.shape(node)
            message = f"confgen: {shown} is not a profile format version this confgen knows; write confgen: " \
                      f"{FORMAT_VERSION}"
        self.report.add(rules.S204, node, message)
        return False

    def edition(self, node: Node) -> Standard | None:
        edition = self.text(node, "standard")
        if edition is None:
            return None
        editions = available_editions()
        if edition not in editions:
            known = ", ".join(editions)
            self.report.add(rules.S205, node, f"standard: '{edition}' is not a PS3.2 edition confgen has data "
                                              f"for (it has: {known})")
            return None
        return load_standard(edition)

    # -- a value, as its declaration says ---------------------------------------------------------------------

    def value(self, spec: Spec, node: Node, key: ScalarNode | None, where: str) -> Any:
        """The value of ``node`` as ``spec`` declares it, or None (reported) where it is wrong. ``key`` is the key
        that holds it, where a diagnostic about something missing, or a text spanning lines, points."""
        walk: Callable[..., Any] = getattr(self, f"_{type(spec).__name__.lower()}")
        return walk(spec, node, key, where)

    def _text(self, spec: Text, node: Node, key: ScalarNode | None, where: str) -> str | None:
        return self.text(node, where, key)

    def _prose(self, spec: Prose, node: Node, key: ScalarNode | None, where: str) -> Paragraphs | None:
        return self.prose(node, where, key)

    _fieldname = _text  # resolved against the dictionary by the row's checks (D311)

    def _date(self, spec: Date, node: Node, key: ScalarNode | None, where: str) -> str | None:
        return self.date(node, where)

    def _flag(self, spec: Flag, node: Node, key: ScalarNode | None, where: str) -> bool | None:
        return self.boolean(node, where)

    def _choice(self, spec: Choice, node: Node, key: ScalarNode | None, where: str) -> str | None:
        value = self.text(node, where)
        if value is None:
            return None
        chosen = next((option for option in spec.options if option.lower() == value.lower()), None)
        if chosen is None:
            self.report.add(rules.S203, node, f"{where} must be one of {', '.join(spec.options)}, not "
                                              f"{self.quoted(value)}")
        return chosen

    def _logo(self, spec: Logo, node: Node, key: ScalarNode | None, where: str) -> Any:
        name = self.text(node, where)
        if name is None:
            return None
        from confgen.logo import LogoError, read_logo  # its SVG parser, for the profiles that have a logo

        try:
            return read_logo(name, self.folder)
        except LogoError as error:
            self.report.add(rules.S210, node, f"{where} {self.quoted(name)} {error}")
            return None

    def _formatversion(self, spec: FormatVersion, node: Node, key: ScalarNode | None, where: str) -> None:
        raise AssertionError("the format version is read before the walk")

    def _edition(self, spec: Edition, node: Node, key: ScalarNode | None, where: str) -> None:
        raise AssertionError("the edition is read before the walk")

    def _keyed(self, spec: Keyed, node: Node, key: ScalarNode | None, where: str) -> Checked | None:
        names = spec.names
        canonical = None
        if spec.any_case:
            by_case = {name.lower(): name for name in names}

            def canonical(typed: ScalarNode) -> str | None:
                name = by_case.get(typed.value.strip().lower())
                if name is None:
                    self.known_key(typed, names, where, spec.hints)
                return name

        fields = self.mapping(node, key or node, names, spec.required, where, spec.hints, canonical)
        if fields is None:
            return None
        if len(fields) < spec.min_keys:
            self.report.add(rules.S209, key or node, f"{where} {spec.empty}")
            return None
        checked = Checked(node)
        for name, value in fields.items():
            declared = spec.key(name)
            assert declared is not None
            checked.keys[name] = fields.keys_at[name]
            inner = f"{where}.{name}" if where != "the profile" else name
            checked.values[name] = self.value(declared.value, value, fields.keys_at[name], inner)
            if isinstance(value, SequenceNode):
                checked.items[name] = list(value.value)
        return checked

    def _listof(self, spec: ListOf, node: Node, key: ScalarNode | None, where: str) -> list[Any] | None:
        items = self.sequence(node, where)
        if items is None:
            return None
        if len(items) < spec.min_items:
            self.report.add(rules.S207, key or node, f"{where} is an empty list: {spec.empty}")
            return None
        values = [self.value(spec.item, item, None, f"{where}[{index}]") for index, item in enumerate(items)]
        return None if None in values else values

    def _oneof(self, spec: OneOf, node: Node, key: ScalarNode | None, where: str) -> Any:
        if not self.plain(node):
            return None
        shapes: dict[type[Node], tuple[type, ...]] = {MappingNode: (Keyed,), SequenceNode: (ListOf,),
                                                      ScalarNode: (Text,)}
        for option in spec.options:
            if isinstance(option, shapes[type(node)]):
                return self.value(option, node, key, where)
        self.report.add(rules.S203, node, f"{where} must be {self.expected(spec)}, not {self.shape(node)}")
        return None

    def expected(self, spec: OneOf) -> str:
        shapes = []
        for option in spec.options:
            if isinstance(option, Text):
                shapes.append("text")
            elif isinstance(option, Keyed):
                shapes.append(f"a mapping of {', '.join(option.names)}")
            elif isinstance(option, ListOf):
                shapes.append("a list of such mappings")
        return ", or ".join(shapes)

    # -- a status-code table ----------------------------------------------------------------------------------

    def _statuses(self, spec: Statuses, node: Node, key: ScalarNode | None,
                  where: str) -> tuple[StatusEntry, ...] | None:
        assert self.standard is not None
        assert key is not None
        standard, table = self.standard, spec.table
        meant: set[str] = set()

        def status_key(typed: ScalarNode) -> str | None:
            as_typed = StatusKey(standard, table, typed, meant, self.report)
            if any(check(as_typed) for check in KEY_CHECKS):
                return None
            codes = CodeRange.parse(typed.value)
            return "other" if codes is None else str(codes)

        rows = self.mapping(node, key, (), (), where, key=status_key)
        if rows is None:
            return None
        entries = []
        unsent = {}
        for canonical, value in rows.items():
            code_key = rows.keys_at[canonical]
            codes = None if canonical == "other" else CodeRange.parse(canonical)
            entries.append(self.status_row(spec, codes, code_key, value, f"{where}.{code_key.value}"))
            sent_key = _sent_false(value)
            if sent_key is not None:
                unsent[canonical] = sent_key
        for check in TABLE_CHECKS:
            check(Table(standard, table, key, list(rows), meant, self.report, unsent))
        return None if None in entries else tuple(entry for entry in entries if entry is not None)

    def status_row(self, spec: Statuses, codes: CodeRange | None, key: ScalarNode, node: Node,
                   where: str) -> StatusEntry | None:
        assert self.standard is not None
        kind = spec.table.kind
        value = self.value(spec.entry, node, key, where)
        # The mapping or mappings that say the row, as the checks read them (Given) and as walked (Checked, with
        # the nodes of each list's items): one mapping, a list's entries, or an SCU's behavior written alone.
        if value is None:
            return None
        if isinstance(value, tuple):
            said: list[tuple[Given, Checked | None]] = [(Given({"behavior": value}, {"behavior": key}, where), None)]
        elif isinstance(value, list):
            said = [(item.given(f"{where}[{index}]", listed=True), item) for index, item in enumerate(value)]
        else:
            said = [(value.given(where), value)]
        if isinstance(value, Checked) and "sent" in value.values and value.values["sent"] is None:
            return None  # not true or false (reported): whether the row is sent is not known
        row = Row(self.standard, spec.table, codes, key, where, [given for given, _ in said], self.report,
                  sent=not isinstance(value, Checked) or value.values.get("sent") is not False)
        complete = True
        if isinstance(value, list):
            for (given, _), item_node in zip(said, node.value, strict=True):
                if "condition" in given.values:
                    continue
                complete = False
                if given.values.get("sent") is not False:  # sent: false in a list is D317's, said once
                    self.report.add(rules.S202, item_node, f"{given.where} is missing 'condition': give when the "
                                                           "application sends the code for this reason")
        elif row.sent and kind not in row.given[0].values:
            self.report.add(rules.S202, key, f"{where} is missing '{kind}': give {GIVE[kind]}")
            return None
        if any(check(row) for check in ROW_CHECKS) or not complete:
            return None
        cases = [self.case(row, given, checked) for given, checked in said] if row.sent else []
        if None in cases or not all(checked is None or checked.sound for _, checked in said):
            return None
        return StatusEntry(codes, tuple(case for case in cases if case is not None), key.start_mark.line + 1,
                           row.sent, row.further[1] if row.further else None)

    def case(self, row: Row, given: Given, checked: Checked | None) -> Case | None:
        """One condition (or behavior) of ``row`` as printed; None where a part of it was refused. Each part is
        checked even so, so that a refused text (a leftover) hides no problem of the row's fields or comment."""
        fields = self.fields(row, given, checked)
        comment: str | None = given.values.get("comment")
        if comment is not None:
            comment_not_sendable(comment, given.keys["comment"], self.report)
        text: Paragraphs | None = given.values.get(row.table.kind)
        if fields is None or text is None:
            return None
        if comment is not None and ERROR_COMMENT not in (found.ref for found in fields):
            # The text an SCP sends in Error Comment makes that field one of the row's related fields.
            element = dictionary.element(ERROR_COMMENT)
            unexpected_field(row, element, given.keys["comment"], " (the comment is sent in it)")
            fields += (element,)
        return Case(text, fields, comment)

    def fields(self, row: Row, given: Given, checked: Checked | None) -> tuple[dictionary.RelatedField, ...] | None:
        """The related fields one condition of ``row`` names, resolved and checked (None where one is wrong)."""
        nodes = checked.items.get("related_fields", []) if checked else []
        names: list[str] | None = given.values.get("related_fields")
        if names is None:  # none given (no nodes), or the list was refused, and told
            return None if nodes else ()
        return related_fields(row, list(zip(nodes, names, strict=True)))

    # -- a communication failure table ------------------------------------------------------------------------

    def _failures(self, spec: Failures, node: Node, key: ScalarNode | None,
                  where: str) -> tuple[tuple[str, Paragraphs], ...] | None:
        assert key is not None
        template = {name.casefold(): name for name in spec.table.failures}

        def failure(typed: ScalarNode) -> str | None:
            # The template's failures in any case; others as the profile writes them.
            name = " ".join(typed.value.split())
            if not name:
                self.report.add(rules.S207, typed, f"{where} has a failure with no name")
                return None
            self.font_has(typed, f"the failure {name!r} of {where}", name)  # printed, as the row's first cell
            return template.get(name.casefold(), name)

        rows = self.mapping(node, key, (), (), where, key=failure)
        if rows is None:
            return None
        behaviors = [(name, self.value(spec.behavior, value, rows.keys_at[name], f"{where}.{name}"))
                     for name, value in rows.items()]
        failures_not_addressed(spec.table.failures, list(rows), key, spec.table.table, self.report)
        if any(behavior is None for _, behavior in behaviors):
            return None
        return tuple(behaviors)

    # -- node access ------------------------------------------------------------------------------------------

    def plain(self, node: Node) -> bool:
        if node.tag in _KIND_TAGS[type(node)]:
            return True
        if node.tag in _PLAIN_TAGS:
            self.report.add(rules.Y105, node, f"the YAML tag {node.tag} cannot be given to {self.shape(node)}: "
                                              "YAML cannot read it; remove the tag")
            return False
        self.report.add(rules.Y105, node, f"the YAML tag {node.tag} is refused: a profile holds plain text, "
                                          "numbers, lists and mappings")
        return False

    def is_key(self, node: Node) -> TypeGuard[ScalarNode]:
        if node.tag == _YAML + "merge":
            self.report.add(rules.Y105, node, "merge keys (<<) are refused: write each key out")
            return False
        if not isinstance(node, ScalarNode):
            self.report.add(rules.S203, node, f"a key must be text, not {self.shape(node)}")
            return False
        return self.plain(node)

    def is_mapping(self, node: Node, where: str) -> bool:
        if not self.plain(node):
            return False
        if isinstance(node, MappingNode):
            return True
        self.report.add(rules.S203, node, f"{where} must be a mapping of keys to values, not {self.shape(node)}")
        return False

    def mapping(self, node: Node, at: Node, known: Sequence[str], required: Sequence[str], where: str,
                hints: dict[str, str] | None = None,
                key: Callable[[ScalarNode], str | None] | None = None) -> Fields | None:
        """The values of a mapping by key, after checking its keys: unknown, duplicate and missing ones.

        ``at`` is where a missing key is reported: the key that holds this mapping. ``key``, where given, replaces
        the check against ``known``: it gives a key's canonical form ("a7a0" -> "A7A0"), or reports the key and
        gives None. Two keys with one canonical form are duplicates.
        """
        if not self.is_mapping(node, where):
            return None
        assert isinstance(node, MappingNode)
        fields = Fields()
        for key_node, value_node in node.value:
            if not self.is_key(key_node):
                continue
            canonical = key(key_node) if key else self.known_key(key_node, known, where, hints)
            if canonical is None:
                continue
            if canonical in fields:  # as YAML does, the later copy is the one that counts
                self.duplicate(key_node, fields.keys_at[canonical], where)
            fields[canonical] = value_node
            fields.keys_at[canonical] = key_node
        for name in required:
            if name not in fields:
                self.report.add(rules.S202, at, f"{where} is missing the required key '{name}'")
        return fields

    def known_key(self, node: ScalarNode, known: Sequence[str], where: str,
                  hints: dict[str, str] | None) -> str | None:
        if node.value in known:
            return str(node.value)
        place = "at the top of the profile" if where == "the profile" else f"in {where}"
        hint = f": {hints[node.value]}" if hints and node.value in hints else _suggest(node.value, known)
        self.report.add(rules.S201, node, f"unknown key {self.quoted(node.value)} {place}{hint}")
        return None

    def duplicate(self, node: ScalarNode, first: ScalarNode, where: str) -> None:
        line = first.start_mark.line + 1
        if first.value == node.value:
            self.report.add(rules.Y104, node, f"{self.quoted(node.value)} is given twice in {where} (first at "
                                              f"line {line}); this later one is the one YAML keeps")
        elif where.endswith(".statuses"):
            self.report.add(rules.D307, node, f"{self.quoted(node.value)} is the same status code as "
                                              f"{self.quoted(first.value)} at line {line}")
        else:
            self.report.add(rules.Y104, node, f"{self.quoted(node.value)} is the same key as "
                                              f"{self.quoted(first.value)} at line {line} in {where}")

    def sequence(self, node: Node, where: str) -> list[Node] | None:
        if not self.plain(node):
            return None
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.report.add(rules.S203, node, f"{where} must be a list, not {self.shape(node)}")
        return None

    def text(self, node: Node, where: str, key: Node | None = None) -> str | None:
        """A text as one line: its line breaks and runs of white space are single spaces. ``key`` is the key that
        holds it, where a text that spans lines below it is reported."""
        value = self.checked_text(node, where, key)
        return None if value is None else " ".join(value.split())

    def prose(self, node: Node, where: str, key: Node | None = None) -> Paragraphs | None:
        """A text that may have paragraphs: a blank line in it starts a new one (in a literal block scalar, as
        typed; in every other style YAML has already folded each single line break into a space, so what breaks
        a line is a blank one)."""
        value = self.checked_text(node, where, key)
        if value is None:
            return None
        assert isinstance(node, ScalarNode)
        blocks = re.split(r"\n[ \t]*\n", value) if node.style == "|" else value.split("\n")
        return tuple(" ".join(block.split()) for block in blocks if block.strip())

    def checked_text(self, node: Node, where: str, key: Node | None) -> str | None:
        """The characters of a text that is fit to print; None, reported, for anything else."""
        if not self.plain(node):
            return None
        if not isinstance(node, ScalarNode):
            self.report.add(rules.S203, node, f"{where} must be text, not {self.shape(node)}")
            return None
        # A text spanning lines below its key is reported at the key, so that one ignore comment on the key's line
        # (condition: >-  # confgen: ignore[S208]) reaches the whole text.
        at = key if key is not None and node.start_mark.line > key.start_mark.line and \
            node.end_mark.line > node.start_mark.line else node
        if node.tag == _NULL or (node.tag == _STR and not node.value.strip()):
            self.report.add(rules.S207, at, f"{where} is empty")
            return None
        if node.tag != _STR:
            self.report.add(rules.S203, at, f"{where} must be text, but YAML reads {node.value} as "
                                            f"{self.shape(node)}; write it in quotes: \"{node.value}\"")
            return None
        surrogate = _SURROGATE.search(node.value)
        if surrogate:
            self.report.add(rules.Y102, at, f"YAML syntax error: {where} has an escape of U+"
                                            f"{ord(surrogate.group()):04X}, half of a UTF-16 surrogate pair, "
                                            "which is not a character; write the character itself")
            return None
        unprintable = _UNPRINTABLE.search(node.value)
        if unprintable:
            self.report.add(rules.S203, at, f"{where} holds the control character U+{ord(unprintable.group()):04X}, "
                                            "which a statement cannot print; remove it")
            return None
        if _IGNORE_IN_TEXT.search(node.value):
            self.report.add(rules.S211, at, f"{where} holds an ignore comment, which YAML reads as part of the text: "
                                            "put it on the key's line, after the key (condition: >-  # confgen: "
                                            "ignore[...])")
            return None
        self.font_has(at, where, node.value)
        # Leftovers are looked for in the text as one line, so that a placeholder broken over two is found too.
        paragraph = " ".join(node.value.split())
        for pattern in LEFTOVERS:
            found = pattern.search(paragraph)
            if found:
                leftover = found.group(0)
                what = "the template placeholder" if leftover.startswith("<") else \
                    "the template instruction" if leftover.startswith("[") else "the to-do marker"
                if self.report.add(rules.S208, at, f"{where} still holds {what} {self.quoted(leftover)}; replace it "
                                                   "with the real text, or suppress S208 on this line if it is the "
                                                   "product's own text"):
                    return None
                break  # suppressed: the text is the product's own
        return str(node.value)

    def font_has(self, at: Node, what: str, text: str) -> None:
        """S222 where ``text``, which the statement prints, has characters the packaged templates' font lacks."""
        outside = outside_the_font(text)
        if outside:
            self.report.add(rules.S222, at, f"{what} has {shown(outside)}, which the packaged templates' font "
                                            "(DejaVu Sans) does not have: a PDF build fails (R402) unless a font of "
                                            "this machine or of --templates has them")

    def date(self, node: Node, where: str) -> str | None:
        # An unquoted 2026-11-20 is a YAML timestamp; the characters typed are the date either way.
        if isinstance(node, ScalarNode) and node.tag == _TIMESTAMP:
            value: str | None = node.value
        else:
            value = self.text(node, where)
        if value is None:
            return None
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            self.report.add(rules.S206, node, f"{where} '{value}' is not a real date in ISO 8601 form YYYY-MM-DD")
            return None
        return value

    def boolean(self, node: Node, where: str) -> bool | None:
        value = _read_scalar(node) if node.tag == _BOOL else None
        if isinstance(value, bool):
            return value
        shown = self.quoted(node.value) if isinstance(node, ScalarNode) else self.shape(node)
        self.report.add(rules.S203, node, f"{where} must be true or false, not {shown}")
        return None

    @staticmethod
    def shape(node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        kind = node.tag.removeprefix(_YAML)
        value = _read_scalar(node)
        if kind in ("int", "float"):
            return f"the number {value}" if isinstance(value, int | float) else "a number"
        if kind == "bool":
            return f"the boolean {str(value).lower()}" if isinstance(value, bool) else "a boolean"
        if kind == "timestamp":
            return "a date"
        if kind == "null":
            return "nothing"
        return "text"

    @staticmethod
    def quoted(text: str) -> str:
        """``text`` in quotes for a message, shortened (the report makes control characters visible)."""
        return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"


_TOP_NAMES = ("confgen", "standard", "document", "services", "communication_failures")
_TOP_REQUIRED = ("confgen", "standard", "document", "services")


def _sent_false(row: Node) -> ScalarNode | None:
    """The sent key of a row that says sent: false."""
    if isinstance(row, MappingNode):
        for key, value in row.value:
            if isinstance(key, ScalarNode) and key.value == "sent" and value.tag == _BOOL and \
                    _read_scalar(value) is False:
                return key
    return None


def _read_scalar(node: Node) -> object:
    """What YAML itself would read from a scalar (``4.10`` -> 4.1), or None where it could not read one.

    Only for messages and booleans: the profile's values are the characters typed. The length bound keeps
    the reading cheap; a tag written on purpose (``!!int "abc"``) is simply unreadable here.
    """
    if not isinstance(node, ScalarNode) or len(node.value) > 40:
        return None
    try:
        return SafeConstructor().construct_object(node)
    except Exception:  # any constructor failure only means "not a value of that type"
        return None


# -- from checked values to the profile ----------------------------------------------------------------------------


def _document(checked: Checked) -> Document:
    values = checked.values
    revisions = tuple(Revision(r.values["revision"], r.values["date"], r.values["description"])
                      for r in values.get("revisions") or ())
    return Document(values["manufacturer"], values["product"], values["product_version"], values["date"],
                    values.get("document_number"), revisions, values.get("logo"), values.get("paper") or "A4",
                    bool(values.get("decimal_codes", False)), values.get("unsent_statuses") or "sentence")


def _services(standard: Standard, checked: Checked | None) -> dict[str, dict[str, dict[str, TableProfile]]]:
    """service -> role -> DIMSE -> table, from the services as checked."""
    services: dict[str, dict[str, dict[str, TableProfile]]] = {}
    for key, roles in (checked.values.items() if checked else ()):
        template = standard.services[key]
        services[key] = {}
        for role, declared in roles.values.items():
            if template.by_dimse:
                tables = {table.dimse: _table(declared.values[table.dimse_key])
                          for table in template.tables_of(role) if table.dimse_key in declared.values}
            else:
                [table] = template.tables_of(role)
                tables = {table.dimse: _table(declared)}
            services[key][role] = tables
    return services


def _table(checked: Checked) -> TableProfile:
    return TableProfile(checked.values["statuses"], checked.keys["statuses"].start_mark.line + 1,
                        checked.values.get("intro") or (), tuple(checked.values.get("notes") or ()))


def _failures(checked: Checked | None) -> dict[str, FailureProfile]:
    if checked is None:
        return {}
    return {key: FailureProfile(behaviors, checked.keys[key].start_mark.line + 1)
            for key, behaviors in checked.values.items()}
