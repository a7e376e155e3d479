"""Diagnostics for pipelines: --format text|json|github, --strict, and the rule list."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import EXAMPLE, edit, line_of

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
    assert "can be suppressed: Y108, S208, D305, D312, D315, D320." in " ".join(suppressing.split())
