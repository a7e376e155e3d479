"""D: what a status-code table says, against the DICOM standard. Each rule is followed by its check.

The checks read a table's keys as typed (``StatusKey``), each row as given (``Row``) and the whole table
(``Table``); the validator (confgen/validate.py) calls them in the order of ``KEY_CHECKS``, ``ROW_CHECKS`` and
``TABLE_CHECKS``. Every fact they check against is the standard's data (confgen/standard/), never a code in here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from typing import Any

from yaml.nodes import Node, ScalarNode

from confgen import dictionary
from confgen.diagnostics import Example, Report, Rule, Severity
from confgen.records import field, record
from confgen.standard import CodeRange, Standard, TemplateTable

E, W = Severity.ERROR, Severity.WARNING


@record
class StatusKey:
    """A status key as typed, in one table. ``meant`` gathers the template rows that rejected keys evidently stand
    for, so that they are not also reported missing."""

    standard: Standard
    table: TemplateTable
    node: ScalarNode
    meant: set[str]
    report: Report

    @property
    def text(self) -> str:
        return str(self.node.value).strip().upper()

    @property
    def shown(self) -> str:
        return quoted(self.node.value)


@record
class Given:
    """One mapping of a row as the profile gives it: its checked values, and the key each was given at. An SCU row
    written as text alone is given as {"behavior": text}."""

    values: dict[str, Any]
    keys: dict[str, ScalarNode]
    where: str
    listed: bool = False  # an entry of a list of conditions


@record
class Row:
    """A row of a table as the profile gives it: its code (None for "other"), the mapping or mappings that say it,
    and what the checks have found so far."""

    standard: Standard
    table: TemplateTable
    codes: CodeRange | None
    key: ScalarNode
    where: str
    given: list[Given]
    report: Report
    sent: bool = True
    further: tuple[ScalarNode, str] | None = None  # the one further meaning, with its key

    @property
    def code(self) -> int | None:
        return self.codes.first if self.codes is not None and self.codes.is_code else None


@record
class Table:
    """A table's keys once read: the canonical keys given, and the rows that rejected keys stand for."""

    standard: Standard
    table: TemplateTable
    statuses_key: ScalarNode
    given: Collection[str]
    meant: set[str] = field(default_factory=set)
    report: Report | None = None
    unsent: dict[str, ScalarNode] = field(default_factory=dict)  # the rows that say sent: false, at their sent key


def quoted(text: str) -> str:
    """``text`` in quotes for a message, shortened (the report makes control characters visible)."""
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"


GIVE = {"behavior": "its behavior", "condition": "a condition, or sent: false for a template row it never sends"}
_CODE_WITH_X = re.compile(r"[0-9A-F]{1,3}X{1,3}")


# -- status keys -------------------------------------------------------------------------------------------------

D309 = Rule(
    "D309", E, "`other` (the \"Other Status Codes\" row) is for SCU tables only.",
    "An SCP lists the codes it sends; there is no \"anything else\" to send.",
    failing=Example("scp", "other:\n  condition: Anything else went wrong."),
    passing=Example("scu", "other: Treated as a failure."))


def other_in_an_scp_table(key: StatusKey) -> bool:
    if key.text != "OTHER" or key.table.other is not None:
        return False
    key.report.add(D309, key.node, f"'other' (the \"Other Status Codes\" row) belongs to SCU tables; PS3.2 Table "
                                   f"{key.table.table} lists the codes the application sends")
    return True


D301 = Rule(
    "D301", E, "A status key is not four hexadecimal digits (or, for an SCU, a template range or `other`).",
    "A range written another way (\"A900 - A9FF\", PS3.4's \"A9xx\") is told the spelling to use.",
    failing=Example("scu", '"A7xx": Retried 3 times.'),
    passing=Example("scu", '"A700-A7FF": Retried 3 times.'))


def not_a_status_code(key: StatusKey) -> bool:
    # Parsed as typed: upper() would make the ligature "\ufb00" hex.
    if key.text == "OTHER" or CodeRange.parse(key.node.value) is not None:
        return False
    message, meant = _malformed(key)
    key.report.add(D301, key.node, f"{key.shown} is not a status code: {message}")
    key.meant |= meant
    return True


