"""The configuration file: [tool.confgen] in pyproject.toml, or confgen.toml, found from the working folder upward;
its settings are defaults that the command line overrides; every problem in it is a diagnostic at its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_TEXT, edit, line_of

WARNED = edit('          related_fields: ["(0000,0902)"]', "          related_fields: [ErrorID]")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a profile that has one warning (D312), worked in from a folder below it."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "device.yaml").write_text(WARNED, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "profiles")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_are_found_upward_and_the_command_line_wins(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.confgen]\nstrict = true\nformat = "json"\n')
    run = cli("validate", "device.yaml")
    assert run.code == 1, "strict = true: the warning fails"
    assert [d["rule"] for d in json.loads(run.out)] == ["D312"]
    overridden = cli("validate", "--no-strict", "--format", "text", "device.yaml")
    assert overridden.code == 0
    assert overridden.out.startswith("device.yaml:")


def test_confgen_toml_comes_before_pyproject_and_a_pyproject_without_the_table_is_passed_over(  # type: ignore[no-untyped-def]
        project: Path, cli) -> None:
    write(project / "pyproject.toml", "[tool.confgen]\nstrict = true\n")
    write(project / "profiles" / "pyproject.toml", '[project]\nname = "profiles"\n')
    assert cli("validate", "device.yaml").code == 1, "the pyproject.toml above configures confgen"
    write(project / "confgen.toml", "strict = false\n")
    assert cli("validate", "device.yaml").code == 0, "confgen.toml first in its folder"


def test_build_settings_are_relative_to_the_configuration_file(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (project / "brand").mkdir()
    write(project / "brand" / "statement.css", "p { color: #000; }\n")
    write(project / "pyproject.toml", '[tool.confgen]\noutput = "site"\ntemplates = "brand"\njobs = 1\n'
                                      'pdf-variant = "pdf/ua-1"\n')
    write(project / "profiles" / "device.yaml", EXAMPLE_TEXT)
    run = cli("build", "device.yaml", "--to", "html")
    assert run.code == 0, run.out + run.err
    assert f"wrote {Path('..') / 'site' / 'device.html'}" in run.err
    assert "p { color: #000; }" in (project / "site" / "device.html").read_text(encoding="utf-8")
    assert cli("build", "device.yaml", "--to", "html", "-o", "here").code == 0
    assert (project / "profiles" / "here" / "device.html").is_file(), "-o wins"


def test_a_rule_ignored_project_wide_is_suppressed_as_an_ignore_comment_is(project: Path, cli) -> None:  # type: ignore[no-untyped-def]
    text = write(project / "pyproject.toml", '[tool.confgen]\nignore = [\n  "d312",  # a reason\n]\n').read_text()
    run = cli("validate", "--strict", "device.yaml")
    assert (run.code, run.out) == (0, "")
    assert run.err.strip() == "1 profile checked: 0 errors, 0 warnings, 1 suppressed"
    [listed] = json.loads(cli("validate", "--format", "json", "device.yaml").out)
    assert (listed["rule"], listed["suppressed"]) == ("D312", True)
    from test_reporting import assert_valid_sarif

    [result] = assert_valid_sarif(cli("validate", "--format", "sarif", "device.yaml").out)["runs"][0]["results"]
    where = f"{Path('..') / 'pyproject.toml'}:{line_of(text, 'd312')}:3"
    assert result["suppressions"] == [{"kind": "external", "justification": f"ignored project-wide ({where})"}]
    # An ignore comment on the finding's line is used all the same: it is not stale (S213).
    write(project / "profiles" / "device.yaml", edit("related_fields: [ErrorID]",
                                                    "related_fields: [ErrorID]  # confgen: ignore[D312]", WARNED))
    assert cli("validate", "--strict", "device.yaml").code == 0
    assert cli("build", "--strict", "device.yaml", "--to", "html").code == 0, "a build is not stopped either"


@pytest.mark.parametrize(("text", "expected"), [
    ("[tool.confgen]\nstrict = yes\n", ["pyproject.toml:2:10: error F105 not TOML: Invalid value"]),
    ('[tool.confgen]\n"pdf_variant" = "none"\nFormat = "json"\n',
     ["pyproject.toml:2:1: error F106 pdf_variant is not a setting of confgen in [tool.confgen]; did you mean "
      "pdf-variant?", "pyproject.toml:3:1: error F106 Format is not a setting"]),
    ("[tool.confgen.build]\njobs = 2\n", ["pyproject.toml:1:15: error F106 build is not a setting"]),
    ('[tool]\nconfgen = { strict = "no", jobs = 0 }\n',
     ['pyproject.toml:2:22: error F107 strict must be true or false, not the text "no"',
      "pyproject.toml:2:35: error F107 jobs must be a whole number, 1 or more, not the number 0"]),
    ('[tool.confgen]\nformat = "xml"\ntemplates = "missing"\n',
     ["pyproject.toml:2:10: error F107 format must be one of auto, text, json, github, sarif, not the text \"xml\"",
      "pyproject.toml:3:13: error F107 templates: there is no folder missing"]),
    ('[tool.confgen]\nignore = ["D305",\n    "D399", \'S201\']\n',
     ["pyproject.toml:3:5: error F108 ignore: D399 is not a rule of confgen; did you mean D319?",
      "pyproject.toml:3:13: error F109 ignore: S201 is an error and cannot be suppressed"]),
    ("tool.confgen.ignore = \"D305\"\n", ["pyproject.toml:1:23: error F107 ignore must be a list of rule IDs"]),
])
def test_each_problem_of_the_configuration_is_a_diagnostic_at_its_place(  # type: ignore[no-untyped-def]
        tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", text)
    run = cli("validate", str(EXAMPLE))
    assert run.code == 2, "a problem in the configuration is a usage error"
    lines = run.out.splitlines()
    assert len(lines) == len(expected), run.out
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert "nothing was checked" in run.err


def test_confgen_toml_holds_the_settings_at_its_top_level(tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "confgen.toml", "[tool.confgen]\nstrict = true\n")
    assert cli("validate", str(EXAMPLE)).out.startswith("confgen.toml:1:2: error F106 tool is not a setting of "
                                                        "confgen in confgen.toml; in confgen.toml the settings are at "
                                                        "the top level")


def test_a_configuration_that_cannot_be_read(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "confgen.toml").mkdir()
    assert cli("validate", str(EXAMPLE)).out.startswith("confgen.toml: error F105 cannot read the configuration: "
                                                        "it is a folder")
    (tmp_path / "confgen.toml").rmdir()
    (tmp_path / "confgen.toml").write_bytes(b"strict = true\n# \xff\n")
    run = cli("validate", "--format", "json", str(EXAMPLE))
    assert run.code == 2
    assert json.loads(run.out)[0]["rule"] == "F105"


def test_the_configuration_is_read_only_by_the_commands_it_configures(tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "confgen.toml", "nonsense = 1\n")
    assert cli("rules").code == 0
    assert cli("init", "-").code == 0
    assert cli("validate", str(EXAMPLE)).code == 2


def test_the_readmes_configuration_is_the_real_one(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import re

    from conftest import ROOT

    [example] = re.findall(r"```toml\n(.+?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    write(tmp_path / "pyproject.toml", example)
    (tmp_path / "brand").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    run = cli("validate", str(EXAMPLE))
    assert (run.code, run.out) == (0, ""), "every setting it shows is one, with a value it takes"
    from confgen.config import KEYS, load_config

    assert sorted([*load_config(tmp_path).settings, "ignore"]) == sorted(KEYS), "it shows every setting"


@pytest.mark.parametrize("rule_id", ["F105", "F106", "F107", "F108", "F109"])
def test_the_rules_of_the_configuration_are_usage_errors_shown_in_pyproject(rule_id: str) -> None:
    from confgen.rules import BY_ID

    rule = BY_ID[rule_id]
    assert (rule.severity.value, rule.exit_code, rule.suppressible) == ("error", 2, False)
    assert rule.failing is not None
    assert rule.passing is not None
    assert (rule.failing.where, rule.passing.where) == ("pyproject", "pyproject")
