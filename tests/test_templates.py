"""A vendor's templates folder: its templates run in Jinja's sandbox and read only regular files of their folder,
and every template and font a statement was made with is an input of its build record (issue 13, points 6
and 7)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, EXAMPLE_TEXT, edit

from confgen import resources
from confgen.record import RECORD_NAME

PACKAGED = resources.templates_dir()


def confgen(*args: str | Path, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "confgen", *map(str, args)], capture_output=True, text=True,
                          check=False, timeout=120, env=env, cwd=cwd)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("the secret next door", encoding="utf-8")
    return folder


def override(templates: Path, old: str, new: str, name: str = "statement.html.j2") -> None:
    packaged = (PACKAGED / name).read_text(encoding="utf-8")
    assert packaged.count(old) == 1
    (templates / name).write_text(packaged.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("expression", "says"), [
    ('cycler.__init__.__globals__.os.popen("id").read()', "access to attribute '__init__' of 'type' object is unsafe"),
    ("statement.__class__.__mro__", "access to attribute '__class__'"),
    ("statement.document.logo.path.parent.joinpath('secret.txt').read_text()", "attribute 'path'"),
    ("statement.provenance.editions.clear()", "access to attribute 'clear' of 'dict' object is unsafe"),
])
def test_r401_a_template_runs_in_the_sandbox(templates: Path, cli, expression: str, says: str) -> None:  # type: ignore[no-untyped-def]
    (templates.parent / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    profile = templates.parent / "device.yaml"
    profile.write_text(edit("  product: Acme CT", "  product: Acme CT\n  logo: logo.svg"), encoding="utf-8")
    override(templates, "</body>", f"<p>{{{{ {expression} }}}}</p></body>")
    out = templates.parent / "out"
    run = cli("build", str(profile), "-o", str(out), "--templates", str(templates), "--to", "html")
    assert run.code == 1
    [diagnostic] = run.out.splitlines()
    assert diagnostic.startswith(f"{profile}: error R401 a template failed: statement.html.j2:")
    assert says in diagnostic
    assert not out.exists()


@pytest.mark.parametrize(("name", "make", "says"), [
    ("statement.css", lambda t: (t / "statement.css").symlink_to("/etc/passwd"),
     "is a symbolic link that leads out of its folder"),
    ("statement.css", lambda t: (t / "statement.css").symlink_to(t.parent / "secret.txt"),
     "is a symbolic link that leads out of its folder"),
    ("statement.css", lambda t: os.mkfifo(t / "statement.css"), "it is a FIFO (a named pipe), not a regular file"),
    ("statement.css", lambda t: (t / "statement.css").write_bytes(b"/* big */" * 200_000), "is larger than 1024 KiB"),
    ("macros.html.j2", lambda t: (t / "macros.html.j2").mkdir(), "it is a folder, not a regular file"),
])
def test_r401_a_template_must_be_a_regular_file_inside_its_folder(templates: Path, name: str, make,  # type: ignore[no-untyped-def]
                                                                  says: str) -> None:
    make(templates)
    result = confgen("build", EXAMPLE, "-o", templates.parent / "out", "--templates", templates, "--to", "html")
    assert result.returncode == 1
    assert f"error R401 a template failed: {name}: {templates / name} " in result.stdout
    assert says in result.stdout
    assert "root:" not in result.stdout
    assert "secret next door" not in result.stdout
    assert not (templates.parent / "out").exists()


def test_r401_an_include_that_leads_out_of_the_folder(templates: Path) -> None:
    (templates / "notes.j2").symlink_to(templates.parent / "secret.txt")
    override(templates, "</body>", '{% include "notes.j2" %}</body>')
    result = confgen("build", EXAMPLE, "-o", templates.parent / "out", "--templates", templates, "--to", "html")
    assert "error R401 a template failed: notes.j2: " in result.stdout
    assert "leads out of its folder" in result.stdout
    override(templates, "</body>", '{% include "../secret.txt" %}</body>')
    result = confgen("build", EXAMPLE, "-o", templates.parent / "out", "--templates", templates, "--to", "html")
    assert "error R401 a template failed: " in result.stdout
    assert not (templates.parent / "out").exists()


def test_a_template_may_include_a_file_of_its_folder(templates: Path) -> None:
    # The trust model: a templates folder is code, reviewed as such; what it includes of itself is its own.
    (templates / "legal.html.j2").write_text("<p>Subject to change.</p>", encoding="utf-8")
    override(templates, "</body>", '{% include "legal.html.j2" %}</body>')
    out = templates.parent / "out"
    assert confgen("build", EXAMPLE, "-o", out, "--templates", templates, "--to", "html").returncode == 0
    assert "<p>Subject to change.</p>" in (out / "acme-ct.html").read_text(encoding="utf-8")
    (templates / "legal.html.j2").write_text("<p>Subject to change without notice.</p>", encoding="utf-8")
    assert "wrote" in confgen("build", EXAMPLE, "-o", out, "--templates", templates, "--to", "html").stderr


@pytest.mark.parametrize("here", [False, True])
def test_templates_inside_the_output_folder_are_inputs(tmp_path: Path, here: bool) -> None:
    # -o docs --templates docs, or -o . --templates . in the folder (a repository's root, say).
    docs = tmp_path / "docs"
    docs.mkdir()
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    shutil.copy(PACKAGED / "statement.css", docs / "statement.css")
    folder = "." if here else docs
    args = ["build", profile, "-o", folder, "--templates", folder, "--to", "html"]
    assert confgen(*args, cwd=docs).returncode == 0
    assert "unchanged" in confgen(*args, cwd=docs).stderr
    with (docs / "statement.css").open("a", encoding="utf-8") as stylesheet:
        stylesheet.write("h1 { color: #00ff00; }\n")
    rebuilt = confgen(*args, cwd=docs)
    assert f"wrote {Path(folder) / 'device.html'}" in rebuilt.stderr
    assert "h1 { color: #00ff00; }" in (docs / "device.html").read_text(encoding="utf-8")


def test_a_template_added_where_it_is_looked_for_first_is_an_input(templates: Path) -> None:
    out = templates.parent / "out"
    args = ["build", EXAMPLE, "-o", out, "--templates", templates, "--to", "html"]
    assert confgen(*args).returncode == 0
    (templates / "statement.css").write_text("h1 { color: #00ff00; }\n", encoding="utf-8")
    assert "wrote" in confgen(*args).stderr


def test_a_relative_templates_folder_is_recorded_by_its_real_path(tmp_path: Path) -> None:
    # --templates templates in one folder, then the same folder by another path from another: the record names
    # what it used by real, absolute paths, and the outputs do not depend on how the folder was named.
    here, elsewhere, out = tmp_path / "here", tmp_path / "elsewhere", tmp_path / "out"
    (here / "templates").mkdir(parents=True)
    elsewhere.mkdir()
    assert confgen("build", EXAMPLE, "-o", out, "--templates", "templates", cwd=here).returncode == 0
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))
    used = [path for files in record["dependencies"].values() for path in files]
    assert all(Path(path).is_absolute() for path in used), used
    assert str((here / "templates").resolve() / "statement.css") in used, "looked for first, and absent"
    named_otherwise = tmp_path / "out-absolute"
    assert confgen("build", EXAMPLE, "-o", named_otherwise, "--templates", here / "templates").returncode == 0
    for output in ("acme-ct.html", "acme-ct.pdf"):
        assert (out / output).read_bytes() == (named_otherwise / output).read_bytes(), output
    (here / "templates" / "statement.css").write_text("h1 { color: #00ff00; }\n", encoding="utf-8")
    rebuilt = confgen("build", EXAMPLE, "-o", out, "--templates", "../here/templates", "--to", "html,pdf",
                      cwd=elsewhere)
    assert f"wrote {out / 'acme-ct.html'}" in rebuilt.stderr, rebuilt.stderr
    assert "h1 { color: #00ff00; }" in (out / "acme-ct.html").read_text(encoding="utf-8")


def test_a_service_override_added_after_a_build_is_an_input(templates: Path) -> None:
    # services/<key>.html.j2 renders a declared service the vendor's way; one added later is noticed.
    out = templates.parent / "out"
    args = ["build", EXAMPLE, "-o", out, "--templates", templates, "--to", "html"]
    assert confgen(*args).returncode == 0
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))
    used = {path: was for files in record["dependencies"].values() for path, was in files.items()}
    assert used[str(templates.resolve() / "services" / "storage.html.j2")] == "absent"
    assert "unchanged" in confgen(*args).stderr
    (templates / "services").mkdir()
    (templates / "services" / "storage.html.j2").write_text("<p>Storage, the vendor's way.</p>\n", encoding="utf-8")
    rebuilt = confgen(*args)
    assert f"wrote {out / 'acme-ct.html'}" in rebuilt.stderr, rebuilt.stderr
    assert "<p>Storage, the vendor's way.</p>" in (out / "acme-ct.html").read_text(encoding="utf-8")


def fonts_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows only copies of the fonts the statement uses, in a folder of the
    test's own, so that the test can change them."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is not installed")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for family in ("DejaVu Sans", "DejaVu Sans:bold", "DejaVu Sans:oblique", "DejaVu Sans Mono"):
        found = subprocess.run(["fc-match", "--format=%{file}", family], capture_output=True, text=True,
                               check=False).stdout
        if "DejaVu" not in found:
            pytest.skip("the DejaVu fonts are not installed")
        shutil.copy(found, fonts)
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir>'
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


@pytest.mark.parametrize("change", ["a font's bytes", "a font added", "the fontconfig configuration"])
def test_the_font_setup_is_an_input(tmp_path: Path, change: str) -> None:
    env = fonts_env(tmp_path)
    out = tmp_path / "out"
    args = ["build", EXAMPLE, "-o", out, "--to", "pdf"]
    assert confgen(*args, env=env).returncode == 0
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))
    used = {path for files in record["dependencies"].values() for path in files}
    assert str(tmp_path / "fonts" / "DejaVuSans.ttf") in used, "the font file the PDF was made with"
    if sys.platform == "linux":  # HarfBuzz's subsetter, or where it would be: installing it changes the bytes
        assert any(Path(path).name.startswith("libharfbuzz-subset") for path in used), sorted(used)
    assert "unchanged" in confgen(*args, env=env).stderr
    if change == "a font's bytes":
        with (tmp_path / "fonts" / "DejaVuSans.ttf").open("ab") as font:
            font.write(b"\0" * 4)  # a table-based font reads the same with bytes after its tables
    elif change == "a font added":
        shutil.copy(tmp_path / "fonts" / "DejaVuSans.ttf", tmp_path / "fonts" / "AnotherSans.ttf")
    else:
        config = Path(env["FONTCONFIG_FILE"])
        config.write_text(config.read_text(encoding="utf-8").replace("</fontconfig>", "<!-- changed --></fontconfig>"),
                          encoding="utf-8")
    assert f"wrote {out / 'acme-ct.pdf'}" in confgen(*args, env=env).stderr


def test_the_record_keeps_each_set_of_files_once(tmp_path: Path) -> None:
    profiles = []
    for number in range(3):
        path = tmp_path / f"device-{number}.yaml"
        path.write_text(edit("  product: Acme CT", f"  product: Acme CT {number}"), encoding="utf-8")
        profiles.append(path)
    out = tmp_path / "out"
    assert confgen("build", *profiles, "-o", out, "-j", "2").returncode == 0
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))
    assert len(record["dependencies"]) == 2, "the templates, and the font setup, shared by all three"
    assert all(entry["depends"] == record["profiles"]["device-0"]["depends"] for entry in record["profiles"].values())


# -- compiled templates, kept between builds -----------------------------------------------------------------------


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from confgen.render import compiled_templates

    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    compiled_templates.cache_clear()
    yield home / "confgen" / "templates"
    compiled_templates.cache_clear()


def rendered(monkeypatch: pytest.MonkeyPatch, compile_allowed: bool = True) -> str:
    """The example's HTML, rendered in a new environment; with ``compile_allowed`` False, compiling a template
    fails the test (it must come from the cache)."""
    import jinja2

    from confgen.build import check
    from confgen.render import render
    from confgen.statement import build_statement

    if not compile_allowed:
        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a template was compiled")

        monkeypatch.setattr(jinja2.Environment, "_compile", refuse)
    profile = check(EXAMPLE).profile
    assert profile is not None
    return render(build_statement(profile)).html


def test_templates_compiled_once_are_not_compiled_again(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = rendered(monkeypatch)
    assert cache_home.is_dir()
    assert oct(cache_home.stat().st_mode & 0o777) == "0o700", "compiled code is run: the folder is the user's alone"
    assert len(list(cache_home.iterdir())) >= 3  # the statement, its macros, its stylesheet, the print stylesheet
    assert rendered(monkeypatch, compile_allowed=False) == first


def test_a_damaged_or_unwritable_cache_only_means_compiling(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = rendered(monkeypatch)
    for entry in cache_home.iterdir():
        entry.write_bytes(b"not compiled code")
    assert rendered(monkeypatch) == first
    for entry in cache_home.iterdir():
        entry.unlink()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    import jinja2.bccache

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", full_disk)
    assert rendered(monkeypatch) == first
    assert list(cache_home.iterdir()) == []


@pytest.mark.parametrize("unsafe", ["open to others", "a file"])
def test_a_cache_folder_that_is_not_the_users_own_is_not_used(cache_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                              unsafe: str) -> None:
    from confgen.render import compiled_templates

    cache_home.parent.mkdir(parents=True)
    if unsafe == "a file":
        cache_home.write_text("", encoding="utf-8")
    else:
        cache_home.mkdir(mode=0o777)
        cache_home.chmod(0o777)
    assert compiled_templates() is None
    rendered(monkeypatch)
    assert unsafe == "a file" or list(cache_home.iterdir()) == []


def test_a_template_from_the_cache_still_runs_in_the_sandbox(templates: Path, cli) -> None:  # type: ignore[no-untyped-def]
    override(templates, "</body>", '<p>{{ cycler.__init__.__globals__.os.popen("id").read() }}</p></body>')
    for _ in range(2):  # compiled, then from the cache
        run = cli("build", str(EXAMPLE), "-o", str(templates.parent / "out"), "--templates", str(templates), "--to",
                  "html")
        assert run.code == 1
        assert "access to attribute '__init__' of 'type' object is unsafe" in run.out


def test_code_compiled_under_other_options_is_not_used(tmp_path: Path) -> None:
    # Jinja checks an entry's source and versions, not the options it was compiled with (trim_blocks changes the
    # code of the same source): the options are part of where an entry is kept.
    from confgen.render import _Compiled

    ours, other = _Compiled(str(tmp_path), "trim_blocks=True"), _Compiled(str(tmp_path), "trim_blocks=False")
    assert ours.get_cache_key("statement.html.j2", "/t/statement.html.j2") != other.get_cache_key(
        "statement.html.j2", "/t/statement.html.j2")
    assert ours.get_cache_key("statement.html.j2", "/t/statement.html.j2") == _Compiled(
        str(tmp_path), "trim_blocks=True").get_cache_key("statement.html.j2", "/t/statement.html.j2")


def test_an_entry_cut_short_after_its_header_only_means_compiling(cache_home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Jinja reads an entry's header itself, but its checksum with pickle and its code with marshal: cut short
    # there, an entry raises their errors, not OSError, and must not fail every build that follows.
    from jinja2.bccache import bc_magic

    first = rendered(monkeypatch)
    entries = list(cache_home.iterdir())
    cut = len(bc_magic) + 5  # Jinja's header, and 5 bytes of the pickled checksum
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:cut])
    assert rendered(monkeypatch) == first
    assert all(len(entry.read_bytes()) > cut for entry in entries), "each is compiled again and replaced"
    assert rendered(monkeypatch, compile_allowed=False) == first


def test_an_entry_that_others_could_have_written_is_not_run(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from confgen.render import RenderError

    rendered(monkeypatch)
    entries = list(cache_home.iterdir())
    entries[0].chmod(0o660)
    with pytest.raises(RenderError, match="a template was compiled"):
        rendered(monkeypatch, compile_allowed=False)


def test_a_relative_home_keeps_nothing_among_the_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from confgen.render import compiled_templates

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", ".")
    monkeypatch.chdir(tmp_path)
    compiled_templates.cache_clear()
    try:
        assert compiled_templates() is None
    finally:
        compiled_templates.cache_clear()
    assert list(tmp_path.iterdir()) == []
