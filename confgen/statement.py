"""The completed statement: a validated profile joined with the template, as a tree of sections in the order they
print.

One tree gives the body, the contents, the numbering and the PDF's bookmarks: each section has a number, a title,
the template's text, its tables, and the sections below it. Templates read only what is here. Numbers follow
Annex N without its leading "N." ("Table 7-42"), as the template asks a statement to number its own content;
each table still cites the PS3.2 table it completes.
"""

from __future__ import annotations

from confgen import __version__
from confgen.dictionary import RelatedField, dictionary_version
from confgen.profile import Case, Document, FailureProfile, Paragraphs, Profile, StatusEntry, TableProfile
from confgen.records import record, replace
from confgen.standard import CodeRange, FailureTable, Standard, TemplateRow, TemplateTable, load_standard

NOT_SENT = "The application does not send this status."
# Under a table, in place of rows that would each say NOT_SENT (document.unsent_statuses: sentence).
UNSENT = "The application does not send these statuses of the template: {statuses}."


@record(frozen=True)
class Reason:
    """What the last column says for one case: an SCP's condition and the Error Comment it sends then, or an SCU's
    behavior."""

    paragraphs: Paragraphs
    comment: str | None = None


@record(frozen=True)
class Row:
    service_status: str
    further_meaning: str
    code: str
    reasons: tuple[Reason, ...]  # the behavior (SCU) or the conditions (SCP), in the profile's order
    related_fields: tuple[RelatedField, ...] = ()
    sent: bool = True
    note: int | None = None  # number of the table note that explains this row
    catch_all: bool = False  # the "Other Status Codes" row, whose code cell is words, not a code
    decimal: str | None = None  # the code in decimal ("290", "42752-43007"), when the document asks for it

    @property
    def text(self) -> str:
        """The last column as one line, for templates written before a row could give several reasons."""
        return " ".join(" ".join(reason.paragraphs) for reason in self.reasons)


@record(frozen=True)
class Table:
    """A status-code table: what one role does with one DIMSE's statuses."""

    label: str
    cites: str
    title: str
    text: str
    columns: tuple[str, ...]
    has_related_fields: bool
    rows: tuple[Row, ...]
    notes: tuple[Paragraphs, ...]  # confgen's own (where the template is corrected), then the profile's
    intro: Paragraphs = ()  # the profile's text after the template's sentence
    unsent: str | None = None  # the sentence naming the template's statuses that are never sent
    decimal_codes: bool = False  # each code's decimal value is printed beside it
    kind: str = "status"  # which kind of table a template renders

    @property
    def anchor(self) -> str:
        return self.label.lower().replace(" ", "-")


@record(frozen=True)
class FailureRow:
    failure: str
    behavior: Paragraphs


@record(frozen=True)
class FailuresTable:
    """A communication failure table: what the application does on each failure."""

    label: str
    cites: str
    title: str
    text: str
    columns: tuple[str, ...]
    rows: tuple[FailureRow, ...]
    kind: str = "failures"

    @property
    def anchor(self) -> str:
        return self.label.lower().replace(" ", "-")


@record(frozen=True)
class Section:
    """A numbered section of the statement: its text, its tables, and the sections below it. ``key`` names a
    service's section, which a vendor's templates may render their own way (services/<key>.html.j2)."""

    number: str
    title: str
    text: str = ""
    tables: tuple[Table | FailuresTable, ...] = ()
    children: tuple[Section, ...] = ()
    key: str = ""

    @property
    def anchor(self) -> str:
        return "section-" + self.number.replace(".", "-")


@record(frozen=True)
class Verification:
    """A `confgen probe` report the statement cites (`build --verified-by`): what was checked, and the report."""

    text: str
    report_name: str
    report_sha256: str
    profile_name: str  # the profile the report is of, which must be the statement's
    profile_sha256: str


