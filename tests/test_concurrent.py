"""Builds that share an output folder, and builds cut short: each interleaving is forced (a process paused by a
hook of tests/interleave.py, or a signal at a chosen instant), and nothing wrong is ever reported as built
(issue 13, points 1, 2, 9, 11 and 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
from conftest import NO_LINE, edit

from confgen import output
from confgen.record import RECORD_NAME

INTERLEAVE = Path(__file__).with_name("interleave.py")
CONFGEN = [sys.executable, "-m", "confgen"]


def profile(folder: Path, product: str, name: str = "p.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(edit("  product: Acme CT", f"  product: {product}"), encoding="utf-8")
    return path


def confgen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CONFGEN, *map(str, args)], capture_output=True, text=True, check=False, timeout=300)


def hooked(hook: str, signals: Path, *args: str | Path) -> subprocess.Popen[str]:
    signals.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, str(INTERLEAVE), hook, str(signals), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, what: str, process: subprocess.Popen[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"never {what}")
        time.sleep(0.02)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def products(out: Path, stem: str = "p") -> tuple[str, str]:
    """The product named on the HTML's cover and on the PDF's first page."""
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    with pdfplumber.open(out / f"{stem}.pdf") as pdf:
        cover = pdf.pages[0].extract_text() or ""
    return (next(p for p in ("Product A", "Product B") if p in html),
            next(p for p in ("Product A", "Product B") if p in cover))


def test_two_builds_into_one_folder_never_credit_one_with_the_others_files(tmp_path: Path) -> None:
    # Build A renders a/p.yaml and another profile on two workers and is slow to take in their results; build B
    # writes b/p.yaml (the same stem, another product) in between. A's record once took the hashes of whatever was
    # on disk when A took in its results, B's files, so the next build of a/p.yaml said "unchanged" over B's product.
    out = tmp_path / "out"
    a, b = profile(tmp_path / "a", "Product A"), profile(tmp_path / "b", "Product B")
    other = profile(tmp_path / "a", "Other", "q.yaml")
    build_a = hooked("pause-results", tmp_path / "signals", "build", other, a, "-o", out, "-j", "2")
    wait_for(lambda: (out / "p.pdf").exists() and (out / "q.pdf").exists(), "A wrote its outputs", build_a)
    assert confgen("build", b, "-o", out).returncode == 0
    (tmp_path / "signals" / "go").touch()
    assert finish(build_a)[0] == 0
    assert products(out) == ("Product B", "Product B")
    again = confgen("build", a, "-o", out)
    assert again.returncode == 0
    assert f"wrote {out / 'p.html'}" in again.stderr, "A's entry does not vouch for B's files"
    assert products(out) == ("Product A", "Product A")
    assert "unchanged" in confgen("build", other, a, "-o", out).stderr


def test_two_processes_building_one_stem_end_with_one_pair_and_a_true_record(tmp_path: Path) -> None:
    # A has written both outputs and not yet renamed them when B builds the same stem from start to end. B once
    # removed A's staged files as leftovers, and A failed (F102 "No such file or directory").
    out = tmp_path / "out"
    a, b = profile(tmp_path / "a", "Product A"), profile(tmp_path / "b", "Product B")
    build_a = hooked("pause-after-staging", tmp_path / "signals", "build", a, "-o", out, "-j", "1")
    wait_for((tmp_path / "signals" / "paused").exists, "A staged its outputs", build_a)
    assert confgen("build", b, "-o", out).returncode == 0
    assert products(out) == ("Product B", "Product B")
    (tmp_path / "signals" / "go").touch()
    code, _, err = finish(build_a)
    assert code == 0, err
    assert products(out) == ("Product A", "Product A"), "the last pair put in place, whole"
    assert "unchanged" in confgen("build", a, "-o", out).stderr
    assert "wrote" in confgen("build", b, "-o", out).stderr
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_build_that_finds_a_profile_unchanged_leaves_a_live_builds_files_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    a = profile(tmp_path / "a", "Product A")
    assert confgen("build", a, "-o", out).returncode == 0
    forced = hooked("pause-after-staging", tmp_path / "signals", "build", a, "-o", out, "--force", "-j", "1")
    wait_for((tmp_path / "signals" / "paused").exists, "the forced build staged its outputs", forced)
    assert "unchanged" in confgen("build", a, "-o", out).stderr
    (tmp_path / "signals" / "go").touch()
    code, _, err = finish(forced)
    assert code == 0, err
    assert products(out) == ("Product A", "Product A")


def test_a_profile_named_like_anothers_output_leaves_its_staged_files_alone(tmp_path: Path) -> None:
    # The leftovers of x.html were globbed as .x.html.*.tmp, which is also how x.html.v2.pdf's staged file begins.
    out = tmp_path / "out"
    x, v2 = profile(tmp_path, "Product A", "x.yaml"), profile(tmp_path, "Product B", "x.html.v2.yaml")
    paused = hooked("pause-after-staging", tmp_path / "signals", "build", v2, "-o", out, "-j", "1")
    wait_for((tmp_path / "signals" / "paused").exists, "x.html.v2 staged its outputs", paused)
    assert confgen("build", x, "-o", out).returncode == 0
    (tmp_path / "signals" / "go").touch()
    code, _, err = finish(paused)
    assert code == 0, err
    assert products(out, "x") == ("Product A", "Product A")
    assert products(out, "x.html.v2") == ("Product B", "Product B")


def test_leftovers_are_only_a_dead_writers_and_only_of_their_own_output(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "x.html"
    dead = tmp_path / f"{output.staged_prefix('x.html')}d3adb33f.tmp"
    alive = tmp_path / f"{output.staged_prefix('x.html')}l1ve0000.tmp"
    anothers = tmp_path / f"{output.staged_prefix('x.html.v2.pdf')}d3adb33f.tmp"
    for path in (dead, alive, anothers):
        path.write_bytes(b"staged")
    with alive.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the process writing it holds it
        output.remove_leftovers([target])
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, anothers.name])
    output.remove_leftovers([target])
    assert sorted(p.name for p in tmp_path.iterdir()) == [anothers.name]


def test_a_refused_second_rename_puts_the_earlier_pair_back(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An immutable file, or a sticky folder owned by another user, refuses the PDF's rename after the HTML's.
    out = tmp_path / "out"
    device = profile(tmp_path, "Product A", "device.yaml")
    out.mkdir()
    (out / "device.html").write_bytes(b"<p>the earlier HTML</p>")
    (out / "device.pdf").write_bytes(b"%PDF-1.7 the earlier PDF")
    replace = os.replace

    def refuse_the_pdf(source: str | Path, target: str | Path) -> None:
        if str(target).endswith("device.pdf"):
            raise PermissionError(1, "Operation not permitted")
        replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_the_pdf)
    run = cli("build", str(device), "-o", str(out))
    assert run.code == 2
    assert f"cannot write {out / 'device.pdf'}: Operation not permitted; no output of this profile was changed" \
        in run.out
    assert (out / "device.html").read_bytes() == b"<p>the earlier HTML</p>"
    assert (out / "device.pdf").read_bytes() == b"%PDF-1.7 the earlier PDF"
    assert sorted(p.name for p in out.iterdir()) == ["device.html", "device.pdf"]


def test_when_even_the_rollback_fails_the_message_says_which_file_is_which(tmp_path: Path, cli,  # type: ignore[no-untyped-def]
                                                                           monkeypatch) -> None:
    out = tmp_path / "out"
    device = profile(tmp_path, "Product A", "device.yaml")
    out.mkdir()
    (out / "device.html").write_bytes(b"<p>the earlier HTML</p>")
    replace = os.replace

    def refuse(source: str | Path, target: str | Path) -> None:
        putting_back = Path(source).name.startswith(output.staged_prefix("device.html")) and \
            Path(target).name == "device.html" and (out / "device.html").read_bytes().startswith(b"<!DOCTYPE")
        if str(target).endswith("device.pdf") or putting_back:
            raise PermissionError(1, "Operation not permitted")
        replace(source, target)

    monkeypatch.setattr(os, "replace", refuse)
    run = cli("build", str(device), "-o", str(out))
    assert run.code == 2
    [kept] = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert f"cannot write {out / 'device.pdf'}: Operation not permitted; so device.html is this build's (the " \
           f"earlier one is kept as {kept})" in run.out
    assert (out / kept).read_bytes() == b"<p>the earlier HTML</p>"


def test_outputs_the_record_and_the_folder_are_synced_before_success(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    synced: list[str] = []
    fsync = os.fsync

    def recorded(descriptor: int) -> None:
        synced.append(str(Path(f"/proc/self/fd/{descriptor}").readlink()))
        fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recorded)
    assert cli("build", str(profile(tmp_path, "Product A")), "-o", str(out)).code == 0
    names = [Path(path).name for path in synced]
    for output_name in ("p.html", "p.pdf", RECORD_NAME):  # each staged file, before its rename
        assert any(name.startswith(output.staged_prefix(output_name)) for name in names), (output_name, names)
    assert str(out) in synced, "and the folder, after the renames"


def test_f104_a_record_that_cannot_be_written_is_reported(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    (out / RECORD_NAME).mkdir(parents=True)  # something in the way of the record
    run = cli("build", str(profile(tmp_path, "Product A")), "-o", str(out))
    assert run.code == 2
    assert [m["rule"] for m in map(NO_LINE.match, run.out.splitlines()) if m] == ["F104"]
    [diagnostic] = run.out.splitlines()
    assert diagnostic.endswith(f"error F104 the outputs were written, but not the build record {out / RECORD_NAME}: "
                               "Is a directory; the next build builds this profile again")
    assert products(out) == ("Product A", "Product A")
    assert run.err.splitlines()[-1] == "1 profile: 1 built, 0 not built; 1 error, 0 warnings"


def test_two_builds_keep_each_others_record_entries(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, second = profile(tmp_path, "Product A", "one.yaml"), profile(tmp_path, "Product B", "two.yaml")
    paused = hooked("pause-after-staging", tmp_path / "signals", "build", first, "-o", out, "-j", "1")
    wait_for((tmp_path / "signals" / "paused").exists, "the first build staged its outputs", paused)
    assert confgen("build", second, "-o", out).returncode == 0  # its record, read before the first one's entry
    (tmp_path / "signals" / "go").touch()
    assert finish(paused)[0] == 0
    assert sorted(json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))["profiles"]) == ["one", "two"]
    assert confgen("build", first, second, "-o", out).stderr.splitlines()[-1] == \
        "2 profiles: 0 built, 2 unchanged, 0 not built; 0 errors, 0 warnings"


def test_sigterm_right_after_a_staged_file_is_made_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stopped = hooked("sigterm-after-mkstemp", tmp_path / "signals", "build", profile(tmp_path, "Product A"), "-o",
                     out, "-j", "1", "--to", "html")
    code, _, err = finish(stopped)
    assert code == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == "confgen: terminated"
    assert list(out.iterdir()) == []


def test_a_second_ctrl_c_while_stopping_prints_no_traceback(tmp_path: Path) -> None:
    stopped = hooked("ctrl-c-twice", tmp_path / "signals", "build", profile(tmp_path, "Product A"), "-o",
                     tmp_path / "out", "-j", "1", "--to", "html")
    code, _, err = finish(stopped)
    assert code == 130
    assert err.splitlines() == ["confgen: interrupted"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_unexpected_error_fails_its_profile_only(tmp_path: Path, cli, monkeypatch, jobs: str) -> None:  # type: ignore[no-untyped-def]
    from confgen import statement

    build_statement = statement.build_statement

    def failing(profile):  # type: ignore[no-untyped-def]
        if profile.document.product == "Product B":
            raise RuntimeError("a defect")
        return build_statement(profile)

    monkeypatch.setattr(statement, "build_statement", failing)
    profiles = [profile(tmp_path, name, f"{name[-1]}.yaml") for name in ("Product A", "Product B", "Product C")]
    out = tmp_path / "out"
    run = cli("build", *map(str, profiles), "-o", str(out), "-j", jobs, "--to", "html")
    assert run.code == 1
    assert [m["rule"] for m in map(NO_LINE.match, run.out.splitlines()) if m] == ["R403"]
    assert run.out.splitlines() == [f"{profiles[1]}: error R403 RuntimeError: a defect"]
    assert sorted(p.name for p in out.glob("*.html")) == ["A.html", "C.html"]
    assert sorted(json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))["profiles"]) == ["A", "C"]


def test_a_254_character_name_builds(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # The longest name a file may have (255 bytes) less a byte: its staged files once had names too long.
    long = profile(tmp_path, "Product A", "p" * 249 + ".yaml")
    other = profile(tmp_path, "Product B", "other.yaml")
    run = cli("build", str(long), str(other), "-o", str(tmp_path / "out"), "-j", "2")
    assert run.code == 0, run.out
    assert products(tmp_path / "out", "p" * 249) == ("Product A", "Product A")
    assert products(tmp_path / "out", "other") == ("Product B", "Product B")
