"""The completed statement: a validated profile joined with the template's rows, in the order they print.

Templates read only what is here. Numbers follow Annex N without its leading "N." ("Table 7-42"), as the
template asks a statement to number its own content; each table still cites the PS3.2 table it completes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from confgen import __version__
from confgen.dictionary import CommandElement, dictionary_version
from confgen.profile import Document, Profile, RoleProfile, StatusEntry
from confgen.standard import CodeRange, Standard, TemplateRow, TemplateTable, load_standard

NOT_SENT = "The application does not send this status."


@dataclass(frozen=True)
class Row:
    service_status: str
    further_meaning: str
    code: str
    text: str  # the behavior (SCU) or condition (SCP)
    related_fields: tuple[CommandElement, ...] = ()
    sent: bool = True
    note: int | None = None  # number of the table note that explains this row
    catch_all: bool = False  # the "Other Status Codes" row, whose code cell is words, not a code
    decimal: str | None = None  # the code in decimal ("290", "42752-43007"), when the document asks for it


@dataclass(frozen=True)
class Table:
    number: str
    heading: str
    label: str
    cites: str
    title: str
    text: str
    columns: tuple[str, ...]
    has_related_fields: bool
    rows: tuple[Row, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ServiceSection:
    key: str
    number: str
    title: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Heading:
    number: str
    title: str
    text: str


@dataclass(frozen=True)
class Verification:
    """A `confgen probe` report the statement cites (`build --verified-by`): what was checked, and the report."""

    text: str
    report_name: str
    report_sha256: str
    profile_name: str  # the profile the report is of, which must be the statement's
    profile_sha256: str


@dataclass(frozen=True)
class Provenance:
    """What the statement was made from, so that a reader can tell two builds apart and reproduce one."""

    generator: str
    profile_name: str
    profile_sha256: str
    editions: dict[str, str]  # the editions of the standard's data, by part
    dictionary: str  # the data dictionary that resolved the related fields
    verification: Verification | None = None


@dataclass(frozen=True)
class Statement:
    document: Document
    title: str
    subject: str
    keywords: tuple[str, ...]
    standard: str
    status_codes: Heading
    dimse_services: Heading
    services: tuple[ServiceSection, ...]
    provenance: Provenance


def without_annex_prefix(annex_n_number: str) -> str:
    """Annex N numbers "N.7.3.2.5" and "N.7-42"; the statement itself numbers them "7.3.2.5" and "7-42"."""
    return annex_n_number.removeprefix("N.")


def build_statement(profile: Profile) -> Statement:
    standard = load_standard(profile.standard)
    sections = []
    for key, service in standard.services.items():
        roles = profile.services.get(key)
        if not roles:
            continue  # Annex N: a subsection that does not apply is removed whole
        tables = tuple(_table(standard, key, table, roles[role], profile.document.decimal_codes)
                       for role, table in service.roles.items() if role in roles)
        sections.append(ServiceSection(key, without_annex_prefix(service.number), service.title, tables))
    document = profile.document
    product = f"{document.product} {document.product_version}"
    return Statement(
        document=document,
        title=f"DICOM Conformance Statement: {product}",
        subject=f"The DICOM Conformance Statement of {product} by {document.manufacturer}, following DICOM PS3.2 "
                f"{standard.edition} Annex N",
        keywords=("DICOM", "Conformance Statement", document.product, document.product_version,
                  *([document.document_number] if document.document_number else []),
                  *(service.title for service in sections), "Status Codes"),
        standard=f"DICOM PS3.2 {standard.edition}",
        status_codes=_heading(standard, "status_codes"),
        dimse_services=_heading(standard, "dimse_services"),
        services=tuple(sections),
        provenance=Provenance(
            generator=f"confgen {__version__}",
            profile_name=profile.path.name,
            profile_sha256=profile.sha256,
            editions=standard.editions,
            dictionary=f"pydicom {dictionary_version()}",
        ),
    )


def _heading(standard: Standard, key: str) -> Heading:
    section = standard.sections[key]
    return Heading(without_annex_prefix(section.number), section.title, section.text)


def _table(standard: Standard, service: str, template: TemplateTable, role: RoleProfile, decimal: bool) -> Table:
    label = f"Table {without_annex_prefix(template.table)}"
    notes: list[str] = []
    rows = []
    for template_row in template.rows:
        entry = role.entry(template_row.codes)
        assert entry is not None, "validation guarantees every template row"
        note = None
        if template_row.correction:
            notes.append(template_row.correction)
            note = len(notes)
        rows.append(_template_row(template_row, entry, note))
    listed = {row.codes for row in template.rows}
    additional = sorted(((e.codes, e) for e in role.entries if e.codes is not None and e.codes not in listed),
                        key=lambda pair: pair[0])
    rows.extend(_additional_row(standard, service, template, codes, entry) for codes, entry in additional)
    if decimal:
        rows = [replace(row, decimal=_in_decimal(row.code)) if not row.catch_all else row for row in rows]
    other = role.entry(None)
    if template.other is not None and other is not None:
        # "anything else" only reads right after every code that is listed, so it stays last.
        rows.append(Row(template.other.status, template.other.meaning, template.other.code, other.text or "",
                        catch_all=True))
    return Table(
        number=without_annex_prefix(template.number),
        heading=template.heading,
        label=label,
        cites=f"PS3.2 Table {template.table}",
        title=template.title,
        text=template.text.replace("{table}", label),
        columns=template.columns,
        has_related_fields=template.has_related_fields,
        rows=tuple(rows),
        notes=tuple(notes),
    )


def _in_decimal(code: str) -> str:
    """ "0122" -> "290", "A700-A7FF" -> "42752-43007": status values as DICOMweb's JSON carries them."""
    return "-".join(str(int(part, 16)) for part in code.split("-"))


def _template_row(row: TemplateRow, entry: StatusEntry, note: int | None) -> Row:
    return Row(
        service_status=row.status,
        further_meaning=entry.further_meaning or row.meaning,
        code=str(row.codes),
        text=entry.text if entry.sent and entry.text else NOT_SENT,
        related_fields=entry.related_fields,
        sent=entry.sent,
        note=note,
    )


def _additional_row(standard: Standard, service: str, template: TemplateTable, codes: CodeRange,
                    entry: StatusEntry) -> Row:
    code = codes.first
    defined = standard.meaning(service, code)
    # A code the standard defines like one of the table's rows (A711 in A7xx, like A700) is worded like that
    # row, so the table calls one status by one name; otherwise the standard's own words are used.
    sibling = next((row for row in template.rows if defined and standard.meaning(service, row.codes.first) == defined),
                   None)
    status_class = sibling.status if sibling else defined.status_class if defined else standard.status_class(code)
    meaning = sibling.meaning if sibling else defined.meaning if defined else ""
    return Row(
        service_status=status_class or "",
        further_meaning=entry.further_meaning or meaning,
        code=str(codes),
        text=entry.text or "",
        related_fields=entry.related_fields,
    )
