"""A profile that passed validation: what the application does, in the shape the renderer reads.

Built only by ``confgen.validate``; nothing here checks anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from confgen.dictionary import RelatedField
from confgen.format import FORMAT_VERSION, UNSENT_STATUSES
from confgen.records import record
from confgen.standard import CodeRange

if TYPE_CHECKING:  # confgen.logo (its SVG parser) is loaded only for a profile that has a logo
    from confgen.logo import Logo

__all__ = ["FORMAT_VERSION", "UNSENT_STATUSES", "Case", "Document", "FailureProfile", "Paragraphs", "Profile",
           "Revision", "StatusEntry", "TableProfile"]

Paragraphs = tuple[str, ...]  # a text as the statement prints it: one or more paragraphs, each on one line


@record(frozen=True)
class Revision:
    revision: str
    date: str
    description: str


@record(frozen=True)
class Document:
    manufacturer: str
    product: str
    product_version: str
    date: str
    document_number: str | None
    revisions: tuple[Revision, ...]
    logo: Logo | None = None
    paper: str = "A4"
    decimal_codes: bool = False  # print each code's decimal value beside it (DICOMweb JSON carries decimals)
    unsent_statuses: str = UNSENT_STATUSES[0]


@record(frozen=True)
class Case:
    """One reason a row gives: an SCP's condition for sending the code (with the fields that detail it and the
    Error Comment it sends), or an SCU's behavior on receiving it."""

    text: Paragraphs
    related_fields: tuple[RelatedField, ...] = ()  # Error Comment among them when ``comment`` is given
    comment: str | None = None  # the Error Comment (0000,0902) text sent with the status


@record(frozen=True)
class StatusEntry:
    """One row the profile gives: a code or range (``None`` for the "Other Status Codes" row)."""

    codes: CodeRange | None
    cases: tuple[Case, ...]  # one or more; none for a row that is never sent
    line: int  # of the status key in the profile (1-based)
    sent: bool = True
    further_meaning: str | None = None

    @property
    def related_fields(self) -> tuple[RelatedField, ...]:
        """The fields of every case, in the order they are first named."""
        return tuple(dict.fromkeys(field for case in self.cases for field in case.related_fields))


@record(frozen=True)
class TableProfile:
    """What the profile gives for one status-code table: its rows, and the text around it."""

    entries: tuple[StatusEntry, ...]
    line: int = 0  # of the table's statuses key in the profile (1-based)
    intro: Paragraphs = ()  # printed after the template's sentence, before the table
    notes: tuple[Paragraphs, ...] = ()  # printed under the table

    def entry(self, codes: CodeRange | None) -> StatusEntry | None:
        return next((e for e in self.entries if e.codes == codes), None)


@record(frozen=True)
class FailureProfile:
    """What the profile gives for one communication failure table: each failure, as the template names it where
    it is one of the template's, with the application's behavior."""

    behaviors: tuple[tuple[str, Paragraphs], ...]
    line: int = 0


@record(frozen=True)
class Profile:
    path: Path
    sha256: str  # of the profile file's bytes, for the statement's provenance
    standard: str
    document: Document
    # service -> role -> DIMSE -> the table's rows, for the tables the profile declares
    services: dict[str, dict[str, dict[str, TableProfile]]]
    communication_failures: dict[str, FailureProfile]

    def table(self, service: str, role: str, dimse: str) -> TableProfile | None:
        return self.services.get(service, {}).get(role, {}).get(dimse)
