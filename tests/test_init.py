"""``confgen init``: every template row, placeholders that validation flags, and no overwriting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from confgen.schema import schema_text
from confgen.standard import load_standard


def test_init_writes_every_template_row_and_validate_flags_only_placeholders(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "new.yaml"
    assert cli("init", str(profile)).code == 0
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    standard = load_standard("2024d")
    for table in standard.services["storage"].tables:
        keys = list(data["services"]["storage"][table.role]["statuses"])
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


def test_init_names_the_schema_it_writes_beside_the_profile(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "profiles" / "new.yaml"
    run = cli("init", str(profile))
    assert run.code == 0
    first = profile.read_text(encoding="utf-8").splitlines()[0]
    # Relative, so that the profile names no folder of this machine; yaml-language-server resolves it beside it.
    assert first == "# yaml-language-server: $schema=confgen.schema.json"
    schema = tmp_path / "profiles" / "confgen.schema.json"
    assert schema.read_text(encoding="utf-8") == schema_text()
    assert f"wrote {schema}" in run.err


def test_init_keeps_a_schema_that_is_there(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    schema = tmp_path / "confgen.schema.json"
    schema.write_text("{}\n", encoding="utf-8")
    run = cli("init", str(tmp_path / "new.yaml"))
    assert run.code == 0
    assert schema.read_text(encoding="utf-8") == "{}\n"
    assert f"{schema} exists; it is left as it is" in run.err
    assert (tmp_path / "new.yaml").is_file()


def test_init_to_stdout_prints_only_the_profile(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("init", "-")
    assert run.code == 0
    # No schema is written beside standard output, so no first line names one (an editor would show an error);
    # the comments say how to add it (tests/test_editors.py opens both in yaml-language-server).
    assert not run.out.startswith("# yaml-language-server")
    assert "confgen schema > confgen.schema.json" in run.out
    assert yaml.safe_load(run.out)["confgen"] == 1
    assert list(tmp_path.iterdir()) == []


def test_init_never_writes_through_a_link(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    link = tmp_path / "confgen.schema.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    run = cli("init", str(tmp_path / "new.yaml"))
    assert run.code == 0
    assert "exists; it is left as it is" in run.err
    assert not (tmp_path / "elsewhere.json").exists()


def test_init_reports_a_schema_it_cannot_write(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    def refuse_the_schema(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.name == "confgen.schema.json":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse_the_schema)
    run = cli("init", str(tmp_path / "new.yaml"))
    assert run.code == 2
    assert f"confgen: cannot write {tmp_path / 'confgen.schema.json'}: Permission denied" in run.err
    assert "Traceback" not in run.err
    assert (tmp_path / "new.yaml").is_file(), "the profile is written first"


def test_init_services_and_role_start_every_table_asked_for(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "modality.yaml"
    run = cli("init", str(profile), "--services", "worklist,mpps,storage,storage_commitment,communication_failures",
              "--role", "scu")
    assert run.code == 0, run.err
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert list(data["services"]) == ["worklist", "mpps", "storage", "storage_commitment"]
    assert all(list(roles) == ["scu"] for roles in data["services"].values())
    assert list(data["services"]["mpps"]["scu"]) == ["n-create", "n-set"], "a service of several DIMSEs: a key each"
    assert list(data["services"]["storage_commitment"]["scu"]) == ["n-action", "n-event-report"]
    mpps = load_standard("2024d").services["mpps"]
    for table in mpps.tables_of("scu"):
        rows = list(data["services"]["mpps"]["scu"][table.dimse_key]["statuses"])
        assert rows == [*(str(row.codes) for row in table.rows), "other"]
    assert list(data["communication_failures"]["initiator"]) == ["Timeout", "Association aborted", "Network Disconnect"]
    run = cli("validate", str(profile))
    assert {m["rule"] for m in run.diagnostics()} == {"S208"}, "every row is there; only placeholders are left"
    text = profile.read_text(encoding="utf-8").replace("<YYYY-MM-DD>", "2026-01-31")
    profile.write_text(re.sub(r"<[^<>\n]+>", "Real text", text), encoding="utf-8")
    assert cli("validate", "--strict", str(profile)).code == 0


def test_init_without_services_starts_storage_as_before(cli) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(cli("init", "-").out)
    assert list(data["services"]) == ["storage"]
    assert list(data["services"]["storage"]) == ["scu", "scp"]
    assert "communication_failures" not in data


@pytest.mark.parametrize("services", ["ups", "storage,", ",", "Storage"])
def test_init_refuses_a_part_it_does_not_know(cli, services: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("init", "-", "--services", services)
    if services == "storage,":
        assert run.code == 0, "a trailing comma is forgiven"
        return
    assert run.code == 2
    assert "give one or more of worklist, mpps, instance_availability, storage, storage_commitment, query_retrieve, " \
           "communication_failures" in run.err