def _malformed(key: StatusKey) -> tuple[str, frozenset[str]]:
    """Why a key is not a status key, and the rows it was evidently meant to be, if any."""
    text, table = key.text, key.table
    meant_range = _loose_range(text)
    if meant_range is not None and table.kind == "behavior":
        return f"write the range as \"{meant_range}\"", frozenset({str(meant_range)})
    if meant_range is not None:
        return (f"it is the range {meant_range}, and an SCP sends concrete codes: write the one the application "
                f"sends, such as {_code_of(table, meant_range)}",
                frozenset(str(row.codes) for row in table.rows_in(meant_range)))
    if text.startswith("0X") and CodeRange.parse(text[2:]) is not None:
        return f"write the code without 0x: \"{text[2:]}\"", frozenset({text[2:]})
    if text.endswith("H") and CodeRange.parse(text[:-1]) is not None:
        return f"write the code without the H that marks it hexadecimal: \"{text[:-1]}\"", frozenset({text[:-1]})
    if table.kind == "behavior" and difflib.get_close_matches(text.lower(), ["other"], n=1, cutoff=0.6):
        return "did you mean 'other'?", frozenset({"other"})
    expected = "expected four hexadecimal digits such as \"B000\""
    if table.kind == "behavior":
        ranges = [str(row.codes) for row in table.rows if not row.codes.is_code]
        expected += f", a template range such as \"{ranges[0]}\", or other" if ranges else ", or other"
    return expected, frozenset()


def _loose_range(key: str) -> CodeRange | None:
    """The range a status key evidently means, in a spelling confgen does not take: "A900 - A9FF" (spaces, or
    another dash) or PS3.4's "A9xx"."""
    spaced = re.fullmatch(r"([0-9A-F]{4})\s*[-\u2010-\u2015\u2212]\s*([0-9A-F]{4})", key)
    if spaced:
        return CodeRange.parse(f"{spaced[1]}-{spaced[2]}")
    if len(key) == 4 and _CODE_WITH_X.fullmatch(key):
        return CodeRange.parse(f"{key.replace('X', '0')}-{key.replace('X', 'F')}")
    return None


def _code_of(table: TemplateTable, codes: CodeRange) -> str:
    """A code of ``codes`` to name in a message: the template's row in it, if it has one."""
    rows = table.rows_in(codes)
    return f"\"{rows[0].codes}\" (the template's row)" if rows else f"\"{codes.first:04X}\""


D310 = Rule(
    "D310", E, "The code is a misprint of the PS3.2 template (0112, 0214); PS3.7 assigns 0122 and 0124.",
    "PS3.2 2024d Table N.7-42 prints 0112 for \"SOP Class not supported\" and 0214 for \"Not authorized\". The "
    "profile states the codes the application really handles; the statement prints PS3.7's code with a note.",
    failing=Example("scu", '"0112": The instance is not sent again.'),
    passing=Example("scu", '"0122": The instance is not sent again.'))


def template_misprint(key: StatusKey) -> bool:
    codes = CodeRange.parse(key.node.value)
    row = key.table.row_printed_as(str(codes)) if codes is not None else None
    if codes is None or row is None:
        return False
    standard, table = key.standard, key.table
    meaning = standard.general_meaning(codes.first)
    printed_means = f'is "{meaning}"' if meaning else "is not defined in PS3.7"
    key.report.add(D310, key.node, f"{codes} is the PS3.2 {standard.edition} template's misprint in Table "
                                   f"{table.table} for \"{row.meaning}\": PS3.7 assigns {row.codes} "
                                   f"({standard.general_meaning(row.codes.first)}), while {codes} {printed_means}; "
                                   f"the row is keyed \"{row.codes}\"")
    key.meant.add(str(row.codes))
    return True


D303 = Rule(
    "D303", E, "An SCP lists a range; an SCP sends concrete codes (A711, never A700-A7FF).",
    "PS3.4 asks an SCP to assign each cause a code of the range; the statement lists the codes it really sends.",
    failing=Example("scp", '"A710-A71F":\n  condition: The disk is full.'),
    passing=Example("scp", '"A711":\n  condition: The disk is full.'))


