"""A vendor's logo for the cover: a PNG or SVG file next to the profile, carried inside the statement.

The logo is embedded as a ``data:`` URL, so the HTML stays one self-contained file and WeasyPrint reads
nothing from disk for it. What WeasyPrint would draw is bounded before it is given the logo: a small file can
ask for a great deal (an image inside the SVG, another SVG inside that, a <use> of a <use>), so an SVG is read
with an XML parser that refuses DTDs and entities, every image inside it is opened in turn, and everything that
would be drawn, at every level, counts against one budget.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote_to_bytes, urlsplit
from xml.parsers import expat

from confgen.files import read_regular, reason
from confgen.records import field, record
from confgen.source import SIZE_LIMIT

# A cover logo prints a few centimetres wide: 4096 x 4096 pixels is more than any printer shows there, and a
# larger image costs WeasyPrint (Pillow) hundreds of megabytes to decode, however small its file. The limit is on
# all the raster images a logo draws, those inside an SVG included.
PIXEL_LIMIT = 4096 * 4096
# <use> draws the element it refers to again, and can refer to other <use>s: ten levels of ten draw ten billion
# elements from a file of a few kilobytes. WeasyPrint takes about 0.1 s for each thousand elements.
SVG_ELEMENT_LIMIT = 10_000
# Text is laid out character by character: about 0.07 s for each thousand. A logo's words are a few dozen.
SVG_TEXT_LIMIT = 4_000
# A stylesheet inside the SVG: about 0.5 s for each 100 kB.
SVG_STYLE_LIMIT = 64 * 1024
# data: images inside data: images: no logo needs more than a few levels.
NESTING_LIMIT = 8

_XLINK_HREF = "http://www.w3.org/1999/xlink href"
_TEXT_ELEMENTS = {"text", "tspan", "textPath", "a"}
# What WeasyPrint (svg/__init__.py, 70.0) draws a marker with: these properties, inherited like every attribute
# but a few, name a marker by the fragment of their URL; it is drawn at each vertex of these shapes.
_MARKER_PROPERTIES = ("marker", "marker-start", "marker-mid", "marker-end")
_MARKED_SHAPES = {"path", "line", "polyline", "polygon"}
_PATH_LETTERS = frozenset("achlmqstvzACHLMQSTVZ")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WHITESPACE = " \t\n\f\r"  # what WeasyPrint strips from a URL (html.WHITESPACE)


@record(frozen=True)
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
        data = read_regular(path, SIZE_LIMIT)  # a FIFO or a device is refused, never read
    except OSError as error:
        raise LogoError(f"cannot be read: {reason(error)}") from error
    if len(data) > SIZE_LIMIT:
        raise LogoError(f"is larger than {SIZE_LIMIT // 1024} KiB")
    budget = _Budget()
    if data.startswith(_PNG):
        budget.image(data, "a PNG")
        return Logo(name, path, "image/png", data)
    if _looks_like_svg(data):
        budget.svg(data, 0)
        return Logo(name, path, "image/svg+xml", data)
    raise LogoError("is neither a PNG nor an SVG file")


_PNG = b"\x89PNG\r\n\x1a\n"


def _looks_like_svg(data: bytes) -> bool:
    return b"<svg" in data[:4096] or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<!--", b"<!DOCTYPE"))


@record
class _Element:
    tag: str  # the local name
    attributes: dict[str, str]
    children: list[_Element] = field(default_factory=list)
    text: int = 0  # characters of text directly inside it
    style: int = 0  # characters of a stylesheet (for <style>)
    sets_markers: bool = False  # a <style> whose rules may set a marker property (on any element)

    @property
    def href(self) -> str:
        """The reference WeasyPrint follows (``Node.get_href``): xlink:href first, then href, a blank one skipped;
        spaces around it and line breaks in it do not count."""
        for name in (_XLINK_HREF, "href"):
            value = self.attributes.get(name, "").strip(_WHITESPACE)
            for character in "\t\n\r":
                value = value.replace(character, "")
            if value:
                return value
        return ""

    @property
    def marker_ids(self) -> frozenset[str] | None:
        """The ids of the markers this element names; None when its style attribute may name any."""
        if _may_set_markers(self.attributes.get("style", "")):
            return None
        return frozenset(_fragment(self.attributes[name]) for name in _MARKER_PROPERTIES if name in self.attributes)

    @property
    def vertices(self) -> int:
        """At least as many vertices as WeasyPrint draws a marker at, for a shape it draws markers on."""
        if self.tag == "line":
            return 2
        geometry = self.attributes.get("d" if self.tag == "path" else "points", "")
        return len(_NUMBER.findall(geometry)) + sum(character in _PATH_LETTERS for character in geometry) + 1


@record
class _Cost:
    elements: int = 0
    pixels: int = 0
    text: int = 0
    style: int = 0

    def __iadd__(self, other: _Cost) -> _Cost:
        self.elements += other.elements
        self.pixels += other.pixels
        self.text += other.text
        self.style += other.style
        return self


class _Refused(Exception):
    pass


@record
class _Budget:
    """What the logo draws, at every level, against one set of limits."""

    spent: _Cost = field(default_factory=_Cost)

    def charge(self, cost: _Cost) -> None:
        self.spent += cost
        self.check()

    def check(self) -> None:
        spent = self.spent
        if spent.elements > SVG_ELEMENT_LIMIT:
            raise LogoError(f"draws more than the {SVG_ELEMENT_LIMIT:,} SVG elements a logo may have (each <use> "
                            "counting what it draws again, each marker what it draws at each vertex, and the SVG "
                            "images inside it counted too), or its <use> or marker references refer to themselves")
        if spent.pixels > PIXEL_LIMIT:
            raise LogoError(f"draws more than the {PIXEL_LIMIT:,} pixels of raster images a logo may have (such as "
                            "one 4096 x 4096 image), each image inside an SVG counted each time it is drawn")
        if spent.text > SVG_TEXT_LIMIT:
            raise LogoError(f"draws more than the {SVG_TEXT_LIMIT:,} characters of SVG text a logo may have")
        if spent.style > SVG_STYLE_LIMIT:
            raise LogoError(f"has more than the {SVG_STYLE_LIMIT // 1024} KiB of SVG stylesheets a logo may have")

    def image(self, data: bytes, what: str) -> None:
        """A raster image: only its size is read, from its header."""
        size = _raster_size(data)
        if size is None:
            raise LogoError(f"holds {what} image whose size cannot be read")
        width, height = size
        if width * height > PIXEL_LIMIT:
            raise LogoError(f"is, or holds, a {width} x {height} pixel image; a logo may have at most {PIXEL_LIMIT:,} "
                            "pixels (such as 4096 x 4096), the images inside an SVG included")
        self.charge(_Cost(pixels=width * height))

    def svg(self, data: bytes, depth: int) -> None:
        root = _parse_svg(data)
        try:
            self.charge(self._drawn(root, depth))
        except RecursionError:
            raise LogoError("is an SVG whose elements nest too deep to draw") from None

    def _drawn(self, root: _Element, depth: int) -> _Cost:
        """What ``root`` draws: each element once, again for each <use> of it and for each vertex a marker of it
        is drawn at; images inside counted too.

        References resolve as WeasyPrint resolves them: an id names the first element below the root that has it,
        in document order (``Node.get_child``), and a marker only if that element is one. The markers an element
        draws are those it names and those it inherits: from its ancestors in the document, or, for what a <use>
        draws, from the <use>. A stylesheet that may set a marker property is taken to set every marker on every
        element (its selectors are not matched).
        """
        order = _document_order(root)
        by_id: dict[str, _Element] = {}
        for element in order[1:]:  # the root itself is not found by its id
            if "id" in element.attributes:
                by_id.setdefault(element.attributes["id"], element)
        every_marker = frozenset(key for key, element in by_id.items() if "marker" in element.tag.lower())
        from_sheets = every_marker if any(element.sets_markers for element in order) else frozenset()

        def markers(element: _Element, inherited: frozenset[str]) -> frozenset[str]:
            named = element.marker_ids
            return inherited | from_sheets | (every_marker if named is None else named)

        in_document: dict[int, frozenset[str]] = {}  # the markers each element draws where it is in the document
        stack: list[tuple[_Element, frozenset[str]]] = [(root, frozenset())]
        while stack:
            element, inherited = stack.pop()
            in_document[id(element)] = own = markers(element, inherited)
            stack.extend((child, own) for child in element.children)

        counted: dict[tuple[int, bool, frozenset[str]], _Cost] = {}
        counting: set[tuple[int, bool, frozenset[str]]] = set()
        nested: dict[int, _Cost] = {}
        too_much = _Cost(elements=SVG_ELEMENT_LIMIT + 1)

        def cost(element: _Element, in_text: bool, inherited: frozenset[str]) -> _Cost:
            drawn_with = markers(element, inherited)
            key = (id(element), in_text, drawn_with)
            if key in counted:
                return counted[key]
            if key in counting or len(counted) > SVG_ELEMENT_LIMIT:  # it draws itself; or each way of drawing an
                return too_much                                     # element is one element drawn, at least
            counting.add(key)
            inside_text = in_text or element.tag == "text"
            total = _Cost(elements=1, text=element.text if inside_text else 0, style=element.style)
            for child in element.children:
                total += cost(child, inside_text, drawn_with)
            reference = element.href
            if element.tag == "use" and reference.startswith("#"):
                if reference[1:] in by_id:
                    total += cost(by_id[reference[1:]], inside_text, drawn_with)
            elif element.tag in ("image", "use", "feImage") and reference and not reference.startswith("#"):
                if id(element) not in nested:
                    nested[id(element)] = self._inside(reference, depth)
                total += nested[id(element)]
            if element.tag in _MARKED_SHAPES and drawn_with:
                drawn = [by_id[name] for name in drawn_with if name in every_marker]
                each = max((_sum(cost(child, False, in_document[id(marker)]) for child in marker.children)
                            for marker in drawn), default=_Cost(), key=lambda c: c.elements)
                total += _times(each, element.vertices)
            counting.discard(key)
            total = _capped(total)
            counted[key] = total
            return total

        return cost(root, False, frozenset())

    def _inside(self, reference: str, depth: int) -> _Cost:
        """What an image inside the SVG draws, counted on a budget of its own and returned, so that each time it
        is drawn counts."""
        if not reference.lower().startswith("data:"):
            raise LogoError("is an SVG that refers to a file or address outside itself; put every image inside "
                            "the SVG (as a data: URL)")
        if depth >= NESTING_LIMIT:
            raise LogoError(f"holds images inside images more than {NESTING_LIMIT} levels deep")
        data = _data_url(reference)
        inner = _Budget()
        if data.startswith(_PNG):
            inner.image(data, "a PNG")
        elif data.startswith(b"\xff\xd8"):
            inner.image(data, "a JPEG")
        elif data.startswith((b"GIF87a", b"GIF89a")):
            inner.image(data, "a GIF")
        elif _looks_like_svg(data):
            inner.svg(data, depth + 1)
        else:
            raise LogoError("holds an image that is not a PNG, JPEG, GIF or SVG")
        return inner.spent


def _capped(cost: _Cost) -> _Cost:
    """Just past the limits, so that the numbers stay small whatever is multiplied."""
    return _Cost(min(cost.elements, SVG_ELEMENT_LIMIT + 1), min(cost.pixels, PIXEL_LIMIT + 1),
                 min(cost.text, SVG_TEXT_LIMIT + 1), min(cost.style, SVG_STYLE_LIMIT + 1))


def _sum(costs: Iterable[_Cost]) -> _Cost:
    total = _Cost()
    for cost in costs:
        total += cost
    return _capped(total)


def _times(cost: _Cost, count: int) -> _Cost:
    return _capped(_Cost(cost.elements * count, cost.pixels * count, cost.text * count, cost.style * count))


def _document_order(root: _Element) -> list[_Element]:
    order = []
    stack = [root]
    while stack:
        element = stack.pop()
        order.append(element)
        stack.extend(reversed(element.children))
    return order


def _fragment(value: str) -> str:
    """The id a marker property names, read as WeasyPrint reads it (``svg.utils.parse_url``)."""
    if value.startswith("url(") and value.endswith(")"):
        value = value[4:-1]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
    try:
        return urlsplit(value).fragment
    except ValueError:  # WeasyPrint would fail on it too ("Invalid IPv6 URL")
        raise LogoError(f"is an SVG that names a marker by a URL that cannot be read: {value[:80]!r}") from None


def _may_set_markers(css: str) -> bool:
    """Whether CSS text may set a marker property: it names one, or has an escape that could spell one."""
    return "marker" in css.lower() or "\\" in css


def _data_url(url: str) -> bytes:
    header, comma, payload = url.partition(",")
    if not comma:
        raise LogoError("holds a data: URL without data")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote_to_bytes(payload), validate=False)
        return unquote_to_bytes(payload)
    except ValueError as error:
        raise LogoError(f"holds a data: URL that cannot be decoded ({error})") from None


def _parse_svg(data: bytes) -> _Element:
    """The SVG's elements, read by expat with every DTD, entity and external reference refused."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root: list[_Element] = []
    open_elements: list[_Element] = []

    def doctype(name: str, system_id: str | None, public_id: str | None, has_internal_subset: bool) -> None:
        if has_internal_subset:
            raise _Refused("is an SVG with a DOCTYPE that declares entities or other declarations, which confgen "
                           "refuses; export it without a DOCTYPE (plain SVG)")

    def declaration(*_: object) -> None:
        raise _Refused("is an SVG with a DOCTYPE that declares entities or other declarations, which confgen "
                       "refuses; export it without a DOCTYPE (plain SVG)")

    def external(*_: object) -> int:
        raise _Refused("is an SVG that refers to an external entity, which confgen refuses")

    def start(name: str, attributes: dict[str, str]) -> None:
        # An attribute in a namespace keeps it ("<namespace> <name>"): WeasyPrint reads `href`, `id` and the
        # marker properties only without one (and xlink:href in its own).
        element = _Element(name.rpartition(" ")[2], dict(attributes))
        if open_elements:
            open_elements[-1].children.append(element)
        else:
            root.append(element)
        open_elements.append(element)

    def end(name: str) -> None:
        open_elements.pop()

    def characters(text: str) -> None:
        if open_elements:
            if open_elements[-1].tag == "style":
                open_elements[-1].style += len(text)
                open_elements[-1].sets_markers |= _may_set_markers(text)
            elif open_elements[-1].tag in _TEXT_ELEMENTS:
                open_elements[-1].text += len(text.strip())

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = declaration
    parser.UnparsedEntityDeclHandler = declaration
    parser.NotationDeclHandler = declaration
    parser.ElementDeclHandler = declaration
    parser.AttlistDeclHandler = declaration
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise LogoError(str(refused)) from None
    except (expat.ExpatError, ValueError) as error:
        raise LogoError(f"is not a well-formed SVG file ({error})") from None
    except RecursionError:
        raise LogoError("is an SVG whose elements nest too deep to draw") from None
    if not root or root[0].tag != "svg":
        raise LogoError("is neither a PNG nor an SVG file")
    return root[0]


def _raster_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, JPEG or GIF header, without decoding the image."""
    if data.startswith(_PNG) and data[12:16] == b"IHDR":
        # The IHDR chunk, first in every PNG: width and height, 4 bytes each, big-endian.
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        # JPEG: segments until a start of frame (SOF0 to SOF15, not DHT, JPG or DAC), which gives the size.
        at = 2
        while at + 4 <= len(data):
            if data[at] != 0xFF:
                return None
            marker = data[at + 1]
            if marker == 0xFF:
                at += 1
                continue
            if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
                at += 2
                continue
            length = int.from_bytes(data[at + 2:at + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                if at + 9 > len(data):
                    return None
                return int.from_bytes(data[at + 7:at + 9], "big"), int.from_bytes(data[at + 5:at + 7], "big")
            at += 2 + length
    return None
