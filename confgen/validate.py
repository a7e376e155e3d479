"""Validate: check a composed profile against the profile format and the standard; gather every problem.

The checks walk the YAML nodes, so each diagnostic points at the key or value it is about; something missing
is reported at the key of the mapping it is missing from. Only keys the format knows are descended into.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Literal, TypeGuard

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from confgen import dictionary, rules
from confgen.diagnostics import Report, Severity
from confgen.logo import Logo, LogoError, read_logo
from confgen.profile import (
    FORMAT_VERSION,
    UNSENT_STATUSES,
    Case,
    Document,
    Paragraphs,
    Profile,
    Revision,
    RoleProfile,
    StatusEntry,
)
from confgen.source import Source
from confgen.standard import CodeRange, Standard, TemplateRow, TemplateTable, available_editions, load_standard

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
_CODE_WITH_X = re.compile(r"[0-9A-F]{1,3}X{1,3}")
# What a "\ud800" escape gives: libyaml refuses it, the pure-Python parser makes it a character no file can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")

# Text that a template or a starting profile leaves behind; a statement must not be published with any of it.
# Annex N writes instructions in square brackets, opening with a capitalised instruction ("[Describe the ...",
# "[List the ...", "[In the ...") and placeholders as a standalone token in angle brackets ("<AE1>").
LEFTOVERS = (
    re.compile(r"\b(?:TODO|TBD|FIXME)\b", re.IGNORECASE),
    re.compile(r"\[\s*(?:Describe|List|In the|For each|Throughout|Document|Provide|Specify|Insert|Add|Remove|Delete"
               r"|Replace|Fill)\b[^\]]*\]?"),
    re.compile(r"(?<![\w<])<<?[A-Za-z][^<>\n]*>>?"),
)

PROFILE_KEYS = ("confgen", "standard", "document", "services")
DOCUMENT_KEYS = ("manufacturer", "product", "product_version", "date", "document_number", "revisions", "logo", "paper",
                 "decimal_codes", "unsent_statuses")
PAPER_SIZES = ("A4", "letter")
DOCUMENT_REQUIRED = DOCUMENT_KEYS[:4]
REVISION_KEYS = ("revision", "date", "description")
ROLE_KEYS = ("intro", "notes", "statuses")
BEHAVIOR_KEYS = ("behavior", "further_meaning")
CONDITION_KEYS = ("condition", "related_fields", "comment", "sent", "further_meaning")
# An entry of a list of conditions: one reason the code is sent (sent: false has no place in it).
CASE_KEYS = ("condition", "related_fields", "comment", "further_meaning", "sent")
ERROR_COMMENT = 0x00000902  # (0000,0902), the command element that carries an SCP's comment text
# Keys of the other role's rows, which people carry over: say what this role's row has instead.
BEHAVIOR_HINTS = {
    "condition": "an SCU row says what the application does: use 'behavior'",
    "related_fields": "related fields belong to SCP rows; an SCU row gives its behavior",
    "sent": "an SCU row says what the application does on receiving the status, which it cannot refuse to "
            "receive: give its behavior",
    "comment": "an Error Comment is text an SCP sends with a status; an SCU row gives its behavior",
}
CONDITION_HINTS = {"behavior": "an SCP row says when the application sends the status: use 'condition'"}
GIVE = {"behavior": "its behavior", "condition": "a condition, or sent: false for a template row it never sends"}


def validate(source: Source, report: Report) -> Profile | None:
    """The profile in ``source`` if it has no errors; every problem found goes to ``report``.

    The profile's ignore comments suppress what they name on their lines. Whether one has gone stale is only told
    when every check has run: an error elsewhere can keep the finding it was written for from being looked for.
    """
    report.suppressions = source.ignores
    profile = _Validator(report).profile(source)
    if not any(d.severity is Severity.ERROR and d.rule not in (rules.S211, rules.S212) for d in report.diagnostics):
        source.ignores.report_stale(report)
    return profile


class Fields(dict[str, Node]):
    """The values of a checked mapping by key, and the key nodes, which is where diagnostics point."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_at: dict[str, ScalarNode] = {}


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Validator:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.folder = Path()  # the profile's folder, where a logo is looked for

    # -- the profile ------------------------------------------------------------------------------------------

    def profile(self, source: Source) -> Profile | None:
        self.folder = source.path.parent
        top = self.mapping(source.root, source.root, PROFILE_KEYS, PROFILE_KEYS, "the profile")
        if top is None:
            return None
        if "confgen" in top and not self.format_version(top["confgen"]):
            return None  # another format: the rest of the checks would only mislead
        standard = self.standard(top["standard"]) if "standard" in top else None
        document = self.document(top) if "document" in top else None
        services = self.services(top, standard) if "services" in top and standard else None
        if self.report.has_errors or standard is None or document is None or services is None:
            return None
        return Profile(source.path, source.sha256, standard.edition, document, services)

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

    def standard(self, node: Node) -> Standard | None:
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

    def document(self, top: Fields) -> Document | None:
        fields = self.mapping(top["document"], top.keys_at["document"], DOCUMENT_KEYS, DOCUMENT_REQUIRED,
                              "document")
        if fields is None:
            return None
        texts = {key: self.text(fields[key], f"document.{key}", fields.keys_at[key])
                 for key in ("manufacturer", "product", "product_version", "document_number") if key in fields}
        date = self.date(fields["date"], "document.date") if "date" in fields else None
        revisions = self.revisions(fields) if "revisions" in fields else ()
        logo = self.logo(fields["logo"]) if "logo" in fields else None
        paper = self.choice(fields["paper"], "document.paper", PAPER_SIZES) if "paper" in fields else "A4"
        decimal = self.boolean(fields["decimal_codes"], "document.decimal_codes") if "decimal_codes" in fields \
            else False
        unsent = self.choice(fields["unsent_statuses"], "document.unsent_statuses", UNSENT_STATUSES) \
            if "unsent_statuses" in fields else UNSENT_STATUSES[0]
        manufacturer, product, version = texts.get("manufacturer"), texts.get("product"), texts.get("product_version")
        if manufacturer is None or product is None or version is None or date is None or revisions is None or \
                ("logo" in fields and logo is None) or paper is None or decimal is None or unsent is None:
            return None
        return Document(manufacturer, product, version, date, texts.get("document_number"), revisions, logo, paper,
                        decimal, unsent)

    def logo(self, node: Node) -> Logo | None:
        name = self.text(node, "document.logo")
        if name is None:
            return None
        try:
            return read_logo(name, self.folder)
        except LogoError as error:
            self.report.add(rules.S210, node, f"document.logo {self.quoted(name)} {error}")
            return None

    def choice(self, node: Node, where: str, choices: Sequence[str]) -> str | None:
        value = self.text(node, where)
        if value is None:
            return None
        chosen = next((c for c in choices if c.lower() == value.lower()), None)
        if chosen is None:
            self.report.add(rules.S203, node, f"{where} must be one of {', '.join(choices)}, not {self.quoted(value)}")
        return chosen

    def revisions(self, document: Fields) -> tuple[Revision, ...] | None:
        items = self.sequence(document["revisions"], "document.revisions")
        if items is None:
            return None
        revisions = []
        for index, item in enumerate(items):
            where = f"document.revisions[{index}]"
            fields = self.mapping(item, item, REVISION_KEYS, REVISION_KEYS, where)
            if fields is None:
                continue
            revision = self.text(fields["revision"], f"{where}.revision", fields.keys_at["revision"]) \
                if "revision" in fields else None
            date = self.date(fields["date"], f"{where}.date") if "date" in fields else None
            description = self.text(fields["description"], f"{where}.description", fields.keys_at["description"]) \
                if "description" in fields else None
            if revision is not None and date is not None and description is not None:
                revisions.append(Revision(revision, date, description))
        return tuple(revisions) if len(revisions) == len(items) else None

    # -- services and their status tables ---------------------------------------------------------------------

    def services(self, top: Fields, standard: Standard) -> dict[str, dict[str, RoleProfile]] | None:
        declared = self.mapping(top["services"], top.keys_at["services"], tuple(standard.services), (),
                                "services")
        if declared is None:
            return None
        if not declared:
            self.report.add(rules.S209, top.keys_at["services"],
                            "services declares no service; confgen knows: " + ", ".join(standard.services))
            return None
        services: dict[str, dict[str, RoleProfile]] = {}
        for key, service_node in declared.items():
            template = standard.services[key]
            where = f"services.{key}"
            roles = self.mapping(service_node, declared.keys_at[key], tuple(template.roles), (), where)
            if roles is None:
                continue
            if not roles:
                self.report.add(rules.S209, declared.keys_at[key],
                                f"{where} declares neither " + " nor ".join(template.roles))
                continue
            services[key] = {}
            for role in roles:
                checked = _Table(self, standard, key, template.roles[role]).role(roles, role, f"{where}.{role}")
                if checked is not None:
                    services[key][role] = checked
        return services

    def duplicate(self, node: ScalarNode, first: ScalarNode, where: str) -> None:
        line = first.start_mark.line + 1
        if first.value == node.value:
            self.report.add(rules.Y104, node, f"{self.quoted(node.value)} is given twice in {where} (first at "
                                              f"line {line}); this later one is the one YAML keeps")
        else:
            self.report.add(rules.D307, node, f"{self.quoted(node.value)} is the same status code as "
                                              f"{self.quoted(first.value)} at line {line}")

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
                hints: Mapping[str, str] | None = None,
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
                  hints: Mapping[str, str] | None) -> str | None:
        if node.value in known:
            return str(node.value)
        place = "at the top of the profile" if where == "the profile" else f"in {where}"
        hint = f": {hints[node.value]}" if hints and node.value in hints else _suggest(node.value, known)
        self.report.add(rules.S201, node, f"unknown key {self.quoted(node.value)} {place}{hint}")
        return None

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


