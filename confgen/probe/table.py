"""The one place `confgen probe` reads a profile's Storage tables (N.7-42, N.7-43): their rows, codes, whether each
is sent, its related fields, its conditions or behavior, and where each row and the role's ``statuses:`` key are in
the profile (line, column and JSON path, read from the composed YAML).

Everything else in ``confgen.probe`` works on the small dataclasses below, never on the profile's model or its
YAML: ``storage_table`` is the only function to change when the model does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import yaml

from confgen.dictionary import RelatedField
from confgen.profile import Profile
from confgen.source import JsonPaths
from confgen.standard import CodeRange

Role = Literal["scu", "scp"]
SERVICE, DIMSE = "storage", "C-STORE"


@dataclass(frozen=True)
class Place:
    """Where something is in the profile: 1-based line and column, and its JSON path."""

    line: int
    column: int
    json_path: str | None = None


@dataclass(frozen=True)
class Row:
    """One row of a status table as the profile gives it."""

    key: str  # as the statement prints it: "A700", "A700-A7FF", or "other" for the "Other Status Codes" row
    codes: CodeRange | None  # None for "other"
    sent: bool
    texts: tuple[str, ...]  # the behavior (SCU) or each condition (SCP); empty for a row that is never sent
    related_fields: tuple[RelatedField, ...]  # of every condition, Error Comment among them where one is given
    place: Place

    @property
    def text(self) -> str:
        return " ".join(self.texts)


@dataclass(frozen=True)
class StatusTable:
    role: Role
    rows: tuple[Row, ...]
    place: Place  # the role's `statuses:` key, where a finding about the table as a whole is reported

    def row_of(self, code: int) -> Row | None:
        """The row that lists ``code`` itself, or a range containing it (not the "other" row)."""
        exact = next((row for row in self.rows if row.codes is not None and row.codes.is_code
                      and code in row.codes), None)
        return exact or next((row for row in self.rows if row.codes is not None and code in row.codes), None)

    @property
    def other(self) -> Row | None:
        return next((row for row in self.rows if row.codes is None), None)


def storage_table(profile: Profile, root: yaml.Node, role: Role) -> StatusTable | None:
    """The Storage table of ``role`` in a validated ``profile``, with the lines where its rows are in the composed
    ``root``; None when the profile declares no such table.

    The rows come from the model; where they are (with their columns and JSON paths) from the YAML.
    """
    declared = profile.table(SERVICE, role, DIMSE)
    if declared is None:
        return None
    paths = JsonPaths(root)
    found = _at(root, ("services", SERVICE, role, "statuses"))
    assert found is not None, "a validated profile that declares the table has these mappings"
    statuses_key, statuses = found
    keys: dict[CodeRange | None, yaml.Node] = {}
    if isinstance(statuses, yaml.MappingNode):
        for key, _ in statuses.value:
            if isinstance(key, yaml.ScalarNode):
                keys[None if key.value.strip().lower() == "other" else CodeRange.parse(key.value)] = key
    rows = []
    for entry in declared.entries:
        key = keys.get(entry.codes, statuses_key)
        rows.append(Row(key="other" if entry.codes is None else str(entry.codes), codes=entry.codes,
                        sent=entry.sent, texts=tuple(" ".join(case.text) for case in entry.cases),
                        related_fields=entry.related_fields, place=_place(key, paths)))
    return StatusTable(role, tuple(rows), _place(statuses_key, paths))


def key_at(root: yaml.Node, steps: tuple[str, ...]) -> yaml.Node | None:
    """The key node at ``steps`` of nested mappings (where a diagnostic about that key goes); None when the
    profile has no such key."""
    found = _at(root, steps)
    return found[0] if found is not None else None


def _at(root: yaml.Node, steps: tuple[str, ...]) -> tuple[yaml.Node, yaml.Node] | None:
    """The key node and value node at ``steps`` of nested mappings; None when one is missing."""
    key_node, node = root, root
    for step in steps:
        if not isinstance(node, yaml.MappingNode):
            return None
        pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
        if pair is None:
            return None
        key_node, node = pair
    return key_node, node


def _place(node: yaml.Node, paths: JsonPaths) -> Place:
    return Place(node.start_mark.line + 1, node.start_mark.column + 1, paths.of(node))
