"""Many profiles: choosing the outputs, parallel builds that survive one failure, and incremental rebuilds."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from conftest import EXAMPLE, EXAMPLE_TEXT, edit

from confgen.record import RECORD_NAME
from confgen.workers import WORKER_NAME

T = TypeVar("T")


def _profiles(folder: Path, count: int) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"device-{number}.yaml"
        path.write_text(edit("  product: Acme CT", f"  product: Acme CT {number}"), encoding="utf-8")
        paths.append(path)
    return paths


def wait_for(condition: Callable[[], T], what: str, timeout: float = 120) -> T:
    """What ``condition`` returns once it is true, asked again and again; fails after ``timeout`` seconds, a bound
    for a machine under load, not an expected time."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.02)
    return found


def _session_alive(session: int) -> bool:
    try:
        os.killpg(session, 0)
    except ProcessLookupError:
        return False
    return True


def _end_session(process: subprocess.Popen[bytes]) -> None:
    """A test that failed half-way leaves no build or worker of its own running."""
    import signal

    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize(("to", "made"), [("html", [".html"]), ("pdf", [".pdf"]), ("html,pdf", [".html", ".pdf"]),
                                          ("pdf,html", [".html", ".pdf"])])
def test_to_chooses_the_outputs(tmp_path: Path, cli, to: str, made: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path), "--to", to).code == 0
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.name != RECORD_NAME) == made


@pytest.mark.parametrize("to", ["docx", "html,", ""])
def test_to_refuses_what_it_cannot_write(cli, to: str) -> None:  # type: ignore[no-untyped-def]
    run = cli("build", str(EXAMPLE), "--to", to)
    assert run.code == 2
    assert "give html, pdf or html,pdf" in run.err


@pytest.mark.parametrize("args", [["validate", str(EXAMPLE)], ["init", "-"], ["rules"],
                                  ["build", str(EXAMPLE), "-o", "{tmp}", "--to", "html"]])
