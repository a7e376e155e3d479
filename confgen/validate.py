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
from confgen.diagnostics import Report
from confgen.logo import Logo, LogoError, read_logo
from confgen.profile import FORMAT_VERSION, Document, Profile, Revision, RoleProfile, StatusEntry
from confgen.source import Source
from confgen.standard import CodeRange, Kind, Standard, TemplateRow, TemplateTable, available_editions, load_standard

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
                 "decimal_codes")
PAPER_SIZES = ("A4", "letter")
DOCUMENT_REQUIRED = DOCUMENT_KEYS[:4]
REVISION_KEYS = ("revision", "date", "description")
BEHAVIOR_KEYS = ("behavior", "further_meaning")
CONDITION_KEYS = ("condition", "related_fields", "sent", "further_meaning")
# Keys of the other role's rows, which people carry over: say what this role's row has instead.
BEHAVIOR_HINTS = {
    "condition": "an SCU row says what the application does: use 'behavior'",
    "related_fields": "related fields belong to SCP rows; an SCU row gives its behavior",
    "sent": "an SCU row says what the application does on receiving the status, which it cannot refuse to "
            "receive: give its behavior",
}
CONDITION_HINTS = {"behavior": "an SCP row says when the application sends the status: use 'condition'"}
GIVE = {"behavior": "its behavior", "condition": "a condition, or sent: false for a template row it never sends"}


