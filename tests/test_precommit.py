"""The pre-commit hooks, run as a profile repository runs them: pre-commit try-repo on this repository.

pre-commit builds the hooks' environment as it would for a user: a virtualenv with this repository pip-installed
(its committed state plus any changes to tracked files) and its dependencies from the package index. try-repo
builds it in a store of its own on every call, 10-20 s here, so the tests make two calls, each running both hooks;
PRE_COMMIT_HOME is the test's own all the same, so that nothing (pre-commit's log) goes to the user's cache.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE_TEXT, ROOT, edit

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"], capture_output=True,
                   check=False).returncode != 0,
    reason="pre-commit try-repo needs this repository as a git checkout")

WARNED = edit('          related_fields: ["(0000,0902)"]', "          related_fields: [ErrorID]")
HOOK_LINE = re.compile(r"^(confgen \w+)\.+(Passed|Failed|\(no files to check\)Skipped)$", re.MULTILINE)


@dataclass
class Outcome:
    code: int
    hooks: dict[str, tuple[str, str]]  # hook name -> (Passed or Failed, what it printed)
    folder: Path


def try_hooks(folder: Path, env: dict[str, str], *files: str) -> Outcome:
    """Both hooks of this repository on ``files``, as `pre-commit run` would run them on a commit of those files
    (try-repo runs them in the order of their IDs)."""
    result = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--files", *files],
                            cwd=folder, env=env, capture_output=True, text=True, check=False)
    text = result.stdout
    marks = list(HOOK_LINE.finditer(text))
    assert sorted(m[1] for m in marks) == ["confgen build", "confgen validate"], text + result.stderr
    hooks = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        hooks[mark[1]] = (mark[2], text[mark.end(): following.start() if following else len(text)])
    return Outcome(result.returncode, hooks, folder)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh git repository of profiles, as a user of the hooks has, with its configuration."""
    folder = tmp_path_factory.mktemp("profiles")
    # Git variables of a surrounding hook or test run would point pre-commit's git at another repository.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_") and key != "GITHUB_ACTIONS"}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    subprocess.run(["git", "init", "-q", str(folder)], check=True, env=env)
    (folder / "good.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (folder / "warned.yaml").write_text(WARNED, encoding="utf-8")
    (folder / "bad.yaml").write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    (folder / "notes.txt").write_text("product: TODO\n", encoding="utf-8")
    # The build hook writes where the project's configuration says.
    (folder / "pyproject.toml").write_text('[tool.confgen]\noutput = "statements"\n', encoding="utf-8")
    return folder, env


@pytest.fixture(scope="module")
def passing(repository: tuple[Path, dict[str, str]]) -> Outcome:
    return try_hooks(*repository, "good.yaml", "warned.yaml")


@pytest.fixture(scope="module")
def failing(repository: tuple[Path, dict[str, str]]) -> Outcome:
    return try_hooks(*repository, "good.yaml", "bad.yaml", "notes.txt")


def test_validate_passes_and_shows_the_warnings(passing: Outcome) -> None:
    status, printed = passing.hooks["confgen validate"]
    assert status == "Passed"
    assert re.search(r"^warned\.yaml:\d+:\d+: warning D312 ", printed, re.MULTILINE), printed
    assert "good.yaml" not in printed
    assert "checked" not in printed, "--quiet: the diagnostics only"


def test_build_builds_the_changed_profiles_where_the_configuration_says(passing: Outcome) -> None:
    status, printed = passing.hooks["confgen build"]
    assert passing.code == 0
    assert status == "Passed"
    assert "warning D312" in printed
    for stem in ("good", "warned"):
        assert f"wrote statements/{stem}.pdf" in printed
        assert (passing.folder / "statements" / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
    assert not (passing.folder / "statements" / "bad.html").exists()
    assert "2 profiles: 2 built, 0 not built; 0 errors, 1 warning" in printed


def test_a_bad_profile_fails_both_hooks_with_its_diagnostic_and_only_yaml_is_taken(failing: Outcome) -> None:
    # notes.txt is no profile: were it passed to confgen, its own diagnostics would show.
    assert failing.code == 1
    for hook in ("confgen validate", "confgen build"):
        status, printed = failing.hooks[hook]
        assert status == "Failed", hook
        assert "bad.yaml:7:12: error S208 document.product still holds the to-do marker 'TODO'" in printed
        assert "good.yaml:" not in printed
        assert "notes.txt" not in printed
    assert "1 not built (bad.yaml); 1 error, 0 warnings" in failing.hooks["confgen build"][1]