class _Table:
    """The checks of one role's status table: its keys, rows and the text around it. Every status-code table is
    checked here, whatever its service: what differs between tables is the standard's data."""

    def __init__(self, checks: _Validator, standard: Standard, service: str, table: TemplateTable) -> None:
        self.checks = checks
        self.report = checks.report
        self.standard = standard
        self.service = service
        self.table = table

    def role(self, roles: Fields, role: str, where: str) -> RoleProfile | None:
        checks = self.checks
        fields = checks.mapping(roles[role], roles.keys_at[role], ROLE_KEYS, ("statuses",), where)
        if fields is None or "statuses" not in fields:
            return None
        intro = checks.prose(fields["intro"], f"{where}.intro", fields.keys_at["intro"]) if "intro" in fields else ()
        notes = self.notes(fields["notes"], fields.keys_at["notes"], f"{where}.notes") if "notes" in fields else ()
        where = f"{where}.statuses"
        meant: set[str] = set()  # rows that rejected keys evidently stand for, so they are not also "missing"

        def status_key(key: ScalarNode) -> str | None:
            codes = self.status_key(key, meant)
            return None if codes is False else "other" if codes is None else str(codes)

        statuses = checks.mapping(fields["statuses"], fields.keys_at["statuses"], (), (), where, key=status_key)
        if statuses is None:
            return None
        entries = []
        for canonical, value in statuses.items():
            codes = None if canonical == "other" else CodeRange.parse(canonical)
            key = statuses.keys_at[canonical]
            entry = self.status_entry(codes, key, value, f"{where}.{key.value}")
            if entry is not None:
                entries.append(entry)
        given = [codes for codes in map(CodeRange.parse, statuses) if codes is not None]
        self.missing_rows(fields.keys_at["statuses"], statuses.keys() | meant | self.answered_rows(given))
        if intro is None or notes is None:
            return None
        return RoleProfile(tuple(entries), fields.keys_at["statuses"].start_mark.line + 1, intro, notes)

    def notes(self, node: Node, key: ScalarNode, where: str) -> tuple[Paragraphs, ...] | None:
        items = self.checks.sequence(node, where)
        if items is None:
            return None
        if not items:
            self.report.add(rules.S207, key, f"{where} is an empty list: give at least one note, or leave notes out")
            return None
        notes = [self.checks.prose(item, f"{where}[{index}]") for index, item in enumerate(items)]
        return tuple(note for note in notes if note is not None) if None not in notes else None

    # -- status keys ------------------------------------------------------------------------------------------

    def status_key(self, node: ScalarNode, meant: set[str]) -> CodeRange | Literal[False] | None:
        """The code or range a status key names, ``None`` for ``other``, ``False`` for a key that names neither
        (reported here; the rows it evidently stands for are added to ``meant``)."""
        table = self.table
        key = node.value.strip().upper()
        shown = _Validator.quoted(node.value)
        if key == "OTHER":
            if table.other is None:
                self.report.add(rules.D309, node, f"'other' (the \"Other Status Codes\" row) belongs to SCU "
                                                  f"tables; PS3.2 Table {table.table} lists the codes the "
                                                  "application sends")
                return False
            return None
        codes = CodeRange.parse(node.value)  # parsed as typed: upper() would make "\ufb00" hex
        if codes is None:
            message, hinted = self.malformed_key(key)
            self.report.add(rules.D301, node, f"{shown} is not a status code: {message}")
            meant |= hinted
            return False
        misprint = table.row_printed_as(str(codes))
        if misprint is not None:
            self.report.add(rules.D310, node, self.misprint_message(codes, misprint))
            meant.add(str(misprint.codes))
            return False
        if codes.is_code:
            return codes
        if table.kind == "condition":
            self.scp_range(node, codes, meant)
            return False
        if table.row_for(codes) is None:
            ranges = ", ".join(str(row.codes) for row in table.rows if not row.codes.is_code)
            self.report.add(rules.D302, node, f"{shown} is not a range of PS3.2 Table {table.table}; its ranges "
                                              f"are {ranges} (give a code inside a range as a row of its own)")
            return False
        return codes

    def scp_range(self, node: ScalarNode, codes: CodeRange, meant: set[str]) -> None:
        """D303 for a range in an SCP table."""
        self.report.add(rules.D303, node, f"{_Validator.quoted(node.value)} is a range; an SCP sends concrete codes: "
                                          f"list each code the application sends, such as {self.code_of(codes)}")
        meant.update(str(row.codes) for row in self.table.rows_in(codes))

    def code_of(self, codes: CodeRange) -> str:
        """A code of ``codes`` to name in a message: the template's row in it, if it has one."""
        rows = self.table.rows_in(codes)
        return f"\"{rows[0].codes}\" (the template's row)" if rows else f"\"{codes.first:04X}\""

    def misprint_message(self, printed: CodeRange, row: TemplateRow) -> str:
        standard, table = self.standard, self.table
        meaning = standard.general_meaning(printed.first)
        printed_means = f'is "{meaning}"' if meaning else "is not defined in PS3.7"
        return (f"{printed} is the PS3.2 {standard.edition} template's misprint in Table {table.table} for "
                f"\"{row.meaning}\": PS3.7 assigns {row.codes} ({standard.general_meaning(row.codes.first)}), while "
                f"{printed} {printed_means}; the row is keyed \"{row.codes}\"")

    def malformed_key(self, key: str) -> tuple[str, frozenset[str]]:
        """Why ``key`` is not a status key, and the row it was evidently meant to be, if any."""
        kind = self.table.kind
        meant_range = _loose_range(key)
        if meant_range is not None and kind == "behavior":
            return f"write the range as \"{meant_range}\"", frozenset({str(meant_range)})
        if meant_range is not None:
            return (f"it is the range {meant_range}, and an SCP sends concrete codes: write the one the application "
                    f"sends, such as {self.code_of(meant_range)}",
                    frozenset(str(row.codes) for row in self.table.rows_in(meant_range)))
        if key.startswith("0X") and CodeRange.parse(key[2:]) is not None:
            return f"write the code without 0x: \"{key[2:]}\"", frozenset({key[2:]})
        if kind == "behavior" and difflib.get_close_matches(key.lower(), ["other"], n=1, cutoff=0.6):
            return "did you mean 'other'?", frozenset({"other"})
        expected = "expected four hexadecimal digits such as \"B000\""
        if kind == "behavior":
            expected += ", a template range such as \"A700-A7FF\", or other"
        return expected, frozenset()

    # -- rows -------------------------------------------------------------------------------------------------

    def status_entry(self, codes: CodeRange | None, key: ScalarNode, node: Node, where: str) -> StatusEntry | None:
        checks, table = self.checks, self.table
        sent: bool | None = True
        if table.kind == "behavior":
            behavior = self.behavior_fields(key, node, where)
            if behavior is None:
                return None
            entries, complete = [(behavior, where)], "behavior" in behavior
        elif isinstance(node, SequenceNode) and checks.plain(node):
            entries, complete = self.condition_list(key, node, where)
        elif isinstance(node, ScalarNode) and node.tag == _STR:
            self.report.add(rules.S203, node, f"{where} must be a mapping such as condition: <when the "
                                              "application sends it>, a list of such mappings, or sent: false")
            return None
        else:
            fields = checks.mapping(node, key, self.condition_keys(CONDITION_KEYS), (), where, CONDITION_HINTS)
            if fields is None:
                return None
            sent = checks.boolean(fields["sent"], f"{where}.sent") if "sent" in fields else True
            if sent is False:
                self.not_sent(codes, fields, where)
            elif "condition" not in fields:
                self.report.add(rules.S202, key, f"{where} is missing 'condition': give {GIVE['condition']}")
            entries, complete = [(fields, where)], sent is False or "condition" in fields
        further = self.further_meaning(entries)
        if codes is not None and codes.is_code:
            self.check_code(codes, key, further, where)
        if codes is not None and further is not None:
            self.check_further_meaning(codes, further)
        cases = [self.case(codes, fields, at) for fields, at in entries] if sent and complete else []
        if sent is None or not complete or None in cases:
            return None
        return StatusEntry(codes, tuple(case for case in cases if case is not None), key.start_mark.line + 1, sent,
                           further[1] if further else None)

    def condition_keys(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        return keys if self.table.has_related_fields else tuple(key for key in keys if key != "related_fields")

    def behavior_fields(self, key: ScalarNode, node: Node, where: str) -> Fields | None:
        if isinstance(node, ScalarNode):
            # An SCU entry is usually its behavior text alone; the mapping form can add a further meaning.
            alone = Fields()
            alone["behavior"] = node
            alone.keys_at["behavior"] = key
            return alone
        fields = self.checks.mapping(node, key, BEHAVIOR_KEYS, (), where, BEHAVIOR_HINTS)
        if fields is not None and "behavior" not in fields:
            self.report.add(rules.S202, key, f"{where} is missing 'behavior': give {GIVE['behavior']}")
        return fields

    def condition_list(self, key: ScalarNode, node: SequenceNode, where: str) -> tuple[list[tuple[Fields, str]], bool]:
        """The entries of a code sent under several conditions, and whether they are all sound (each problem is
        reported here)."""
        if not node.value:
            self.report.add(rules.S207, key, f"{where} is an empty list: give at least one condition")
            return [], False
        entries = []
        for index, item in enumerate(node.value):
            at = f"{where}[{index}]"
            fields = self.checks.mapping(item, item, self.condition_keys(CASE_KEYS), (), at, CONDITION_HINTS)
            if fields is None:
                continue
            if "sent" in fields:
                sent = self.checks.boolean(fields["sent"], f"{at}.sent")
                if sent is False:
                    self.report.add(rules.D317, fields.keys_at["sent"],
                                    f"{at} says sent: false inside a list of conditions; a code the application "
                                    "never sends is written as the single mapping sent: false")
                if sent is not True:
                    continue
            if "condition" not in fields:
                self.report.add(rules.S202, item, f"{at} is missing 'condition': give when the application sends "
                                                  "the code for this reason")
                continue
            entries.append((fields, at))
        return entries, len(entries) == len(node.value)

    def not_sent(self, codes: CodeRange | None, fields: Fields, where: str) -> None:
        for name, what in (("condition", "condition"), ("related_fields", "related fields"), ("comment", "comment")):
            if name in fields and (name != "related_fields" or _has_items(fields[name])):
                self.report.add(rules.D313, fields.keys_at[name], f"{where} says sent: false, so it has no {what}")
        if codes is not None and self.standard.status_class(codes.first) == "Success":
            self.report.add(rules.D316, fields.keys_at["sent"],
                            f"{where}: an SCP that never sends Success ({codes}) never completes an operation; "
                            "describe when it sends it")
        elif codes is None or self.table.row_for(codes) is None:
            self.report.add(rules.D314, fields.keys_at["sent"],
                            f"{where}: sent: false is for rows of PS3.2 Table {self.table.table}; leave out a code "
                            "the application never sends")

    def further_meaning(self, given: list[tuple[Fields, str]]) -> tuple[ScalarNode, str] | None:
        """The one further meaning the entries of a code give, with its key; D318 where they give different ones."""
        found: tuple[ScalarNode, str] | None = None
        for fields, where in given:
            if "further_meaning" not in fields:
                continue
            key = fields.keys_at["further_meaning"]
            text = self.checks.text(fields["further_meaning"], f"{where}.further_meaning", key)
            if text is None:
                continue
            if found is not None and text.casefold() != found[1].casefold():
                self.report.add(rules.D318, key, f"{where}.further_meaning \"{text}\" differs from \"{found[1]}\" at "
                                                 f"line {found[0].start_mark.line + 1}; a code has one Further Meaning")
                continue
            found = found or (key, text)
        return found

    def case(self, codes: CodeRange | None, fields: Fields, where: str) -> Case | None:
        kind = self.table.kind
        text = self.checks.prose(fields[kind], f"{where}.{kind}", fields.keys_at[kind])
        related = self.related_fields(codes, fields, where)
        comment = self.checks.text(fields["comment"], f"{where}.comment", fields.keys_at["comment"]) \
            if "comment" in fields else None
        if text is None or related is None or ("comment" in fields and comment is None):
            return None
        if comment is not None and ERROR_COMMENT not in (field.tag for field in related):
            # The text an SCP sends in Error Comment makes that field one of the row's related fields.
            element = dictionary.element(ERROR_COMMENT)
            self.unexpected_field(codes, element, fields.keys_at["comment"], " (the comment is sent in it)")
            related += (element,)
        return Case(text, related, comment)

    def check_code(self, codes: CodeRange, key: Node, further: tuple[ScalarNode, str] | None, where: str) -> None:
        standard, service = self.standard, self.service
        code = codes.first
        status_class = standard.status_class(code)
        if status_class is None:
            self.report.add(rules.D304, key, f"{codes} is in no PS3.7 status class (Annex C gives classes to "
                                             f"{standard.class_codes()}); implementations shall not use it")
            return
        if standard.meaning(service, code) is not None:
            return
        dimse = standard.services[service].dimse
        # An SCU table documents what the application does with the codes real peers send, defined or not.
        if self.table.kind == "condition":
            self.report.add(rules.D305, key, f"{codes} ({status_class}) is not a status that PS3.7 or PS3.4 define "
                                             f"for {dimse}; a peer may not expect it")
        if further is None and standard.own_meaning(service, code) is None:
            self.report.add(rules.D306, key, f"{where} needs further_meaning: the standard gives {codes} no "
                                             f"meaning for {dimse}")

    def check_further_meaning(self, codes: CodeRange, further: tuple[ScalarNode, str]) -> None:
        """D315 where the further meaning differs from the template's row, or from the standard's meaning of that
        one code. A code inside a range (A770 in A7xx) has no meaning of its own: its further meaning names the
        cause the implementation assigned it, as PS3.4 asks."""
        key, text = further
        row = self.table.row_for(codes)
        if row is not None:
            expected, said = row.meaning, f"PS3.2 Table {self.table.table} prints the Further Meaning"
        else:
            own = self.standard.own_meaning(self.service, codes.first) if codes.is_code else None
            if own is None:
                return
            expected, said = own.meaning, f"{own.source} gives the meaning"
        if _same_meaning(text, expected):
            return
        self.report.add(rules.D315, key, f"{said} \"{expected}\" for {codes}; the statement will print \"{text}\" "
                                         "instead")

    def related_fields(self, codes: CodeRange | None, fields: Fields,
                       where: str) -> tuple[dictionary.CommandElement, ...] | None:
        if "related_fields" not in fields:
            return ()
        where = f"{where}.related_fields"
        items = self.checks.sequence(fields["related_fields"], where)
        if items is None:
            return None
        elements: list[dictionary.CommandElement] = []
        complete = True
        for item in items:
            text = self.checks.text(item, f"{where} item")
            if text is None:
                complete = False
                continue
            try:
                element = dictionary.resolve(text)
            except dictionary.NotACommandElement as error:
                self.report.add(rules.D311, item, f"{where}: {error}")
                complete = False
                continue
            if element in elements:
                self.report.add(rules.D307, item, f"{where}: {element} is given twice")
                complete = False
                continue
            self.unexpected_field(codes, element, item)
            elements.append(element)
        return tuple(elements) if complete else None

    def unexpected_field(self, codes: CodeRange | None, element: dictionary.CommandElement, at: Node,
                         why: str = "") -> None:
        # Only SCP rows have related fields, and an SCP row is always a concrete code.
        expected = self.standard.expected_fields(self.service, codes.first) if codes is not None else ()
        if element.tag not in expected:
            listed = ", ".join(str(dictionary.element(tag)) for tag in expected) or "none"
            self.report.add(rules.D312, at, f"{element}{why} is not a related field the standard lists for {codes} "
                                            f"(it lists: {listed})")

    def answered_rows(self, given: list[CodeRange]) -> set[str]:
        """Template rows that a code of the same PS3.4 range answers: N.7-43's A700 is one code of A7xx, and an SCP
        that sends A711 for its one out-of-resources condition addresses that row."""
        answered = set()
        for row in self.table.rows:
            span = self.standard.service_range(self.service, row.codes.first) if row.codes.is_code else None
            if span is not None and any(codes.is_code and codes.first in span for codes in given):
                answered.add(str(row.codes))
        return answered

    def missing_rows(self, at: Node, given: Collection[str]) -> None:
        table = self.table
        for row in table.rows:
            if str(row.codes) not in given:
                answer = GIVE[table.kind]
                span = self.standard.service_range(self.service, row.codes.first) if row.codes.is_code else None
                code = f"\"{row.codes}\"" if span is None else f"\"{row.codes}\" (or the codes of {span} it sends)"
                self.report.add(rules.D308, at, f"PS3.2 Table {table.table} row \"{row.meaning}\" ({row.codes}) is "
                                                f"not addressed: add {code} with {answer}")
        if table.other is not None and "other" not in given:
            self.report.add(rules.D308, at, f"PS3.2 Table {table.table} row \"{table.other.meaning}\" is not "
                                            "addressed: add other with what the application does on any code "
                                            "not listed")


def _loose_range(key: str) -> CodeRange | None:
    """The range a status key evidently means, in a spelling confgen does not take: "A900 - A9FF" (spaces, or
    another dash) or PS3.4's "A9xx"."""
    spaced = re.fullmatch(r"([0-9A-F]{4})\s*[-\u2010-\u2015\u2212]\s*([0-9A-F]{4})", key)
    if spaced:
        return CodeRange.parse(f"{spaced[1]}-{spaced[2]}")
    if len(key) == 4 and _CODE_WITH_X.fullmatch(key):
        return CodeRange.parse(f"{key.replace('X', '0')}-{key.replace('X', 'F')}")
    return None


def _has_items(node: Node) -> bool:
    return not isinstance(node, SequenceNode) or bool(node.value)


_PREFIX = re.compile(r"^(?:refused|error|failed|failure|warning)\s*:\s*")


def _same_meaning(given: str, expected: str) -> bool:
    """Whether two Further Meanings say the same: case, punctuation and the class prefix that some tables print
    ("Refused: Out of Resources", "Out of Resources") aside."""

    def plain(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", _PREFIX.sub("", text.casefold().strip())).split())

    return plain(given) == plain(expected)
