"""The DICOM standard as confgen knows it: the data files in ``confgen/standard/`` and lookups over them.

``ps3.7.yaml`` holds the status classes and general statuses, ``ps3.4.yaml`` each service class's own
statuses, and ``ps3.2-<edition>.yaml`` the Annex N template: sections, boilerplate text and the rows of each
status-code table. Nothing about a particular service is written in code: a new service is more data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from confgen.resources import STANDARD_DIR
from confgen.source import LOADER

# What the last column of a status-code table holds: what the application does on receiving each status (an
# SCU table, "Behavior") or when it sends it (an SCP table, "Condition").
Kind = Literal["behavior", "condition"]

_CODE = re.compile(r"[0-9A-F]{4}")
_RANGE = re.compile(r"([0-9A-F]{4})-([0-9A-F]{4})")
_TAG = re.compile(r"\(\s*([0-9A-Fa-f]{4})\s*,\s*([0-9A-Fa-f]{4})\s*\)")


@dataclass(frozen=True, order=True)
class CodeRange:
    """A status code ("B000") or an inclusive range of codes ("A700-A7FF"), as four-digit hexadecimal."""

    first: int
    last: int

    @classmethod
    def parse(cls, text: str) -> CodeRange | None:
        text = text.strip()
        if not text.isascii():  # str.upper() turns the ligature "\ufb00" into "FF", which is no hex digit
            return None
        text = text.upper()
        if _CODE.fullmatch(text):
            return cls(int(text, 16), int(text, 16))
        match = _RANGE.fullmatch(text)
        if match and int(match[1], 16) <= int(match[2], 16):
            return cls(int(match[1], 16), int(match[2], 16))
        return None

    @property
    def is_code(self) -> bool:
        return self.first == self.last

    @property
    def width(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.first <= code <= self.last

    def __str__(self) -> str:
        if self.is_code:
            return f"{self.first:04X}"
        return f"{self.first:04X}-{self.last:04X}"


def parse_tag(text: str) -> int | None:
    """``"(0000,0902)"`` -> ``0x00000902``; None for text that is not a tag in that form."""
    match = _TAG.fullmatch(text.strip())
    return int(match[1] + match[2], 16) if match else None


@dataclass(frozen=True)
class StatusMeaning:
    """What the standard says a code means for one DIMSE service, and where it says so."""

    codes: CodeRange
    status_class: str
    meaning: str
    related_fields: tuple[int, ...]
    source: str


@dataclass(frozen=True)
class TemplateRow:
    """A row the template prints. ``printed`` is the template's code where it differs from PS3.7's ``codes``."""

    status: str
    meaning: str
    codes: CodeRange
    printed: str | None = None
    correction: str | None = None

    @property
    def label(self) -> str:
        """The row in words, its class named once: "Warning: Elements Discarded", "Refused: Out of Resources"."""
        if self.meaning == self.status or self.meaning.startswith(f"{self.status}:"):
            return self.meaning
        return f"{self.status}: {self.meaning}"


@dataclass(frozen=True)
class CatchAllRow:
    status: str
    meaning: str
    code: str


@dataclass(frozen=True)
class TemplateTable:
    """One status-code table of Annex N: the table of one role (SCU or SCP) of one service."""

    number: str
    heading: str
    table: str
    title: str
    text: str
    columns: tuple[str, ...]
    kind: Kind
    rows: tuple[TemplateRow, ...]
    other: CatchAllRow | None
    source: str

    @property
    def has_related_fields(self) -> bool:
        return "Related Fields" in self.columns

    def row_for(self, codes: CodeRange) -> TemplateRow | None:
        return next((row for row in self.rows if row.codes == codes), None)

    def row_printed_as(self, code: str) -> TemplateRow | None:
        return next((row for row in self.rows if row.printed == code), None)

    def rows_in(self, codes: CodeRange) -> list[TemplateRow]:
        """The rows whose code or range lies inside ``codes``."""
        return [row for row in self.rows if row.codes.first in codes and row.codes.last in codes]


@dataclass(frozen=True)
class ServiceTemplate:
    number: str
    title: str
    dimse: str
    service_class: str
    roles: dict[str, TemplateTable]
    source: str


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class Standard:
    """The facts of one PS3.2 edition, with the PS3.4 and PS3.7 data it is checked against."""

    edition: str
    editions: dict[str, str]  # of each part's data: {"PS3.2": "2024d", "PS3.4": ..., "PS3.7": ...}
    sections: dict[str, Section]
    services: dict[str, ServiceTemplate]
    _classes: tuple[tuple[CodeRange, str], ...]
    _class_fields: dict[str, tuple[int, ...]]
    _general: dict[int, StatusMeaning]
    _dimse_codes: dict[str, frozenset[int]]
    _service_statuses: dict[str, tuple[StatusMeaning, ...]]

    def status_class(self, code: int) -> str | None:
        """PS3.7 Annex C: the class of the narrowest entry containing ``code``, or None if none does."""
        matches = [(codes.width, name) for codes, name in self._classes if code in codes]
        return min(matches)[1] if matches else None

    def meaning(self, service: str, code: int) -> StatusMeaning | None:
        """What ``code`` means in a response of ``service``'s DIMSE, or None where it is not defined there."""
        for status in self._service_statuses.get(self.services[service].service_class, ()):
            if code in status.codes:
                return status
        if code in self._dimse_codes.get(self.services[service].dimse, frozenset()):
            return self._general[code]
        return None

    def own_meaning(self, service: str, code: int) -> StatusMeaning | None:
        """What the standard says ``code`` itself means: the service's own definition of that one code, or PS3.7
        Annex C's general meaning of it (0110 is "Processing failure" wherever it is sent). None for a code that
        only lies inside a range (A711 in A7xx, whose cause the implementation assigns) or that has no meaning."""
        defined = self.meaning(service, code)
        if defined is not None and defined.codes.is_code:
            return defined
        return self._general.get(code) if defined is None else None

    def service_range(self, service: str, code: int) -> CodeRange | None:
        """The range of ``service``'s own statuses (PS3.4's A7xx, A9xx, Cxxx) that ``code`` lies in, if any."""
        defined = self.meaning(service, code)
        return defined.codes if defined is not None and not defined.codes.is_code else None

    def expected_fields(self, service: str, code: int) -> tuple[int, ...]:
        """The related fields the standard lists for ``code``: its own, else those of its class."""
        defined = self.meaning(service, code) or self._general.get(code)
        if defined is not None:
            return defined.related_fields
        status_class = self.status_class(code)
        return self._class_fields.get(status_class, ()) if status_class else ()

    def general_meaning(self, code: int) -> str | None:
        """The PS3.7 Annex C name of a general status code ("No such SOP Instance"), if it has one."""
        general = self._general.get(code)
        return general.meaning if general else None

    def class_codes(self) -> str:
        """The codes PS3.7 Annex C gives a class, as a list for messages."""
        return ", ".join(str(codes) for codes, _ in self._classes)


