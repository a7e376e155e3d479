"""``confgen init``: a starting profile, written from the profile format's declaration (``format.py``) for the
services and roles asked for, with every row of each table the template has, each a placeholder.

The rows come from the standard's data, so a table added there appears here without code. Every placeholder is
a ``<...>`` token, which ``confgen validate`` reports (S208) until it is replaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from confgen.diagnostics import one_line
from confgen.format import (
    FORMAT_VERSION,
    Date,
    Failures,
    Key,
    Keyed,
    ListOf,
    Spec,
    Statuses,
    Text,
    profile_format,
)
from confgen.standard import Standard, TemplateRow, TemplateTable, load_standard

# The schema is named by a path relative to the profile, which yaml-language-server resolves next to it:
# confgen has no public URL, and an absolute path would tie the profile to one machine. `confgen init FILE`
# writes the schema there.
SCHEMA_FILE = "confgen.schema.json"

MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

# For a profile printed (init -), which has no folder the schema could be written to: a modeline naming a file
# that is not there is an error in the editor, so there is none, and the comment says how to have one.
NO_MODELINE = f"""\
# For an editor's checks and completion, write the schema beside this file (confgen schema > {SCHEMA_FILE}) and
# make this the first line:  {MODELINE}
"""

HEADER = """\
# A starting confgen profile. Replace every <...> placeholder with what the application really does, delete
# what the application does not do, then run: confgen validate {path}
# An SCP row the application never sends is written  "B007": {{sent: false}}  instead of a condition. An SCP row
# may add  comment: "<Error Comment text>", the text it sends with the status; a code sent for several reasons is
# a list of conditions. Quote status codes ("0122", not 0122): an editor reads an unquoted 0122 as the number 122.
# A warning that is right for this product is acknowledged on its line:  "0110":  # confgen: ignore[D305]
"""

DEFAULT_PARTS = ("storage",)
ROLES = ("scu", "scp")


def profile_parts(standard: Standard) -> tuple[str, ...]:
    """What `confgen init --services` may name: the services, and the communication failures."""
    return (*standard.services, "communication_failures")


def starter_profile(path: str, edition: str, parts: Sequence[str] = DEFAULT_PARTS,
                    roles: Sequence[str] = ROLES) -> str:
    """The starting profile for ``parts`` (service keys, and "communication_failures") and ``roles``; ``path`` is
    where it is written ("-" for standard output), for its first comment."""
    standard = load_standard(edition)
    # The path is shown in a comment: a line break in it would end the comment and start YAML.
    shown = "<this file>" if path == "-" else one_line(path)
    header = HEADER.format(path=shown).rstrip("\n")
    lines = [header + "\n" + NO_MODELINE.rstrip("\n") if path == "-" else MODELINE + "\n" + header]
    writer = _Writer(standard, roles)
    for key in profile_format(standard).keys:
        if key.name == "confgen":
            lines.append(f"confgen: {FORMAT_VERSION}")
        elif key.name == "standard":
            lines.append(f'standard: "{edition}"')
        elif key.name == "services":
            lines += writer.services(key, [part for part in parts if part in standard.services])
        elif key.name == "communication_failures":
            if key.name in parts:
                lines += writer.key(key, 0)
        else:
            lines += writer.key(key, 0)
    return "\n".join(lines) + "\n"


class _Writer:
    def __init__(self, standard: Standard, roles: Sequence[str]) -> None:
        self.standard = standard
        self.roles = roles

    def services(self, key: Key, chosen: list[str]) -> list[str]:
        assert isinstance(key.value, Keyed)
        lines = ["services:"]
        for service in key.value.keys:
            if service.name in chosen:
                assert isinstance(service.value, Keyed)
                lines.append(f"  {service.name}:")
                for role in service.value.keys:
                    if role.name in self.roles:
                        lines += self.key(role, 2)
        return lines

    def key(self, key: Key, depth: int) -> list[str]:
        """``key`` and its value, at ``depth`` levels of indentation; commented out where the format says so."""
        pad = "  " * depth
        spec = key.value
        if isinstance(spec, Keyed):
            lines = [*self.table_comment(spec, depth), f"{pad}{key.name}:"]
            for inner in spec.keys:
                if inner.required or inner.starter == "write":
                    lines += self.key(inner, depth + 1)
                elif inner.starter == "comment":
                    lines.append(f"{pad}  # {inner.name}: {self.inline(inner.value)}  # optional")
            return lines
        if isinstance(spec, ListOf) and isinstance(spec.item, Keyed):
            item = [line for inner in spec.item.keys for line in self.key(inner, depth + 2)]
            return [f"{pad}{key.name}:", f"{pad}  - {item[0].lstrip()}", *item[1:]]
        if isinstance(spec, Statuses):
            return [f"{pad}{key.name}:", *self.rows(spec.table, depth + 1)]
        if isinstance(spec, Failures):
            return [f"{pad}{key.name}:", *(f'{pad}  {name}: "<behavior on {name}>"' for name in spec.table.failures)]
        return [f"{pad}{key.name}: {self.inline(spec)}"]

    def inline(self, spec: Spec) -> str:
        if isinstance(spec, Text | Date):
            return f'"{spec.placeholder}"'
        if isinstance(spec, ListOf):
            return f"[{self.inline(spec.item)}]"
        raise AssertionError(f"no placeholder for {spec!r}")

    def table_comment(self, spec: Keyed, depth: int) -> list[str]:
        statuses = next((key.value for key in spec.keys if isinstance(key.value, Statuses)), None)
        if statuses is None:
            return []
        table = statuses.table
        doing = "what the application does on receiving each status" if table.kind == "behavior" else \
            "when the application sends each status"
        return [f"{'  ' * depth}# PS3.2 {self.standard.edition} Table {table.table} ({table.role.upper()}, "
                f"{table.dimse}): {doing}."]

    def rows(self, table: TemplateTable, depth: int) -> list[str]:
        pad = "  " * depth
        lines = []
        for row in table.rows:
            comment = f"  # {self.row_comment(table, row)}"
            if table.kind == "behavior":
                lines.append(f'{pad}"{row.codes}": "<behavior on {row.meaning or row.status}>"{comment}')
                continue
            lines += [f'{pad}"{row.codes}":{comment}',
                      f'{pad}  condition: "<when the application sends {row.meaning or row.status}>"']
            if table.has_related_fields:
                lines.append(f"{pad}  related_fields: []  # fields that detail it, such as [ErrorComment]")
        if table.other is not None:
            lines.append(f'{pad}other: "<behavior on any other status code>"  # {table.other.meaning}')
        return lines

    def row_comment(self, table: TemplateTable, row: TemplateRow) -> str:
        comment = row.label
        if row.printed:
            comment += f" (the template prints {row.printed}; PS3.7 assigns {row.codes})"
        span = self.standard.service_range(table, row.codes.first) if row.codes.is_code else None
        if span is not None:
            comment += f"; or, instead, the codes of {span} the application sends"
        return comment