def range_in_an_scp_table(key: StatusKey) -> bool:
    codes = CodeRange.parse(key.node.value)
    if codes is None or codes.is_code or key.table.kind != "condition":
        return False
    key.report.add(D303, key.node, f"{key.shown} is a range; an SCP sends concrete codes: list each code the "
                                   f"application sends, such as {_code_of(key.table, codes)}")
    key.meant.update(str(row.codes) for row in key.table.rows_in(codes))
    return True


D302 = Rule(
    "D302", E, "An SCU range is not one of the template's ranges.",
    "A code inside a range that the application handles on its own is a row of its own.",
    failing=Example("scu", '"A000-AFFF": Logged.'),
    passing=Example("scu", '"A7A0": Logged.'))


def range_not_in_the_template(key: StatusKey) -> bool:
    codes = CodeRange.parse(key.node.value)
    if codes is None or codes.is_code or key.table.row_for(codes) is not None:
        return False
    ranges = ", ".join(str(row.codes) for row in key.table.rows if not row.codes.is_code) or "none"
    key.report.add(D302, key.node, f"{key.shown} is not a range of PS3.2 Table {key.table.table}; its ranges are "
                                   f"{ranges} (give a code inside a range as a row of its own)")
    return True


# In order: the first that reports a key rejects it.
KEY_CHECKS: tuple[Callable[[StatusKey], bool], ...] = (
    other_in_an_scp_table, not_a_status_code, template_misprint, range_in_an_scp_table, range_not_in_the_template)


# -- rows --------------------------------------------------------------------------------------------------------

D304 = Rule(
    "D304", E, "The code is in no PS3.7 status class (PS3.7 Annex C forbids it).",
    "\"Implementations shall not use Status Codes with values not listed\" in PS3.7 Annex C's class table.",
    failing=Example("scu", '"D000": Logged.'),
    passing=Example("scu", '"A800":\n  behavior: Logged.\n  further_meaning: Refused by policy'))


def code_in_no_class(row: Row) -> bool:
    if row.code is None or row.standard.status_class(row.code) is not None:
        return False
    row.report.add(D304, row.key, f"{row.codes} is in no PS3.7 status class (Annex C gives classes to "
                                  f"{row.standard.class_codes()}); implementations shall not use it")
    return True


D319 = Rule(
    "D319", E, "A Pending or Cancel status (FF00, FF01, FE00) in the table of a DIMSE whose responses have none: "
               "C-STORE and the N-services have none.",
    "Pending and Cancel exist only where the standard gives them to the DIMSE (C-FIND, C-GET, C-MOVE): no "
    "application sends or receives them elsewhere.",
    failing=Example("scp", '"FF00":\n  condition: The instance is still being stored.'))


def pending_or_cancel_where_there_is_none(row: Row) -> bool:
    status_class = row.standard.status_class(row.code) if row.code is not None else None
    if row.code is None or status_class not in ("Pending", "Cancel"):
        return False
    if row.standard.meaning(row.table, row.code) is not None:
        return False
    assert status_class is not None
    row.report.add(D319, row.key, f"{row.codes} ({status_class}) is not a status of {row.table.dimse}: the standard "
                                  f"gives {row.table.dimse} responses no such {status_class.lower()} status")
    return True


D305 = Rule(
    "D305", W, "An SCP sends a code that is in a PS3.7 status class but not defined for this DIMSE service.",
    "A peer may not expect it. Where the product really sends it, suppress D305 on its line. SCU rows are not "
    "checked: the template asks an SCU for a row for every code it handles, which includes codes real peers send.",
    failing=Example("scp", '"0110":\n  condition: The disk failed.'),
    passing=Example("scu", '"0110": Retried once, then treated as a failure.'),
    suppressible=True)


