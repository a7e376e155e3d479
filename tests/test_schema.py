"""The JSON Schema: valid Draft 2020-12, shipped as generated, and never stricter than ``confgen validate``."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import EXAMPLE_TEXT, diagnose, edit

from confgen import resources
from confgen.schema import profile_schema, schema_text
from confgen.standard import available_editions, load_standard
from confgen.starter import starter_profile

SCHEMA = profile_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class ConfgenReading(yaml.SafeLoader):
    """YAML read as confgen's validator reads it, so that the schema is shown what the validator checks.

    The validator takes YAML 1.1's types for values (``4.10`` is a number, ``sent: no`` is false), but keys and
    dates as the characters typed (source.py keeps the nodes): an unquoted 0122 key stays "0122", not YAML
    1.1's octal 82, and an unquoted 2026-11-20 stays text, not a datetime.date that JSON has no type for. Plain
    ``yaml.safe_load`` would show the schema neither. Editors (yaml-language-server) read YAML 1.2, which gives
    the same JSON for quoted keys, dates and true/false, the forms the README and ``confgen init`` use.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else self.construct_object(key_node, True)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


ConfgenReading.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


def read(text: str) -> Any:
    return yaml.load(text, Loader=ConfgenReading)  # a SafeLoader: no tag builds an object


def schema_accepts(text: str) -> bool:
    try:
        data = read(text)
    except (yaml.YAMLError, TypeError):  # not YAML data (a tag, an unhashable key): nothing for a schema to accept
        return False
    return VALIDATOR.is_valid(data)


def validator_accepts(tmp_path: Path, text: str) -> bool:
    return all(found.severity != "error" for found in diagnose(tmp_path, text))


# -- the schema itself ---------------------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"].startswith("urn:confgen:")
    assert SCHEMA["title"]


def test_shipped_schema_is_what_the_data_gives() -> None:
    shipped = resources.schema_path()
    assert shipped.parent.name == "confgen", "inside the package, so that the wheel carries it"
    assert shipped.read_text(encoding="utf-8") == schema_text(), \
        "regenerate it: confgen schema > confgen/profile.schema.json"


