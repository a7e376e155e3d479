"""Render: the completed statement as one self-contained HTML file, through the packaged Jinja templates.

Profile text reaches the templates only as values, so it is HTML-escaped and never evaluated as a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

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


def environment(override: Path | None = None) -> jinja2.Environment:
    """Templates from ``override`` first, when given, then the packaged ones: a vendor replaces only the files
    it wants to change."""
    folders = [templates_dir()] if override is None else [override, templates_dir()]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a template bug fails the build instead of leaving an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(statement: Statement, override: Path | None = None) -> Rendered:
    """The statement's HTML, and the stylesheet that lays it out on pages."""
    templates = environment(override)
    try:
        return Rendered(templates.get_template(ENTRY_TEMPLATE).render(statement=statement),
                        templates.get_template(PRINT_STYLESHEET).render(statement=statement))
    except jinja2.TemplateError as error:
        raise RenderError(str(error)) from error