def code_not_for_this_dimse(row: Row) -> bool:
    if row.code is None or row.table.kind != "condition" or row.standard.meaning(row.table, row.code) is not None:
        return False
    row.report.add(D305, row.key, f"{row.codes} ({row.standard.status_class(row.code)}) is not a status that PS3.7 or "
                                  f"PS3.4 define for {row.table.dimse}; a peer may not expect it")
    return False  # a warning: the row's other checks still apply


D306 = Rule(
    "D306", E, "A code the standard gives no meaning (neither for this service nor in PS3.7 Annex C) needs "
               "`further_meaning`.",
    "The Further Meaning column must say something; a code PS3.7 Annex C names (0110 Processing failure) takes "
    "that name, and a code inside a range (A711 in A7xx) takes the range's.",
    failing=Example("scu", '"A800": Logged.'),
    passing=Example("scu", '"A800":\n  behavior: Logged.\n  further_meaning: Refused by policy'))


def code_without_a_meaning(row: Row) -> bool:
    if row.code is None or row.further is not None or not row.sent:
        return False
    if row.standard.meaning(row.table, row.code) is not None or row.standard.own_meaning(row.table, row.code):
        return False
    row.report.add(D306, row.key, f"{row.where} needs further_meaning: the standard gives {row.codes} no meaning "
                                  f"for {row.table.dimse}")
    return False


D313 = Rule(
    "D313", E, "`sent: false` comes with a condition, related fields or a comment.",
    "A status the application never sends has no condition under which it is sent.",
    failing=Example("scp", '"B007":\n  sent: false\n  condition: Never.'),
    passing=Example("scp", '"B007":\n  sent: false'))


def not_sent_yet_described(row: Row) -> bool:
    if row.sent:
        return False
    [given] = row.given
    for name, what in (("condition", "condition"), ("related_fields", "related fields"), ("comment", "comment")):
        if name in given.keys and (name != "related_fields" or given.values[name]):
            row.report.add(D313, given.keys[name], f"{row.where} says sent: false, so it has no {what}")
    return False


D316 = Rule(
    "D316", E, "An SCP says `sent: false` for Success: an SCP that never sends it completes nothing.",
    "Success is the answer to every operation that worked; say when it is sent.",
    failing=Example("scp", '"0000":\n  sent: false'),
    passing=Example("scp", '"0000":\n  condition: The instance is stored.'))


def success_never_sent(row: Row) -> bool:
    if row.sent or row.codes is None or row.standard.status_class(row.codes.first) != "Success":
        return False
    row.report.add(D316, row.given[0].keys["sent"], f"{row.where}: an SCP that never sends Success ({row.codes}) "
                                                    "never completes an operation; describe when it sends it")
    return True


D314 = Rule(
    "D314", E, "`sent: false` is for template rows; an additional code the application never sends is left out.",
    "The template's rows must each be addressed; a code of the application's own is listed only if it is sent.",
    failing=Example("scp", '"A712":\n  sent: false'),
    passing=Example("scp", '"B007":\n  sent: false'))


def additional_code_not_sent(row: Row) -> bool:
    if row.sent or (row.codes is not None and row.table.row_for(row.codes) is not None):
        return False
    row.report.add(D314, row.given[0].keys["sent"], f"{row.where}: sent: false is for rows of PS3.2 Table "
                                                    f"{row.table.table}; leave out a code the application never "
                                                    "sends")
    return True


D317 = Rule(
    "D317", E, "`sent: false` is an entry of a list of conditions: a code that is never sent is the single mapping "
               "`sent: false`.",
    "A list gives the several conditions under which a code is sent; never sending it is not one of them.",
    failing=Example("scp", '"C499":\n  - condition: The stream is not DICOM.\n  - sent: false'),
    passing=Example("scp", '"C499":\n  - condition: The stream is not DICOM.\n  - condition: The data set cannot be '
                           "parsed."))


def not_sent_in_a_list(row: Row) -> bool:
    for given in row.given:
        if given.listed and given.values.get("sent") is False:
            row.report.add(D317, given.keys["sent"], f"{given.where} says sent: false inside a list of conditions; a "
                                                     "code the application never sends is written as the single "
                                                     "mapping sent: false")
    return False


