"""Logos that cost more to draw than their size says: every bound of S210 holds at every level of images
inside images, and an SVG is read by a parser that refuses DTDs and entities (issue 13, point 5)."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest
from conftest import diagnose, edit, line_of, rules_at

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def png(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` x ``height``; only the header is read."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 8)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """The start of a baseline JPEG: an APP0 segment, then the frame header that gives the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\0\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + frame + b"\xff\xd9"


def data_url(media_type: str, data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return f"data:{media_type};base64,{base64.b64encode(raw).decode('ascii')}"


def use_bomb(levels: int) -> str:
    """An SVG whose <use> elements draw 10 ** ``levels`` rectangles."""
    defs = ['<rect id="l0" width="1" height="1"/>']
    defs += [f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * 10 + "</g>" for n in range(1, levels + 1)]
    return f'<svg {SVG}><defs>{"".join(defs)}</defs><use href="#l{levels}"/></svg>'


TWO_LEVELS = f'<svg {SVG}><image href="{data_url("image/svg+xml", use_bomb(5))}"/></svg>'


def logo_found(tmp_path: Path, content: str | bytes, name: str = "logo.svg") -> list[str]:
    """The messages of validating the example with ``content`` as its logo (empty when it is accepted)."""
    (tmp_path / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    text = edit("  product: Acme CT", f"  product: Acme CT\n  logo: {name}")
    found = diagnose(tmp_path, text)
    assert rules_at(found) <= {("S210", line_of(text, "logo:"))}, found
    return [f.message for f in found]


@pytest.mark.parametrize(("content", "says"), [
    # The reproductions: a <use> bomb inside an SVG inside the logo ...
    (f'<svg {SVG}><image width="10" height="10" href="{data_url("image/svg+xml", use_bomb(6))}"/></svg>',
     "draws more than the 10,000 SVG elements"),
    # ... the same, two levels down, and through xlink:href ...
    (f'<svg {SVG}><image xlink:href="{data_url("image/svg+xml", TWO_LEVELS)}"/></svg>',
     "draws more than the 10,000 SVG elements"),
    # ... a 9000 x 9000 PNG inside an SVG, and a JPEG ...
    (f'<svg {SVG}><image width="10" height="10" href="{data_url("image/png", png(9000, 9000))}"/></svg>',
     "holds, a 9000 x 9000 pixel image; a logo may have at most 16,777,216 pixels"),
    (f'<svg {SVG}><image width="10" height="10" href="{data_url("image/jpeg", jpeg(5000, 4000))}"/></svg>',
     "a 5000 x 4000 pixel image"),
    # ... an internal subset whose entity value holds "x><svg", which the regular expression took for the start ...
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "x><svg></svg>">]>'
     f'<svg {SVG}><text>&a;</text></svg>', "a DOCTYPE that declares entities or other declarations"),
    # ... and text: WeasyPrint lays it out character by character.
    (f'<svg {SVG}><text y="10">{"x" * 4001}</text></svg>', "more than the 4,000 characters of SVG text"),
    (f'<svg {SVG}><style>{".a{fill:red}" * 6000}</style></svg>', "more than the 64 KiB of SVG stylesheets"),
])
def test_s210_what_a_logo_draws_is_bounded_at_every_level(tmp_path: Path, content: str, says: str) -> None:
    [message] = logo_found(tmp_path, content)
    assert says in message


def test_one_budget_for_every_level(tmp_path: Path) -> None:
    rects = '<rect width="1" height="1"/>' * 6000
    inner = data_url("image/svg+xml", f"<svg {SVG}>{rects}</svg>")
    assert logo_found(tmp_path, f"<svg {SVG}>{rects}</svg>") == []
    assert logo_found(tmp_path, f'<svg {SVG}><image href="{inner}"/></svg>') == []
    [message] = logo_found(tmp_path, f'<svg {SVG}>{rects}<image href="{inner}"/></svg>')
    assert "draws more than the 10,000 SVG elements" in message


def test_an_image_drawn_again_by_use_counts_again(tmp_path: Path) -> None:
    image = f'<image id="i" width="10" height="10" href="{data_url("image/png", png(3000, 3000))}"/>'
    assert logo_found(tmp_path, f"<svg {SVG}>{image}</svg>") == []
    [message] = logo_found(tmp_path, f'<svg {SVG}>{image}<use href="#i"/></svg>')
    assert "draws more than the 16,777,216 pixels of raster images a logo may have" in message


RECTS = '<rect width="1" height="1"/>' * 100
DRAWN_AGAIN = "draws more than the 10,000 SVG elements"
USE_X = '<use href="#x"/>'
USE_BOTH = '<use href="#small" xlink:href="#big"/>'
USE_OTHER = '<use href="#big" other:href="#small"/>'
USE_LINE = '<use href="#l" marker-end="url(#m)"/>'


