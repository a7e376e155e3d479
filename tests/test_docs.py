"""The README documents what the code does: its commands are what CI runs (after the HTML checkers' install),
and every rule is listed."""

from __future__ import annotations

import re

from conftest import ROOT

from confgen import rules
from confgen.cli import _parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", README)[:2]


def test_ci_installs_the_checkers_then_runs_the_readmes_two_commands_requiring_them() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    setup, tests = readme_commands()
    assert "confgen build" in setup
    assert "pytest" in tests
    # Each is a whole line of .ci/run, verbatim; in this order; and none of them twice.
    install, require = "tests/checkers/install", "export CONFGEN_REQUIRE_CHECKERS=1"
    steps = [line for line in ci if line in {install, setup, require, tests}]
    assert steps == [install, setup, require, tests]


def test_every_rule_is_documented_in_the_readme() -> None:
    from confgen.rules.docs import with_rule_table

    assert with_rule_table(README) == README, "regenerate the rule table: python -m confgen.rules.docs"
    for rule in rules.ALL_RULES:
        assert f"| {rule.id} | {rule.severity.value} | {rule.summary}" in README, rule.id


def test_every_rule_is_in_the_registry() -> None:
    defined = [value for name, value in vars(rules).items() if isinstance(value, rules.Rule)]
    assert sorted(r.id for r in defined) == sorted(r.id for r in rules.ALL_RULES)
    assert len({r.id for r in rules.ALL_RULES}) == len(rules.ALL_RULES)


def test_every_command_is_in_the_readme() -> None:
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in commands:
        assert f"confgen {command}" in README


def test_the_readmes_profile_example_is_the_real_format(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import diagnose

    example = re.search(r"```yaml\n(.+?)```", README, re.DOTALL)
    assert example
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "acme.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    found = diagnose(tmp_path, example.group(1))
    # It shows a few rows of each table, so the rows it leaves out are reported; the rows that A711 and C401 answer
    # (A700, C000) are not among them.
    assert {f.rule for f in found} == {"D308"}
    missing = " ".join(f.message for f in found)
    assert '"Refused: Out of Resources" (A700)' not in missing
    assert '"Error: Cannot understand" (C000)' not in missing
    assert '"Error: Data Set does not match SOP Class" (A901)' in missing
    # 0110 is not a C-STORE status: its D305 is suppressed on its line, as the README shows.
    from confgen.build import check

    (tmp_path / "readme.yaml").write_text(example.group(1), encoding="utf-8")
    assert [(d.rule.id, d.suppressed) for d in check(tmp_path / "readme.yaml").report.suppressed] == [("D305", True)]


def test_the_readmes_sample_diagnostic_is_real_output(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import diagnose, edit

    [found] = diagnose(tmp_path, edit('        "0122": >-', '        "0112": >-'))
    assert f"error D310 {found.message}" in README
