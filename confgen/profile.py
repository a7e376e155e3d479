"""A profile that passed validation: what the application does, in the shape the renderer reads.

Built only by ``confgen.validate``; nothing here checks anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from confgen.dictionary import CommandElement
from confgen.logo import Logo
from confgen.standard import CodeRange

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Revision:
    revision: str
    date: str
    description: str


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class StatusEntry:
    """One row the profile gives: a code or range (``None`` for the "Other Status Codes" row)."""

    codes: CodeRange | None
    text: str | None  # the behavior (SCU) or the condition (SCP); None for a row that is never sent
    sent: bool = True
    related_fields: tuple[CommandElement, ...] = ()
    further_meaning: str | None = None


@dataclass(frozen=True)
class RoleProfile:
    entries: tuple[StatusEntry, ...]

    def entry(self, codes: CodeRange | None) -> StatusEntry | None:
        return next((e for e in self.entries if e.codes == codes), None)


@dataclass(frozen=True)
class Profile:
    path: Path
    sha256: str  # of the profile file's bytes, for the statement's provenance
    standard: str
    document: Document
    services: dict[str, dict[str, RoleProfile]]