@pytest.mark.parametrize("content", [
    # An id given twice: WeasyPrint draws the first element that has it, in document order (Node.get_child).
    f'<svg {SVG}><defs><g id="x">{RECTS}</g></defs>{USE_X * 120}<g id="x"/></svg>',
    # xlink:href and href both given: WeasyPrint follows xlink:href (Node.get_href) ...
    f'<svg {SVG}><defs><g id="big">{RECTS}</g><g id="small"/></defs>{USE_BOTH * 120}'
    "</svg>",
    # ... and href in another namespace is not href.
    f'<svg {SVG} xmlns:other="urn:other"><defs><g id="big">{RECTS}</g><g id="small"/></defs>'
    f'{USE_OTHER * 120}</svg>',
    # A marker is drawn at each vertex of a shape: by its attribute, ...
    f'<svg {SVG}><defs><marker id="m">{RECTS}</marker></defs>'
    f'<path d="M0 0{" L1 1" * 120}" marker-mid="url(#m)"/></svg>',
    # ... inherited from a group, ...
    f'<svg {SVG}><defs><marker id="m">{RECTS}</marker></defs><g marker="url(#m)">'
    f'<polyline points="{" ".join(["1,1"] * 120)}"/></g></svg>',
    # ... by a style attribute, ...
    f'<svg {SVG}><defs><marker id="m">{RECTS}</marker></defs>'
    f'<polygon points="{" ".join(["1,1"] * 120)}" style="marker-start: url(#m); marker-mid: url(#m)"/></svg>',
    # ... by a <use> of a line, which draws it with the markers of the <use> ...
    f'<svg {SVG}><defs><marker id="m">{RECTS}</marker><line id="l" x2="1" y2="1"/></defs>'
    f'{USE_LINE * 60}</svg>',
    # ... and a marker that draws itself (its shape inherits the marker from the root).
    f'<svg {SVG} marker="url(#m)"><defs><marker id="m"><path d="M0 0 L1 1"/></marker></defs>'
    '<path d="M0 0 L1 1"/></svg>',
    # A stylesheet's selectors are not matched: one that sets markers sets them everywhere, so a marker with a
    # shape in it draws itself (as WeasyPrint does with this one, hundreds of times over).
    f'<svg {SVG}><style>path {{ marker-mid: url(#m) }}</style><defs><marker id="m"><path d="M0 0 L1 1 L2 2"/>'
    '</marker></defs><path d="M0 0 L1 1 L2 2"/></svg>',
], ids=["duplicate id", "xlink:href first", "href in a namespace", "marker", "inherited marker", "marker in style",
        "marker by use", "marker drawing itself", "marker in a stylesheet"])
def test_s210_references_resolve_as_weasyprint_resolves_them(tmp_path: Path, content: str) -> None:
    [message] = logo_found(tmp_path, content)
    assert DRAWN_AGAIN in message


def test_s210_logos_with_markers_pass(tmp_path: Path) -> None:
    # An arrowhead, as drawing programs write one: by attribute, and by a style attribute.
    arrow = ('<marker id="arrow" markerWidth="10" markerHeight="10" refX="0" refY="3" orient="auto">'
             '<path d="M0,0 L0,6 L9,3 z"/></marker>')
    content = (f'<svg {SVG} width="260" height="60"><style>.brand {{ fill: #1f3a5f; }}</style><defs>{arrow}</defs>'
               '<line x1="0" y1="50" x2="250" y2="50" stroke="#000" marker-end="url(#arrow)"/>'
               '<path d="M0 10 L100 10 L200 30" style="stroke:#000;marker-mid:url(#arrow);marker-end:url(#arrow)"/>'
               '</svg>')
    assert logo_found(tmp_path, content) == []


@pytest.mark.parametrize("reference", ["https://example.com/logo.png", "file:///etc/hostname", "other.svg"])
def test_s210_a_logo_that_refers_to_anything_outside_itself(tmp_path: Path, reference: str) -> None:
    [message] = logo_found(tmp_path, f'<svg {SVG}><image width="10" height="10" href="{reference}"/></svg>')
    assert "refers to a file or address outside itself" in message


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE svg [<!ELEMENT svg ANY>]>',
    '<!DOCTYPE svg SYSTEM "file:///etc/passwd" [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
])
def test_s210_any_declaration_is_refused(tmp_path: Path, doctype: str) -> None:
    [message] = logo_found(tmp_path, f'<?xml version="1.0"?>{doctype}<svg {SVG}/>')
    assert "a DOCTYPE that declares" in message


def test_ordinary_logos_pass(tmp_path: Path) -> None:
    # What drawing programs write: an XML declaration, the SVG 1.1 DOCTYPE without declarations, a comment, a
    # stylesheet, text, an embedded PNG and JPEG, and <use>.
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Generator: a drawing program -->\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'<svg {SVG} width="120" height="30"><style>.brand {{ fill: #1f3a5f; }}</style>'
        '<defs><rect id="r" width="4" height="4"/></defs><use href="#r"/><use xlink:href="#r" x="5"/>'
        '<text class="brand" x="10" y="20">Acme <tspan>Medical</tspan></text>'
        f'<image width="8" height="8" href="{data_url("image/png", png(64, 64))}"/>'
        f'<image width="8" height="8" href="{data_url("image/jpeg", jpeg(64, 64))}"/></svg>')
    assert logo_found(tmp_path, content) == []
    assert logo_found(tmp_path, png(4096, 4096), "logo.png") == []