def test_confgen_schema_prints_it(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("schema")
    assert (run.code, run.out, run.err) == (0, schema_text(), "")
    assert run.out.startswith('{\n  "$schema": ')
    assert run.out.endswith("}\n")
    assert json.loads(run.out) == SCHEMA


def test_schema_imports_no_rendering_library() -> None:
    code = ("import sys; from confgen.cli import main; main(['schema']); "
            "sys.exit(1 if {'weasyprint', 'jinja2'} & set(sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0


def subschemas(schema: Any, where: str = "#", keyword: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every subschema: where it is, the keyword it is under ("properties", "then"...), and the subschema."""
    yield where, keyword, schema
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs"):
            for name, sub in value.items():
                yield from subschemas(sub, f"{where}/{key}/{name}", key)
        elif key in ("items", "if", "then", "else", "not", "propertyNames"):
            yield from subschemas(value, f"{where}/{key}", key)
        elif key in ("anyOf", "allOf"):
            for index, sub in enumerate(value):
                yield from subschemas(sub, f"{where}/{key}/{index}", key)


def test_every_key_and_definition_is_described() -> None:
    # A condition's parts (if, then) restate keys that are described where they are defined.
    conditional = ("/if", "/then", "/else")
    undescribed = [where for where, keyword, schema in subschemas(SCHEMA)
                   if keyword in ("properties", "patternProperties", "$defs") and isinstance(schema, dict)
                   and "description" not in schema and not any(part in where for part in conditional)]
    assert undescribed == []
    assert SCHEMA["description"]


def test_objects_the_validator_closes_are_closed() -> None:
    # A table of communication failures takes failures beyond the template's: its other keys have a schema.
    open_objects = [where for where, _, schema in subschemas(SCHEMA)
                    if isinstance(schema, dict) and schema.get("type") == "object" and "properties" in schema
                    and schema.get("additionalProperties") is not False
                    and not isinstance(schema.get("additionalProperties"), dict)]
    assert open_objects == []


def test_closed_sets_come_from_the_standards_data() -> None:
    assert SCHEMA["properties"]["standard"]["anyOf"][0]["enum"] == list(available_editions())
    assert SCHEMA["properties"]["confgen"]["enum"] == [1]
    for edition in available_editions():
        standard = load_standard(edition)
        services = SCHEMA["$defs"][f"services-{edition}"]["properties"]
        assert list(services) == list(standard.services)
        for key, service in standard.services.items():
            roles = services[key]["properties"]
            assert list(roles) == list(service.roles)
            for table in service.tables:
                declared = roles[table.role]["properties"]
                if service.by_dimse:
                    declared = declared[table.dimse_key]["properties"]
                statuses = declared["statuses"]
                rows = [str(row.codes) for row in table.rows] + (["other"] if table.other else [])
                assert list(statuses["properties"]) == rows
                for row in table.rows:
                    assert f"Table {table.table}" in statuses["properties"][str(row.codes)]["description"]
        failures = SCHEMA["$defs"][f"communication_failures-{edition}"]["properties"]
        assert {key: list(table["properties"]) for key, table in failures.items()} == \
            {key: list(table.failures) for key, table in standard.communication_failures.items()}


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js, to run the patterns as editors do")
def test_patterns_are_javascript_regular_expressions_that_strip_as_python_does() -> None:
    # JSON Schema patterns are ECMA-262; editors compile them in unicode mode, which refuses some escapes Python
    # takes ("\\-"). And what Python's str.strip() removes (the validator strips keys and text), they match too.
    patterns = sorted({schema["pattern"] for _, _, schema in subschemas(SCHEMA)
                       if isinstance(schema, dict) and "pattern" in schema})
    key = SCHEMA["$defs"]["services-2024d"]["properties"]["storage"]["properties"]["scu"]["properties"][
        "statuses"]["patternProperties"]
    [code] = [pattern for pattern in key if "{4}" in pattern]
    spaced = [f"{space}0117{space}" for space in map(chr, range(sys.maxunicode + 1)) if space.isspace()]
    script = ("const [patterns, code, keys] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "patterns.forEach(p => new RegExp(p, 'u'));"
              "console.log(JSON.stringify(keys.filter(k => !new RegExp(code, 'u').test(k))));")
    result = subprocess.run(["node", "-e", script], input=json.dumps([patterns, code, spaced]),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert all(re.search(code, key) for key in spaced)


# -- the schema agrees with the validator --------------------------------------------------------------------------


def test_example_and_starting_profiles_are_accepted() -> None:
    assert schema_accepts(EXAMPLE_TEXT)
    assert schema_accepts(resources.example_profile().read_text(encoding="utf-8"))
    for edition in available_editions():
        starter = starter_profile("profile.yaml", edition)
        assert starter.startswith("# yaml-language-server: $schema=confgen.schema.json\n")
        # Placeholders are text, which the schema accepts (confgen validate reports them, S208), except where a
        # date is due: there the schema flags "<YYYY-MM-DD>" as the validator does (S206 and S208).
        errors = {tuple(error.absolute_path) for error in VALIDATOR.iter_errors(read(starter))}
        assert errors == {("document", "date"), ("document", "revisions", 0, "date")}
        assert schema_accepts(starter.replace("<YYYY-MM-DD>", "2026-01-31"))


# Profiles the validator accepts, written in each of the ways it allows: the schema must accept them all.
ACCEPTED = {
    "standard with spaces": ('standard: "2024d"', 'standard: " 2024d "'),
    "lower-case codes": ('        "B000": Treated', '        "b000": Treated'),
    "code with spaces": ('        "0117": Permanent', '        " 0117 ": Permanent'),
    "code with an ideographic space": ('        "0117": Permanent', '        "\\u30000117": Permanent'),
    "unquoted code": ('        "0117": Permanent', "        0117: Permanent"),
    "lower-case range": ('        "A700-A7FF": >-', '        "a700-a7ff": >-'),
    "OTHER": ("        other: >-", "        OTHER: >-"),
    "unquoted date": ('  date: "2026-11-20"\n  document', "  date: 2026-11-20\n  document"),
    "date with spaces": ('  date: "2026-11-20"\n  document', '  date: " 2026-11-20 "\n  document'),
    "sent: no": ("          sent: false", "          sent: no"),
    "not sent with no fields": ("          sent: false\n", "          sent: false\n          related_fields: []\n"),
    "not sent, template meaning": ("          sent: false\n", "          sent: false\n          further_meaning: "
                                                              "Data Set does not match SOP Class\n"),
    "sent: true": ('        "A700":\n', '        "A700":\n          sent: true\n'),
    "field with spaces": ("related_fields: [ErrorComment]\n        \"A711\"",
                          "related_fields: [\" ErrorComment \"]\n        \"A711\""),
    "tag with spaces": ('related_fields: ["(0000,0902)"]', 'related_fields: ["( 0000 , 0902 )"]'),
    "behavior mapping": ('        "B000": Treated as success. The warning and any Error Comment are written to the '
                         "service log.",
                         '        "B000":\n          behavior: Treated as success.\n'
                         "          further_meaning: Coercion of Data Elements"),
    "additional SCU code": ("        other: >-", '        "a7a0": Logged.\n        other: >-'),
    "additional SCP code": ('        "A711":', '        "a712":\n          condition: Quota reached.\n        "A711":'),
    "explicit tags": ("  product: Acme CT", "  product: !!str Acme CT"),
    "format version tagged": ("confgen: 1", 'confgen: !!int "1"'),
    "paper letter": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  paper: letter\n  document'),
    "paper in any case": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  paper: " a4 "\n  document'),
    "decimal codes": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  decimal_codes: yes\n  document'),
    "flow mapping": ('        "A700":\n          condition: The instance could not be written because the local '
                     "database is unavailable.\n          related_fields: [ErrorComment]",
                     '        "A700": {condition: "Database unavailable.", related_fields: [ErrorComment]}'),
    "intro and notes": ("    scp:\n      statuses:\n", "    scp:\n      intro: |\n        One.\n\n        Two.\n"
                                                     "      notes: [A note., Another note.]\n      statuses:\n"),
    "comment": ('related_fields: ["(0000,0902)"]', 'related_fields: ["(0000,0902)"]\n          comment: Disk full'),
    "several conditions": ('        "A711":\n          condition: Free space on the image store is below 2 GB; the '
                           'instance is not stored.\n          related_fields: ["(0000,0902)"]',
                           '        "A711":\n          - condition: Below 2 GB.\n            comment: Disk full\n'
                           "          - condition: Quota reached.\n            related_fields: [ErrorComment]\n"
                           "            further_meaning: Quota\n            sent: true"),
    "unsent as rows": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  unsent_statuses: " Rows "\n'
                                                            "  document"),
    "a code of its range answers A700": ("        \"A700\":\n          condition: The instance could not be written "
                                         "because the local database is unavailable.\n          related_fields: "
                                         "[ErrorComment]\n", ""),
}



@pytest.mark.parametrize("name", ACCEPTED)
def test_what_the_validator_accepts_the_schema_accepts(tmp_path: Path, name: str) -> None:
    text = edit(*ACCEPTED[name])
    assert validator_accepts(tmp_path, text), diagnose(tmp_path, text)
    assert schema_accepts(text), [error.message for error in VALIDATOR.iter_errors(read(text))]


@pytest.mark.parametrize("text", [
    EXAMPLE_TEXT[:EXAMPLE_TEXT.index("    scp:")],  # one role
    re.sub(r"  revisions:\n(?:    .*\n)+", "  revisions: []\n", EXAMPLE_TEXT),
    re.sub(r"  document_number: .*\n  revisions:\n(?:    .*\n)+", "", EXAMPLE_TEXT),
])
def test_what_may_be_left_out_may_be_left_out(tmp_path: Path, text: str) -> None:
    assert text != EXAMPLE_TEXT
    assert validator_accepts(tmp_path, text)
    assert schema_accepts(text)


# Broken profiles the schema catches, each as a text edit of the example (many are test_rules.py's edits).
CAUGHT = {
    "unknown top key": ("confgen: 1\n", "confgen: 1\nextra: 1\n"),
    "misspelt key": ("  document_number: ACME-DCS-0042", "  documnet_number: ACME-DCS-0042"),
    "unknown service": ("services:\n", "services:\n  worklist: {}\n"),
    "unknown role": ("    scp:\n", "    scx:\n"),
    "missing manufacturer": ("  manufacturer: Acme Medical Imaging\n", ""),
    "missing confgen": ("confgen: 1\n", ""),
    "missing standard": ('standard: "2024d"\n', ""),
    "missing statuses": ("    scu:\n      statuses:\n", "    scu:\n      status:\n"),
    "SCP row without condition": ("          condition: The data set cannot be parsed (truncated or malformed "
                                  "encoding).\n", ""),
    "version as number": ('product_version: "4.2.0"', "product_version: 4.10"),
    "SCP row as text": ('        "B007":\n          sent: false', '        "B007": never sent'),
    "format version 2": ("confgen: 1", "confgen: 2"),
    "format version as text": ("confgen: 1", 'confgen: "1"'),
    "unknown edition": ('standard: "2024d"', 'standard: "2019a"'),
    "edition as number": ('standard: "2024d"', "standard: 2024"),
    "compact date": ('  date: "2026-11-20"\n  document', '  date: "20261120"\n  document'),
    "date and time": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20T10:00:00"\n  document'),
    "empty text": ('        "0117": Permanent failure. The send job is marked failed, the user is alerted and the '
                   "status is logged.", '        "0117": ""'),
    "blank text": ("  product: Acme CT", '  product: "   "'),
    "null text": ("  product: Acme CT", "  product:"),
    "services empty": ("services:\n", "services: {}\nunused:\n"),
    "service without roles": ("  storage:\n", "  storage: {}\n  unused:\n"),
    "five digits": ('        "A711":', '        "12345":'),
    "not hex": ('        "A711":', '        "G000":'),
    "0x code": ('        "A711":', '        "0x0122":'),
    "xx code": ('        "A711":', '        "A7xx":'),
    "ligature code": ('        "A711":', '        "A7\\ufb00":'),
    "range not in template": ("        other: >-", '        "A000-AFFF": x\n        other: >-'),
    "SCP range": ('        "A711":', '        "A710-A71F":'),
    "other in SCP": ('        "A711":', "        other:\n          condition: x\n        \"A711\":"),
    "misprint 0112": ('        "0122": >-', '        "0112": >-'),
    "misprint 0214": ('        "0124": >-', '        "0214": >-'),
    "not sent with a condition": ("          sent: false\n", "          sent: false\n          condition: x\n"),
    "not sent with fields": ("          sent: false\n", "          sent: false\n          related_fields: [ErrorID]\n"),
    "Success not sent": ("          condition: The instance was written to the image store and is listed in the "
                         "local study browser.\n", "          sent: false\n"),
    "sent as text": ("          sent: false", '          sent: "false"'),
    "condition on SCU row": ('        "B000": Treated as success.', '        "B000":\n          condition: x\n'
                                                                     "          behavior: Treated as success."),
    "sent on SCU row": ('        "B007": Treated as success.', '        "B007":\n          sent: false\n'
                                                                 "          behavior: Treated as success."),
    "behavior on SCP row": ("          condition: The data set cannot", "          behavior: The data set cannot"),
    "SCU mapping without behavior": ('        "B000": Treated as success. The warning and any Error Comment are '
                                     "written to the service log.",
                                     '        "B000":\n          further_meaning: Coercion of Data Elements'),
    "fields as text": ('related_fields: ["(0000,0902)"]', "related_fields: ErrorComment"),
    "field as number": ('related_fields: ["(0000,0902)"]', "related_fields: [902]"),
    "field twice": ("related_fields: [ErrorComment]\n        \"A711\"",
                    "related_fields: [ErrorComment, ErrorComment]\n        \"A711\""),
    "revisions as mapping": ('  revisions:\n    - revision: "A"', '  revisions:\n    first:\n      revision: "A"'),
    "revision without date": ('      date: "2025-03-01"\n', ""),
    "revision label as number": ('    - revision: "A"', "    - revision: 1.0"),
    "document as list": ("document:\n", "document:\n  - x\nunused:\n"),
    "statuses as list": ("    scu:\n      statuses:\n", "    scu:\n      statuses: []\n      unused:\n"),
    "a number key": ('        "A711":', "        1.5:"),
    "paper unknown": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  paper: A3\n  document'),
    "decimal codes as text": ('  date: "2026-11-20"\n  document',
                              '  date: "2026-11-20"\n  decimal_codes: "true"\n  document'),
    "logo as list": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  logo: [a.png]\n  document'),
    "notes empty": ("    scp:\n      statuses:\n", "    scp:\n      notes: []\n      statuses:\n"),
    "notes as text": ("    scp:\n      statuses:\n", "    scp:\n      notes: A note.\n      statuses:\n"),
    "intro as list": ("    scp:\n      statuses:\n", "    scp:\n      intro: [a]\n      statuses:\n"),
    "intro empty": ("    scp:\n      statuses:\n", '    scp:\n      intro: ""\n      statuses:\n'),
    "no conditions": ('        "A711":\n          condition: Free space on the image store is below 2 GB; the '
                      'instance is not stored.\n          related_fields: ["(0000,0902)"]', '        "A711": []'),
    "not sent in a list": ("          sent: false\n", "          - sent: false\n"),
    "list item without condition": ('        "A711":\n          condition: Free space on the image store is below 2 '
                                    'GB; the instance is not stored.\n          related_fields: ["(0000,0902)"]',
                                    '        "A711":\n          - comment: Disk full'),
    "comment on SCU row": ('        "B000": Treated as success. The warning and any Error Comment are written to the '
                           "service log.", '        "B000":\n          behavior: Treated as success.\n'
                                           "          comment: Disk full"),
    "comment as number": ('related_fields: ["(0000,0902)"]', 'related_fields: ["(0000,0902)"]\n          comment: 42'),
    "not sent with a comment": ("          sent: false\n", "          sent: false\n          comment: x\n"),
    "unsent statuses unknown": ('  date: "2026-11-20"\n  document', '  date: "2026-11-20"\n  unsent_statuses: hidden\n'
                                                                     "  document"),
}


@pytest.mark.parametrize("name", CAUGHT)
def test_the_schema_catches(tmp_path: Path, name: str) -> None:
    text = edit(*CAUGHT[name])
    assert not schema_accepts(text)
    assert not validator_accepts(tmp_path, text)


# What only the validator can see: the schema accepts these, which is looser, never stricter.
SCHEMA_CANNOT_SEE = {
    "leftover": ("  product: Acme CT", "  product: TODO"),
    "placeholder": ("  product: Acme CT", '  product: "<product>"'),
    "not a real date": ('  date: "2026-11-20"\n  document', '  date: "2026-02-30"\n  document'),
    "missing template row": ('        "0212": Permanent failure. The send job is marked failed, the user is alerted '
                             "and the status is logged.\n", ""),
    "missing other row": ("        other: >-\n          Treated as a permanent failure: the send job is marked "
                          "failed, the user is alerted and the status code\n          is logged.\n", ""),
    "code in no class": ("        other: >-", '        "D000": x\n        other: >-'),
    "code without meaning": ('        "A711":', '        "A800":\n          condition: x\n        "A711":'),
    "data element as field": ("related_fields: [ErrorComment]\n        \"A711\"",
                              "related_fields: [PatientName]\n        \"A711\""),
    "not sent on an additional code": ('        "A711":', '        "A712":\n          sent: false\n        "A711":'),
    "same code spelt twice": ("        other: >-", '        "A7A0": x\n        "a7a0": y\n        other: >-'),
    "duplicate key": ("  product: Acme CT\n", "  product: Acme CT\n  product: Acme MR\n"),
    "two further meanings": ('        "A711":\n          condition: Free space on the image store is below 2 GB; the '
                             'instance is not stored.\n          related_fields: ["(0000,0902)"]',
                             '        "A711":\n          - condition: a\n            further_meaning: One\n'
                             "          - condition: b\n            further_meaning: Two"),
    "ignore of an error rule": ('        "A711":', '        "A711":  # confgen: ignore[D310]'),
    "ignore of an unknown rule": ('        "A711":', '        "A711":  # confgen: ignore[Q999]'),
}


@pytest.mark.parametrize("name", SCHEMA_CANNOT_SEE)
def test_what_only_the_validator_sees(tmp_path: Path, name: str) -> None:
    text = edit(*SCHEMA_CANNOT_SEE[name])
    assert not validator_accepts(tmp_path, text)
    assert schema_accepts(text), "if the schema now catches this, move it to CAUGHT"


# -- a systematic corpus: every key of the example deleted, retyped, or joined by an unknown key -------------------

REPLACEMENTS: tuple[Any, ...] = (None, 42, True, "", [], {}, ["x"], {"x": "y"})


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in children:
        yield (*path, key)
        yield from _paths(value, (*path, key))


def _mutants() -> Iterator[tuple[str, Any]]:
    example = read(EXAMPLE_TEXT)
    for path in _paths(example):
        for replacement in (*REPLACEMENTS, "delete"):
            mutant = copy.deepcopy(example)
            parent = mutant
            for key in path[:-1]:
                parent = parent[key]
            if replacement == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(replacement)
            yield f"{'.'.join(map(str, path))} -> {replacement!r}", mutant
        mutant = copy.deepcopy(example)
        target = mutant
        for key in path:
            target = target[key]
        if isinstance(target, dict):
            target["bogus"] = "x"
            yield f"{'.'.join(map(str, path))} + bogus", mutant


def test_systematic_corpus_schema_never_stricter_than_the_validator(tmp_path: Path) -> None:
    assert validator_accepts(tmp_path, yaml.safe_dump(read(EXAMPLE_TEXT), sort_keys=False)), \
        "the example, written back by PyYAML, is still valid: the mutants differ from it only by their mutation"
    stricter, caught, rejected = [], 0, 0
    mutants = list(_mutants())
    for name, data in mutants:
        schema_ok = VALIDATOR.is_valid(data)
        validator_ok = validator_accepts(tmp_path, yaml.safe_dump(data, sort_keys=False))
        if not schema_ok and validator_ok:
            stricter.append(name)
        rejected += not validator_ok
        caught += not validator_ok and not schema_ok
    assert stricter == [], "the schema rejects what confgen validate accepts"
    assert len(mutants) > 400
    # The rest are mostly missing template rows, which only the validator checks.
    assert caught / rejected > 0.8, (caught, rejected)
