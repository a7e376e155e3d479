"""The DICOM standard as confgen knows it: the data files in ``confgen/standard/`` and lookups over them.

``ps3.7.yaml`` holds the status classes and general statuses, ``ps3.4.yaml`` each service class's own statuses
for each DIMSE, and ``ps3.2-<edition>.yaml`` the Annex N template: sections, boilerplate text, and each table
with its service, role, DIMSE and rows. Nothing about a particular service or table is written in code: a new
table, or a new service with several DIMSEs, is more data.

``compiled.json`` beside them is the same data, read by JSON instead of YAML (ten times faster: it is what
``confgen validate`` would otherwise spend most of its own time on), with the SHA-256 of each YAML file it was
made from. A YAML file whose bytes are not the ones it was made from is read itself, so an edit takes effect
at once; a test fails until ``python -m confgen.standard`` has written it anew.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from typing import Any, Literal

import yaml

from confgen.records import field, record
from confgen.resources import STANDARD_DIR
from confgen.yamlload import LOADER

# What the last column of a status-code table holds: what the application does on receiving each status (an
# SCU table, "Behavior") or when it sends it (an SCP table, "Condition").
Kind = Literal["behavior", "condition"]

_CODE = re.compile(r"[0-9A-F]{4}")
_RANGE = re.compile(r"([0-9A-F]{4})-([0-9A-F]{4})")
_TAG = re.compile(r"\(\s*([0-9A-Fa-f]{4})\s*,\s*([0-9A-Fa-f]{4})\s*\)")


@record(frozen=True, order=True)
class CodeRange:
    """A status code ("B000") or an inclusive range of codes ("A700-A7FF"), as four-digit hexadecimal."""

    first: int
    last: int

    @staticmethod
    def parse(text: str) -> CodeRange | None:
        return _parsed(text)

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


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> CodeRange | None:
    # The same few keys and codes are parsed again and again, by every check of every row (a record is immutable,
    # so one may be shared).
    text = text.strip()
    if not text.isascii():  # str.upper() turns the ligature "\ufb00" into "FF", which is no hex digit
        return None
    text = text.upper()
    if _CODE.fullmatch(text):
        return CodeRange(int(text, 16), int(text, 16))
    match = _RANGE.fullmatch(text)
    if match and int(match[1], 16) <= int(match[2], 16):
        return CodeRange(int(match[1], 16), int(match[2], 16))
    return None


def parse_tag(text: str) -> int | None:
    """``"(0000,0902)"`` -> ``0x00000902``; None for text that is not a tag in that form."""
    match = _TAG.fullmatch(text.strip())
    return int(match[1] + match[2], 16) if match else None


# A related field as the standard's data gives it: a command element's tag, or the name of a message parameter
# that has none ("Identifier").
FieldRef = int | str


@record(frozen=True)
class StatusMeaning:
    """What the standard says a code means for one DIMSE of one service, and where it says so."""

    codes: CodeRange
    status_class: str
    meaning: str
    related_fields: tuple[FieldRef, ...]
    source: str


@record(frozen=True)
class TemplateRow:
    """A row the template prints. Where the template contradicts PS3.4 or PS3.7, the row holds the standard's
    code and class, ``printed`` and ``printed_status`` what the template printed, and ``correction`` the note
    that says so."""

    status: str
    meaning: str
    codes: CodeRange
    printed: str | None = None
    printed_status: str | None = None
    correction: str | None = None

    @property
    def label(self) -> str:
        """The row in words, its class named once: "Warning: Elements Discarded", "Refused: Out of Resources"."""
        if not self.meaning or self.meaning == self.status:
            return self.status
        if self.meaning.startswith(f"{self.status}:"):
            return self.meaning
        return f"{self.status}: {self.meaning}"


@record(frozen=True)
class CatchAllRow:
    status: str
    meaning: str
    code: str


@record(frozen=True)
class TemplateTable:
    """One status-code table of Annex N: what one role (SCU or SCP) of one service does with one DIMSE's
    statuses. ``derived`` names each fact that was not read in the template, with what it was derived from."""

    service: str  # the service's key ("storage")
    service_class: str  # its key in ps3.4.yaml
    role: str  # "scu" or "scp"
    dimse: str  # "C-STORE"
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
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def has_related_fields(self) -> bool:
        return "Related Fields" in self.columns

    @property
    def dimse_key(self) -> str:
        """How a profile names the DIMSE, where a service has several: "n-create"."""
        return self.dimse.lower()

    def row_for(self, codes: CodeRange) -> TemplateRow | None:
        return next((row for row in self.rows if row.codes == codes), None)

    def row_printed_as(self, code: str) -> TemplateRow | None:
        return next((row for row in self.rows if row.printed == code), None)

    def rows_in(self, codes: CodeRange) -> list[TemplateRow]:
        """The rows whose code or range lies inside ``codes``."""
        return [row for row in self.rows if row.codes.first in codes and row.codes.last in codes]


@record(frozen=True)
class FailureTable:
    """A communication failure table of N.7.3.1: what the application does when a failure occurs. ``failures``
    are the template's rows, which every statement addresses."""

    key: str
    number: str
    heading: str
    table: str
    title: str
    text: str
    columns: tuple[str, ...]
    failures: tuple[str, ...]
    source: str
    derived: dict[str, str] = field(default_factory=dict)


