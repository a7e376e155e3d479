"""What an editor user sees, from the real clients: Red Hat's yaml-language-server (VS Code's YAML extension and
many other editors) driven over the Language Server Protocol, and check-jsonschema on the command line.

yaml-language-server is an npm package, pinned in ``tests/checkers/package-lock.json`` and installed by
``tests/checkers/install`` with the HTML checkers; without it these tests skip, unless CONFGEN_REQUIRE_CHECKERS=1
(``.ci/run``), where they fail. check-jsonschema is a Python package of the test extra.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE_TEXT, ROOT, diagnose, edit
from lsp import LanguageServer
from test_html_checkers import NODE_MODULES, require

from confgen import dictionary
from confgen.schema import schema_text
from confgen.standard import load_standard
from confgen.starter import MODELINE, SCHEMA_FILE, starter_profile

SERVER = NODE_MODULES / "yaml-language-server" / "bin" / "yaml-language-server"
EVERY_TABLE = ROOT / "tests" / "cases" / "valid" / "every-table.yaml"
ERROR = 1  # the LSP's DiagnosticSeverity.Error


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanguageServer]:
    node = shutil.which("node")
    require(("node", node is not None),
            ("yaml-language-server in tests/checkers/node_modules", SERVER.is_file()))
    assert node
    with LanguageServer([node, str(SERVER), "--stdio"], tmp_path_factory.mktemp("workspace")) as running:
        yield running


def profile_with_schema(folder: Path, text: str, name: str = "profile.yaml") -> Path:
    """``text`` as a profile whose first line names the schema, written beside it, as `confgen init` does."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    path = folder / name
    path.write_text(f"{MODELINE}\n{text}", encoding="utf-8")
    return path


def position(text: str, needle: str, after: str = "", offset: int = 0) -> tuple[int, int]:
    """The 0-based line and character of ``needle`` (the first after the line holding ``after``), plus ``offset``."""
    lines = text.splitlines()
    start = next(number for number, line in enumerate(lines) if after in line) if after else 0
    for number in range(start, len(lines)):
        if needle in lines[number]:
            return number, lines[number].index(needle) + offset
    raise AssertionError(f"{needle!r} is not in the text after {after!r}")


def errors(server: LanguageServer, uri: str, text: str) -> list[tuple[int, str, str]]:
    """The diagnostics the editor shows: (1-based line, the line's text, the message)."""
    lines = text.splitlines()
    return sorted((d["range"]["start"]["line"] + 1, lines[d["range"]["start"]["line"]].strip(), d["message"])
                  for d in server.diagnostics[uri])


# -- hover -------------------------------------------------------------------------------------------------------


def test_the_hover_of_a_row_is_the_rows_own(server: LanguageServer, tmp_path: Path) -> None:
    path = profile_with_schema(tmp_path, EXAMPLE_TEXT)
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    assert server.diagnostics[uri] == [], "the example is clean"
    # "0000" of the SCP table is always sent (D316): its schema says so, and the hover is still the row's.
    scp_success = server.hover(uri, *position(text, '"0000"', after="    scp:", offset=2))
    assert "Success (PS3.2 2024d Table N.7-43)" in scp_success
    assert "(it is always sent)" in scp_success
    assert "A row of PS3.2 Table" not in scp_success, "the generic text of every row"
    assert scp_success.startswith("#### confgen profile (format 1)\n\n"), "one title, not one per option"
    coercion = server.hover(uri, *position(text, '"B000"', after="    scp:", offset=2))
    assert "Warning: Coercion of Data Elements (PS3.2 2024d Table N.7-43)" in coercion
    assert "Related fields the standard lists: Offending Element (0000,0901), Error Comment (0000,0902)." in coercion
    scu_success = server.hover(uri, *position(text, '"0000"', offset=2))
    assert "Success (PS3.2 2024d Table N.7-42). What the application does on receiving it" in scu_success
    field = server.hover(uri, *position(text, "ErrorComment", after="    scp:", offset=3))
    assert "A command element: its keyword (ErrorComment)" in field
    assert "ActionTypeID" not in field, "the command elements are offered, not listed in every hover"


def test_the_hover_of_a_dimse_key_in_another_case_is_the_tables(server: LanguageServer, tmp_path: Path) -> None:
    text = EVERY_TABLE.read_text(encoding="utf-8").replace("      n-create:", "      N-CREATE:", 1)
    path = profile_with_schema(tmp_path, text)
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    assert server.diagnostics[uri] == []
    hover = server.hover(uri, *position(text, "      N-CREATE:", offset=8))
    assert "The application as SCU of N-CREATE, for PS3.2 2024d Table N.7-12" in hover


# -- completion --------------------------------------------------------------------------------------------------