def available_editions() -> tuple[str, ...]:
    return tuple(sorted(p.name[len("ps3.2-"):-len(".yaml")] for p in STANDARD_DIR.glob("ps3.2-*.yaml")))


def _read(name: str) -> Any:
    with (STANDARD_DIR / name).open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=LOADER)


def _codes(text: str) -> CodeRange:
    codes = CodeRange.parse(text)
    if codes is None:
        raise ValueError(f"confgen's standard data holds a malformed code: {text!r}")
    return codes


def _fields(tags: list[str]) -> tuple[int, ...]:
    parsed = []
    for text in tags:
        tag = parse_tag(text)
        if tag is None:
            raise ValueError(f"confgen's standard data holds a malformed tag: {text!r}")
        parsed.append(tag)
    return tuple(parsed)


@functools.cache
def load_standard(edition: str) -> Standard:
    """The packaged data for a PS3.2 edition (one of ``available_editions()``)."""
    ps32 = _read(f"ps3.2-{edition}.yaml")
    ps34 = _read("ps3.4.yaml")
    ps37 = _read("ps3.7.yaml")
    if ps32["edition"] != edition:
        raise ValueError(f"ps3.2-{edition}.yaml holds the data of edition {ps32['edition']}")

    classes = tuple(
        (_codes(code), entry["class"]) for entry in ps37["status_classes"]["entries"] for code in entry["codes"]
    )
    general = {
        meaning.codes.first: meaning
        for meaning in (
            StatusMeaning(_codes(entry["code"]), entry["class"], entry["meaning"], _fields(entry["related_fields"]),
                          entry["source"])
            for entry in ps37["general_statuses"]
        )
    }
    service_statuses = {
        key: tuple(
            StatusMeaning(_codes(s["code"]), s["class"], s["meaning"], _fields(s["related_fields"]), service["source"])
            for s in service["statuses"]
        )
        for key, service in ps34["service_classes"].items()
    }
    services = {key: _service(data) for key, data in ps32["services"].items()}
    sections = {
        key: Section(data["number"], data["title"], data.get("text", ""), data["source"])
        for key, data in ps32["sections"].items()
    }
    return Standard(
        edition=edition,
        editions={data["part"]: data["edition"] for data in (ps32, ps34, ps37)},
        sections=sections,
        services=services,
        _classes=classes,
        _class_fields={name: _fields(tags) for name, tags in ps37["class_related_fields"].items() if name != "source"},
        _general=general,
        _dimse_codes={
            dimse: frozenset(_codes(code).first for code in data["codes"])
            for dimse, data in ps37["dimse_fixed_codes"].items()
        },
        _service_statuses=service_statuses,
    )


def _service(data: dict[str, Any]) -> ServiceTemplate:
    roles = {}
    for role, table in data["roles"].items():
        other = table.get("other")
        kind = table["kind"]
        if kind not in ("behavior", "condition"):
            raise ValueError(f"confgen's standard data: table {table['table']} is of kind {kind!r}, neither behavior "
                             "nor condition")
        roles[role] = TemplateTable(
            number=table["number"],
            heading=table["heading"],
            table=table["table"],
            title=table["title"],
            text=table["text"],
            columns=tuple(table["columns"]),
            kind=kind,
            rows=tuple(
                TemplateRow(row["status"], row["meaning"], _codes(row["code"]), row.get("printed"),
                            row.get("correction"))
                for row in table["rows"]
            ),
            other=CatchAllRow(other["status"], other["meaning"], other["code"]) if other else None,
            source=table["source"],
        )
    return ServiceTemplate(data["number"], data["title"], data["dimse"], data["service_class"], roles,
                           data["source"])
