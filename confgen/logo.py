"""A vendor's logo for the cover: a PNG or SVG file next to the profile, carried inside the statement.

The logo is embedded as a ``data:`` URL, so the HTML stays one self-contained file and WeasyPrint reads
nothing from disk for it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SIZE_LIMIT = 1024 * 1024
# An SVG file opens, after an optional XML declaration, comments and doctype, with its <svg> element.
_SVG_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?"
                        rb"<svg[\s>]", re.DOTALL)


@dataclass(frozen=True)
class Logo:
    name: str  # as the profile gives it
    media_type: str
    data: bytes

    @property
    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


class LogoError(Exception):
    """Why a logo cannot be used, as a sentence for a diagnostic."""


def read_logo(name: str, profile_dir: Path) -> Logo:
    """The logo file ``name``, relative to the profile's folder and inside it."""
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or re.match(r"[A-Za-z]:", name):
        raise LogoError("must be a path relative to the profile's folder, inside it (no absolute path, no '..')")
    folder = profile_dir.resolve()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise LogoError("leads out of the profile's folder (through a symbolic link)")
    try:
        with path.open("rb") as stream:
            data = stream.read(SIZE_LIMIT + 1)
    except OSError as error:
        raise LogoError(f"cannot be read: {error.strerror or error}") from error
    if len(data) > SIZE_LIMIT:
        raise LogoError(f"is larger than {SIZE_LIMIT // 1024} KiB")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Logo(name, "image/png", data)
    if _SVG_START.match(data):
        return Logo(name, "image/svg+xml", data)
    raise LogoError("is neither a PNG nor an SVG file")