def validate(source: Source, report: Report) -> Profile | None:
    """The profile in ``source`` if it has no errors; every problem found goes to ``report``."""
    return _Validator(report).profile(source)


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
        texts = {key: self.text(fields[key], f"document.{key}")
                 for key in ("manufacturer", "product", "product_version", "document_number") if key in fields}
        date = self.date(fields["date"], "document.date") if "date" in fields else None
        revisions = self.revisions(fields) if "revisions" in fields else ()
        logo = self.logo(fields["logo"]) if "logo" in fields else None
        paper = self.choice(fields["paper"], "document.paper", PAPER_SIZES) if "paper" in fields else "A4"
        decimal = self.boolean(fields["decimal_codes"], "document.decimal_codes") if "decimal_codes" in fields \
            else False
        manufacturer, product, version = texts.get("manufacturer"), texts.get("product"), texts.get("product_version")
        if manufacturer is None or product is None or version is None or date is None or revisions is None or \
                ("logo" in fields and logo is None) or paper is None or decimal is None:
            return None
        return Document(manufacturer, product, version, date, texts.get("document_number"), revisions, logo, paper,
                        decimal)

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
            revision = self.text(fields["revision"], f"{where}.revision") if "revision" in fields else None
            date = self.date(fields["date"], f"{where}.date") if "date" in fields else None
            description = self.text(fields["description"], f"{where}.description") \
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
                checked = self.role(standard, key, template.roles[role], roles, role, f"{where}.{role}")
                if checked is not None:
                    services[key][role] = checked
        return services

    def role(self, standard: Standard, service: str, table: TemplateTable, roles: Fields, role: str,
             where: str) -> RoleProfile | None:
        fields = self.mapping(roles[role], roles.keys_at[role], ("statuses",), ("statuses",), where)
        if fields is None or "statuses" not in fields:
            return None
        where = f"{where}.statuses"
        meant: set[str] = set()  # rows that rejected keys evidently stand for, so they are not also "missing"

        def status_key(key: ScalarNode) -> str | None:
            codes = self.status_key(standard, key, table, meant)
            return None if codes is False else "other" if codes is None else str(codes)

        statuses = self.mapping(fields["statuses"], fields.keys_at["statuses"], (), (), where, key=status_key)
        if statuses is None:
            return None
        entries = []
        for canonical, value in statuses.items():
            codes = None if canonical == "other" else CodeRange.parse(canonical)
            key = statuses.keys_at[canonical]
            entry = self.status_entry(standard, service, table, codes, key, value, f"{where}.{key.value}")
            if entry is not None:
                entries.append(entry)
        self.missing_rows(table, fields.keys_at["statuses"], statuses.keys() | meant)
        return RoleProfile(tuple(entries))

    def duplicate(self, node: ScalarNode, first: ScalarNode, where: str) -> None:
        line = first.start_mark.line + 1
        if first.value == node.value:
            self.report.add(rules.Y104, node, f"{self.quoted(node.value)} is given twice in {where} (first at "
                                              f"line {line}); this later one is the one YAML keeps")
        else:
            self.report.add(rules.D307, node, f"{self.quoted(node.value)} is the same status code as "
                                              f"{self.quoted(first.value)} at line {line}")

    def status_key(self, standard: Standard, node: ScalarNode, table: TemplateTable,
                   meant: set[str]) -> CodeRange | Literal[False] | None:
        """The code or range a status key names, ``None`` for ``other``, ``False`` for a key that names neither
        (reported here; the rows it evidently stands for are added to ``meant``)."""
        key = node.value.strip().upper()
        shown = self.quoted(node.value)
        if key == "OTHER":
            if table.other is None:
                self.report.add(rules.D309, node, f"'other' (the \"Other Status Codes\" row) belongs to SCU "
                                                  f"tables; PS3.2 Table {table.table} lists the codes the "
                                                  "application sends")
                return False
            return None
        codes = CodeRange.parse(node.value)  # parsed as typed: upper() would make "\ufb00" hex
        if codes is None:
            message, hinted = self.malformed_key(key, table.kind)
            self.report.add(rules.D301, node, f"{shown} is not a status code: {message}")
            meant |= hinted
            return False
        misprint = table.row_printed_as(str(codes))
        if misprint is not None:
            self.report.add(rules.D310, node, self.misprint_message(standard, codes, misprint, table))
            meant.add(str(misprint.codes))
            return False
        if codes.is_code:
            return codes
        if table.kind == "condition":
            self.report.add(rules.D303, node, f"{shown} is a range; an SCP sends concrete codes (for example "
                                              f"{codes.first:04X}): list each code the application sends")
            meant.update(str(row.codes) for row in table.rows if row.codes.first in codes)
            return False
        if table.row_for(codes) is None:
            ranges = ", ".join(str(row.codes) for row in table.rows if not row.codes.is_code)
            self.report.add(rules.D302, node, f"{shown} is not a range of PS3.2 Table {table.table}; its ranges "
                                              f"are {ranges} (give a code inside a range as a row of its own)")
            return False
        return codes

    @staticmethod
    def misprint_message(standard: Standard, printed: CodeRange, row: TemplateRow, table: TemplateTable) -> str:
        meaning = standard.general_meaning(printed.first)
        printed_means = f'is "{meaning}"' if meaning else "is not defined in PS3.7"
        return (f"{printed} is the PS3.2 {standard.edition} template's misprint in Table {table.table} for "
                f"\"{row.meaning}\": PS3.7 assigns {row.codes} ({standard.general_meaning(row.codes.first)}), while "
                f"{printed} {printed_means}; the row is keyed \"{row.codes}\"")

    @staticmethod
    def malformed_key(key: str, kind: Kind) -> tuple[str, frozenset[str]]:
        """Why ``key`` is not a status key, and the row it was evidently meant to be, if any."""
        if len(key) == 4 and _CODE_WITH_X.fullmatch(key):
            low, high = key.replace("X", "0"), key.replace("X", "F")
            if kind == "behavior":
                return f"write the range as \"{low}-{high}\"", frozenset({f"{low}-{high}"})
            return f"an SCP sends concrete codes: write one such as \"{low}\"", frozenset({low})
        if key.startswith("0X") and CodeRange.parse(key[2:]) is not None:
            return f"write the code without 0x: \"{key[2:]}\"", frozenset({key[2:]})
        if kind == "behavior" and difflib.get_close_matches(key.lower(), ["other"], n=1, cutoff=0.6):
            return "did you mean 'other'?", frozenset({"other"})
        expected = "expected four hexadecimal digits such as \"B000\""
        if kind == "behavior":
            expected += ", a template range such as \"A700-A7FF\", or other"
        return expected, frozenset()

    def status_entry(self, standard: Standard, service: str, table: TemplateTable, codes: CodeRange | None,
                     key: ScalarNode, node: Node, where: str) -> StatusEntry | None:
        kind = table.kind
        if kind == "behavior" and isinstance(node, ScalarNode):
            # An SCU entry is usually its behavior text alone; the mapping form can add a further meaning.
            fields = Fields()
            fields["behavior"] = node
            fields.keys_at["behavior"] = key
        elif kind == "condition" and isinstance(node, ScalarNode) and node.tag == _STR:
            self.report.add(rules.S203, node, f"{where} must be a mapping such as condition: <when the "
                                              "application sends it>, or sent: false")
            return None
        else:
            known = BEHAVIOR_KEYS if kind == "behavior" else CONDITION_KEYS if table.has_related_fields \
                else tuple(k for k in CONDITION_KEYS if k != "related_fields")
            hints = BEHAVIOR_HINTS if kind == "behavior" else CONDITION_HINTS
            checked = self.mapping(node, key, known, (), where, hints)
            if checked is None:
                return None
            fields = checked

        sent = self.boolean(fields["sent"], f"{where}.sent") if "sent" in fields else True
        text = self.text(fields[kind], f"{where}.{kind}") if kind in fields else None
        further = self.text(fields["further_meaning"], f"{where}.further_meaning") \
            if "further_meaning" in fields else None
        related = self.related_fields(standard, service, codes, fields, where)
        row = table.row_for(codes) if codes is not None else None

        if sent is False:
            if "condition" in fields:
                self.report.add(rules.D313, fields.keys_at["condition"], f"{where} says sent: false, so it has no "
                                                                         "condition")
            if related:
                self.report.add(rules.D313, fields.keys_at["related_fields"], f"{where} says sent: false, so it has "
                                                                              "no related fields")
            if codes is not None and standard.status_class(codes.first) == "Success":
                self.report.add(rules.D316, fields.keys_at["sent"],
                                f"{where}: an SCP that never sends Success ({codes}) never completes an operation; "
                                "describe when it sends it")
            elif row is None:
                self.report.add(rules.D314, fields.keys_at["sent"],
                                f"{where}: sent: false is for rows of PS3.2 Table {table.table}; leave out a code "
                                "the application never sends")
        elif kind not in fields:
            self.report.add(rules.S202, key, f"{where} is missing '{kind}': give {GIVE[kind]}")
        if codes is not None and codes.is_code:
            self.check_code(standard, service, codes, key, further, where)
        if row is not None and further is not None and further.casefold() != row.meaning.casefold():
            self.report.add(rules.D315, fields.keys_at["further_meaning"],
                            f"PS3.2 Table {table.table} prints the Further Meaning \"{row.meaning}\" for {codes}; "
                            f"the statement will print \"{further}\" instead")
        if sent is None or related is None:
            return None
        return StatusEntry(codes, text, sent, related, further)

    def check_code(self, standard: Standard, service: str, codes: CodeRange, key: Node, further: str | None,
                   where: str) -> None:
        code = codes.first
        status_class = standard.status_class(code)
        if status_class is None:
            self.report.add(rules.D304, key, f"{codes} is in no PS3.7 status class (Annex C gives classes to "
                                             f"{standard.class_codes()}); implementations shall not use it")
            return
        if standard.meaning(service, code) is not None:
            return
        dimse = standard.services[service].dimse
        self.report.add(rules.D305, key, f"{codes} ({status_class}) is not a status that PS3.7 or PS3.4 define "
                                         f"for {dimse}; a peer may not expect it")
        if further is None:
            self.report.add(rules.D306, key, f"{where} needs further_meaning: the standard gives {codes} no "
                                             f"meaning for {dimse}")

    def related_fields(self, standard: Standard, service: str, codes: CodeRange | None, fields: Fields,
                       where: str) -> tuple[dictionary.CommandElement, ...] | None:
        if "related_fields" not in fields:
            return ()
        where = f"{where}.related_fields"
        items = self.sequence(fields["related_fields"], where)
        if items is None:
            return None
        # Only SCP rows have related fields, and an SCP row is always a concrete code.
        expected = standard.expected_fields(service, codes.first) if codes is not None else ()
        elements: list[dictionary.CommandElement] = []
        complete = True
        for item in items:
            text = self.text(item, f"{where} item")
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
            if element.tag not in expected:
                listed = ", ".join(str(dictionary.element(tag)) for tag in expected) or "none"
                self.report.add(rules.D312, item, f"{element} is not a related field the standard lists for "
                                                  f"{codes} (it lists: {listed})")
            elements.append(element)
        return tuple(elements) if complete else None

    def missing_rows(self, table: TemplateTable, at: Node, given: Collection[str]) -> None:
        for row in table.rows:
            if str(row.codes) not in given:
                self.report.add(rules.D308, at, f"PS3.2 Table {table.table} row \"{row.meaning}\" ({row.codes}) is "
                                                f"not addressed: add \"{row.codes}\" with {GIVE[table.kind]}")
        if table.other is not None and "other" not in given:
            self.report.add(rules.D308, at, f"PS3.2 Table {table.table} row \"{table.other.meaning}\" is not "
                                            "addressed: add other with what the application does on any code "
                                            "not listed")

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

    def text(self, node: Node, where: str) -> str | None:
        if not self.plain(node):
            return None
        if not isinstance(node, ScalarNode):
            self.report.add(rules.S203, node, f"{where} must be text, not {self.shape(node)}")
            return None
        if node.tag == _NULL or (node.tag == _STR and not node.value.strip()):
            self.report.add(rules.S207, node, f"{where} is empty")
            return None
        if node.tag != _STR:
            self.report.add(rules.S203, node, f"{where} must be text, but YAML reads {node.value} as "
                                              f"{self.shape(node)}; write it in quotes: \"{node.value}\"")
            return None
        surrogate = _SURROGATE.search(node.value)
        if surrogate:
            self.report.add(rules.Y102, node, f"YAML syntax error: {where} has an escape of U+"
                                              f"{ord(surrogate.group()):04X}, half of a UTF-16 surrogate pair, "
                                              "which is not a character; write the character itself")
            return None
        unprintable = _UNPRINTABLE.search(node.value)
        if unprintable:
            self.report.add(rules.S203, node, f"{where} holds the control character U+{ord(unprintable.group()):04X}, "
                                              "which a statement cannot print; remove it")
            return None
        # Folded and multi-line scalars become one paragraph, as in the printed table; leftovers are looked for
        # in that paragraph, so that a placeholder broken over two lines is found too.
        paragraph = " ".join(node.value.split())
        for pattern in LEFTOVERS:
            found = pattern.search(paragraph)
            if found:
                leftover = found.group(0)
                what = "the template placeholder" if leftover.startswith("<") else \
                    "the template instruction" if leftover.startswith("[") else "the to-do marker"
                self.report.add(rules.S208, node, f"{where} still holds {what} {self.quoted(leftover)}; replace "
                                                  "it with the real text")
                return None
        return paragraph

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