def test_a_missing_row_is_offered_as_a_quoted_status_key(server: LanguageServer, tmp_path: Path) -> None:
    # The SCU's row 0122 (and its behavior, on the lines below) taken out, and the cursor where it was.
    text = re.sub(r'        "0122": >-\n(?:          .*\n)+', "        \n", EXAMPLE_TEXT)
    assert text != EXAMPLE_TEXT
    path = profile_with_schema(tmp_path, text)
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    line = text.splitlines().index("        ")
    offered = {item["label"]: item for item in server.complete(uri, line, 8)}
    assert list(offered) == ["0122"], "the one template row the table lacks, and nothing it has"
    assert offered["0122"]["insertText"] == '"0122": ', "quoted: unquoted, an editor reads the number 122"
    assert offered["0122"]["documentation"].startswith(
        "Failure: SOP Class not supported (PS3.2 2024d Table N.7-42, which prints 0112; PS3.7 assigns 0122).")


EXPECTED_FIELDS = [element.keyword for element in dictionary.command_elements()]


@pytest.mark.parametrize("form", ["flow", "block"])
def test_the_related_fields_are_offered_inside_related_fields(server: LanguageServer, tmp_path: Path,
                                                                form: str) -> None:
    row = '        "A711":\n          condition: Free space on the image store is below 2 GB; the instance is not ' \
          'stored.\n          related_fields: ["(0000,0902)"]'
    typed = '          related_fields: []' if form == "flow" else '          related_fields:\n            - '
    path = profile_with_schema(tmp_path, edit(row, row.rsplit("\n", 1)[0] + "\n" + typed))
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    line, character = position(text, "related_fields: []", offset=len("related_fields: [")) if form == "flow" \
        else (text.splitlines().index("            - "), len("            - "))
    offered = {item["label"]: item for item in server.complete(uri, line, character)}
    assert list(offered) == [*EXPECTED_FIELDS, *load_standard("2024d").named_fields]
    assert "ErrorComment" in offered
    assert "OffendingElement" in offered
    assert "Identifier" in offered
    assert offered["ErrorComment"]["documentation"] == "Error Comment (0000,0902)"
    assert offered["ErrorComment"]["insertText"] == "ErrorComment"
    assert "CommandLengthToEnd" not in offered, "a retired command element is read, but not offered"


def test_every_offered_field_is_one_the_validator_reads(tmp_path: Path) -> None:
    # What an editor offers must validate: each keyword in the row of a code the standard lists it for, or at
    # least without an error (D312, a field the standard does not list for the code, is a warning).
    for keyword in [*EXPECTED_FIELDS, *load_standard("2024d").named_fields]:
        text = edit('related_fields: ["(0000,0902)"]', f'related_fields: ["{keyword}"]')
        found = [(f.rule, f.severity) for f in diagnose(tmp_path, text)]
        assert all(severity == "warning" for _, severity in found), (keyword, found)


# -- diagnostics -------------------------------------------------------------------------------------------------

BROKEN = [
    ('product_version: "4.2.0"', "product_version: 4.10"),
    ("  document_number: ACME-DCS-0042", "  documnet_number: ACME-DCS-0042"),
    ('        "0122": >-', '        "0112": >-'),
    ('        "0117": Permanent', "        0117: Permanent"),
    ("          sent: false", "          sent: no"),
]


def test_the_diagnostics_of_a_broken_profile(server: LanguageServer, tmp_path: Path) -> None:
    text = EXAMPLE_TEXT
    for old, new in BROKEN:
        text = edit(old, new, text)
    path = profile_with_schema(tmp_path, text)
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    assert all(d["severity"] == ERROR for d in server.diagnostics[uri])
    assert errors(server, uri, text) == sorted([
        (position(text, "product_version")[0] + 1, "product_version: 4.10", 'Incorrect type. Expected "string".'),
        (position(text, "documnet_number")[0] + 1, "documnet_number: ACME-DCS-0042",
         "Property documnet_number is not allowed."),
        (position(text, '"0112"')[0] + 1, '"0112": >-',
         '0112 is the PS3.2 2024d template\'s misprint in Table N.7-42 for "SOP Class not supported": PS3.7 assigns '
         '0122; key the row "0122".'),
        # YAML 1.2, which the editor reads, makes an unquoted 0117 the number 117 and "no" text.
        (position(text, "0117:")[0] + 1, "0117: Permanent failure. The send job is marked failed, the user is "
                                         "alerted and the status is logged.", "Property 117 is not allowed."),
        (position(text, "sent: no")[0] + 1, "sent: no", 'Incorrect type. Expected "boolean".'),
        (position(text, "sent: no")[0], '"B007":', 'Missing property "condition".'),
    ])


