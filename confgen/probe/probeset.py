"""The probe set as data: ``probes.yaml`` read into the dataclasses the runner and the report use."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from confgen.standard import CodeRange
from confgen.yamlload import LOADER

PROBES_FILE = Path(__file__).resolve().parent / "probes.yaml"
STREAM_FAULTS = ("truncated", "length-past-end", "unknown-vr", "empty")


@dataclass(frozen=True)
class InstanceChange:
    """How a probe's instance differs from a valid, new one."""

    first: bool = False  # the SOP Instance UID of the first probe
    changed_content: bool = False
    remove: tuple[str, ...] = ()
    other_affected_class: bool = False
    other_affected_instance: bool = False
    stream: str | None = None  # one of STREAM_FAULTS


@dataclass(frozen=True)
class Negotiation:
    sop_class: str | None = None
    transfer_syntax: str | None = None


@dataclass(frozen=True)
class Probe:
    id: str
    title: str
    sends: str
    measured: str
    instance: InstanceChange | None = None
    negotiate: Negotiation | None = None
    read_back: bool = False


@dataclass(frozen=True)
class ProbeSet:
    probes: tuple[Probe, ...]
    not_provoked: tuple[tuple[CodeRange, str], ...]
    undefined_codes: tuple[int, ...] = field(default=())

    def why_not_provoked(self, code: int) -> str:
        return next(why for codes, why in self.not_provoked if code in codes)


def _probe(data: dict[str, Any]) -> Probe:
    instance = data.get("instance")
    negotiate = data.get("negotiate")
    change = None
    if instance is not None:
        stream = instance.get("stream")
        if stream is not None and stream not in STREAM_FAULTS:
            raise ValueError(f"probes.yaml: {data['id']}: unknown stream fault {stream!r}")
        change = InstanceChange(first=bool(instance.get("first")), changed_content=instance.get("content") == "changed",
                                remove=tuple(instance.get("remove", ())),
                                other_affected_class=instance.get("affected_sop_class") == "other",
                                other_affected_instance=instance.get("affected_sop_instance") == "other",
                                stream=stream)
    return Probe(id=data["id"], title=data["title"], sends=" ".join(data["sends"].split()),
                 measured=" ".join(data["measured"].split()), instance=change,
                 negotiate=Negotiation(negotiate.get("sop_class"), negotiate.get("transfer_syntax"))
                 if negotiate is not None else None,
                 read_back=bool(data.get("read_back")))


@functools.cache
def probe_set() -> ProbeSet:
    with PROBES_FILE.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=LOADER)
    not_provoked = []
    for entry in data["not_provoked"]:
        codes = CodeRange.parse(entry["codes"])
        if codes is None:
            raise ValueError(f"probes.yaml: malformed codes {entry['codes']!r}")
        not_provoked.append((codes, " ".join(entry["why"].split())))
    return ProbeSet(tuple(_probe(item) for item in data["probes"]), tuple(not_provoked),
                    tuple(int(code, 16) for code in data["undefined_codes"]))
