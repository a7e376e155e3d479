"""Read-back: is an instance that a probe sent there afterwards, and complete? A status of 0000 is not proof of
storage (both SCPs measured answered 0000 for instances they did not keep).

Two channels: the SCP itself, by Study Root C-FIND at IMAGE level (``c-find``), or the folder it stores into
(``dir:PATH``), where a file must parse, carry the instance's SOP Instance UID and not be empty. Where the
read-back cannot tell (a search of the folder stopped at its bounds, a query the SCP refused), it says so
(``unknown``) instead of calling the instance missing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from confgen.probe.results import Found, ProbeResult, ReadBack, peer_text

# A folder is searched by file name (storescp names files after the SOP Instance UID), and by parsing the files
# changed since the run began (Orthanc names them by an identifier of its own). These bound what a huge archive
# folder can cost.
MAX_ENTRIES = 1_000_000
MAX_PARSED = 10_000
CLOCK_SLACK = 2.0  # seconds: a file system's timestamps may be coarser than the clock


@dataclass(frozen=True)
class Wanted:
    """What the read-back looks for, for one probe."""

    probe: str
    uids: tuple[str, ...]
    study_uid: str | None
    series_uid: str | None
    shared: bool = False  # an earlier probe sent the same SOP Instance UID


def wanted(results: Sequence[ProbeResult], probes_read_back: set[str], study_uid: str, series_uid: str,
           without_study: set[str]) -> list[Wanted]:
    """The probes to read back: those the probe set marks, which got a status."""
    items = []
    sent_before: set[str] = set()
    for r in results:
        if r.probe in probes_read_back and r.outcome.kind == "status" and r.instance_uids:
            items.append(Wanted(r.probe, r.instance_uids, None if r.probe in without_study else study_uid, series_uid,
                                shared=bool(sent_before & set(r.instance_uids))))
        sent_before.update(r.instance_uids)
    return items


def with_read_back(results: Sequence[ProbeResult], found: dict[str, ReadBack],
                   items: Sequence[Wanted]) -> tuple[ProbeResult, ...]:
    shared = {item.probe for item in items if item.shared}
    return tuple(replace(r, read_back=replace(found[r.probe], shared=r.probe in shared)) if r.probe in found else r
                 for r in results)


# -- C-FIND ---------------------------------------------------------------------------------------------------

def by_c_find(found: Mapping[str, Found], items: Sequence[Wanted]) -> dict[str, ReadBack]:
    """Read-backs from what C-FIND found for each SOP Instance UID. A query the SCP refused tells nothing: an
    instance none of whose queries found it is missing only when the SCP answered every one of them."""
    read: dict[str, ReadBack] = {}
    for item in items:
        hits = [(uid, found[uid]) for uid in item.uids if uid in found and found[uid].matches]
        refused = [f"{uid} ({found[uid].refused})" for uid in item.uids if uid in found and found[uid].refused]
        if not hits and refused:
            read[item.probe] = ReadBack("unknown", "the SCP refused the C-FIND at IMAGE level for "
                                        + " and ".join(refused))
            continue
        if not hits:
            read[item.probe] = ReadBack("missing", "C-FIND at IMAGE level finds no instance with "
                                        + " or ".join(item.uids))
            continue
        uid, hit = hits[0]
        count = "1 instance" if hit.matches == 1 else f"{hit.matches} instances"
        under = "" if uid == item.uids[0] else " under the request's Affected SOP Instance UID"
        read[item.probe] = ReadBack("stored", f"C-FIND at IMAGE level finds {count}{under}",
                                    tuple(c for c in hit.image_comments if c))
    return read


# -- a folder -------------------------------------------------------------------------------------------------

def in_folder(folder: Path, items: Sequence[Wanted], since: float) -> dict[str, ReadBack]:
    """Read-backs from the files under ``folder``: those named after a wanted UID, and those changed since
    ``since`` (a time.time()), each parsed in full."""
    uids = {uid for item in items for uid in item.uids}
    files, cut_short = _candidates(folder, uids, since)
    if len(files) > MAX_PARSED:
        cut_short = cut_short or f"it parsed {MAX_PARSED:,} files, the most it parses, of {len(files):,}"
    seen: dict[str, list[tuple[Path, int, str | None]]] = {}  # UID -> (file, size, Image Comments)
    broken: dict[str, list[str]] = {}  # UID -> what is wrong with files named after it
    for path in files[:MAX_PARSED]:
        named = next((uid for uid in uids if uid in path.name), None)
        state = _parse(path)
        if isinstance(state, str):
            if named:
                broken.setdefault(named, []).append(f"{_shown(path, folder)}: {state}")
            continue
        uid, size, comments = state
        if uid in uids:
            seen.setdefault(uid, []).append((path, size, comments))
        elif named:
            broken.setdefault(named, []).append(f"{_shown(path, folder)}: its SOP Instance UID is "
                                                f"{peer_text(uid) if uid else 'missing'}")
    read: dict[str, ReadBack] = {}
    for item in items:
        stored = [(uid, entry) for uid in item.uids for entry in seen.get(uid, [])]
        if stored:
            names = ", ".join(f"{_shown(path, folder)} ({size} bytes)" for _, (path, size, _) in stored)
            read[item.probe] = ReadBack("stored", f"complete file{'s' * (len(stored) > 1)} under {folder}: {names}",
                                        tuple(c for _, (_, _, c) in stored if c))
            continue
        problems = [problem for uid in item.uids for problem in broken.get(uid, [])]
        if problems:
            read[item.probe] = ReadBack("incomplete", "; ".join(problems))
        elif cut_short:
            read[item.probe] = ReadBack("unknown", f"no file under {folder} found to hold SOP Instance UID "
                                        f"{' or '.join(item.uids)} before the search stopped: {cut_short}")
        else:
            read[item.probe] = ReadBack("missing", f"no file under {folder} holds SOP Instance UID "
                                        + " or ".join(item.uids))
    return read


def _candidates(folder: Path, uids: set[str], since: float) -> tuple[list[Path], str]:
    """The files that may hold the instances: named after one of ``uids`` first, then those changed since
    ``since``; and why the search stopped short, if it did ('' when it looked at every file)."""
    named: list[Path] = []
    recent: list[Path] = []
    entries = 0
    for top, _, names in os.walk(folder):  # symbolic links to folders are not followed
        for name in names:
            entries += 1
            if entries > MAX_ENTRIES:
                return named + recent, f"it looked at {MAX_ENTRIES:,} files, the most it looks at"
            path = Path(top) / name
            if any(uid in name for uid in uids):
                named.append(path)
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            if info.st_mtime >= since - CLOCK_SLACK and stat.S_ISREG(info.st_mode):  # lstat: a link is no file
                recent.append(path)
    return named + recent, ""


def _parse(path: Path) -> tuple[str | None, int, str | None] | str:
    """(SOP Instance UID, size, Image Comments) of a complete DICOM file, or what is wrong with it."""
    from pydicom import dcmread
    from pydicom.errors import InvalidDicomError

    try:
        size = path.stat().st_size
        if size == 0:
            return "the file is empty (0 bytes)"
        with path.open("rb") as stream:
            ds = dcmread(stream)
            short = next((raw.tag for raw in ds.elements() if _cut_short(raw)), None)
            if short is not None:
                return f"the file ends inside the value of {short}"
            for element in ds.iterall():  # every value decoded now, so that a damaged one fails here
                _ = element.value
    except (InvalidDicomError, EOFError) as error:
        return f"not a complete DICOM file ({error})"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    except Exception as error:  # pydicom fails on damaged files in many undocumented ways
        return f"does not parse ({type(error).__name__}: {error})"
    uid = ds.get("SOPInstanceUID")
    comments = ds.get("ImageComments")
    return (str(uid) if uid else None), size, (peer_text(str(comments)) if comments else None)


def _cut_short(raw: object) -> bool:
    """Whether an element as read holds fewer bytes than its length says: pydicom reads a file that ends inside a
    value without complaint."""
    length, value = getattr(raw, "length", None), getattr(raw, "value", None)
    return isinstance(value, bytes) and isinstance(length, int) and length != 0xFFFFFFFF and len(value) < length


def _shown(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