def test_where_the_editor_reads_yaml_1_2_otherwise_confgen_warns(server: LanguageServer, tmp_path: Path) -> None:
    # The two lines the editor refuses only because it reads YAML 1.2 are the two confgen warns about (Y108); the
    # others are errors of both.
    text = EXAMPLE_TEXT
    for old, new in BROKEN:
        text = edit(old, new, text)
    found = {(f.rule, f.line) for f in diagnose(tmp_path, text)}
    y108 = sorted(line for rule, line in found if rule == "Y108")
    assert y108 == [position(text, "0117:")[0] + 1, position(text, "sent: no")[0] + 1]
    assert ("S203", position(text, "product_version")[0] + 1) in found
    assert ("S201", position(text, "documnet_number")[0] + 1) in found
    assert ("D310", position(text, '"0112"')[0] + 1) in found


# -- confgen init --------------------------------------------------------------------------------------------------


def test_a_started_profile_opens_with_its_schema(server: LanguageServer, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "started" / "device.yaml"
    assert cli("init", str(path)).code == 0
    text = path.read_text(encoding="utf-8")
    uri = server.open(path)
    # The schema is found beside the profile: the only findings are the dates still to be written (as confgen
    # validate says, S206).
    date = "A date is written YYYY-MM-DD (ISO 8601), such as 2026-11-20."
    assert [(line, message) for line, _, message in errors(server, uri, text)] == [
        (position(text, '  date: "<YYYY-MM-DD>"')[0] + 1, date),
        (position(text, '      date: "<YYYY-MM-DD>"')[0] + 1, date),
    ]


def test_a_printed_profile_names_no_schema_it_does_not_have(server: LanguageServer, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("init", "-")
    assert run.code == 0
    path = tmp_path / "printed.yaml"
    path.write_text(run.out, encoding="utf-8")
    uri = server.open(path)
    assert server.diagnostics[uri] == [], "no modeline, so no schema the editor cannot find"
    assert "# yaml-language-server" not in run.out.splitlines()[0]
    assert f"make this the first line:  {MODELINE}" in run.out
    # And the line it suggests works: with it and the schema beside it, the schema's findings appear.
    path = profile_with_schema(tmp_path, run.out, "with-the-line.yaml")
    uri = server.open(path)
    assert {message for _, _, message in errors(server, uri, path.read_text(encoding="utf-8"))} == \
        {"A date is written YYYY-MM-DD (ISO 8601), such as 2026-11-20."}


def test_starting_profiles_say_the_same_with_and_without_a_modeline() -> None:
    printed, written = starter_profile("-", "2024d"), starter_profile("device.yaml", "2024d")
    assert written.startswith(MODELINE + "\n")
    assert not printed.startswith("# yaml-language-server")
    assert written.split("\nconfgen: 1\n")[1] == printed.split("\nconfgen: 1\n")[1]


# -- check-jsonschema ----------------------------------------------------------------------------------------------


def check_jsonschema(schema: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), "--output-format",
                           "json", str(profile)], capture_output=True, text=True, check=False, timeout=120)


def test_check_jsonschema_prints_each_error_once(tmp_path: Path) -> None:
    # Errors under every kind of key a table has: a template row, a row beyond the template's, a template range,
    # "other" in another case, a row keyed in another case, and a DIMSE key in another case.
    text = EVERY_TABLE.read_text(encoding="utf-8")
    for old, new in [
        ('        "0000": "Real text 12"', '        "0000": 42'),
        ('          condition: "Real text 23"', "          condition: 43"),
        ('        "C000-CFFF": "Real text 16"', '        "c000-cfff": ""'),
        ('        other: "Real text 20"', "        OTHER: [x]"),
        ('        "A900": "Real text 15"', '        "A900": "Real text 15"\n        "A7A0": {}'),
        ('          condition: "Real text 24"', '          condition: "Real text 24"\n          bogus: 1'),
        ("      n-create:", "      N-CREATE:"),
    ]:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    assert text.count('          "0000": "Real text 32"') == 1
    text = text.replace('          "0000": "Real text 32"', '          "0000": false')
    profile = tmp_path / "broken.yaml"
    profile.write_text(text, encoding="utf-8")
    schema = tmp_path / SCHEMA_FILE
    schema.write_text(schema_text(), encoding="utf-8")
    done = check_jsonschema(schema, profile)
    assert done.returncode == 1, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["errors"]
    paths = [error["path"] for error in found]
    assert len(paths) == len(set(paths)), f"an error printed twice: {paths}"
    worklist = "$.services.worklist"
    assert sorted(paths) == sorted([
        f"{worklist}.scu.statuses['0000']",
        f"{worklist}.scp.statuses['0000'].condition",
        f"{worklist}.scu.statuses['c000-cfff']",
        f"{worklist}.scu.statuses.OTHER",
        f"{worklist}.scu.statuses.A7A0",
        f"{worklist}.scp.statuses.A700",
        "$.services.mpps.scu['N-CREATE'].statuses['0000']",
    ]), found
    # And the example, as it is, passes.
    example = tmp_path / "example.yaml"
    example.write_text(EXAMPLE_TEXT, encoding="utf-8")
    assert check_jsonschema(schema, example).returncode == 0
