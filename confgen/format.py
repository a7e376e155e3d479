"""The profile format (version 1), declared once: every key, whether it is required, what it holds and what it
means.

Three things are derived from this declaration: the validator's walk (``validate.py``), the JSON Schema for editors
(``schema.py``) and the starting profile of ``confgen init`` (``starter.py``). The part of the format that depends
on the template (its services, roles, DIMSEs, tables and rows) is built from the standard's data by
``profile_format``, so that a table added there is in all three without code.
"""

from __future__ import annotations

from confgen.records import field, record
from confgen.standard import FailureTable, Standard, TemplateTable

FORMAT_VERSION = 1

PAPER_SIZES = ("A4", "letter")
# What the statement does with template rows the application never sends (sent: false): name them in one
# sentence under the table (the default), or print each as a row that says so.
UNSENT_STATUSES = ("sentence", "rows")

TEXT_NOTE = ("Printed as written. confgen validate also refuses template leftovers: TODO, TBD, FIXME, an "
             "instruction such as [Describe ...] or a placeholder such as <AE title>.")
PARAGRAPHS_NOTE = "A blank line starts a new paragraph."


# -- what a value can be ------------------------------------------------------------------------------------------


@record(frozen=True)
class Text:
    """Text that is not empty and holds no template leftover, printed as one line."""

    description: str
    placeholder: str = "<text>"  # what `confgen init` writes, for the vendor to replace


@record(frozen=True)
class Prose(Text):
    """Text that may hold paragraphs: a blank line in it starts a new one."""


@record(frozen=True)
class FieldName(Text):
    """A related field: a command element (group 0000) by keyword or tag, or a parameter the standard names. Text to
    the validator, which resolves it (D311); editors are offered the command elements' keywords."""


@record(frozen=True)
class Date:
    description: str
    placeholder: str = "<YYYY-MM-DD>"


@record(frozen=True)
class Flag:
    """true or false; ``only`` where one of them is the one that makes sense here (the validator says why the
    other does not, under its own rule)."""

    description: str
    default: bool = False
    only: bool | None = None


@record(frozen=True)
class Choice:
    """One of a few words, in any case."""

    description: str
    options: tuple[str, ...]


@record(frozen=True)
class FormatVersion:
    description: str


@record(frozen=True)
class Edition:
    """A PS3.2 edition confgen has data for."""

    description: str


@record(frozen=True)
class Logo:
    description: str


@record(frozen=True)
class Key:
    """A key of a mapping. ``starter`` is how `confgen init` writes an optional key: "write" it with a
    placeholder, "comment" it out, or leave it out (""); a required key is always written."""

    name: str
    value: Spec
    required: bool = False
    starter: str = ""


@record(frozen=True)
class Switch:
    """A flag that changes what else a mapping holds: when ``flag`` is false, none of ``absent``; otherwise each of
    ``required`` (an SCP row with sent: false has no condition; any other has one)."""

    flag: str
    absent: tuple[str, ...]
    required: tuple[str, ...]


@record(frozen=True)
class Keyed:
    """A mapping with a fixed set of keys. ``any_case`` keys match whatever their case (n-create, N-CREATE);
    ``hints`` answer keys that belong elsewhere ("condition" in an SCU row)."""

    description: str
    keys: tuple[Key, ...]
    any_case: bool = False
    hints: dict[str, str] = field(default_factory=dict)
    min_keys: int = 0  # a mapping that must declare something (services)
    empty: str = ""  # what an empty one is told (S209)
    switch: Switch | None = None

    def key(self, name: str) -> Key | None:
        wanted = name.lower() if self.any_case else name
        return next((key for key in self.keys if (key.name.lower() if self.any_case else key.name) == wanted), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys if key.required)


@record(frozen=True)
class ListOf:
    description: str
    item: Spec
    min_items: int = 0
    empty: str = ""  # what an empty list is told (S207), where one is refused
    unique: bool = False  # an item given twice is a mistake (D307)


@record(frozen=True)
class OneOf:
    """A value that may take several shapes: text, a mapping, a list. The first option of the value's shape
    applies."""

    description: str
    options: tuple[Spec, ...]


@record(frozen=True)
class Statuses:
    """A status-code table's rows: a key per code (or template range, or ``other``), each an ``entry``."""

    description: str
    table: TemplateTable
    entry: Spec


@record(frozen=True)
class Failures:
    """A communication failure table's rows: a key per failure (the template's, and any more), each a behavior."""

    description: str
    table: FailureTable
    behavior: Spec


Spec = Text | Date | Flag | Choice | FormatVersion | Edition | Logo | Keyed | ListOf | OneOf | Statuses | Failures


# -- the format ---------------------------------------------------------------------------------------------------


