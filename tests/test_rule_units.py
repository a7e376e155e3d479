"""Each rule as a unit: its examples, run in a whole profile, do what the rule says; `confgen rules --explain`
prints them; the corpus of profiles in tests/cases gives exactly the findings each file expects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, diagnose

from confgen.build import check
from confgen.rules import ALL_RULES, BY_ID
from confgen.rules.examples import in_context, profile_with

# Rules about the file itself (its bytes, its name), or the build, that no piece of a profile can show: tests of
# their own cover them.
WITHOUT_EXAMPLES = {"F101", "F102", "F103", "F104", "Y101", "Y106", "S220", "S221", "R401", "R402", "R403",
                    # What confgen probe observes of a running application (tests/test_probe_*.py).
                    *(rule.id for rule in ALL_RULES if rule.id.startswith("V"))}


def test_every_rule_has_an_example_of_what_it_reports() -> None:
    assert {rule.id for rule in ALL_RULES if rule.failing is None} == WITHOUT_EXAMPLES
    assert [rule.id for rule in ALL_RULES if not rule.explanation] == [], "--explain says why each rule exists"


def _in_profiles(example: str) -> list[str]:
    """The rules whose ``example`` ("failing" or "passing") is a piece of a profile."""
    return [rule.id for rule in ALL_RULES if getattr(rule, example) and getattr(rule, example).where != "pyproject"]


def _in_pyproject(example: str) -> list[str]:
    return [rule.id for rule in ALL_RULES if getattr(rule, example) and getattr(rule, example).where == "pyproject"]


@pytest.mark.parametrize("rule_id", _in_profiles("failing"))
def test_the_failing_example_is_reported(tmp_path: Path, rule_id: str) -> None:
    rule = BY_ID[rule_id]
    assert rule.failing is not None
    found = diagnose(tmp_path, profile_with(rule.failing))
    assert rule_id in {f.rule for f in found}, found


@pytest.mark.parametrize("rule_id", _in_profiles("passing"))
def test_the_passing_example_is_clean(tmp_path: Path, rule_id: str) -> None:
    rule = BY_ID[rule_id]
    assert rule.passing is not None
    assert diagnose(tmp_path, profile_with(rule.passing)) == []


@pytest.mark.parametrize(("rule_id", "example"), [(r, "failing") for r in _in_pyproject("failing")] +
                         [(r, "passing") for r in _in_pyproject("passing")])
def test_a_configuration_example_is_what_it_says(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                 rule_id: str, example: str) -> None:
    # The rules of the configuration file show a piece of pyproject.toml: `confgen validate` is run beside it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(getattr(BY_ID[rule_id], example).text + "\n", encoding="utf-8")
    run = cli("validate", "--format", "json", str(ROOT / "profiles" / "acme-ct.yaml"))
    found = [item["rule"] for item in json.loads(run.out) if not item.get("suppressed")]
    if example == "failing":
        assert rule_id in found, run.out
    else:
        assert (run.code, found) == (0, []), run.out


def test_the_base_profile_of_the_examples_is_clean(tmp_path: Path) -> None:
    from confgen.diagnostics import Example

    assert diagnose(tmp_path, profile_with(Example("top", "# nothing more"))) == []


def test_explain_prints_the_rule_with_its_examples_in_context(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules", "--explain", "d305")
    assert run.code == 0
    rule = BY_ID["D305"]
    assert run.out.startswith("D305  warning  (suppressible)\n\n" + rule.summary + "\n")
    assert rule.explanation in run.out
    assert rule.failing is not None
    assert rule.passing is not None
    reported, accepted = run.out.split("Reported:")[1].split("Accepted:")
    assert "    services:\n      storage:\n        scp:\n          statuses:\n            \"0110\":" in reported
    assert in_context(rule.passing).splitlines()[-1] in accepted


def test_explain_of_an_unknown_rule_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("rules", "--explain", "X999")
    assert run.code == 2
    assert "X999 is not a rule of confgen" in run.err


# -- the corpus ---------------------------------------------------------------------------------------------------

CASES = ROOT / "tests" / "cases"
EXPECT = re.compile(r"^# expect: (.*)$", re.MULTILINE)


def expected(path: Path) -> set[tuple[str, int]]:
    """The findings an invalid case names in its "# expect: RULE@line ..." lines."""
    found = set()
    for line in EXPECT.findall(path.read_text(encoding="utf-8")):
        for item in line.split():
            rule, _, at = item.partition("@")
            found.add((rule, int(at)))
    return found


@pytest.mark.parametrize("case", sorted(p.name for p in (CASES / "valid").glob("*.yaml")))
def test_a_valid_case_has_no_finding(case: str) -> None:
    report = check(CASES / "valid" / case).report
    assert [d.format() for d in report.diagnostics] == []


@pytest.mark.parametrize("case", sorted(p.name for p in (CASES / "invalid").glob("*.yaml")))
def test_an_invalid_case_has_exactly_its_findings(case: str) -> None:
    path = CASES / "invalid" / case
    wanted = expected(path)
    assert wanted, f"{case} names no finding in a '# expect: RULE@line' line"
    report = check(path).report
    assert {(d.rule.id, d.line) for d in report.diagnostics} == wanted, [d.format() for d in report.diagnostics]


def test_the_corpus_covers_every_table_of_the_standard() -> None:
    from confgen.standard import load_standard

    text = "\n".join(path.read_text(encoding="utf-8") for path in (CASES / "valid").glob("*.yaml"))
    for table in load_standard("2024d").tables():
        assert f"Table {table.table}" in text, f"no valid case declares Table {table.table}"
