"""Odd files as inputs and outputs: a FIFO, a device, a record that is not one, names that are not UTF-8 or that
hold escape sequences, inputs named like outputs. Each is a diagnostic or a note, never a hang, a traceback or an
input written over (issue 13, points 3, 4, 8, 10 and 12)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DIAGNOSTIC, EXAMPLE_TEXT, NO_LINE, edit

from confgen.record import RECORD_NAME

SVG_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'


def confgen(*args: str | Path, cwd: Path | None = None, memory: int = 2 << 30) -> subprocess.CompletedProcess[bytes]:
    """confgen in a process of its own, which may take at most ``memory`` bytes and a minute: what once hung or
    filled memory fails the test instead of the machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "confgen", *map(str, args)], capture_output=True, check=False,
                          timeout=60, preexec_fn=limit, cwd=cwd)


def write(folder: Path, name: str | bytes, text: str = EXAMPLE_TEXT) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (os.fsdecode(name) if isinstance(name, bytes) else name)
    path.write_text(text, encoding="utf-8")
    return path


# -- what is not a regular file --------------------------------------------------------------------------------

def test_a_fifo_as_the_logo_is_refused_not_waited_for(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "logo.svg")
    profile = write(tmp_path, "p.yaml", edit("  product: Acme CT", "  product: Acme CT\n  logo: logo.svg"))
    result = confgen("validate", profile)
    assert result.returncode == 1
    assert b"error S210 document.logo 'logo.svg' cannot be read: it is a FIFO (a named pipe), not a regular file" \
        in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "folder"])
def test_a_profile_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "p.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(kind)
    result = confgen("validate", path)
    assert result.returncode == 2
    if kind == "folder":  # a folder means the profiles in it (tests/test_cli.py): here there is none
        assert result.stdout.decode().startswith(f"{path}: error F101 the folder holds no profile")
        return
    what = {"fifo": "a FIFO (a named pipe)", "/dev/zero": "a device"}[kind]
    assert result.stdout.decode() == f"{path}: error F101 cannot read the profile: it is {what}, not a regular file\n"


@pytest.mark.parametrize("record", ["fifo", "/dev/zero", "brackets", "not an object", "huge"])
def test_a_record_that_is_not_one_is_noted_ignored_and_rewritten(tmp_path: Path, record: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = out / RECORD_NAME
    if record == "fifo":
        os.mkfifo(path)
    elif record == "/dev/zero":
        path.symlink_to(record)
    elif record == "brackets":
        path.write_text("[" * 200_000, encoding="utf-8")  # once a RecursionError
    elif record == "not an object":
        path.write_text("[1, 2]", encoding="utf-8")
    else:
        with path.open("wb") as stream:
            stream.truncate(3 << 30)  # 3 GB, sparse
    profile = write(tmp_path, "p.yaml")
    result = confgen("build", profile, "-o", out, "--to", "html", memory=1 << 30)
    assert result.returncode == 0, result.stderr
    says = {"fifo": "cannot be read: it is a FIFO (a named pipe), not a regular file",
            "/dev/zero": "cannot be read: it is a device, not a regular file", "brackets": "is not JSON",
            "not an object": "is not a build record", "huge": "is larger than 16 MiB"}[record]
    assert f"confgen: the build record {path} {says}; it is ignored, every profile is built, and it is written " \
           "anew" in result.stderr.decode()
    assert path.is_file()
    assert not path.is_symlink()
    assert list(json.loads(path.read_text(encoding="utf-8"))["profiles"]) == ["p"]
    assert b"unchanged" in confgen("build", profile, "-o", out, "--to", "html").stderr


@pytest.mark.parametrize("output", ["fifo", "/dev/zero", "a link to a file elsewhere", "a link to a folder"])
def test_an_output_replaced_by_something_else_is_rebuilt_not_read(tmp_path: Path, output: str) -> None:
    out = tmp_path / "out"
    profile = write(tmp_path, "p.yaml")
    assert confgen("build", profile, "-o", out, "--to", "html").returncode == 0
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes((out / "p.html").read_bytes())  # the very bytes the record holds
    folder = tmp_path / "a folder"
    folder.mkdir()
    (out / "p.html").unlink()
    if output == "fifo":
        os.mkfifo(out / "p.html")
    else:
        (out / "p.html").symlink_to({"a link to a file elsewhere": elsewhere, "a link to a folder": folder}.get(
            output, Path(output)))
    result = confgen("build", profile, "-o", out, "--to", "html", memory=1 << 30)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / 'p.html'}".encode() in result.stderr
    assert (out / "p.html").is_file()
    assert not (out / "p.html").is_symlink()
    assert elsewhere.read_bytes() == (out / "p.html").read_bytes(), "the link was replaced, not what it led to"
    assert list(folder.iterdir()) == []