def _document() -> Keyed:
    revision = Keyed("A revision: its label, date and what changed.", (
        Key("revision", Text("The revision's label, such as \"A\" or \"2.1\" (quote it).", "<revision>"), True),
        Key("date", Date("The revision's date, YYYY-MM-DD (ISO 8601)."), True),
        Key("description", Text("What changed in this revision. " + TEXT_NOTE, "<what changed>"), True),
    ))
    return Keyed("The statement's title block and revision history.", (
        Key("manufacturer", Text("The manufacturer, as printed in the title block. " + TEXT_NOTE, "<manufacturer>"),
            True),
        Key("product", Text("The commercial product name. " + TEXT_NOTE, "<commercial product name>"), True),
        Key("product_version", Text("The product version the statement is for. Quote it: YAML reads 4.10 as the "
                                    "number 4.1.", "<product version>"), True),
        Key("date", Date("The document's date, YYYY-MM-DD (ISO 8601), used wherever the statement gives its date."),
            True),
        Key("document_number", Text("Optional: the document's own number, printed in the title block.",
                                    "<document number>"), starter="write"),
        Key("revisions", ListOf("Optional: the revision history, one entry per revision, printed in the order "
                                "given.", revision), starter="write"),
        Key("logo", Logo("Optional: a PNG or SVG file (at most 1 MiB) for the cover page, by a path relative to the "
                         "profile and inside its folder.")),
        Key("paper", Choice("Optional: the PDF's paper size, A4 (the default) or letter.", PAPER_SIZES)),
        Key("decimal_codes", Flag("Optional: true prints each status code's decimal value beside it, 0122 (290), as "
                                  "DICOMweb's JSON carries status values.")),
        Key("unsent_statuses", Choice("Optional: how the template's statuses the application never sends (sent: "
                                      "false) are printed: sentence (the default), one sentence under each table "
                                      "that names them; rows, a row each that says so.", UNSENT_STATUSES)),
    ))


def _related_fields(table: TemplateTable) -> Key:
    return Key("related_fields", ListOf(
        f"The fields that detail this status, printed in the Related Fields column of PS3.2 Table {table.table}: "
        "command elements (group 0000) by keyword (ErrorComment) or tag in quotes (\"(0000,0902)\"), or a "
        "parameter the standard names (Identifier). Leave it out, or [], for none.",
        FieldName("A command element: its keyword (ErrorComment) or its tag in quotes (\"(0000,0902)\"); or a "
                  "parameter the standard names, such as Identifier."), unique=True))


def status_entry(standard: Standard, table: TemplateTable) -> Spec:
    """What one row of ``table`` holds."""
    further = Key("further_meaning", Text(
        f"The Further Meaning printed for this code. Required for a code the standard gives no meaning for "
        f"{table.dimse}; on a template row, or a code the standard defines on its own, it replaces the standard's "
        "meaning (a warning).", "<further meaning>"))
    if table.kind == "behavior":
        behavior = Prose(f"What the application does when it receives this status: the Behavior column of PS3.2 "
                         f"Table {table.table}. {PARAGRAPHS_NOTE}", "<behavior>")
        return OneOf(f"A row of PS3.2 Table {table.table}: the behavior, or a mapping of behavior and "
                     "further_meaning.", (
                         behavior,
                         Keyed("", (Key("behavior", behavior, True), further), hints=BEHAVIOR_HINTS)))
    condition = Key("condition", Prose(f"When the application sends this status: the Condition column of PS3.2 Table "
                                       f"{table.table}. {PARAGRAPHS_NOTE}", "<condition>"))
    comment = Key("comment", Text("The Error Comment (0000,0902) text the application sends with this status, "
                                  "printed after the condition; Error Comment is then one of the row's related "
                                  "fields.", "<Error Comment text>"))
    fields = (_related_fields(table),) if table.has_related_fields else ()
    sent = Key("sent", Flag(f"false for a row of PS3.2 Table {table.table} that the application never sends; it then "
                            "has no condition, related fields or comment. Leave it out for a row that is sent.",
                            default=True))
    one = Keyed("", (condition, *fields, comment, sent, further), hints=CONDITION_HINTS,
                switch=Switch("sent", ("condition", *(key.name for key in fields), "comment"), ("condition",)))
    case = Keyed("One condition under which the application sends this status, with its related fields and Error "
                 "Comment.", (condition, *fields, comment, further,
                              Key("sent", Flag("A list of conditions is sent: it has no sent: false.", True,
                                               only=True))),
                 hints=CONDITION_HINTS, switch=Switch("sent", (), ("condition",)))
    return OneOf(f"A row of PS3.2 Table {table.table}: condition" + (", related_fields" if fields else "") +
                 " and comment, or sent: false for a template row never sent; or a list of such conditions (without "
                 "sent) for a code sent for several reasons.",
                 (one, ListOf("", case, min_items=1, empty="give at least one condition")))