@record(frozen=True)
class Provenance:
    """What the statement was made from, so that a reader can tell two builds apart and reproduce one."""

    generator: str
    profile_name: str
    profile_sha256: str
    editions: dict[str, str]  # the editions of the standard's data, by part
    dictionary: str  # the data dictionary that resolved the related fields
    derived_tables: tuple[str, ...] = ()  # labels of the tables whose rows follow the standard, not a template read
    verification: Verification | None = None  # the `confgen probe` report the statement cites


@record(frozen=True)
class Statement:
    document: Document
    title: str
    subject: str
    keywords: tuple[str, ...]
    standard: str
    sections: tuple[Section, ...]  # the statement's top sections (7.3 Status Codes)
    provenance: Provenance


def without_annex_prefix(annex_n_number: str) -> str:
    """Annex N numbers "N.7.3.2.5" and "N.7-42"; the statement itself numbers them "7.3.2.5" and "7-42"."""
    return annex_n_number.removeprefix("N.")


def build_statement(profile: Profile) -> Statement:
    standard = load_standard(profile.standard)
    document = profile.document
    # Annex N: a subsection that does not apply is removed whole.
    failures = tuple(_failures_section(table, profile.communication_failures[key])
                     for key, table in standard.communication_failures.items()
                     if key in profile.communication_failures)
    services = []
    for key, service in standard.services.items():
        declared = [(table, profile.table(key, table.role, table.dimse)) for table in service.tables]
        sections = tuple(_table_section(standard, table, given, document) for table, given in declared if given)
        if sections:
            services.append(Section(without_annex_prefix(service.number), service.title, children=sections, key=key))
    below = []
    if failures:
        below.append(_section(standard, "communication_failures", failures))
    if services:
        below.append(_section(standard, "dimse_services", tuple(services)))
    top = _section(standard, "status_codes", tuple(below))
    product = f"{document.product} {document.product_version}"
    tables = [table for section in (top, *_below(top)) for table in section.tables]
    derived = _derived(standard)
    return Statement(
        document=document,
        title=f"DICOM Conformance Statement: {product}",
        subject=f"The DICOM Conformance Statement of {product} by {document.manufacturer}, following DICOM PS3.2 "
                f"{standard.edition} Annex N",
        keywords=("DICOM", "Conformance Statement", document.product, document.product_version,
                  *([document.document_number] if document.document_number else []),
                  *(service.title for service in services), "Status Codes"),
        standard=f"DICOM PS3.2 {standard.edition}",
        sections=(top,),
        provenance=Provenance(
            generator=f"confgen {__version__}",
            profile_name=profile.path.name,
            profile_sha256=profile.sha256,
            editions=standard.editions,
            dictionary=f"pydicom {dictionary_version()}",
            derived_tables=tuple(table.label for table in tables if table.label in derived),
        ),
    )


def _below(section: Section) -> list[Section]:
    """The sections below ``section``, depth first, in print order."""
    return [found for child in section.children for found in (child, *_below(child))]


def _derived(standard: Standard) -> set[str]:
    return {f"Table {without_annex_prefix(table.table)}" for table in standard.tables() if "rows" in table.derived}


def _section(standard: Standard, key: str, children: tuple[Section, ...]) -> Section:
    section = standard.sections[key]
    return Section(without_annex_prefix(section.number), section.title, section.text, children=children)


def _failures_section(template: FailureTable, given: FailureProfile) -> Section:
    label = f"Table {without_annex_prefix(template.table)}"
    # The template's failures first, in its order, then the profile's own in the order given.
    behaviors = dict(given.behaviors)
    order = [name for name in template.failures if name in behaviors]
    order += [name for name in behaviors if name not in template.failures]
    table = FailuresTable(label, f"PS3.2 Table {template.table}", template.title,
                          template.text.replace("{table}", label), template.columns,
                          tuple(FailureRow(name, behaviors[name]) for name in order))
    return Section(without_annex_prefix(template.number), template.heading, tables=(table,))


