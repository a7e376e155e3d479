"""``confgen schema``: a JSON Schema (Draft 2020-12) of the profile format, for editors and other tools.

The schema is built from the same things the validator checks against: the format's keys (``validate.py``) and
the standard's data (editions, services, roles, template rows and ranges, the template's misprints). A new
edition or service in ``confgen/standard/`` is in the schema without code. ``confgen/profile.schema.json`` is
this schema as shipped; a test fails when it differs from what the data gives (regenerate it with
``confgen schema > confgen/profile.schema.json``).

The schema is looser than ``confgen validate``, never stricter: what the validator accepts, the schema accepts.
It cannot see template leftovers, real dates, status classes, missing template rows or pydicom's dictionary.
It describes the profile as confgen reads it: YAML 1.1 scalars (``sent: no`` is false), and status keys and
dates as the characters typed. Editors read YAML 1.2, where ``no`` is text and an unquoted ``0122`` a number:
quoted keys and ``true``/``false`` read the same in both.
"""

from __future__ import annotations

import json
from typing import Any

from confgen import dictionary
from confgen.profile import FORMAT_VERSION, UNSENT_STATUSES
from confgen.standard import Standard, TemplateRow, TemplateTable, available_editions, load_standard
from confgen.validate import (
    BEHAVIOR_KEYS,
    CASE_KEYS,
    CONDITION_KEYS,
    DOCUMENT_KEYS,
    DOCUMENT_REQUIRED,
    PAPER_SIZES,
    PROFILE_KEYS,
    REVISION_KEYS,
    ROLE_KEYS,
)

Schema = dict[str, Any]

SCHEMA_ID = f"urn:confgen:profile:{FORMAT_VERSION}"

# The validator strips text and keys with Python's str.strip(); JavaScript's \s (what editors use) lacks
# U+001C-U+001F and U+0085 of those, so they are named as well.
_SPACE = r"[\s\x1c-\x1f\x85]"
# Text is not empty once stripped. U+FEFF is not whitespace to Python but is to JavaScript's \S, so it counts.
_NOT_BLANK = r"\S|\uFEFF"

_BLANK_MESSAGE = "Text may not be empty."

_REGEX_SPECIAL = set(r"\^$.|?*+()[]{}/")

TEXT_NOTE = ("Printed as written. confgen validate also refuses template leftovers: TODO, TBD, FIXME, an "
             "instruction such as [Describe ...] or a placeholder such as <AE title>.")

DESCRIPTIONS = {
    "confgen": f"The profile format version: {FORMAT_VERSION}, written as a number, without quotes.",
    "standard": "The edition of DICOM PS3.2 whose Annex N template the statement follows, in quotes (\"2024d\"). "
                "It decides which tables and rows the profile is checked against.",
    "document": "The statement's title block and revision history.",
    "services": "The DIMSE services whose status codes the statement documents (PS3.2 Annex N, N.7.3.2 DIMSE "
                "Services), each with the roles the application plays.",
    "manufacturer": "The manufacturer, as printed in the title block.",
    "product": "The commercial product name.",
    "product_version": "The product version the statement is for. Quote it: YAML reads 4.10 as the number 4.1.",
    "date": "The document's date, YYYY-MM-DD (ISO 8601), used wherever the statement gives its date.",
    "document_number": "Optional: the document's own number, printed in the title block.",
    "revisions": "Optional: the revision history, one entry per revision, printed in the order given.",
    "logo": "Optional: a PNG or SVG file (at most 1 MiB) for the cover page, by a path relative to the profile and "
            "inside its folder.",
    "paper": "Optional: the PDF's paper size, A4 (the default) or letter.",
    "decimal_codes": "Optional: true prints each status code's decimal value beside it, 0122 (290), as DICOMweb's "
                     "JSON carries status values.",
    "unsent_statuses": "Optional: how the template's statuses the application never sends (sent: false) are "
                       "printed: sentence (the default), one sentence under each table that names them; rows, a row "
                       "each that says so.",
    "intro": "Optional: text printed after the template's sentence, before the table. A blank line starts a new "
             "paragraph.",
    "notes": "Optional: notes printed under the table, numbered after confgen's own notes. A blank line in a note "
             "starts a new paragraph.",
    "revisions.revision": "The revision's label, such as \"A\" or \"2.1\" (quote it).",
    "revisions.date": "The revision's date, YYYY-MM-DD (ISO 8601).",
    "revisions.description": "What changed in this revision.",
    "behavior": "What the application does when it receives this status: the Behavior column of PS3.2 Table "
                "{table}. A blank line starts a new paragraph.",
    "condition": "When the application sends this status: the Condition column of PS3.2 Table {table}. A blank "
                 "line starts a new paragraph.",
    "comment": "The Error Comment (0000,0902) text the application sends with this status, printed after the "
               "condition; Error Comment is then one of the row's related fields.",
    "further_meaning": "The Further Meaning printed for this code. Required for a code the standard gives no "
                       "meaning for {dimse}; on a template row it replaces the template's Further Meaning (a "
                       "warning).",
    "related_fields": "The command elements (group 0000) that detail this status, printed in the Related Fields "
                      "column of PS3.2 Table {table}: keywords (ErrorComment) or tags in quotes (\"(0000,0902)\"). "
                      "Leave it out, or [], for none.",
    "sent": "false for a row of PS3.2 Table {table} that the application never sends; it then has no condition "
            "and no related fields. Success (0000) is always sent. Leave it out for a row that is sent.",
}


