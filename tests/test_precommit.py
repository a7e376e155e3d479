"""The confgen-validate pre-commit hook, run as a profile repository runs it: pre-commit try-repo on this repository.

pre-commit builds the hook's environment as it would for a user: a virtualenv with this repository pip-installed
(its committed state plus any changes to tracked files) and its dependencies from the package index. try-repo
builds it in a store of its own on every call, 10-20 s here, so the tests make two calls; PRE_COMMIT_HOME is
the test's own all the same, so that nothing (pre-commit's log) goes to the user's cache.
"""

from __future__ import annotations

import os
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


@dataclass
class Profiles:
    folder: Path
    env: dict[str, str]

    def try_hook(self, *files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "confgen-validate",
                               "--files", *files], cwd=self.folder, env=self.env, capture_output=True, text=True,
                              check=False)


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Profiles:
    """A fresh git repository of profiles, as a user of the hook has."""
    folder = tmp_path_factory.mktemp("profiles")
    # Git variables of a surrounding hook or test run would point pre-commit's git at another repository.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    subprocess.run(["git", "init", "-q", str(folder)], check=True, env=env)
    (folder / "good.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (folder / "bad.yaml").write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    (folder / "notes.txt").write_text("product: TODO\n", encoding="utf-8")
    return Profiles(folder, env)


def test_hook_passes_a_good_profile(profiles: Profiles) -> None:
    result = profiles.try_hook("good.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "confgen validate" in result.stdout
    assert "Passed" in result.stdout


def test_hook_fails_a_bad_profile_with_its_diagnostic_and_takes_only_yaml(profiles: Profiles) -> None:
    # notes.txt is no profile: were it passed to confgen, its own diagnostics would show.
    result = profiles.try_hook("good.yaml", "bad.yaml", "notes.txt")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "bad.yaml:7:12: error S208 document.product still holds the to-do marker 'TODO'" in result.stdout
    assert "2 profiles checked: 1 error, 0 warnings" in result.stdout
    assert "good.yaml:" not in result.stdout
    assert "notes.txt" not in result.stdout
