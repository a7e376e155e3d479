"""Rendering and writing fail closed: nothing outside the templates is read, WeasyPrint's complaints stop the
build, and no build, however it ends, leaves a partial output."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_TEXT, edit

from confgen import resources
from confgen.build import Options, build
from confgen.pdf import ConfinedFetcher


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', "utf-8")
    (tmp_path / "secret.txt").write_text("not for the statement", encoding="utf-8")
    return folder


def test_fetcher_serves_the_template_folder_and_data_urls(templates: Path) -> None:
    fetcher = ConfinedFetcher([templates])
    response = fetcher.fetch((templates / "logo.svg").as_uri())
    try:
        assert b"<svg" in response.read()
    finally:
        response.close()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.parametrize("url", [
    "http://example.com/logo.png",
    "https://example.com/style.css",
    "ftp://example.com/x",
    "file:///etc/passwd",
    "{templates}/../secret.txt",
    "{templates}/missing.svg",
])
def test_fetcher_refuses_anything_else(templates: Path, url: str) -> None:
    url = url.format(templates=templates.as_uri())
    with pytest.raises(ValueError, match="refused"):
        ConfinedFetcher([templates]).fetch(url)


def test_fetcher_refuses_a_link_that_leads_out_of_the_folder(templates: Path) -> None:
    (templates / "innocent.txt").symlink_to(templates.parent / "secret.txt")
    with pytest.raises(ValueError, match="refused"):
        ConfinedFetcher([templates]).fetch((templates / "innocent.txt").as_uri())


def _override(templates: Path, old: str, new: str, name: str = "statement.html.j2") -> None:
    packaged = (resources.templates_dir() / name).read_text(encoding="utf-8")
    assert packaged.count(old) == 1
    (templates / name).write_text(packaged.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "says"), [
    ("</body>", '<img src="https://example.com/tracker.png" alt=""></body>', "refused"),
    ("</body>", '<img src="file:///etc/hostname" alt=""></body>', "refused"),
    ("<style>", '<link rel="stylesheet" href="../secret.txt"><style>', "refused"),
    ("<style>", "<style>p { colour: red; }", "unknown property"),
])
def test_r402_what_weasyprint_reports_stops_the_build(templates: Path, cli, old: str, new: str,  # type: ignore[no-untyped-def]
                                                      says: str) -> None:
    _override(templates, old, new)
    out = templates.parent / "out"
    run = cli("build", str(EXAMPLE), "-o", str(out), "--templates", str(templates))
    assert run.code == 1
    [diagnostic] = run.out.splitlines()
    assert diagnostic.startswith(f"{EXAMPLE}: error R402 WeasyPrint: ")
    assert says in diagnostic
    assert not out.exists()


def test_r402_a_character_no_font_has(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "device.yaml"
    profile.write_text(edit("  product: Acme CT", "  product: Acme CT 漢"), encoding="utf-8")
    run = cli("build", str(profile), "-o", str(tmp_path / "out"))
    assert run.code == 1
    # validate's warning (S222) at the text's line, then the build's refusal, which has none.
    line = profile.read_text(encoding="utf-8").splitlines().index("  product: Acme CT 漢") + 1
    assert [(d.rule.id, d.line) for d in check_and_build(profile, tmp_path / "out")] == [("S222", line),
                                                                                         ("R402", None)]
    assert "error R402 WeasyPrint: .notdef glyph rendered" in run.out
    assert "U+6F22" in run.out
    assert not (tmp_path / "out").exists()


def check_and_build(profile: Path, out: Path) -> list:  # type: ignore[type-arg]
    return build(profile, Options(out)).report.diagnostics


def test_a_vendor_stylesheet_is_used(templates: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (templates / "statement.css").write_text(
        (resources.templates_dir() / "statement.css").read_text(encoding="utf-8") + "h1 { color: #00ff00; }\n",
        encoding="utf-8")
    out = templates.parent / "out"
    assert cli("build", str(EXAMPLE), "-o", str(out), "--templates", str(templates)).code == 0
    assert "h1 { color: #00ff00; }" in (out / "acme-ct.html").read_text(encoding="utf-8")


# A build run in a child process that kills itself with SIGKILL at a chosen moment of writing: while the
# first temporary file is half written, after all are written, or between the two renames.
KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from confgen import output
    from confgen.cli import main

    moment = sys.argv[1]
    stage, replace = output._stage, Path.replace

    def half_written_stage(path, data, *rest):
        stage(path, data[: len(data) // 2], *rest)
        os.kill(os.getpid(), signal.SIGKILL)

    def staged(path, data, *rest):
        stage(path, data, *rest)
        if path.suffix == ".pdf":
            os.kill(os.getpid(), signal.SIGKILL)

    renamed = []
    def between_renames(self, target):
        if renamed:
            os.kill(os.getpid(), signal.SIGKILL)
        renamed.append(target)
        return replace(self, target)

    if moment == "half-written":
        output._stage = half_written_stage
    elif moment == "staged":
        output._stage = staged
    else:
        Path.replace = between_renames
    main(["build", sys.argv[2], "-o", sys.argv[3]])
""")


