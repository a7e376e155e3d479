"""``confgen init``: a starting profile with every row of every table the template has, each a placeholder.

The rows come from the standard's data, so a service added there appears here without code. Every
placeholder is a ``<...>`` token, which ``confgen validate`` reports (S208) until it is replaced.
"""

from __future__ import annotations

from confgen.diagnostics import one_line
from confgen.profile import FORMAT_VERSION
from confgen.standard import Standard, TemplateTable, load_standard

# The schema is named by a path relative to the profile, which yaml-language-server resolves next to it:
# confgen has no public URL, and an absolute path would tie the profile to one machine. `confgen init FILE`
# writes the schema there.
SCHEMA_FILE = "confgen.schema.json"

HEADER = """\
# yaml-language-server: $schema={schema}
# A starting confgen profile. Replace every <...> placeholder with what the application really does, delete
# the role (scu or scp) the application does not have, then run: confgen validate {path}
# An SCP row the application never sends is written  "B007": {{sent: false}}  instead of a condition. An SCP row
# may add  comment: "<Error Comment text>", the text it sends with the status; a code sent for several reasons is
# a list of conditions. Quote status codes ("0122", not 0122): YAML reads an unquoted 0122 as a number.
# A warning that is right for this product is acknowledged on its line:  "0110":  # confgen: ignore[D305]
"""


def starter_profile(path: str, edition: str) -> str:
    """The starting profile; ``path`` is where it is written ("-" for standard output), for its first comment."""
    standard = load_standard(edition)
    # The path is shown in a comment: a line break in it would end the comment and start YAML.
    shown = "<this file>" if path == "-" else one_line(path)
    lines = [HEADER.format(schema=SCHEMA_FILE, path=shown).rstrip("\n")]
    lines += [
        f"confgen: {FORMAT_VERSION}",
        f'standard: "{edition}"',
        "document:",
        '  manufacturer: "<manufacturer>"',
        '  product: "<commercial product name>"',
        '  product_version: "<product version>"',
        '  date: "<YYYY-MM-DD>"                   # the document\'s date, ISO 8601',
        '  document_number: "<document number>"  # optional',
        "  revisions:                             # optional revision history",
        '    - revision: "<revision>"',
        '      date: "<YYYY-MM-DD>"',
        '      description: "<what changed>"',
        "services:",
    ]
    for key, service in standard.services.items():
        lines.append(f"  {key}:")
        for role, table in service.roles.items():
            lines += _role_lines(standard, key, role, table)
    return "\n".join(lines) + "\n"


def _role_lines(standard: Standard, service: str, role: str, table: TemplateTable) -> list[str]:
    kind = table.kind
    doing = "what the application does on receiving each status" if kind == "behavior" else \
        "when the application sends each status"
    lines = [
        f"    # PS3.2 {standard.edition} Table {table.table} ({role.upper()}): {doing}.",
        f"    {role}:",
        '      # intro: "<text printed after the template\'s sentence, before the table>"  # optional',
        '      # notes: ["<a note printed under the table>"]                             # optional',
        "      statuses:",
    ]
    for row in table.rows:
        comment = f"  # {row.label}"
        if row.printed:
            comment += f" (the template prints {row.printed}; PS3.7 assigns {row.codes})"
        span = standard.service_range(service, row.codes.first) if row.codes.is_code else None
        if span is not None:
            comment += f"; or, instead, the codes of {span} the application sends"
        if kind == "behavior":
            lines.append(f'        "{row.codes}": "<behavior on {row.meaning}>"{comment}')
        else:
            lines += [
                f'        "{row.codes}":{comment}',
                f'          condition: "<when the application sends {row.meaning}>"',
            ]
            if table.has_related_fields:
                lines.append("          related_fields: []  # fields that detail it, such as [ErrorComment]")
    if table.other is not None:
        lines.append(f'        other: "<behavior on any other status code>"  # {table.other.meaning}')
    return lines