D318 = Rule(
    "D318", E, "The conditions of one code give different `further_meaning`s: a code has one Further Meaning.",
    "The code prints as one row, with one Further Meaning; say what differs in the conditions.",
    failing=Example("scp", '"C499":\n  - condition: The stream is not DICOM.\n    further_meaning: Not DICOM\n'
                           "  - condition: The data set cannot be parsed.\n    further_meaning: Unparsable"),
    passing=Example("scp", '"C499":\n  - condition: The stream is not DICOM.\n    further_meaning: Not readable\n'
                           "  - condition: The data set cannot be parsed."))


def several_further_meanings(row: Row) -> bool:
    for given in row.given:
        text = given.values.get("further_meaning")
        if not isinstance(text, str):
            continue
        key = given.keys["further_meaning"]
        if row.further is None:
            row.further = (key, text)
        elif text.casefold() != row.further[1].casefold():
            row.report.add(D318, key, f"{given.where}.further_meaning \"{text}\" differs from \"{row.further[1]}\" at "
                                      f"line {row.further[0].start_mark.line + 1}; a code has one Further Meaning")
    return False


D315 = Rule(
    "D315", W, "`further_meaning` changes the Further Meaning that the template prints for its row, or the meaning "
               "the standard gives that one code.",
    "A code inside a range (A770 in A7xx, C409 in Cxxx) has no meaning of its own: PS3.4 asks implementations to "
    "assign such codes to their own causes, so a further meaning there names the cause and is no warning. Case, "
    "punctuation and a class prefix (\"Refused: \") do not count as a difference.",
    failing=Example("scp", '"A901":\n  condition: A UID is missing.\n  further_meaning: Missing UIDs'),
    passing=Example("scp", '"A770":\n  condition: An administrator rejected the study.\n  further_meaning: Study '
                           "rejected"),
    suppressible=True)


def further_meaning_differs(row: Row) -> bool:
    if row.further is None or row.codes is None:
        return False
    key, text = row.further
    template_row = row.table.row_for(row.codes)
    if template_row is not None:
        expected, said = template_row.meaning, f"PS3.2 Table {row.table.table} prints the Further Meaning"
    else:
        own = row.standard.own_meaning(row.table, row.codes.first) if row.codes.is_code else None
        if own is None:
            return False
        expected, said = own.meaning, f"{own.source} gives the meaning"
    if _same_meaning(text, expected):
        return False
    row.report.add(D315, key, f"{said} \"{expected}\" for {row.codes}; the statement will print \"{text}\" instead")
    return False


_PREFIX = re.compile(r"^(?:refused|error|failed|failure|warning)\s*:\s*")


