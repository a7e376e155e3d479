"""Reading inputs as what they must be: regular files, read up to a limit.

A profile, logo, template or build record that is a FIFO would block the read for ever, and a device such as
/dev/zero would fill memory. Each input is opened without blocking, checked on the open file (so what is read
is what was checked) and refused, with the reason, when it is not a regular file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFile(OSError):
    """An input is something other than a regular file (a folder, a FIFO, a device, a socket)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def open_regular(path: Path, *, follow_links: bool = True) -> int:
    """A descriptor of ``path``, opened for reading, which is a regular file; raises OSError (NotRegularFile when
    it is something else). Never blocks, whatever ``path`` is."""
    flags = _OPEN_FLAGS | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0))
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a socket cannot be opened
            raise NotRegularFile(error.errno, "it is a socket, not a regular file") from error
        if error.errno == errno.ELOOP and not follow_links:
            raise NotRegularFile(error.errno, "it is a symbolic link, not a regular file") from error
        raise
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
        raise NotRegularFile(code, f"it is {_kind(mode)}, not a regular file")
    return descriptor


def read_regular(path: Path, limit: int, *, follow_links: bool = True) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path``: one byte more than allowed tells a file at the
    limit from a larger one. Raises OSError."""
    with os.fdopen(open_regular(path, follow_links=follow_links), "rb") as stream:
        return stream.read(limit + 1)


def sha256_of(path: Path, *, follow_links: bool = True) -> str | None:
    """The SHA-256 of the regular file ``path``, read in pieces; None when it is missing, unreadable or not a
    regular file."""
    try:
        with os.fdopen(open_regular(path, follow_links=follow_links), "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def reason(error: OSError) -> str:
    """Why ``error`` happened, as a phrase for a diagnostic."""
    return error.strerror or str(error)