def test_files_of_the_templates_folder_that_no_template_uses_are_never_opened(tmp_path: Path) -> None:
    # An editor's swap file that cannot be read (a read error even as root), a 3 GB file, a FIFO, a name that is
    # not UTF-8: each once failed the build, or was read whole on every build, though none is a template.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / ".statement.html.j2.swp").symlink_to("/proc/self/mem")
    with (templates / "video.mp4").open("wb") as stream:
        stream.truncate(3 << 30)
    os.mkfifo(templates / "pipe")
    (templates / os.fsdecode(b"notes-\xff.txt")).write_bytes(b"not UTF-8, nor is its name")
    profile = write(tmp_path, "p.yaml")
    result = confgen("build", profile, "-o", tmp_path / "out", "--templates", templates, "--to", "html",
                     memory=1 << 30)
    assert result.returncode == 0, result.stderr
    assert b"unchanged" in confgen("build", profile, "-o", tmp_path / "out", "--templates", templates, "--to",
                                   "html").stderr


# -- inputs are never written over ------------------------------------------------------------------------------

def test_a_profile_named_like_another_profiles_output_is_never_written_over(tmp_path: Path) -> None:
    # `confgen build a.yaml a.html -o .`, where a.html is itself a profile.
    first = write(tmp_path, "a.yaml")
    second = write(tmp_path, "a.html")
    result = confgen("build", first, second, "-o", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{first}: error F102 the output a.html would overwrite the profile {second}".encode() in result.stdout
    assert second.read_text(encoding="utf-8") == EXAMPLE_TEXT


def test_a_logo_named_like_another_profiles_output_is_never_written_over(tmp_path: Path) -> None:
    (tmp_path / "y.html").write_text(SVG_LOGO, encoding="utf-8")  # a logo is known by its content
    x = write(tmp_path, "x.yaml", edit("  product: Acme CT", "  product: Acme CT\n  logo: y.html"))
    y = write(tmp_path, "y.yaml")
    for order in ([x, y], [y, x]):
        result = confgen("build", *order, "-o", tmp_path, "--to", "html")
        assert result.returncode == 2
        assert f"{y}: error F102 the output y.html would overwrite the logo of {x}".encode() in result.stdout
        assert (tmp_path / "y.html").read_text(encoding="utf-8") == SVG_LOGO


def test_a_template_a_template_includes_is_never_written_over(tmp_path: Path) -> None:
    from confgen import resources

    templates = tmp_path / "templates"
    templates.mkdir()
    entry = (resources.templates_dir() / "statement.html.j2").read_text(encoding="utf-8")
    (templates / "statement.html.j2").write_text(entry.replace("</body>", '{% include "notes.html" %}</body>'),
                                                 encoding="utf-8")
    (templates / "notes.html").write_text("<p>Reviewed by the regulatory team.</p>", encoding="utf-8")
    notes = write(tmp_path, "notes.yaml")
    result = confgen("build", notes, "-o", templates, "--templates", templates, "--to", "html")
    assert result.returncode == 2
    assert f"{notes}: error F102 the output {templates / 'notes.html'} would overwrite an input of this command (a " \
           "profile, a logo or a template); nothing was written".encode() in result.stdout
    assert (templates / "notes.html").read_text(encoding="utf-8") == "<p>Reviewed by the regulatory team.</p>"


# -- names ---------------------------------------------------------------------------------------------------------

def test_a_name_that_is_not_utf8_is_a_diagnostic_in_every_format_never_a_traceback(tmp_path: Path) -> None:
    profile = write(tmp_path, b"dev\xfe.yaml")
    for command in (["validate"], ["build", "-o", tmp_path / "out"]):
        text = confgen(*command, profile)
        assert text.returncode == 1
        assert text.stdout == (f"{tmp_path}/dev\\udcfe.yaml: error S220 the file name, which the statement prints, "
                               "has the byte 0xFE, which is not UTF-8; rename the file\n").encode()
        assert b"Traceback" not in text.stderr
        found = confgen(*command, profile, "--format", "json")
        [diagnostic] = json.loads(found.stdout)
        assert os.fsencode(diagnostic["file"]) == os.fsencode(profile), "the real name, byte for byte"
        annotation = confgen(*command, profile, "--format", "github").stdout
        assert annotation.startswith(b"::error file=" + os.fsencode(profile) + b",title=confgen S220::")
    assert not (tmp_path / "out").exists()


def test_escape_sequences_in_a_name_never_reach_the_terminal(tmp_path: Path) -> None:
    profile = write(tmp_path, "a\x1b[31mred.yaml")
    result = confgen("build", profile, "-o", tmp_path / "out")
    assert b"\x1b" not in result.stdout + result.stderr
    assert result.stderr.decode().splitlines()[-1] == \
        f"1 profile: 0 built, 1 not built ({tmp_path}/a\\x1b[31mred.yaml); 1 error, 0 warnings"
    [diagnostic] = json.loads(confgen("validate", profile, "--format", "json").stdout)
    assert diagnostic["file"] == str(profile)
    assert b"\x1b" not in confgen("validate", profile, "--format", "json").stdout


@pytest.mark.parametrize(("name", "rule", "says"), [
    ("line\nbreak.yaml", "S220", "has the character U+000A, which cannot be printed"),
    ("zero\u200bwidth.yaml", "S220", "has the character U+200B, which cannot be printed"),
    ("漢字.yaml", "S221",
     "has 漢 (U+6F22), 字 (U+5B57), which the packaged templates' font (DejaVu Sans) does not have"),
])
def test_a_name_the_statement_cannot_print_is_found_by_validate(tmp_path: Path, name: str, rule: str,
                                                                says: str) -> None:
    from confgen.build import check

    diagnostics = check(write(tmp_path, name)).report.diagnostics
    assert [(d.rule.id, d.line) for d in diagnostics] == [(rule, None)]
    assert says in diagnostics[0].message


def test_an_html_build_never_prints_a_control_character(tmp_path: Path) -> None:
    profile = write(tmp_path, "tab\there.yaml")
    result = confgen("build", profile, "-o", tmp_path / "out", "--to", "html")
    assert result.returncode == 1
    assert not (tmp_path / "out").exists()


def test_the_characters_the_font_is_said_to_have_are_those_it_has(tmp_path: Path) -> None:
    # S221 and S222 let through what confgen.fontcover says the packaged templates' font has, and warn of the rest.
    fontTools = pytest.importorskip("fontTools.ttLib")
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is not installed")
    found = subprocess.run(["fc-match", "--format=%{file}", "DejaVu Sans"], capture_output=True, text=True,
                           check=False).stdout
    if "DejaVuSans" not in found:
        pytest.skip("DejaVu Sans is not installed")
    from confgen.fontcover import DEJAVU_SANS

    cmap = set(fontTools.TTFont(found).getBestCmap())
    assert {code for low, high in DEJAVU_SANS for code in range(low, high + 1)} == cmap, \
        "the installed DejaVu Sans differs: run python -m confgen.fontcover"


def test_every_line_of_every_format_is_whole(tmp_path: Path) -> None:
    profile = write(tmp_path, "two\nlines.yaml", edit("  product: Acme CT", "  product: TODO"))
    text = confgen("validate", profile).stdout.decode().splitlines()
    assert all(DIAGNOSTIC.match(line) or NO_LINE.match(line) for line in text)


# -- text the font cannot draw -------------------------------------------------------------------------------------

def test_a_text_the_font_cannot_draw_is_told_at_its_line_before_the_build_fails_on_it(tmp_path: Path) -> None:
    text = edit("  product: Acme CT", "  product: Acme CT 初期型")
    line = text.splitlines().index("  product: Acme CT 初期型") + 1
    profile = write(tmp_path, "p.yaml", text)
    checked = confgen("validate", "--format", "json", profile)
    assert checked.returncode == 0, "a warning: a font of the machine may have the characters"
    [found] = json.loads(checked.stdout)
    assert (found["rule"], found["line"], found["column"]) == ("S222", line, 12)
    assert "初 (U+521D), 期 (U+671F), 型 (U+578B)" in found["message"]
    # What it warns of: on this machine (DejaVu Sans and no CJK font) the PDF build fails, with no line.
    built = confgen("build", "--format", "json", profile, "-o", tmp_path / "out")
    if built.returncode == 0:
        pytest.skip("a font of this machine has the characters")
    assert {(d["rule"], d["line"]) for d in json.loads(built.stdout)} >= {("S222", line), ("R402", None)}
    # Where the templates bring a font that has them, the warning is acknowledged on its line.
    quiet = write(tmp_path, "q.yaml", edit("  product: Acme CT", "  product: Acme CT 初期型  # confgen: ignore[S222]"))
    assert confgen("validate", "--strict", quiet).returncode == 0


def test_signs_the_font_has_are_no_warning(tmp_path: Path) -> None:
    # DejaVu Sans draws far more than Latin: arrows, mathematical signs, box drawing, Armenian, some emoji.
    profile = write(tmp_path, "p.yaml", edit("  product: Acme CT", "  product: Acme CT ≤ 3 → ✓ ° µ Ω ☺ Ա"))
    assert confgen("validate", "--strict", profile).returncode == 0


def test_a_failure_named_in_characters_the_font_lacks_is_told_at_its_name(tmp_path: Path) -> None:
    # A failure's name is printed as its row, as a text is.
    modality = Path(__file__).resolve().parent.parent / "profiles" / "modality.yaml"
    text = modality.read_text(encoding="utf-8").replace("  initiator:\n", "  initiator:\n    接続拒否: Retried.\n")
    found = json.loads(confgen("validate", "--format", "json", write(tmp_path, "p.yaml", text)).stdout)
    assert [(f["rule"], f["line"], f["column"]) for f in found] == [
        ("S222", text.splitlines().index("    接続拒否: Retried.") + 1, 5)]