def _same_meaning(given: str, expected: str) -> bool:
    def plain(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", _PREFIX.sub("", text.casefold().strip())).split())

    return plain(given) == plain(expected)


# In order; a check that returns True ends the row's checks (the code itself is wrong).
ROW_CHECKS: tuple[Callable[[Row], bool], ...] = (
    several_further_meanings, code_in_no_class, pending_or_cancel_where_there_is_none, code_not_for_this_dimse,
    code_without_a_meaning, not_sent_yet_described, success_never_sent, additional_code_not_sent,
    not_sent_in_a_list, further_meaning_differs)


# -- related fields ----------------------------------------------------------------------------------------------

D307 = Rule(
    "D307", E, "The same status code is given twice, spelt differently, or a related field twice.",
    "\"A7A0\" and \"a7a0\" are one code; YAML keeps both, and one of them would be lost.",
    failing=Example("scu", '"A7A0": Logged.\n"a7a0": Retried.'),
    passing=Example("scu", '"A7A0": Logged.'))

D311 = Rule(
    "D311", E, "A related field is not a command element (group 0000) in pydicom's data dictionary, or a parameter "
               "the standard names (Identifier).",
    "Related fields are the command elements of the response that detail the status, by keyword or tag.",
    failing=Example("scp", '"A711":\n  condition: The disk is full.\n  related_fields: [PatientName]'),
    passing=Example("scp", '"A711":\n  condition: The disk is full.\n  related_fields: [ErrorComment]'))

D312 = Rule(
    "D312", W, "A related field is not one the standard lists for that status.",
    "The standard lists the fields each status carries; a peer may not look for another. Where the product really "
    "sends it, suppress D312 on its line.",
    failing=Example("scp", '"A711":\n  condition: The disk is full.\n  related_fields: [ErrorID]'),
    passing=Example("scp", '"A711":\n  condition: The disk is full.\n  related_fields: [ErrorComment]'),
    suppressible=True)


def related_fields(row: Row, items: list[tuple[Node, str]]) -> tuple[dictionary.RelatedField, ...] | None:
    """The fields a row names (each item's node and text), resolved; None when one of them is wrong."""
    fields: list[dictionary.RelatedField] = []
    complete = True
    for node, text in items:
        try:
            found = dictionary.resolve(text, row.standard.named_fields)
        except dictionary.NotACommandElement as error:
            row.report.add(D311, node, f"{row.where}.related_fields: {error}")
            complete = False
            continue
        if found in fields:
            row.report.add(D307, node, f"{row.where}.related_fields: {found} is given twice")
            complete = False
            continue
        unexpected_field(row, found, node)
        fields.append(found)
    return tuple(fields) if complete else None


def unexpected_field(row: Row, found: dictionary.RelatedField, at: Node, why: str = "") -> None:
    # Only SCP rows have related fields, and an SCP row is always a concrete code.
    if row.codes is None:
        return
    expected = row.standard.expected_fields(row.table, row.codes.first)
    if found.ref in expected:
        return
    listed = ", ".join(str(dictionary.field(ref)) for ref in expected) or "none"
    if row.standard.meaning(row.table, row.codes.first) or row.standard.general_meaning(row.codes.first):
        said = f"the standard lists for {row.codes}"
    else:
        # The standard does not define the code: PS3.7 Annex C's fields for its class are all there is to go by.
        said = f"PS3.7 Annex C lists for a {row.standard.status_class(row.codes.first)} status, which {row.codes} is"
    row.report.add(D312, at, f"{found}{why} is not a related field {said} (it lists: {listed})")


# -- the table ---------------------------------------------------------------------------------------------------

D308 = Rule(
    "D308", E, "A row of the template's table is not addressed (reported at the `statuses` mapping, or the table's "
               "key).",
    "Every row the template prints must say what the application does (or, for an SCP, that it never sends it). A "
    "template row that is one code of a PS3.4 range (N.7-43's A700 of A7xx) is addressed by any code of that "
    "range.",
    failing=Example("top", 'services:\n  storage:\n    scp:\n      statuses:\n        "0000":\n          condition: '
                           "The instance is stored."),
    passing=Example("scp", '"A700":\n  condition: The disk is full.'))


D320 = Rule(
    "D320", W, "A template row says `sent: false` while codes of its range are sent (A711 for N.7-43's A700): the "
               "statement would say the application does not send the status it lists.",
    "A code of a PS3.4 range answers the template's row of that range; the row itself is then left out, not marked "
    "never sent.",
    failing=Example("scp", '"A700":\n  sent: false\n"A711":\n  condition: The disk is full.'),
    passing=Example("scp", '"A711":\n  condition: The disk is full.'),
    suppressible=True)


D321 = Rule(
    "D321", W, "An Error Comment text that Error Comment (0000,0902) cannot carry as written: longer than 64 "
               "characters, or with a backslash or a character outside the default repertoire (ASCII).",
    "Error Comment is LO (pydicom's dictionary), which holds at most 64 characters and no backslash, the value "
    "delimiter (PS3.5 Table 6.2-1); and a command set has no Specific Character Set (0008,0005), so its text is "
    "in the default repertoire (PS3.5 6.1). A statement that prints a longer text promises what the application "
    "cannot send as the standard says; where it really sends it, suppress D321 on its line.",
    failing=Example("scp", '"A711":\n  condition: The disk is full.\n  comment: "' + "Storage volume full" * 4 + '"'),
    passing=Example("scp", '"A711":\n  condition: The disk is full.\n  comment: "Storage volume full"'),
    suppressible=True)

# PS3.5 Table 6.2-1, Long String (LO): "64 chars maximum"; the backslash (5CH) "shall not be present". The length is
# pydicom's too (pydicom.valuerep.MAX_VALUE_LEN, which a test compares).
LONG_STRING_LIMIT = 64


def comment_not_sendable(comment: str, at: Node, report: Report) -> None:
    """D321 for an Error Comment (as printed: white space collapsed) that (0000,0902), an LO, cannot carry."""
    problems = []
    if len(comment) > LONG_STRING_LIMIT:
        problems.append(f"it has {len(comment)} characters, and an LO value at most {LONG_STRING_LIMIT}")
    if "\\" in comment:
        problems.append("it has a backslash, which separates the values of an LO")
    outside = list(dict.fromkeys(c for c in comment if not c.isascii()))
    if outside:
        problems.append(f"it has {''.join(outside[:5])}, outside the default repertoire that a command set is in")
    if problems:
        report.add(D321, at, "the Error Comment (0000,0902) cannot carry this text as written: " + "; ".join(problems))


def unsent_row_answered_by_its_range(table: Table) -> None:
    """D320 for a template row that says sent: false while codes of its range are sent."""
    template, report = table.table, table.report
    assert report is not None
    for row in template.rows:
        unsent = table.unsent.get(str(row.codes))
        span = table.standard.service_range(template, row.codes.first) if row.codes.is_code else None
        if unsent is None or span is None:
            continue
        sent = [code for code in table.given if code != str(row.codes) and code not in table.unsent
                and (parsed := CodeRange.parse(code)) is not None and parsed.is_code and parsed.first in span]
        if sent:
            one = len(sent) == 1
            report.add(D320, unsent, f"{row.codes} says sent: false, but {', '.join(sent)} of its range {span} "
                                     f"{'is' if one else 'are'} sent and {'answers' if one else 'answer'} its row: "
                                     f"leave {row.codes} out")


def rows_not_addressed(table: Table) -> None:
    """D308 for each template row that no key addresses."""
    template, report = table.table, table.report
    assert report is not None
    given = set(table.given) | table.meant | _answered_rows(table)
    for row in template.rows:
        if str(row.codes) in given:
            continue
        span = table.standard.service_range(template, row.codes.first) if row.codes.is_code else None
        code = f"\"{row.codes}\"" if span is None else f"\"{row.codes}\" (or the codes of {span} it sends)"
        report.add(D308, table.statuses_key, f"PS3.2 Table {template.table} row \"{row.meaning or row.status}\" "
                                             f"({row.codes}) is not addressed: add {code} with {GIVE[template.kind]}")
    if template.other is not None and "other" not in given:
        report.add(D308, table.statuses_key, f"PS3.2 Table {template.table} row \"{template.other.meaning}\" is not "
                                             "addressed: add other with what the application does on any code not "
                                             "listed")


def _answered_rows(table: Table) -> set[str]:
    """Template rows that a code of the same PS3.4 range answers: N.7-43's A700 is one code of A7xx, and an SCP that
    sends A711 for its one out-of-resources condition addresses that row."""
    codes = [parsed for parsed in map(CodeRange.parse, table.given) if parsed is not None and parsed.is_code]
    answered = set()
    for row in table.table.rows:
        span = table.standard.service_range(table.table, row.codes.first) if row.codes.is_code else None
        if span is not None and any(code.first in span for code in codes):
            answered.add(str(row.codes))
    return answered


def failures_not_addressed(failures: Collection[str], given: Collection[str], at: Node, table: str,
                           report: Report) -> None:
    """D308 for each failure of a communication failure table that the profile does not address."""
    known = {name.casefold() for name in given}
    for failure in failures:
        if failure.casefold() not in known:
            close = difflib.get_close_matches(failure.casefold(), list(known), n=1, cutoff=0.7)
            hint = f" (is '{close[0]}' meant to be it?)" if close else ""
            report.add(D308, at, f"PS3.2 Table {table} row \"{failure}\" is not addressed: add \"{failure}\" with what "
                                 f"the application does{hint}")


TABLE_CHECKS: tuple[Callable[[Table], None], ...] = (rows_not_addressed, unsent_row_answered_by_its_range)