@record(frozen=True)
class ServiceTemplate:
    """A subsection of N.7.3.2: one DIMSE service and its tables, in the template's order."""

    key: str
    number: str
    title: str
    service_class: str
    tables: tuple[TemplateTable, ...]
    source: str
    derived: dict[str, str] = field(default_factory=dict)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(table.role for table in self.tables))

    @property
    def by_dimse(self) -> bool:
        """Whether a profile gives this service's statuses per DIMSE (role.n-create.statuses): it has several."""
        return len({table.dimse for table in self.tables}) > 1

    def tables_of(self, role: str) -> tuple[TemplateTable, ...]:
        return tuple(table for table in self.tables if table.role == role)


@record(frozen=True)
class Section:
    number: str
    title: str
    text: str
    source: str


@record(frozen=True)
class Standard:
    """The facts of one PS3.2 edition, with the PS3.4 and PS3.7 data it is checked against."""

    edition: str
    editions: dict[str, str]  # of each part's data: {"PS3.2": "2024d", "PS3.4": ..., "PS3.7": ...}
    sections: dict[str, Section]
    communication_failures: dict[str, FailureTable]
    services: dict[str, ServiceTemplate]
    named_fields: tuple[str, ...]  # related fields the standard names without a tag ("Identifier")
    _classes: tuple[tuple[CodeRange, str], ...]
    _class_fields: dict[str, tuple[FieldRef, ...]]
    _general: dict[int, StatusMeaning]
    _dimse_codes: dict[str, frozenset[int]]
    _service_statuses: dict[tuple[str, str], tuple[StatusMeaning, ...]]  # by (service class, DIMSE)

    def status_class(self, code: int) -> str | None:
        """PS3.7 Annex C: the class of the narrowest entry containing ``code``, or None if none does."""
        matches = [(codes.width, name) for codes, name in self._classes if code in codes]
        return min(matches)[1] if matches else None

    def tables(self) -> tuple[TemplateTable, ...]:
        """Every status-code table, in the template's order."""
        return tuple(table for service in self.services.values() for table in service.tables)

    def meaning(self, table: TemplateTable, code: int) -> StatusMeaning | None:
        """What ``code`` means in a response of ``table``'s DIMSE for its service, or None where it is not
        defined there."""
        for status in self._service_statuses.get((table.service_class, table.dimse), ()):
            if code in status.codes:
                return status
        if code in self._dimse_codes.get(table.dimse, frozenset()):
            return self._general[code]
        return None

    def own_meaning(self, table: TemplateTable, code: int) -> StatusMeaning | None:
        """What the standard says ``code`` itself means: the service's own definition of that one code, or PS3.7
        Annex C's general meaning of it (0110 is "Processing failure" wherever it is sent). None for a code that
        only lies inside a range (A711 in A7xx, whose cause the implementation assigns) or that has no meaning."""
        defined = self.meaning(table, code)
        if defined is not None and defined.codes.is_code:
            return defined
        return self._general.get(code) if defined is None else None

    def service_range(self, table: TemplateTable, code: int) -> CodeRange | None:
        """The range of the service's own statuses (PS3.4's A7xx, A9xx, Cxxx) that ``code`` lies in, if any."""
        defined = self.meaning(table, code)
        return defined.codes if defined is not None and not defined.codes.is_code else None

    def expected_fields(self, table: TemplateTable, code: int) -> tuple[FieldRef, ...]:
        """The related fields the standard lists for ``code``: its own, else those of its class."""
        defined = self.meaning(table, code) or self._general.get(code)
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


COMPILED = "compiled.json"


def _read(name: str, compiled: dict[str, Any]) -> Any:
    """The data of one YAML file: from ``compiled`` (``compiled.json``, read) where it was made from these bytes."""
    data = (STANDARD_DIR / name).read_bytes()
    if compiled.get("sources", {}).get(name) == hashlib.sha256(data).hexdigest():
        return compiled["data"][name]
    return yaml.load(data, Loader=LOADER)


def _compiled() -> dict[str, Any]:
    try:
        found = json.loads((STANDARD_DIR / COMPILED).read_bytes())
    except (OSError, ValueError):  # none (a checkout before its first compile), or damaged: the YAML is read
        return {}
    return found if isinstance(found, dict) else {}