def profile_schema() -> Schema:
    """The JSON Schema of the profile format, over every PS3.2 edition confgen has data for."""
    editions = available_editions()
    defs: Schema = {
        "text": {"description": "Text that is not empty. " + TEXT_NOTE, "type": "string", "pattern": _NOT_BLANK,
                 "patternErrorMessage": _BLANK_MESSAGE},
        "date": {"description": "A date, YYYY-MM-DD (ISO 8601); confgen validate checks that it is a real date.",
                 "type": "string", "pattern": _key("[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                 "patternErrorMessage": "A date is written YYYY-MM-DD (ISO 8601), such as 2026-11-20."},
    }
    for edition in editions:
        defs[f"services-{edition}"] = _services(load_standard(edition), defs)
    document_fields = {key: _text(DESCRIPTIONS[key]) for key in DOCUMENT_KEYS}
    document_fields["date"] = _ref("date", DESCRIPTIONS["date"])
    document_fields["paper"] = {"description": DESCRIPTIONS["paper"],
                                "anyOf": [{"enum": list(PAPER_SIZES)},
                                          {"type": "string", "pattern": _key(*map(_anycase, PAPER_SIZES))}]}
    document_fields["decimal_codes"] = {"description": DESCRIPTIONS["decimal_codes"], "type": "boolean"}
    document_fields["unsent_statuses"] = {"description": DESCRIPTIONS["unsent_statuses"],
                                          "anyOf": [{"enum": list(UNSENT_STATUSES)},
                                                    {"type": "string",
                                                     "pattern": _key(*map(_anycase, UNSENT_STATUSES))}]}
    document_fields["revisions"] = {
        "description": DESCRIPTIONS["revisions"],
        "type": "array",
        "items": _closed("A revision: its label, date and what changed.", {
            key: _ref("date", DESCRIPTIONS["revisions.date"]) if key == "date" else
            _text(DESCRIPTIONS[f"revisions.{key}"]) for key in REVISION_KEYS}, REVISION_KEYS),
    }
    properties: Schema = {
        "confgen": {"description": DESCRIPTIONS["confgen"], "enum": [FORMAT_VERSION]},
        "standard": {
            "description": DESCRIPTIONS["standard"],
            # The enum is what an editor offers; the pattern is the same editions with the spaces that the
            # validator strips from text.
            "anyOf": [{"enum": list(editions)}, {"type": "string", "pattern": _key(*map(_escape, editions))}],
        },
        "document": _closed(DESCRIPTIONS["document"], document_fields, DOCUMENT_REQUIRED),
        "services": {"description": DESCRIPTIONS["services"] + " The services and roles depend on `standard`.",
                     "type": "object", "minProperties": 1},
    }
    assert tuple(properties) == PROFILE_KEYS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"confgen profile (format {FORMAT_VERSION})",
        "description": "What a DICOM application does with each status code, from which confgen writes the "
                       "status-code tables of its DICOM Conformance Statement (PS3.2 Annex N). Check a profile "
                       "with confgen validate, which checks more than this schema can.",
        "$comment": "Generated by `confgen schema` from the standard's data in confgen/standard/; do not edit.",
        "type": "object",
        "properties": properties,
        "required": list(PROFILE_KEYS),
        "additionalProperties": False,
        # The services are checked against the edition the profile names, as the validator does.
        "allOf": [
            {
                "if": {"properties": {"standard": {"type": "string", "pattern": _key(_escape(edition))}},
                       "required": ["standard"]},
                "then": {"properties": {"services": {"$ref": f"#/$defs/services-{edition}"}}},
            }
            for edition in editions
        ],
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as ``confgen schema`` prints it: JSON, 2-space indent, a final newline."""
    return json.dumps(profile_schema(), indent=2) + "\n"


def _services(standard: Standard, defs: Schema) -> Schema:
    services = {}
    for key, service in standard.services.items():
        roles = {}
        for role, table in service.roles.items():
            entry = f"{standard.edition}.{key}.{role}.status"
            defs[entry] = _entry(table, service.dimse)
            doing = "receives" if table.kind == "behavior" else "sends"
            fields = {
                "intro": _text(DESCRIPTIONS["intro"]),
                "notes": {"description": DESCRIPTIONS["notes"], "type": "array", "minItems": 1,
                          "items": _text("A note, printed under the table.")},
                "statuses": _statuses(standard, key, table, entry, doing),
            }
            assert tuple(fields) == ROLE_KEYS
            roles[role] = _closed(
                f"The application as {role.upper()} of the {service.title} ({service.dimse}), for PS3.2 "
                f"{standard.edition} Table {table.table} \"{table.title}\". Leave it out if the application "
                "does not play this role.", fields, ("statuses",))
        services[key] = _closed(f"PS3.2 {standard.edition} {service.number} {service.title}: the roles the "
                                f"application plays ({' and/or '.join(r.upper() for r in service.roles)}).", roles,
                                (), min_properties=1)
    return _closed(f"{DESCRIPTIONS['services']} PS3.2 {standard.edition} has: {', '.join(standard.services)}.",
                   services, (), min_properties=1)


def _statuses(standard: Standard, service: str, table: TemplateTable, entry: str, doing: str) -> Schema:
    behavior = table.kind == "behavior"
    rows: Schema = {str(row.codes): _ref(entry, _row(standard, service, table, row)) for row in table.rows}
    for row in table.rows:
        if not behavior and _always_sent(standard, row):
            rows[str(row.codes)]["properties"] = {"sent": {
                "description": f"{row.meaning} is always sent: an SCP that never sends it stores nothing.",
                "const": True}}
    patterns = {_key("[0-9A-Fa-f]{4}"): _ref(entry, f"A status code the application {doing} beyond the "
                                                    f"template's rows, four hexadecimal digits in quotes.")}
    ranges = [str(row.codes) for row in table.rows if not row.codes.is_code]
    if behavior and ranges:
        patterns[_key(*map(_anycase, ranges))] = _ref(entry, "A range of PS3.2 Table " + table.table + ".")
    if table.other is not None:
        rows["other"] = _ref(entry, f"The \"{table.other.meaning}\" row of PS3.2 {standard.edition} Table "
                                    f"{table.table}: what the application does on any status code not listed.")
        patterns[_key(_anycase("other"))] = _ref(entry, rows["other"]["description"])
    codes = ", ".join(rows)
    keys = "four hexadecimal digits in quotes (\"B000\")"
    if behavior:
        keys += f", a template range ({', '.join(ranges)}) or other" if ranges else " or other"
    schema: Schema = {
        "description": f"One entry per status code: every row of PS3.2 {standard.edition} Table {table.table} "
                       f"({codes}), then any other code the application {doing}. Keys are {keys}.",
        "type": "object",
        # The rows are named so that an editor offers and explains them; the patterns accept each spelling the
        # validator accepts (any case, surrounding spaces).
        "properties": rows,
        "patternProperties": patterns,
        "additionalProperties": False,
    }
    misprinted = [row for row in table.rows if row.printed]
    if misprinted:
        # A lookahead rather than "not", so that an editor can say why (patternErrorMessage is VS Code's and
        # yaml-language-server's; other tools ignore it).
        schema["propertyNames"] = {"allOf": [
            {"pattern": f"^(?!{_key(_anycase(str(row.printed)))[1:]})",
             "patternErrorMessage": f"{row.printed} is the PS3.2 {standard.edition} template's misprint in Table "
                                    f"{table.table} for \"{row.meaning}\": PS3.7 assigns {row.codes}; key the row "
                                    f"\"{row.codes}\"."}
            for row in misprinted]}
    return schema


def _always_sent(standard: Standard, row: TemplateRow) -> bool:
    # As the validator's D316: an SCP that never sends Success stores nothing.
    return standard.status_class(row.codes.first) == "Success"


def _row(standard: Standard, service: str, table: TemplateTable, row: TemplateRow) -> str:
    text = row.label
    text += f" (PS3.2 {standard.edition} Table {table.table}"
    if row.printed:
        text += f", which prints {row.printed}; PS3.7 assigns {row.codes}"
    text += ")."
    if table.kind == "behavior":
        return text + " What the application does on receiving it: the behavior, or behavior and further_meaning."
    text += " When the application sends it: condition"
    if table.has_related_fields:
        text += " and related_fields"
    text += " (it is always sent)." if _always_sent(standard, row) else ", or sent: false if it never sends it."
    if table.has_related_fields and row.codes.is_code:
        fields = standard.expected_fields(service, row.codes.first)
        text += " Related fields the standard lists: " + (
            ", ".join(str(dictionary.element(tag)) for tag in fields) or "none") + "."
    return text


def _entry(table: TemplateTable, dimse: str) -> Schema:
    def describe(key: str) -> str:
        return DESCRIPTIONS[key].format(table=table.table, dimse=dimse)

    if table.kind == "behavior":
        fields = {key: _text(describe(key)) for key in BEHAVIOR_KEYS}
        # The branches have no description of their own, so that an editor's hover on a row's key shows the row's.
        mapping = _closed(None, fields, ("behavior",))
        return {
            "description": f"A row of PS3.2 Table {table.table}: the behavior, or a mapping of behavior and "
                          "further_meaning.",
            "anyOf": [{"type": "string", "pattern": _NOT_BLANK, "patternErrorMessage": _BLANK_MESSAGE}, mapping],
        }
    def condition_fields(keys: tuple[str, ...]) -> Schema:
        fields: Schema = {}
        for key in keys:
            if key == "related_fields" and not table.has_related_fields:
                continue
            if key == "sent":
                fields[key] = {"description": describe(key), "type": "boolean"}
            elif key == "related_fields":
                fields[key] = {"description": describe(key), "type": "array", "uniqueItems": True,
                               "items": _ref("text", "A command element: its keyword (ErrorComment) or its tag in "
                                                     "quotes (\"(0000,0902)\").")}
            else:
                fields[key] = _text(describe(key))
        return fields

    never_sent: Schema = {"properties": {"condition": False, "comment": False}}
    if table.has_related_fields:
        never_sent["properties"]["related_fields"] = {"maxItems": 0}
    one = {
        **_closed(None, condition_fields(CONDITION_KEYS), ()),
        "if": {"properties": {"sent": {"const": False}}, "required": ["sent"]},
        "then": never_sent,
        "else": {"required": ["condition"]},
    }
    case_fields = condition_fields(CASE_KEYS)
    case_fields["sent"] = {"description": "A code sent under several conditions is sent: a list of conditions has "
                                          "no sent: false.", "const": True}
    several = {"type": "array", "minItems": 1,
               "items": _closed("One condition under which the application sends this status, with its related "
                                "fields and Error Comment.", case_fields, ("condition",))}
    fields_text = " and related_fields" if table.has_related_fields else ""
    return {
        "description": f"A row of PS3.2 Table {table.table}: condition{fields_text} and an optional comment, or "
                       "sent: false for a template row never sent; or a list of such conditions (without sent) "
                       "for a code sent for several reasons.",
        "anyOf": [one, several],
    }


def _closed(description: str | None, properties: Schema, required: tuple[str, ...] | list[str], *,
            min_properties: int = 0) -> Schema:
    schema: Schema = {} if description is None else {"description": description}
    schema |= {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if min_properties:
        schema["minProperties"] = min_properties
    schema["additionalProperties"] = False
    return schema


def _text(description: str) -> Schema:
    return _ref("text", description)


def _ref(name: str, description: str) -> Schema:
    return {"description": description, "$ref": f"#/$defs/{name}"}


def _key(*alternatives: str) -> str:
    """A pattern for a key or text that is one of ``alternatives`` (patterns), give or take stripped spaces."""
    return f"^{_SPACE}*(?:{'|'.join(alternatives)}){_SPACE}*$"


def _escape(text: str) -> str:
    # re.escape also escapes "-", which JavaScript refuses outside a class in its unicode mode.
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in text)


def _anycase(text: str) -> str:
    """A pattern for ``text`` in any case: JSON Schema patterns have no flags."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.upper() != c.lower() else _escape(c) for c in text)