def test_only_a_pdf_imports_weasyprint(tmp_path: Path, args: list[str]) -> None:
    code = ("import sys; from confgen.cli import main; main(sys.argv[1:]); "
            "sys.exit(3 if 'weasyprint' in sys.modules else 0)")
    result = subprocess.run([sys.executable, "-c", code, *(a.format(tmp=tmp_path) for a in args)],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


def test_several_profiles_in_parallel_one_failure_stops_none(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    good = _profiles(tmp_path, 3)
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", str(good[0]), str(bad), *map(str, good[1:]), "-o", str(out), "--jobs", "2")
    assert run.code == 1
    assert [d.group("path") for d in run.diagnostics()] == [str(bad)]
    for number in range(3):
        assert (out / f"device-{number}.pdf").read_bytes().startswith(b"%PDF-")
        assert f"Acme CT {number}" in (out / f"device-{number}.html").read_text(encoding="utf-8")
    assert not (out / "bad.html").exists()
    assert run.err.splitlines()[-1] == f"4 profiles: 3 built, 1 not built ({bad}); 1 error, 0 warnings"
    # Without a terminal, one line per output: a CI log keeps every line.
    assert sorted(line for line in run.err.splitlines() if line.startswith("wrote")) == sorted(
        f"wrote {out / f'device-{n}.{kind}'}" for n in range(3) for kind in ("html", "pdf"))


def test_parallel_and_sequential_builds_write_the_same_bytes(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profiles = list(map(str, _profiles(tmp_path, 3)))
    assert cli("build", *profiles, "-o", str(tmp_path / "one"), "--jobs", "1").code == 0
    assert cli("build", *profiles, "-o", str(tmp_path / "two"), "--jobs", "2").code == 0
    for number in range(3):
        for kind in ("html", "pdf"):
            name = f"device-{number}.{kind}"
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_unchanged_profiles_are_skipped_and_force_rebuilds(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profiles = list(map(str, _profiles(tmp_path, 2)))
    out = tmp_path / "out"
    assert cli("build", *profiles, "-o", str(out)).code == 0
    built = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    again = cli("build", *profiles, "-o", str(out))
    assert again.code == 0
    assert again.err.splitlines()[-1] == "2 profiles: 0 built, 2 unchanged, 0 not built; 0 errors, 0 warnings"
    assert f"unchanged: {out / 'device-0.html'}, {out / 'device-0.pdf'}" in again.err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == built, "nothing was written"

    forced = cli("build", *profiles, "-o", str(out), "--force")
    assert forced.err.splitlines()[-1] == "2 profiles: 2 built, 0 not built; 0 errors, 0 warnings"


@pytest.mark.parametrize("change", ["profile", "output deleted", "output edited", "options", "templates"])
def test_a_changed_input_or_output_is_rebuilt(tmp_path: Path, cli, change: str) -> None:  # type: ignore[no-untyped-def]
    [profile, other] = _profiles(tmp_path, 2)
    out = tmp_path / "out"
    templates = tmp_path / "templates"
    templates.mkdir()
    assert cli("build", str(profile), str(other), "-o", str(out), "--templates", str(templates)).code == 0
    options = ["--templates", str(templates)]
    if change == "profile":
        profile.write_text(profile.read_text(encoding="utf-8") + "# a comment changes the bytes\n", encoding="utf-8")
    elif change == "output deleted":
        (out / "device-0.pdf").unlink()
    elif change == "output edited":
        (out / "device-0.html").write_text("edited by hand", encoding="utf-8")
    elif change == "options":
        options = [*options, "--pdf-variant", "pdf/ua-1"]
        other = profile  # both profiles are rebuilt by a changed option; build one
    else:
        (templates / "statement.css").write_text("p { color: #000; }\n", encoding="utf-8")
        other = profile
    run = cli("build", str(profile), str(other), "-o", str(out), *options)
    assert run.code == 0, run.out
    assert f"wrote {out / 'device-0.html'}" in run.err
    if other != profile:
        assert f"unchanged: {out / 'device-1.html'}" in run.err


def test_the_record_lives_next_to_the_outputs(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path)).code == 0
    record = json.loads((tmp_path / RECORD_NAME).read_text(encoding="utf-8"))
    assert list(record["profiles"]) == ["acme-ct"]
    assert sorted(record["profiles"]["acme-ct"]["outputs"]) == ["acme-ct.html", "acme-ct.pdf"]
    (tmp_path / RECORD_NAME).write_text("{not json", encoding="utf-8")
    assert "wrote" in cli("build", str(EXAMPLE), "-o", str(tmp_path)).err, "a broken record means: build"


def test_a_profile_with_errors_keeps_its_earlier_outputs_and_record(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "device.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", str(profile), "-o", str(out)).code == 0
    earlier = (out / "device.pdf").read_bytes()
    profile.write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    assert cli("build", str(profile), "-o", str(out)).code == 1
    assert (out / "device.pdf").read_bytes() == earlier
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    assert "unchanged" in cli("build", str(profile), "-o", str(out)).err


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty

    profiles = list(map(str, _profiles(tmp_path, 3)))
    main, secondary = pty.openpty()
    result = subprocess.run([sys.executable, "-m", "confgen", "build", *profiles, "-o", str(tmp_path / "out"),
                             "--to", "html"], stderr=secondary, stdout=subprocess.DEVNULL, check=False)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert result.returncode == 0
    assert b"\r[##########" in shown
    assert b"] 1/3 " in shown
    assert b"] 2/3 " in shown
    assert shown.rstrip().endswith(b"3 profiles: 3 built, 0 not built; 0 errors, 0 warnings")


def test_validate_reads_pydicoms_dictionary_without_importing_pydicom() -> None:
    # Importing pydicom costs more than all the rest of `confgen validate`; its dictionary is read directly.
    code = ("import sys; from confgen.cli import main; code = main(['validate', sys.argv[1]]); "
            "sys.exit(3 if 'pydicom' in sys.modules else code)")
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("how", "code", "says"), [
    ("Ctrl-C to the terminal's process group", 130, "confgen: interrupted"),
    ("SIGTERM to confgen alone", 143, "confgen: terminated"),
    ("SIGKILL to confgen alone", -9, None),
])
def test_a_stopped_build_stops_every_worker_without_a_traceback_or_a_partial_file(
        tmp_path: Path, how: str, code: int, says: str | None) -> None:
    import signal

    # Eight profiles on two workers take several seconds: the signal comes once the first is written.
    profiles = list(map(str, _profiles(tmp_path, 8)))
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "confgen", "build", *profiles, "-o", str(out), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(lambda: list(out.glob("*.html")), "the first output (the workers are rendering)")
        if how.startswith("Ctrl-C"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM if how.startswith("SIGTERM") else signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        _end_session(process)
    assert process.returncode == code, stderr.decode()
    assert b"8 profiles:" not in stderr, "the build was over before the signal came"
    if says:
        assert stderr.decode().splitlines()[-1] == says
    assert b"Traceback" not in stderr + stdout
    # The kernel ends orphaned workers (PR_SET_PDEATHSIG) right after their parent.
    wait_for(lambda: not _session_alive(process.pid), "every worker to end with the build")
    for path in out.glob("*.pdf") if out.exists() else []:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")


def test_the_record_never_replaces_a_profile_of_that_name(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import yaml

    # JSON is YAML: a profile may be a .json file, even one named like the record, in the output folder.
    profile = tmp_path / RECORD_NAME
    profile.write_text(json.dumps(yaml.safe_load(EXAMPLE_TEXT), default=str), encoding="utf-8")
    assert cli("build", str(profile), "-o", str(tmp_path)).code == 0
    assert json.loads(profile.read_text(encoding="utf-8"))["document"]["product"] == "Acme CT"


def test_a_build_never_writes_over_its_logo(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "device.html"  # a logo is known by its content, whatever its name
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    profile = tmp_path / "device.yaml"
    profile.write_text(edit("  product: Acme CT", "  product: Acme CT\n  logo: device.html"), encoding="utf-8")
    run = cli("build", str(profile), "-o", str(tmp_path), "--to", "html")
    assert run.code == 2
    assert f"{profile}: error F102 the output device.html would overwrite its logo" in run.out
    assert logo.read_text(encoding="utf-8").startswith("<svg")


def test_outputs_inside_the_template_folder_are_not_inputs(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    templates = tmp_path / "templates"
    templates.mkdir()
    args = ["build", str(EXAMPLE), "-o", str(templates / "out"), "--templates", str(templates), "--to", "html"]
    assert cli(*args).code == 0
    assert "unchanged" in cli(*args).err


def test_the_pdf_variant_does_not_change_an_html_build(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("build", str(EXAMPLE), "-o", str(tmp_path), "--to", "html").code == 0
    assert "unchanged" in cli("build", str(EXAMPLE), "-o", str(tmp_path), "--to", "html", "--pdf-variant", "none").err


def test_a_profile_that_clashes_is_still_checked(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (tmp_path / "b" / "x.yaml").write_text(edit("  product: Acme CT", "  product: 42"), encoding="utf-8")
    run = cli("build", str(tmp_path / "a" / "x.yaml"), str(tmp_path / "b" / "x.yaml"), "-o", str(tmp_path / "out"))
    assert f"{tmp_path / 'b' / 'x.yaml'}: error F102" in run.out
    assert f"{tmp_path / 'b' / 'x.yaml'}:7:12: error S203 document.product must be text" in run.out


def _workers_in(session: int) -> list[int]:
    """The PIDs of the rendering workers of the build that leads ``session`` (started with start_new_session):
    the processes of that session that a worker's name marks (confgen.workers names each worker). Neither the
    build itself nor a short-lived child of it (ctypes runs a compiler to find a library) has that name, and
    another build on the machine is in another session."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text(encoding="utf-8").rstrip("\n")
            # The fields after the command's name, which may hold spaces: state, ppid, pgrp, session, ...
            state, _, _, in_session = (entry / "stat").read_text(encoding="utf-8").rpartition(")")[2].split()[:4]
        except (OSError, ValueError):
            continue  # it ended while it was read
        if name == WORKER_NAME and int(in_session) == session and state not in ("Z", "X"):
            workers.append(int(entry.name))
    return sorted(workers)


def test_a_worker_that_dies_fails_its_profiles_and_never_hangs(tmp_path: Path) -> None:
    import signal

    profiles = list(map(str, _profiles(tmp_path, 8)))
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "confgen", "build", *profiles, "-o", str(out), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        # Once a profile is written the workers are rendering the others (eight take at least four rounds).
        workers = wait_for(lambda: list(out.glob("*.html")) and _workers_in(process.pid),
                           "a worker rendering, after the first profile was written")
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
        stdout, stderr = process.communicate(timeout=120)
    finally:
        _end_session(process)
    assert process.returncode == 1, stderr.decode()
    assert b"Traceback" not in stderr
    assert b"error R401 the process rendering it ended unexpectedly" in stdout


def test_a_symbolic_link_is_a_profile_of_its_own(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "a.yaml"
    profile.write_text(EXAMPLE_TEXT, encoding="utf-8")
    (tmp_path / "d.yaml").symlink_to(profile)
    run = cli("build", str(profile), str(tmp_path / "." / "a.yaml"), str(tmp_path / "d.yaml"), "-o",
              str(tmp_path / "out"), "--to", "html")
    assert run.err.splitlines()[-1] == "2 profiles: 2 built, 0 not built; 0 errors, 0 warnings"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["a.html", "d.html"]


def test_an_unchanged_build_removes_what_a_killed_one_left(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from confgen.output import staged_prefix

    assert cli("build", str(EXAMPLE), "-o", str(tmp_path)).code == 0
    (tmp_path / f"{staged_prefix('acme-ct.pdf')}k1ll3d00.tmp").write_bytes(b"%PDF-1.7 half")  # no process owns it
    assert "unchanged" in cli("build", str(EXAMPLE), "-o", str(tmp_path)).err
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_unchanged_build_checks_its_record_without_jinja_or_weasyprint(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    # The templates, fonts and libraries a PDF was made with are checked again with plain reads.
    profiles = list(map(str, _profiles(tmp_path, 2)))
    assert cli("build", *profiles, "-o", str(tmp_path / "out")).code == 0
    code = ("import sys; from confgen.cli import main; code = main(sys.argv[1:]); "
            "sys.exit(3 if {'jinja2', 'weasyprint'} & set(sys.modules) else code)")
    result = subprocess.run([sys.executable, "-c", code, "build", *profiles, "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "2 profiles: 0 built, 2 unchanged, 0 not built; 0 errors, 0 warnings"


def test_workers_that_answered_every_profile_are_told_to_leave_not_terminated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Terminating idle workers races the pool's own shutdown: its queue thread then prints an OSError traceback
    # (CPython gh-94777) after a build that succeeded. Only an interrupted build terminates them.
    import multiprocessing.process

    from confgen.build import Options, build_all

    terminated: list[int | None] = []
    terminate = multiprocessing.process.BaseProcess.terminate

    def recorded(process: multiprocessing.process.BaseProcess) -> None:
        terminated.append(process.pid)
        terminate(process)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "terminate", recorded)
    profiles = _profiles(tmp_path, 3)
    results = list(build_all([(path, str(path)) for path in profiles],
                             Options(tmp_path / "out", formats=("html",), workers=2)))
    assert [len(result.written) for _, result in results] == [1, 1, 1]
    assert terminated == []