def compiled_text() -> str:
    """What ``compiled.json`` holds: every YAML file of the standard's data, parsed, with its SHA-256."""
    names = sorted(path.name for path in STANDARD_DIR.glob("*.yaml"))
    sources, data = {}, {}
    for name in names:
        raw = (STANDARD_DIR / name).read_bytes()
        sources[name] = hashlib.sha256(raw).hexdigest()
        data[name] = yaml.load(raw, Loader=LOADER)
    return json.dumps({"$comment": "Generated by python -m confgen.standard from the YAML files beside it; do not "
                                   "edit.", "sources": sources, "data": data},
                      indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _codes(text: str) -> CodeRange:
    codes = CodeRange.parse(text)
    if codes is None:
        raise ValueError(f"confgen's standard data holds a malformed code: {text!r}")
    return codes


def _fields(fields: list[str], names: tuple[str, ...]) -> tuple[FieldRef, ...]:
    parsed: list[FieldRef] = []
    for text in fields:
        tag = parse_tag(text)
        if tag is None and text not in names:
            raise ValueError(f"confgen's standard data holds a related field that is neither a tag nor a named "
                             f"parameter: {text!r}")
        parsed.append(text if tag is None else tag)
    return tuple(parsed)


@functools.cache
def load_standard(edition: str) -> Standard:
    """The packaged data for a PS3.2 edition (one of ``available_editions()``)."""
    compiled = _compiled()
    ps32 = _read(f"ps3.2-{edition}.yaml", compiled)
    ps34 = _read("ps3.4.yaml", compiled)
    ps37 = _read("ps3.7.yaml", compiled)
    if ps32["edition"] != edition:
        raise ValueError(f"ps3.2-{edition}.yaml holds the data of edition {ps32['edition']}")

    names = tuple(entry["name"] for entry in ps37["named_fields"])
    classes = tuple(
        (_codes(code), entry["class"]) for entry in ps37["status_classes"]["entries"] for code in entry["codes"]
    )
    general = {
        meaning.codes.first: meaning
        for meaning in (
            StatusMeaning(_codes(entry["code"]), entry["class"], entry["meaning"],
                          _fields(entry["related_fields"], names), entry["source"])
            for entry in ps37["general_statuses"]
        )
    }
    service_statuses = {
        (key, dimse): tuple(
            StatusMeaning(_codes(s["code"]), s["class"], s["meaning"], _fields(s["related_fields"], names),
                          statuses["source"])
            for s in statuses["statuses"]
        )
        for key, service in ps34["service_classes"].items()
        for dimse, statuses in service["dimses"].items()
    }
    return Standard(
        edition=edition,
        editions={data["part"]: data["edition"] for data in (ps32, ps34, ps37)},
        sections={key: Section(data["number"], data["title"], data.get("text", ""), data["source"])
                  for key, data in ps32["sections"].items()},
        communication_failures={key: _failure_table(key, data)
                                for key, data in ps32.get("communication_failures", {}).items()},
        services={key: _service(key, data) for key, data in ps32["services"].items()},
        named_fields=names,
        _classes=classes,
        _class_fields={name: _fields(tags, names) for name, tags in ps37["class_related_fields"].items()
                       if name != "source"},
        _general=general,
        _dimse_codes={
            dimse: frozenset(_codes(code).first for code in data["codes"])
            for dimse, data in ps37["dimse_fixed_codes"].items()
        },
        _service_statuses=service_statuses,
    )


def _failure_table(key: str, data: dict[str, Any]) -> FailureTable:
    return FailureTable(key, data["number"], data["heading"], data["table"], data["title"], data["text"],
                        tuple(data["columns"]), tuple(data["failures"]), data["source"], data.get("derived", {}))


def _service(key: str, data: dict[str, Any]) -> ServiceTemplate:
    tables = []
    for table in data["tables"]:
        other = table.get("other")
        kind = table["kind"]
        if kind not in ("behavior", "condition"):
            raise ValueError(f"confgen's standard data: table {table['table']} is of kind {kind!r}, neither behavior "
                             "nor condition")
        tables.append(TemplateTable(
            service=key,
            service_class=data["service_class"],
            role=table["role"],
            dimse=table["dimse"],
            number=table["number"],
            heading=table["heading"],
            table=table["table"],
            title=table["title"],
            text=table["text"],
            columns=tuple(table["columns"]),
            kind=kind,
            rows=tuple(
                TemplateRow(row["status"], row["meaning"], _codes(row["code"]), row.get("printed"),
                            row.get("printed_status"), row.get("correction"))
                for row in table["rows"]
            ),
            other=CatchAllRow(other["status"], other["meaning"], other["code"]) if other else None,
            source=table["source"],
            derived=table.get("derived", {}),
        ))
    return ServiceTemplate(key, data["number"], data["title"], data["service_class"], tuple(tables), data["source"],
                           data.get("derived", {}))


if __name__ == "__main__":  # python -m confgen.standard: compiled.json anew
    (STANDARD_DIR / COMPILED).write_text(compiled_text(), encoding="utf-8")
    sys.exit(0)
