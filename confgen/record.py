"""The build record: what each profile's outputs were built from, kept next to the outputs, so that a build
of unchanged inputs can be skipped.

A profile's inputs are summed up in one fingerprint: the profile's bytes (and its logo's), confgen's
version, the standard's data, the templates (packaged, and the vendor's folder), the versions of Jinja,
pydicom and WeasyPrint, and the options that change the output. A profile is skipped when its fingerprint is
the recorded one and every output is still the file that build wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from confgen import __version__
from confgen.output import write_outputs

RECORD_NAME = ".confgen-build.json"
RECORD_FORMAT = 1


def shared_inputs(folders: Iterable[Path], settings: Iterable[str], skip: Path) -> str:
    """One digest of what every profile of a build depends on alike: confgen's version, the ``settings``, and
    the files of ``folders`` (those under ``skip`` aside). Computed once per build, not once per profile."""
    digest = hashlib.sha256()
    for part in (f"confgen {__version__}", *settings):
        digest.update(part.encode("utf-8") + b"\0")
    skipped = skip.resolve()
    for folder in folders:
        files = (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in sorted(p for p in files if not p.resolve().is_relative_to(skipped)):
            digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fingerprint(shared: str, profile_name: str, profile_sha256: str, logo: bytes | None) -> str:
    """One digest of everything a profile's outputs depend on."""
    digest = hashlib.sha256()
    for part in (shared, profile_name, profile_sha256):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(hashlib.sha256(logo or b"").digest())
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class BuildRecord:
    """The record of one output folder: for each profile (by file stem), its fingerprint and its outputs."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / RECORD_NAME
        self.entries: dict[str, dict[str, object]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == RECORD_FORMAT and isinstance(data.get("profiles"), dict):
                self.entries = data["profiles"]
        except (OSError, ValueError, AttributeError):
            pass  # no record, or one this confgen cannot read: everything is built

    def unchanged(self, stem: str, fingerprint: str, targets: list[Path]) -> bool:
        entry = self.entries.get(stem)
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
            return False
        recorded = entry.get("outputs")
        return isinstance(recorded, dict) and sorted(recorded) == sorted(t.name for t in targets) and all(
            _sha256(target) == recorded[target.name] for target in targets)

    def built(self, stem: str, fingerprint: str, targets: list[Path]) -> None:
        self.entries[stem] = {"fingerprint": fingerprint,
                              "outputs": {target.name: _sha256(target) for target in targets}}

    def write(self) -> None:
        data = {"format": RECORD_FORMAT, "profiles": dict(sorted(self.entries.items()))}
        write_outputs({self.path: (json.dumps(data, indent=2) + "\n").encode("utf-8")})
