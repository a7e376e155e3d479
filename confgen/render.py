"""Render: the completed statement as one self-contained HTML file, through the packaged Jinja templates.

Profile text reaches the templates only as values, so it is HTML-escaped and never evaluated as a template.
"""

from __future__ import annotations

import jinja2

from confgen.resources import templates_dir
from confgen.statement import Statement

ENTRY_TEMPLATE = "statement.html.j2"


class RenderError(Exception):
    """A template failed: missing, malformed, or using a value the statement does not have."""


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a template bug fails the build instead of leaving an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(statement: Statement) -> str:
    try:
        return environment().get_template(ENTRY_TEMPLATE).render(statement=statement)
    except jinja2.TemplateError as error:
        raise RenderError(str(error)) from error