@pytest.mark.parametrize("moment", ["half-written", "staged", "between-renames"])
def test_a_build_killed_while_writing_leaves_whole_files(tmp_path: Path, cli, moment: str) -> None:  # type: ignore[no-untyped-def]
    earlier = {"acme-ct.html": b"<!DOCTYPE html><p>the earlier build</p>", "acme-ct.pdf": b"%PDF-1.7 earlier"}
    out = tmp_path / "out"
    out.mkdir()
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path / "new")).code == 0
    new = {name: (tmp_path / "new" / name).read_bytes() for name in earlier}

    killed = subprocess.run([sys.executable, "-c", KILLED_BUILD, moment, str(EXAMPLE), str(out)],
                            capture_output=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    for name in earlier:
        assert (out / name).read_bytes() in (earlier[name], new[name]), f"{name} is neither the earlier nor the new"
    if moment == "between-renames":
        assert [(out / name).read_bytes() == new[name] for name in earlier] == [True, False]
    else:
        assert all((out / name).read_bytes() == earlier[name] for name in earlier)


def test_init_replaces_a_file_only_with_force(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    run = cli("init", str(profile))
    assert (run.code, profile.read_text(encoding="utf-8")) == (2, EXAMPLE_TEXT)
    assert "--force" in run.err
    assert cli("init", "--force", str(profile)).code == 0
    assert "<manufacturer>" in profile.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["confgen.schema.json", "device.yaml"]


@pytest.mark.parametrize(("name", "content", "says"), [
    ("statement.html.j2", b"\xff\xfe{{ x }}", "statement.html.j2: UnicodeDecodeError"),
    ("statement.html.j2", b'{% include "statement.html.j2" %}', "statement.html.j2:1: RecursionError"),
    ("statement.html.j2", b"<p>\n{{ 1 / 0 }}", "statement.html.j2:2: ZeroDivisionError: division by zero"),
    ("statement.html.j2", b"{% if %}", "statement.html.j2:1: Expected an expression"),
    ("print.css.j2", b"@page { size: {{ statement.nope }} }", "print.css.j2:1: "),
])
def test_r401_a_broken_vendor_template_is_named_never_a_traceback(templates: Path, cli, name: str,  # type: ignore[no-untyped-def]
                                                                    content: bytes, says: str) -> None:
    (templates / name).write_bytes(content)
    out = templates.parent / "out"
    run = cli("build", str(EXAMPLE), "-o", str(out), "--templates", str(templates))
    assert run.code == 1
    [diagnostic] = run.out.splitlines()
    assert diagnostic.startswith(f"{EXAMPLE}: error R401 a template failed: {says}")
    assert not out.exists()
