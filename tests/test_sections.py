"""Every DIMSE service's tables and the communication failures, in one statement that is a tree of sections: the
modality example, a statement with every table, and a table added as data only."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from pypdf import PdfReader
from test_build import pdf_text, squash

from confgen import standard as standard_module
from confgen.build import Options, build
from confgen.standard import load_standard

MODALITY = ROOT / "profiles" / "modality.yaml"
EVERY_TABLE = ROOT / "tests" / "cases" / "valid" / "every-table.yaml"


@pytest.fixture(scope="module")
def modality(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("modality")
    result = build(MODALITY, Options(out, strict=True))
    assert result.written, [d.format() for d in result.report.diagnostics]
    return out / "modality.pdf"


def outline(pdf: Path) -> list[str]:
    def titles(items: list[Any], depth: int = 0) -> list[str]:
        found = []
        for item in items:
            found += titles(item, depth + 1) if isinstance(item, list) else [f"{'  ' * depth}{item.title}"]
        return found

    return titles(PdfReader(pdf).outline)


def test_the_modality_statement_is_numbered_as_annex_n_and_bookmarked(modality: Path) -> None:
    assert outline(modality) == [
        "Example DR 500 3.0",
        "  Revision History",
        "  Contents",
        "  7.3 Status Codes",
        "    7.3.1 General AE Communication and Failure Behavior and Handling",
        "      7.3.1.1 Communication Failure Behavior as Association Initiator",
        "    7.3.2 DIMSE Services",
        "      7.3.2.1 Basic Worklist Management Service",
        "        7.3.2.1.1 SCU of the Modality Worklist Information Model Find SOP Class - C-FIND",
        "      7.3.2.2 Modality Performed Procedure Step Service",
        "        7.3.2.2.1 SCU of the Modality Performed Procedure Step SOP Class - N-CREATE",
        "        7.3.2.2.2 SCU of the Modality Performed Procedure Step SOP Class - N-SET",
        "      7.3.2.5 Storage Service",
        "        7.3.2.5.1 SCU of the Storage SOP Classes - C-STORE",
        "      7.3.2.6 Storage Commitment Service",
        "        7.3.2.6.1 SCU of the Storage Commitment Push Model SOP Class - N-ACTION",
        "        7.3.2.6.2 SCU of the Storage Commitment Push Model SOP Class - N-EVENT-REPORT",
        "  About This Document",
    ]


def test_the_contents_list_every_section_with_its_page(modality: Path) -> None:
    pages = pdf_text(modality)
    contents = pages[1].partition("\nContents\n")[2]
    for title in [line.strip() for line in outline(modality)[3:]]:
        assert title in squash(contents), title


def test_every_table_prints_with_its_rows(modality: Path) -> None:
    text = squash(" ".join(pdf_text(modality)))
    for label in ("Table 7-8. DICOM Communication Failure Behavior as Association Initiator",
                  "Table 7-10. Status Codes for C-FIND of the Modality Worklist Information Model SOP Class - SCU",
                  "Table 7-12.", "Table 7-13.", "Table 7-42.", "Table 7-44.", "Table 7-45."):
        assert label in text
    assert "Timeout The association is aborted and the job is retried in 5 minutes, 3 times at most." in text
    assert "DIMSE timeout No response within 60 seconds" in text, "a failure beyond the template's"
    # N.7-12 lists 0116 twice; the standard puts it under Warning once, and the statement says so.
    assert "PS3.2 2024d Table N.7-12 lists 0116 (Attribute Value Out of Range) under both Warning and Failure" in text
    # N.7-13 and N.7-45 were not read in the template: the statement says their rows follow the standard.
    assert "The template's own text of Tables 7-13 and 7-45 could not be read" in text


def test_a_statement_with_every_table_is_reproducible_to_the_byte(tmp_path: Path) -> None:
    digests = []
    for run in ("a", "b"):
        result = build(EVERY_TABLE, Options(tmp_path / run, strict=True))
        assert result.written, [d.format() for d in result.report.diagnostics]
        digests.append([hashlib.sha256(path.read_bytes()).hexdigest() for path in result.written])
    assert digests[0] == digests[1]
    text = squash(" ".join(pdf_text(tmp_path / "a" / "every-table.pdf")))
    for table in load_standard("2024d").tables():
        assert f"Table {table.table.removeprefix('N.')}. {table.title}" in text, table.table


# -- a table added as data only -----------------------------------------------------------------------------------


@pytest.fixture
def standard_with_a_new_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of confgen's standard data with the fixture's service added, in use for the test."""
    fixture = yaml.safe_load((ROOT / "tests" / "fixtures" / "verification-service.yaml").read_text(encoding="utf-8"))
    data = tmp_path / "standard"
    shutil.copytree(standard_module.STANDARD_DIR, data)
    for name, key, added in (("ps3.2-2024d.yaml", "services", fixture["ps3.2-services"]),
                             ("ps3.4.yaml", "service_classes", fixture["ps3.4-service-classes"])):
        content = yaml.safe_load((data / name).read_text(encoding="utf-8"))
        content[key] |= added
        (data / name).write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(standard_module, "STANDARD_DIR", data)
    load_standard.cache_clear()
    yield data
    load_standard.cache_clear()


def test_a_table_added_as_data_is_validated_built_and_started(standard_with_a_new_service: Path, tmp_path: Path,
                                                              cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "echo.yaml"
    profile.write_text('confgen: 1\nstandard: "2024d"\ndocument:\n  manufacturer: M\n  product: P\n'
                       '  product_version: "1"\n  date: "2026-01-31"\nservices:\n  verification:\n    scu:\n'
                       '      statuses:\n        "0000": The peer is marked reachable.\n'
                       "        other: The peer is marked unreachable.\n", encoding="utf-8")
    run = cli("validate", str(profile))
    assert run.out.splitlines() == [
        f"{profile}:11:7: error D308 PS3.2 Table N.7-99 row \"Refused: SOP Class not supported\" (0122) is not "
        "addressed: add \"0122\" with its behavior"]
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "        other:", '        "0122": The peer is marked as not verifying.\n        other:'), encoding="utf-8")
    run = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert run.code == 0, run.out
    text = squash(" ".join(pdf_text(tmp_path / "out" / "echo.pdf")))
    assert "7.3.2.9 Verification Service (a test fixture)" in text
    assert "Table 7-99. Status Codes for C-ECHO of the Verification SOP Class - SCU" in text
    assert "0122 The peer is marked as not verifying." in text
    started = yaml.safe_load(cli("init", "-", "--services", "verification").out)
    assert list(started["services"]["verification"]["scu"]["statuses"]) == ["0000", "0122", "other"]
    from confgen.schema import profile_schema

    assert "verification" in profile_schema()["$defs"]["services-2024d"]["properties"]
