"""A vendor's logo for the cover: a PNG or SVG file next to the profile, carried inside the statement.

The logo is embedded as a ``data:`` URL, so the HTML stays one self-contained file and WeasyPrint reads
nothing from disk for it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from confgen.source import SIZE_LIMIT

# A cover logo prints a few centimetres wide: 4096 x 4096 pixels is more than any printer shows there, and a
# larger image costs WeasyPrint (Pillow) hundreds of megabytes to decode, however small its file.
PIXEL_LIMIT = 4096 * 4096
# An SVG file opens, after an optional XML declaration, comments and doctype, with its <svg> element.
_SVG_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?"
                        rb"<svg[\s>]", re.DOTALL)


# <use> draws the element it refers to again, and can refer to other <use>s: ten levels of ten draw ten billion
# elements from a file of a few kilobytes, and WeasyPrint would render them all.
SVG_ELEMENT_LIMIT = 10_000
_ENDLESS = SVG_ELEMENT_LIMIT + 1
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _svg_elements(data: bytes) -> int | None:
    """How many elements the SVG draws, each <use> counting what it refers to (capped just past the limit);
    None when it is not well-formed XML."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, ValueError):
        return None
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    counted: dict[int, int] = {}
    counting: set[int] = set()

    def count(element: ElementTree.Element) -> int:
        if id(element) in counted:
            return counted[id(element)]
        if id(element) in counting:  # a <use> of an element it is inside of
            return _ENDLESS
        counting.add(id(element))
        total = 1 + sum(count(child) for child in element)
        reference = element.get("href") or element.get(_XLINK_HREF) or ""
        if element.tag.rpartition("}")[2] == "use" and reference.startswith("#") and reference[1:] in by_id:
            total += count(by_id[reference[1:]])
        counting.discard(id(element))
        counted[id(element)] = min(total, _ENDLESS)
        return counted[id(element)]

    try:
        return count(root)
    except RecursionError:
        return _ENDLESS


@dataclass(frozen=True)
class Logo:
    name: str  # as the profile gives it
    path: Path  # the file, resolved: a build must never write over it
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
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        # The IHDR chunk, first in every PNG, gives the size: width and height, 4 bytes each, big-endian.
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if width * height > PIXEL_LIMIT:
            raise LogoError(f"is {width} x {height} pixels; a logo may have at most {PIXEL_LIMIT:,} (such as "
                            "4096 x 4096)")
        return Logo(name, path, "image/png", data)
    if _SVG_START.match(data):
        drawn = _svg_elements(data)
        if drawn is None:
            raise LogoError("is not a well-formed SVG file")
        if drawn > SVG_ELEMENT_LIMIT:
            raise LogoError(f"is an SVG whose <use> references draw more than the {SVG_ELEMENT_LIMIT:,} elements a "
                            "logo may have (or refer to themselves)")
        return Logo(name, path, "image/svg+xml", data)
    if b"<svg" in data[:4096] and re.search(rb"<!DOCTYPE[^>\[]*\[", data[:4096]):
        # Entity declarations can expand without bound when the SVG is parsed (the XML "billion laughs").
        raise LogoError("is an SVG with a DOCTYPE that declares entities, which confgen refuses; export it "
                        "without a DOCTYPE (plain SVG)")
    raise LogoError("is neither a PNG nor an SVG file")
