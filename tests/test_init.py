"""``confgen init``: every template row, placeholders that validation flags, and no overwriting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from confgen.standard import load_standard


def test_init_writes_every_template_row_and_validate_flags_only_placeholders(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "new.yaml"
    assert cli("init", str(profile)).code == 0
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    standard = load_standard("2024d")
    for role, table in standard.services["storage"].roles.items():
        keys = list(data["services"]["storage"][role]["statuses"])
        expected = [str(row.codes) for row in table.rows] + (["other"] if table.other else [])
        assert keys == expected
    run = cli("validate", str(profile))
    assert run.code == 1
    assert {m["rule"] for m in run.diagnostics()} == {"S208"}, "no row is missing; only placeholders are left"


def test_init_profile_validates_once_the_placeholders_are_replaced(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "new.yaml"
    cli("init", str(profile))
    text = profile.read_text(encoding="utf-8").replace("<YYYY-MM-DD>", "2026-01-31")
    profile.write_text(re.sub(r"<[^<>]+>", "Real text", text), encoding="utf-8")
    run = cli("validate", str(profile))
    assert (run.code, run.out) == (0, "")


def test_init_never_overwrites(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "mine.yaml"
    profile.write_text("my work\n", encoding="utf-8")
    run = cli("init", str(profile))
    assert run.code == 2
    assert "exists" in run.err
    assert profile.read_text(encoding="utf-8") == "my work\n"


def test_init_default_file_name(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli("init").code == 0
    assert (tmp_path / "profile.yaml").is_file()