def _table_section(standard: Standard, template: TemplateTable, given: TableProfile, document: Document) -> Section:
    return Section(without_annex_prefix(template.number), template.heading,
                   tables=(_table(standard, template, given, document),))


def _table(standard: Standard, template: TemplateTable, given: TableProfile, document: Document) -> Table:
    label = f"Table {without_annex_prefix(template.table)}"
    notes: list[Paragraphs] = []
    rows = []
    unsent = []
    for template_row in template.rows:
        entry = given.entry(template_row.codes)
        if entry is None:
            continue  # validation guarantees every row but one that other codes of its range answer (A711 for A700)
        if not entry.sent and document.unsent_statuses == "sentence":
            unsent.append(f"{template_row.codes} ({entry.further_meaning or template_row.meaning})")
            continue
        note = None
        if template_row.correction:
            notes.append((template_row.correction,))
            note = len(notes)
        rows.append(_template_row(template_row, entry, note))
    listed = {row.codes for row in template.rows}
    additional = sorted(((e.codes, e) for e in given.entries if e.codes is not None and e.codes not in listed),
                        key=lambda pair: pair[0])
    rows.extend(_additional_row(standard, template, codes, entry) for codes, entry in additional)
    if document.decimal_codes:
        rows = [replace(row, decimal=_in_decimal(row.code)) if not row.catch_all else row for row in rows]
    other = given.entry(None)
    if template.other is not None and other is not None:
        # "anything else" only reads right after every code that is listed, so it stays last.
        rows.append(Row(template.other.status, template.other.meaning, template.other.code, _reasons(other),
                        catch_all=True))
    return Table(
        label=label,
        cites=f"PS3.2 Table {template.table}",
        title=template.title,
        text=template.text.replace("{table}", label),
        columns=template.columns,
        has_related_fields=template.has_related_fields,
        rows=tuple(rows),
        notes=(*notes, *given.notes),
        intro=given.intro,
        unsent=UNSENT.format(statuses=", ".join(unsent)) if unsent else None,
        decimal_codes=document.decimal_codes,
    )


def _in_decimal(code: str) -> str:
    """ "0122" -> "290", "A700-A7FF" -> "42752-43007": status values as DICOMweb's JSON carries them."""
    return "-".join(str(int(part, 16)) for part in code.split("-"))


def _reasons(entry: StatusEntry) -> tuple[Reason, ...]:
    if not entry.sent:
        return (Reason((NOT_SENT,)),)
    return tuple(_reason(case) for case in entry.cases)


def _reason(case: Case) -> Reason:
    return Reason(case.text, case.comment)


def _template_row(row: TemplateRow, entry: StatusEntry, note: int | None) -> Row:
    return Row(
        service_status=row.status,
        further_meaning=entry.further_meaning or row.meaning,
        code=str(row.codes),
        reasons=_reasons(entry),
        related_fields=entry.related_fields,
        sent=entry.sent,
        note=note,
    )


def _additional_row(standard: Standard, template: TemplateTable, codes: CodeRange, entry: StatusEntry) -> Row:
    code = codes.first
    defined = standard.meaning(template, code)
    # A code the standard defines like one of the table's rows (A711 in A7xx, like A700) is worded like that
    # row, so the table calls one status by one name; otherwise the standard's own words are used: the service's,
    # or PS3.7 Annex C's general meaning of the code (0110, "Processing failure").
    sibling = next((row for row in template.rows if defined and standard.meaning(template, row.codes.first) == defined),
                   None)
    known = defined or standard.own_meaning(template, code)
    status_class = sibling.status if sibling else known.status_class if known else standard.status_class(code)
    meaning = sibling.meaning if sibling else known.meaning if known else ""
    return Row(
        service_status=status_class or "",
        further_meaning=entry.further_meaning or meaning,
        code=str(codes),
        reasons=_reasons(entry),
        related_fields=entry.related_fields,
    )
