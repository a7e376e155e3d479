"""The build record: what each profile's outputs were built from, kept next to the outputs, so that a build
of unchanged inputs can be skipped.

A profile's entry holds a fingerprint of what is known before rendering (the profile's bytes and its logo's,
confgen's version, the standard's data, the options, the versions of what renders), the hashes of the bytes
that build wrote, and the files that rendering turned out to use, each with what it was then: every template
looked up (found, with its hash, or absent where it was looked for), every file WeasyPrint read, and the font
setup (the font files used, fontconfig's configuration files and font folders, the libraries that shape and
subset the fonts). Those files are checked again, without loading WeasyPrint; the sets are kept once in the
record and shared by the entries that use them.

The record is updated as each profile's outputs are put in place, under the folder's lock (confgen.output), by
reading it again and changing only that profile's entry: two builds writing into one folder never lose each
other's entries, and an entry never vouches for files another build wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from confgen import __version__
from confgen.files import read_regular, reason, sha256_of
from confgen.output import write_outputs
from confgen.records import field, record

RECORD_NAME = ".confgen-build.json"
RECORD_FORMAT = 2
RECORD_LIMIT = 16 * 1024 * 1024  # a record of 2,000 profiles is under 1 MiB

# What a file the build used was, as the record keeps it: "sha256:<hex>" (its bytes), "absent" (a template
# looked for there and not found), "stat:<size>:<mtime_ns>" (a library), "folder:<mtime_ns>" (a font folder:
# a font added or removed changes it), "unknown" (never the same again: the next build renders).
ABSENT = "absent"
UNKNOWN = "unknown"

Dependencies = Mapping[str, str]  # path -> what it was


def shared_inputs(folders: Iterable[Path], settings: Iterable[str]) -> str:
    """One digest of what every profile of a build depends on alike, known before rendering: confgen's version,
    the ``settings``, and the files of ``folders`` (the standard's data). Computed once per build."""
    digest = hashlib.sha256()
    for part in (f"confgen {__version__}", *settings):
        digest.update(os.fsencode(part) + b"\0")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(os.fsencode(str(path.relative_to(folder))) + b"\0")
            digest.update((sha256_of(path) or "unreadable").encode("ascii"))
    return digest.hexdigest()


def fingerprint(shared: str, profile_name: str, profile_sha256: str, logo: bytes | None) -> str:
    """One digest of what a profile's outputs depend on that is known before rendering."""
    digest = hashlib.sha256()
    for part in (shared.encode("ascii"), os.fsencode(profile_name), profile_sha256.encode("ascii")):
        digest.update(part + b"\0")
    digest.update(hashlib.sha256(logo or b"").digest())
    return digest.hexdigest()


def identity(path: str, kind: str) -> str:
    """What ``path`` is now, spelt as the record spells a dependency of ``kind`` (the part before ':')."""
    if kind == "sha256":
        found = sha256_of(Path(path))
        return f"sha256:{found}" if found else ABSENT if not os.path.lexists(path) else "unreadable"
    try:
        status = Path(path).stat() if kind in ("stat", "folder") else Path(path).lstat()
    except OSError:
        return ABSENT
    if kind == "folder":
        return f"folder:{status.st_mtime_ns}" if stat.S_ISDIR(status.st_mode) else "not a folder"
    if kind == "stat":
        return f"stat:{status.st_size}:{status.st_mtime_ns}"
    return "present"  # for ABSENT: something is there now


@record
class Checker:
    """Checks the record's claims against the disk, each file once per build."""

    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    sets: dict[str, bool] = field(default_factory=dict)

    def holds(self, key: str, dependencies: Dependencies) -> bool:
        if key not in self.sets:
            self.sets[key] = all(self._is(path, was) for path, was in dependencies.items())
        return self.sets[key]

    def _is(self, path: str, was: str) -> bool:
        if was == UNKNOWN:
            return False
        kind = was.partition(":")[0]
        if (path, kind) not in self.seen:
            self.seen[path, kind] = identity(path, kind)
        return self.seen[path, kind] == was

    def output_is(self, target: Path, sha256: str, size: int) -> bool:
        """``target`` is a regular file (not a link) of ``size`` bytes whose hash is ``sha256``: a file of
        another size is not read."""
        try:
            status = os.lstat(target)
        except OSError:
            return False
        return stat.S_ISREG(status.st_mode) and status.st_size == size and \
            sha256_of(target, follow_links=False) == sha256


def dependency_key(dependencies: Dependencies) -> str:
    return hashlib.sha256(json.dumps(sorted(dependencies.items())).encode("utf-8")).hexdigest()[:32]


class BuildRecord:
    """The record of one output folder: for each profile (by file stem), its fingerprint, outputs and the
    files its rendering used."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / RECORD_NAME
        self.entries: dict[str, dict[str, object]] = {}
        self.dependencies: dict[str, dict[str, str]] = {}
        self.problem: str | None = None  # why a record that is there was not read
        self._read()

    def _read(self) -> None:
        try:
            data = read_regular(self.path, RECORD_LIMIT)
        except (FileNotFoundError, NotADirectoryError):  # no record yet (or no folder: the build says so)
            return
        except OSError as error:
            self.problem = f"cannot be read: {reason(error)}"
            return
        if len(data) > RECORD_LIMIT:
            self.problem = f"is larger than {RECORD_LIMIT // (1024 * 1024)} MiB"
            return
        try:
            loaded = json.loads(data)
        except (ValueError, RecursionError):
            self.problem = "is not JSON"
            return
        if not isinstance(loaded, dict) or not isinstance(loaded.get("format"), int):
            self.problem = "is not a build record"
            return
        if loaded["format"] != RECORD_FORMAT:
            return  # another confgen's record: everything is built, and the record rewritten in this format
        entries, dependencies = loaded.get("profiles"), loaded.get("dependencies")
        if isinstance(entries, dict):
            self.entries = {stem: entry for stem, entry in entries.items() if isinstance(entry, dict)}
        if isinstance(dependencies, dict):
            self.dependencies = {key: files for key, files in dependencies.items() if isinstance(files, dict)
                                 and all(isinstance(v, str) for v in files.values())}

    def unchanged(self, stem: str, fingerprint: str, targets: list[Path], checker: Checker) -> bool:
        """Whether the profile's last build had these inputs, its outputs are still the bytes it wrote, and the
        files its rendering used are still what they were."""
        entry = self.entries.get(stem)
        if entry is None or entry.get("fingerprint") != fingerprint:
            return False
        outputs, depends = entry.get("outputs"), entry.get("depends")
        if not isinstance(outputs, dict) or sorted(outputs) != sorted(t.name for t in targets) or \
                not isinstance(depends, list):
            return False
        for target in targets:
            written = outputs[target.name]
            if not isinstance(written, dict) or not isinstance(written.get("sha256"), str) or \
                    not isinstance(written.get("size"), int):
                return False
            if not checker.output_is(target, written["sha256"], written["size"]):
                return False
        return all(isinstance(key, str) and key in self.dependencies and checker.holds(key, self.dependencies[key])
                   for key in depends)


def _listed(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def record_build(folder: Path, stem: str, fingerprint: str, outputs: Mapping[str, bytes],
                 dependencies: Iterable[Dependencies]) -> None:
    """Set the entry of ``stem`` in ``folder``'s record: the bytes this build wrote and what it used. Reads the
    record again and changes only that entry; the caller holds the folder's lock. Raises OSError."""
    record = BuildRecord(folder)
    keys = []
    for files in dependencies:
        key = dependency_key(files)
        record.dependencies[key] = dict(sorted(files.items()))
        keys.append(key)
    record.entries[stem] = {
        "fingerprint": fingerprint,
        "outputs": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                    for name, data in outputs.items()},
        "depends": keys,
    }
    used = {key for entry in record.entries.values() for key in _listed(entry.get("depends"))}
    data = {"format": RECORD_FORMAT, "profiles": dict(sorted(record.entries.items())),
            "dependencies": {key: files for key, files in sorted(record.dependencies.items()) if key in used}}
    write_outputs({record.path: (json.dumps(data, indent=1) + "\n").encode("ascii")})
