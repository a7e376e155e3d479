"""Write: put a profile's output files in place whole, or leave the earlier ones as they were."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path


class OutputError(OSError):
    """An output could not be written: ``path`` is the output (not a temporary file), ``replaced`` the outputs
    that were already renamed into place when it failed."""

    def __init__(self, path: Path, error: OSError, replaced: tuple[Path, ...] = ()) -> None:
        super().__init__(error.errno, error.strerror or str(error))
        self.path = path
        self.replaced = replaced


def write_outputs(files: dict[Path, bytes]) -> None:
    """Write each file to a temporary file beside it, then rename them all into place.

    A reader, or a build killed half-way, sees an earlier file or a complete new one, never a part. All the
    temporary files are written before any is renamed, so a full disk or a missing permission leaves every
    earlier output as it was.
    """
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
        replaced: list[Path] = []
        for path, temporary in staged.items():
            try:
                temporary.replace(path)
            except OSError as error:
                raise OutputError(path, error, tuple(replaced)) from error
            replaced.append(path)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def _stage(path: Path, data: bytes) -> Path:
    if path.is_dir():  # the one reason a rename in the same folder fails: find it before anything is replaced
        raise OutputError(path, IsADirectoryError(21, "Is a directory"))
    remove_leftovers([path])
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(path, error) from error
    temporary = Path(name)
    try:
        # mkstemp makes the file private; an output gets the permissions any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(path, error) from error
    return temporary


def remove_leftovers(paths: list[Path]) -> None:
    """Remove the temporary files that a build killed while writing ``paths`` left behind."""
    for path in paths:
        for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
            leftover.unlink(missing_ok=True)
