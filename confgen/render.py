"""Render: the completed statement as one self-contained HTML file, through the packaged Jinja templates.

Profile text reaches the templates only as values, so it is HTML-escaped and never evaluated as a template.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from confgen.resources import templates_dir
from confgen.statement import Statement

ENTRY_TEMPLATE = "statement.html.j2"
PRINT_STYLESHEET = "print.css.j2"  # paged media, for the PDF only


@dataclass(frozen=True)
class Rendered:
    html: str
    print_css: str


class RenderError(Exception):
    """A template failed: missing, malformed, or using a value the statement does not have."""


# A token this long is an identifier, a path or a URL rather than a word: it may need to wrap inside a narrow
# column. Where it does, after its punctuation (and before an opening bracket) reads better than anywhere.
_LONG_TOKEN = re.compile(r"\S{16,}")
_PUNCTUATION = r"/\\.,;:=&?_\-\])}>|@"
_BREAK = re.compile(rf"(?<=[{_PUNCTUATION}])(?=[^{_PUNCTUATION}])|(?<=[^\[({{<])(?=[\[({{<])")
_WBR = Markup("<wbr>")


def breakable(text: str) -> Markup:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) at the punctuation of each long token."""
    pieces = []
    start = 0
    for token in _LONG_TOKEN.finditer(text):
        pieces.append(escape(text[start:token.start()]))
        pieces.append(_WBR.join(escape(part) for part in _BREAK.split(token.group())))
        start = token.end()
    pieces.append(escape(text[start:]))
    return Markup("").join(pieces)


def environment(override: Path | None = None) -> jinja2.Environment:
    """Templates from ``override`` first, when given, then the packaged ones: a vendor replaces only the files
    it wants to change."""
    folders = [templates_dir()] if override is None else [override, templates_dir()]
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a template bug fails the build instead of leaving an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    templates.filters["breakable"] = breakable
    # The services a vendor renders its own way: services/<key>.html.j2 in its folder (none is packaged).
    services = override / "services" if override is not None else None
    templates.globals["overridden"] = frozenset(
        f"services/{path.name}" for path in (services.glob("*.html.j2") if services and services.is_dir() else ()))
    return templates


def render(statement: Statement, override: Path | None = None) -> Rendered:
    """The statement's HTML, and the stylesheet that lays it out on pages."""
    templates = environment(override)
    return Rendered(_render(templates, ENTRY_TEMPLATE, statement), _render(templates, PRINT_STYLESHEET, statement))


def _render(templates: jinja2.Environment, name: str, statement: Statement) -> str:
    try:
        return templates.get_template(name).render(statement=statement)
    # A vendor's template can fail in any way Python can (not UTF-8, an include of itself, 1/0): each is
    # reported, never raised, and named by the template and line it happened at.
    except Exception as error:
        where = _template_line(error) or name
        reason = error.message if isinstance(error, jinja2.TemplateError) and error.message else \
            f"{type(error).__name__}: {error}"
        raise RenderError(f"{where}: {reason}") from error


def _template_line(error: Exception) -> str | None:
    """template:line where ``error`` happened: Jinja gives it for syntax errors and puts template frames in the
    traceback of the others."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.name:
        return f"{error.name}:{error.lineno}"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.endswith(".j2")]
    if frames:
        return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return None
