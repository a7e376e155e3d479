"""Write: put a profile's outputs in place whole and as a pair, or leave the earlier pair as it was.

Each output is first written to a staged file beside it and flushed to disk; then, in one step, every staged
file is renamed over its output. When a rename fails, the renames already done are rolled back from a kept copy
(a hard link) of each earlier file, so the folder holds the earlier pair or the new one, never one of each.

Several confgen processes may write into one folder at once. They take turns, under a lock on the folder, for
the short steps that must not interleave: making a staged file, renaming a profile's outputs into place (with
the build record's update), and removing leftovers. A staged file stays locked by the process that writes it for
as long as it exists, so a leftover is removed only once no living process owns it. A staged file's name
belongs to one output alone: ``.<output>.<digest of the output's name>.<random>.tmp``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from confgen.files import open_regular
from confgen.records import record

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent builds into one folder are not guarded there
    fcntl = None  # type: ignore[assignment]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, for its 8 random characters
_RANDOM = re.compile(r"[a-z0-9_]{8}\.tmp")  # tempfile's 8 random characters, then the suffix
_NAME_BYTES = 96  # of the output's name kept in a staged file's name: with the rest, well under NAME_MAX (255)


class OutputError(OSError):
    """An output could not be written. ``path`` is the output (not a staged file); ``mixed`` says which files
    are left from which build when even the rollback failed (empty when the earlier outputs are as they were)."""

    def __init__(self, path: Path, error: OSError, mixed: str = "") -> None:
        super().__init__(error.errno, error.strerror or str(error))
        self.path = path
        self.mixed = mixed


def staged_prefix(name: str) -> str:
    """The start of the name of every staged file of the output ``name``; no other output's staged file starts
    so and is as long (the digest differs)."""
    encoded = os.fsencode(name)
    digest = hashlib.sha256(encoded).hexdigest()[:16]
    shortened = os.fsdecode(encoded[:_NAME_BYTES]) if len(encoded) > _NAME_BYTES else name
    return f".{shortened}.{digest}."


def _is_staged_for(entry: str, prefix: str) -> bool:
    return entry.startswith(prefix) and _RANDOM.fullmatch(entry[len(prefix):]) is not None


# -- the folder's lock ----------------------------------------------------------------------------------------

_held: dict[str, int] = {}  # folders this process has locked, by real path: their descriptors


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: bool = True) -> Iterator[int | None]:
    """Hold ``folder``'s lock while the block runs and give its descriptor (for fsync); None when it is not held:
    without ``wait``, because another process holds it, or anywhere, because the folder cannot be locked (no
    permission to read it, a file system without locks). A process that holds it already holds it again."""
    key = os.path.realpath(folder)
    if key in _held:
        yield _held[key]
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield None
        return
    try:
        locked = busy = False
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                locked = True
            except OSError as error:
                busy = error.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
        if not locked:
            # Held by another process (without waiting), or a file system without locks: go on unlocked to
            # write, and never to remove anything.
            yield descriptor if wait and fcntl is not None and not busy else None
            return
        _held[key] = descriptor
        try:
            yield descriptor
        finally:
            del _held[key]
    finally:
        os.close(descriptor)  # also releases the lock


def _lock_staged(descriptor: int) -> None:
    if fcntl is not None:
        with contextlib.suppress(OSError):  # a file system without locks: leftovers are then never removed
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


# -- signals ---------------------------------------------------------------------------------------------------

_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the block runs, then let them in: steps that must be whole (a file made
    and registered for removal, a pair of renames) are never cut in the middle."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    earlier = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, earlier)  # a signal held back is handled here


# -- staging ---------------------------------------------------------------------------------------------------

@record
class Staged:
    target: Path
    temporary: Path | None  # None once renamed into place
    descriptor: int  # kept open: its lock tells other processes that this file is in use


def _stage(path: Path, data: bytes, staged: list[Staged]) -> None:
    """Write ``data`` to a new staged file beside ``path``, flushed to disk, and add it to ``staged`` (which the
    caller removes, whatever happens)."""
    # A folder is the one reason a rename in the same folder fails: find it before anything is replaced. A link
    # to a folder is no folder: the rename replaces the link, as it replaces any other.
    try:
        folder = stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:  # nothing there yet (or nothing that can be looked at: writing it will say why)
        folder = False
    if folder:
        raise OutputError(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    remove_leftovers([path])
    try:
        # Made, locked and registered in one step, for other processes (the folder's lock) and for signals (held
        # back once the lock is taken: waiting for it can still be interrupted).
        with folder_lock(path.parent), signals_held():
            descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=staged_prefix(path.name), suffix=".tmp")
            staged.append(Staged(path, Path(name), descriptor))
            _lock_staged(descriptor)
    except OSError as error:
        raise OutputError(path, error) from error
    try:
        # mkstemp makes the file private; an output gets the permissions any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(descriptor, 0o666 & ~umask)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    except OSError as error:
        raise OutputError(path, error) from error


def _discard(staged: list[Staged]) -> None:
    for entry in staged:
        if entry.temporary is not None:
            with contextlib.suppress(OSError):
                entry.temporary.unlink()
        with contextlib.suppress(OSError):
            os.close(entry.descriptor)


# -- renaming into place -----------------------------------------------------------------------------------------

def write_outputs(files: dict[Path, bytes], then: Callable[[], None] | None = None) -> OSError | None:
    """Write ``files`` (all in one folder), each whole: staged, then renamed into place together, under the
    folder's lock. ``then`` runs in the same step, after the renames (the build record's update); its OSError is
    returned, and does not undo them. Raises OutputError when an output cannot be written; the earlier outputs
    are then as they were (unless the error says otherwise)."""
    staged: list[Staged] = []
    try:
        for path, data in files.items():
            _stage(path, data, staged)
        folder = next(iter(files)).parent
        with folder_lock(folder) as descriptor, signals_held():
            _rename_all(staged)
            failed: OSError | None = None
            if then is not None:
                try:
                    then()
                except OSError as error:
                    failed = error
            if descriptor is not None:
                with contextlib.suppress(OSError):  # some file systems cannot sync a folder; the files are synced
                    os.fsync(descriptor)
        return failed
    finally:
        _discard(staged)


def _rename_all(staged: list[Staged]) -> None:
    # A copy of the earlier file of each output but the last (nothing is renamed after the last), made before
    # anything is replaced: a rename that fails is undone from them.
    copies: dict[Path, Path | None] = {}
    try:
        for entry in staged[:-1]:
            copies[entry.target] = _keep_earlier(entry.target)
        renamed: list[Path] = []
        for entry in staged:
            assert entry.temporary is not None
            try:
                entry.temporary.replace(entry.target)
            except OSError as error:
                raise OutputError(entry.target, error, _roll_back(renamed, copies)) from error
            entry.temporary = None
            renamed.append(entry.target)
    finally:
        for copy in copies.values():
            if copy is not None:
                copy.unlink(missing_ok=True)


def _keep_earlier(target: Path) -> Path | None:
    """A copy of ``target``'s earlier file (a hard link, or else a copy of its bytes), named as a staged file of
    it; None when there is none. Raises OutputError when there is one that cannot be kept."""
    try:
        os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise OutputError(target, error) from error
    prefix = staged_prefix(target.name)
    try:
        for _ in range(100):
            copy = target.with_name(prefix + "".join(secrets.choice(_ALPHABET) for _ in range(8)) + ".tmp")
            try:
                os.link(target, copy, follow_symlinks=False)
                return copy
            except FileExistsError:
                continue
            except OSError:  # no hard links here (or not to this file): copy its bytes instead
                return _copy(target, copy)
        raise FileExistsError(errno.EEXIST, "no free name for a copy of the earlier file")
    except OSError as error:
        raise OutputError(target, error) from error


def _copy(source: Path, copy: Path) -> Path:
    with os.fdopen(open_regular(source, follow_links=False), "rb") as reading, copy.open("xb") as writing:
        shutil.copyfileobj(reading, writing)
        writing.flush()
        os.fsync(writing.fileno())
    return copy


def _roll_back(renamed: list[Path], copies: dict[Path, Path | None]) -> str:
    """Put back the earlier file of each output in ``renamed``: '' when all are back, else which file is which."""
    left: list[str] = []
    for target in reversed(renamed):
        copy = copies.get(target)
        try:
            if copy is None:
                target.unlink()  # there was none before
            else:
                copy.replace(target)
        except OSError:
            left.append(f"{target.name} is this build's" + (f" (the earlier one is kept as {copy.name})" if copy
                                                            else f" (there was no {target.name} before)"))
        copies[target] = None  # put back, or kept for the message: not removed
    return "; ".join(left)


# -- leftovers -----------------------------------------------------------------------------------------------

def remove_leftovers(paths: list[Path]) -> None:
    """Remove the staged files of ``paths`` that builds no longer running left behind (killed while writing).

    A staged file that a living process has locked is its own, and stays; so does everything while another
    process holds the folder's lock (the next build removes what is left).
    """
    by_folder: dict[Path, list[str]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(staged_prefix(path.name))
    for folder, prefixes in by_folder.items():
        with folder_lock(folder, wait=False) as held:
            if held is None:
                continue
            try:
                entries = [entry.name for entry in os.scandir(folder) if entry.name.startswith(".")]
            except OSError:
                continue
            for name in entries:
                if any(_is_staged_for(name, prefix) for prefix in prefixes):
                    _remove_if_unowned(folder / name)


def _remove_if_unowned(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return
    try:
        if fcntl is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by its writer while it lives
        path.unlink()
    except OSError:
        pass
    finally:
        os.close(descriptor)
