"""Rule examples in a whole profile: a complete Storage profile (both tables, every row) that an example is put
into, replacing the keys it gives. ``confgen rules --explain`` shows an example under its parents' keys; the
tests validate each one in its profile."""

from __future__ import annotations

import re

from confgen.diagnostics import Example

_DOCUMENT = {
    "manufacturer": "manufacturer: Example Medical",
    "product": "product: Example Archive",
    "product_version": 'product_version: "1.0"',
    "date": 'date: "2026-01-31"',
}
_SCU = {code: f'"{code}": Logged.' for code in (
    "0000", "B000", "B007", "B006", "0122", "0117", "0210", "0211", "0212", "0124", "A700-A7FF", "A900-A9FF",
    "C000-CFFF")} | {"other": "other: Treated as a failure."}
_SCP = {code: f'"{code}":\n  condition: {condition}' for code, condition in (
    ("0000", "The instance is stored."), ("B000", "Patient ID was coerced."),
    ("B007", "The data set holds attributes of another SOP Class."), ("B006", "Private elements are discarded."),
    ("A700", "The disk is full."), ("A901", "The SOP Class UID differs from the request."),
    ("C000", "The data set cannot be parsed."))}

# Where an example goes: the keys above it.
PARENTS = {
    "top": (),
    "document": ("document",),
    "scu": ("services", "storage", "scu", "statuses"),
    "scp": ("services", "storage", "scp", "statuses"),
    "pyproject": (),  # a piece of pyproject.toml, shown as it is
}

_KEY = re.compile(r'^(?:"([^"]*)"|([^\s#:"-][^:]*?))\s*:')


def _keys(text: str) -> set[str]:
    """The keys an example gives at its own level (before any second document)."""
    keys = set()
    for line in text.split("\n---")[0].splitlines():
        found = _KEY.match(line)
        if found:
            keys.add(found[1] if found[1] is not None else found[2])
    return keys


def _indent(text: str, depth: int) -> str:
    pad = "  " * depth
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _block(base: dict[str, str], example: Example, where: str) -> list[str]:
    given = _keys(example.text) if example.where == where else set()
    lines = [text for key, text in base.items() if key not in given]
    return [*lines, example.text] if example.where == where else lines


def profile_with(example: Example) -> str:
    """A complete profile with ``example`` in its place."""
    top = _keys(example.text) if example.where == "top" else set()
    parts = []
    for key, text in (("confgen", "confgen: 1"), ("standard", 'standard: "2024d"')):
        if key not in top:
            parts.append(text)
    if "document" not in top:
        parts.append("document:\n" + _indent("\n".join(_block(_DOCUMENT, example, "document")), 1))
    if "services" not in top:
        scu = _indent("\n".join(_block(_SCU, example, "scu")), 4)
        scp = _indent("\n".join(_block(_SCP, example, "scp")), 4)
        parts.append(f"services:\n  storage:\n    scu:\n      statuses:\n{scu}\n    scp:\n      statuses:\n{scp}")
    if example.where == "top":
        parts.append(example.text)
    return "\n".join(parts) + "\n"


def in_context(example: Example) -> str:
    """``example`` under the keys of the mapping it goes in, as a reader needs to see where it belongs."""
    parents = PARENTS[example.where]
    lines = [f"{'  ' * depth}{key}:" for depth, key in enumerate(parents)]
    return "\n".join([*lines, _indent(example.text, len(parents))])