def status_table(standard: Standard, table: TemplateTable) -> Keyed:
    """A table's keys in a profile: the text around it and its rows."""
    doing = "receives" if table.kind == "behavior" else "sends"
    return Keyed(
        f"The application as {table.role.upper()} of {table.dimse}, for PS3.2 {standard.edition} Table {table.table} "
        f"\"{table.title}\".", (
            Key("intro", Prose(f"Optional: text printed after the template's sentence, before the table. "
                               f"{PARAGRAPHS_NOTE}", "<text printed before the table>"), starter="comment"),
            Key("notes", ListOf(f"Optional: notes printed under the table, numbered after confgen's own notes. "
                                f"{PARAGRAPHS_NOTE}", Prose("A note, printed under the table.",
                                                            "<a note printed under the table>"),
                                min_items=1, empty="give at least one note, or leave notes out"), starter="comment"),
            Key("statuses", Statuses(
                f"One entry per status code: every row of PS3.2 {standard.edition} Table {table.table}, then any "
                f"other code the application {doing}.", table, status_entry(standard, table)), True),
        ))


def _service(standard: Standard, key: str) -> Keyed:
    service = standard.services[key]
    roles = []
    for role in service.roles:
        tables = service.tables_of(role)
        description = f"The application as {role.upper()} of the {service.title}. Leave it out if it does not play " \
                      "this role."
        if service.by_dimse:
            # A role declares only the DIMSEs it implements: an MPPS SCU that only creates steps gives n-create.
            value: Spec = Keyed(description + " One key per DIMSE it implements: "
                                + ", ".join(table.dimse_key for table in tables) + " (any case).",
                                tuple(Key(table.dimse_key, status_table(standard, table), starter="write")
                                      for table in tables),
                                any_case=True, min_keys=1, empty="declares no DIMSE")
        else:
            [table] = tables
            value = status_table(standard, table)
        roles.append(Key(role, value))
    return Keyed(f"PS3.2 {standard.edition} {service.number} {service.title}: the roles the application plays "
                 f"({' and/or '.join(role.upper() for role in service.roles)}).", tuple(roles), min_keys=1,
                 empty="declares neither " + " nor ".join(service.roles))


def _communication_failures(standard: Standard) -> Keyed:
    tables = []
    for key, table in standard.communication_failures.items():
        tables.append(Key(key, starter="write", value=Failures(
            f"PS3.2 {standard.edition} Table {table.table} \"{table.title}\": what the application does on each "
            f"failure. The template's ({', '.join(table.failures)}) are required, in any case; more may be added.",
            table, Prose(f"What the application does on this failure. {PARAGRAPHS_NOTE}", "<behavior>"))))
    return Keyed(f"PS3.2 {standard.edition} N.7.3.1: the application's behavior when communication fails.",
                 tuple(tables), min_keys=1, empty="declares no table")


DOCUMENT = _document()


def profile_format(standard: Standard) -> Keyed:
    """The whole format for a profile that follows ``standard``'s edition, made once per edition: the validator
    walks it for every profile of a build, and the declaration, immutable, is the same each time. (A Standard
    holds dicts, so it is no key for functools.cache; the one made from other data, as a test makes, is another
    object and gets its own.)"""
    made = _FORMATS.get(standard.edition)
    if made is None or made[0] is not standard:
        made = _FORMATS[standard.edition] = (standard, _profile_format(standard))
    return made[1]


_FORMATS: dict[str, tuple[Standard, Keyed]] = {}


def _profile_format(standard: Standard) -> Keyed:
    services = Keyed(
        f"The DIMSE services whose status codes the statement documents (PS3.2 Annex N, N.7.3.2 DIMSE Services), "
        f"each with the roles the application plays. PS3.2 {standard.edition} has: {', '.join(standard.services)}.",
        tuple(Key(key, _service(standard, key)) for key in standard.services), min_keys=1,
        empty="declares no service; confgen knows: " + ", ".join(standard.services))
    return Keyed("A confgen profile.", (
        *TOP_KEYS,
        Key("document", DOCUMENT, True),
        Key("services", services, True),
        Key("communication_failures", _communication_failures(standard)),
    ))


# The keys read before the edition is known: which format, and which edition's data the rest is checked against.
TOP_KEYS = (
    Key("confgen", FormatVersion(f"The profile format version: {FORMAT_VERSION}, written as a number, without quotes."),
        True),
    Key("standard", Edition("The edition of DICOM PS3.2 whose Annex N template the statement follows, in quotes "
                            "(\"2024d\"). It decides which tables and rows the profile is checked against."),
        True),
)

# Keys of the other role's rows, which people carry over: say what this role's row has instead.
BEHAVIOR_HINTS = {
    "condition": "an SCU row says what the application does: use 'behavior'",
    "related_fields": "related fields belong to SCP rows; an SCU row gives its behavior",
    "sent": "an SCU row says what the application does on receiving the status, which it cannot refuse to "
            "receive: give its behavior",
    "comment": "an Error Comment is text an SCP sends with a status; an SCU row gives its behavior",
}
CONDITION_HINTS = {"behavior": "an SCP row says when the application sends the status: use 'condition'"}
