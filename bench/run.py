"""How fast confgen is, measured beside the tools it is used with, in the same run on the same machine.

    python bench/run.py            # medians of 7 runs: a few minutes on 2 cores
    python bench/run.py --quick    # 1 run of each, 3 profiles in the batch: proves the script works (CI)

Every figure is the wall time of a fresh process, as a user or a pipeline runs it, with Python's bytecode in
use, as an installed wheel has it (pip compiles it on install), kept in the benchmark's folder
(PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE is unset for the commands); confgen's cache of compiled templates
is kept there too (XDG_CACHE_HOME). Each command runs once before it is timed, so that these caches are warm.
Commands compared with each other are timed in turn, one run of each after the other, so that a change in
the machine's load falls on all of them. The targets are ratios, because absolute times depend on the machine
and on what else it is doing. For the example, a larger profile (the example with 200 more SCP codes) and the
largest example profile (every table confgen completes, about 20 tables and 300 rows):

    validate                      <= 1.0 x  yamllint on the same profile (issue 12)
    build --to html               <= 2.0 x  validate of the same profile (issue 12)
    build (HTML and PDF)          <= 1.10 x weasyprint on the same HTML, same stylesheet, variant and tagging
                                            (1.3 x for every table, issue 10)

and:

    validate of every table       <= 1.5 x  validate of the example (issue 10)
    12 profiles in one command    >= 3 x faster than 12 commands (issue 5)
    12 unchanged profiles again   <= 1.5 x  one validate (issue 5)

and two absolute ones (issue 11), which are network round trips on loopback and the peers' own speed:

    probe scp, the whole probe set against DCMTK's storescp, default timeout    < 30 s
    probe scu --command, DCMTK's storescu through every row of N.7-42          < 20 s

yamllint runs with its default configuration, as `yamllint PROFILE` does; it finds lines over 80 characters in
the profiles, and its exit code 1 for them is expected. The probe figures need Debian's dcmtk
(tests/checkers/install installs it); without it they are skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "profiles" / "acme-ct.yaml"
EVERY_TABLE = ROOT / "tests" / "cases" / "valid" / "every-table.yaml"
CONFGEN = [sys.executable, "-m", "confgen"]
# Debian's paths: pynetdicom installs Python programs of the same names, which come first in a virtual environment.
STORESCP = Path("/usr/bin/storescp")
STORESCU = Path("/usr/bin/storescu")
PEER_PROFILES = ROOT / "tests" / "profiles"


def large_profile(additional: int = 200) -> str:
    """The example (every template row of both tables) with ``additional`` more SCP codes, A712 upwards."""
    text = EXAMPLE.read_text(encoding="utf-8")
    anchor = '        "A711":\n'
    rows = "".join(
        f'        "A{0x712 + n:03X}":\n'
        f"          condition: Refusal number {n} of the benchmark; the store cannot take the instance now, for "
        f"reason {n}; the SCU may retry later.\n"
        "          related_fields: [ErrorComment]\n"
        for n in range(additional))
    assert text.count(anchor) == 1
    assert 0x712 + additional <= 0x7FF
    return text.replace(anchor, rows + anchor)


def median_time(command: Sequence[str], runs: int, cwd: Path, env: dict[str, str] | None = None) -> float:
    return side_by_side({"": command}, runs, cwd, env)[""]


def side_by_side(commands: dict[str, Sequence[str]], runs: int, cwd: Path, env: dict[str, str] | None = None,
                 exit_codes: dict[str, tuple[int, ...]] | None = None) -> dict[str, float]:
    """The median wall time of each command, after one run of each that is not timed; the commands are run in
    turn, run after run. A command fails the benchmark unless it ends with one of its ``exit_codes`` (0)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    check=False)
            if round_:  # the first round warms the caches
                times[name].append(time.perf_counter() - start)
            if result.returncode not in (exit_codes or {}).get(name, (0,)):
                raise SystemExit(f"bench: {' '.join(command)} failed ({result.returncode}):\n"
                                 f"{result.stderr.decode()}")
    return {name: statistics.median(spent) for name, spent in times.items()}


def environment(work: Path) -> dict[str, str]:
    """The commands' environment: bytecode written and read in the benchmark's folder, as an installed wheel has
    it; confgen's template cache there too."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(work / "pycache"), "XDG_CACHE_HOME": str(work / "cache")}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each and a batch of 3: proves it works")
    parser.add_argument("--runs", type=int, default=7, help="runs per figure, whose median is taken (default 7)")
    arguments = parser.parse_args(argv)
    runs = 1 if arguments.quick else arguments.runs
    batch = 3 if arguments.quick else 12

    work = Path(tempfile.mkdtemp(prefix="confgen-bench-"))
    try:
        return _measure(work, runs, batch)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work: Path, runs: int, batch: int) -> int:
    from confgen.build import PDF_VARIANTS
    from confgen.workers import default_workers

    profiles = {"example": EXAMPLE, "large": work / "large.yaml", "every table": EVERY_TABLE}
    profiles["large"].write_text(large_profile(), encoding="utf-8")
    variant = PDF_VARIANTS[0]
    env = environment(work)
    # The floor is short and the machine may be busy: it is taken with twice the runs.
    floor = median_time([sys.executable, "-c", "import yaml"], 2 * runs, work, env)
    rows: list[tuple[str, float, str]] = []

    for name, profile in profiles.items():
        out = work / f"out-{name}"
        first = side_by_side({
            "yamllint": [sys.executable, "-m", "yamllint", str(profile)],
            "validate": [*CONFGEN, "validate", str(profile)],
            "html": [*CONFGEN, "build", str(profile), "-o", str(out), "--to", "html", "--force"],
        }, runs, work, env, exit_codes={"yamllint": (0, 1)})
        # The same HTML, laid out by WeasyPrint's own command with the same print stylesheet, variant and tags.
        stylesheet = work / "print.css"
        stylesheet.write_text(_print_css(profile), encoding="utf-8")
        second = side_by_side({
            "full": [*CONFGEN, "build", str(profile), "-o", str(out), "--force"],
            "weasy": [sys.executable, "-m", "weasyprint", "--pdf-variant", variant, "--pdf-tags", "-s",
                      str(stylesheet), str(out / f"{profile.stem}.html"), str(work / "weasy.pdf")],
        }, runs, work, env | {"SOURCE_DATE_EPOCH": "1763596800"})
        yamllint, validate, html, full, weasy = (first["yamllint"], first["validate"], first["html"], second["full"],
                                                 second["weasy"])
        rows += [
            (f"{name}: yamllint", yamllint, ""),
            (f"{name}: validate", validate, _target(validate / yamllint, 1.0, "x yamllint")),
            (f"{name}: build --to html", html, _target(html / validate, 2.0, "x validate")),
            (f"{name}: build (HTML and PDF)", full,
             _target(full / weasy, 1.3 if name == "every table" else 1.10, "x weasyprint")),
            (f"{name}: weasyprint command alone", weasy, ""),
        ]
    # Every table against the example: timed side by side too.
    against = side_by_side({name: [*CONFGEN, "validate", str(profiles[name])] for name in ("example", "every table")},
                           runs, work, env)
    rows.append(("every table: validate, against the example", against["every table"],
                 _target(against["every table"] / against["example"], 1.5, "x example validate")))

    many = [work / f"product-{n}.yaml" for n in range(batch)]
    text = EXAMPLE.read_text(encoding="utf-8")
    for n, path in enumerate(many):
        path.write_text(text.replace("  product: Acme CT", f"  product: Acme CT {n}"), encoding="utf-8")
    out = work / "out-batch"
    # The batch figures are medians too, of fewer runs: twelve commands one by one take a while.
    batch_runs = min(runs, 3)
    one_by_one = statistics.median(
        _wall([[*CONFGEN, "build", str(path), "-o", str(out), "--force"] for path in many], work, env)
        for _ in range(batch_runs))
    together = statistics.median(
        _wall([[*CONFGEN, "build", *map(str, many), "-o", str(out), "--force"]], work, env)
        for _ in range(batch_runs))
    again = side_by_side({"unchanged": [*CONFGEN, "build", *map(str, many), "-o", str(out)],
                          "validate": [*CONFGEN, "validate", str(EXAMPLE)]}, runs, work, env)
    unchanged, validate = again["unchanged"], again["validate"]
    rows += [
        (f"{batch} profiles, {batch} commands", one_by_one, ""),
        (f"{batch} profiles, one command", together, _target(one_by_one / together, 3.0, "x faster", at_least=True)),
        (f"{batch} unchanged profiles again", unchanged, _target(unchanged / validate, 1.5, "x validate")),
    ]

    rows += _probe_rows(work, batch_runs, env)

    cores = default_workers()
    print(f"confgen benchmark: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{cores} cores; medians of {runs} run{'s' * (runs != 1)}")
    floor_label = 'floor: python -c "import yaml"'
    print(f"{floor_label:<44} {floor:7.3f} s")
    for label, seconds, verdict in rows:
        print(f"{label:<44} {seconds:7.3f} s  {verdict}")
    return 0


def _probe_rows(work: Path, runs: int, env: dict[str, str]) -> list[tuple[str, float, str]]:
    """The two probe figures: the whole SCP probe set against storescp, and storescu through every SCU row."""
    labels = ("probe scp: storescp, every probe", "probe scu: storescu, every row")
    if not (STORESCP.exists() and STORESCU.exists()):
        return [(label, float("nan"), "skipped: dcmtk is not installed (run tests/checkers/install)")
                for label in labels]
    port = _free_port()
    received = work / "received"
    received.mkdir()
    with _running([str(STORESCP), "--output-directory", str(received), str(port)], work, port):
        scp = median_time([*CONFGEN, "probe", "scp", str(PEER_PROFILES / "storescp.yaml"), "--host", "127.0.0.1",
                           "--port", str(port)], runs, work, env)
    files = _three_files(work)
    port = _free_port()
    scu = median_time([*CONFGEN, "probe", "scu", str(PEER_PROFILES / "storescu.yaml"), "--port", str(port),
                       "--command", f"{STORESCU} 127.0.0.1 {port} {' '.join(map(str, files))}"], runs, work, env)
    return [(labels[0], scp, _target(scp, 30.0, "s")), (labels[1], scu, _target(scu, 20.0, "s"))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _running(command: list[str], cwd: Path, port: int) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.02)
        yield
    finally:
        process.terminate()
        process.wait(10)


def _three_files(work: Path) -> list[Path]:
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    from confgen.probe.instances import SECONDARY_CAPTURE, TestData, dataset

    test = TestData.new()
    files = []
    for number in range(1, 4):
        ds = dataset(SECONDARY_CAPTURE, test, generate_uid(), number)
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        files.append(work / f"image{number}.dcm")
        ds.save_as(files[-1], enforce_file_format=True)
    return files


def _print_css(profile: Path) -> str:
    from confgen.build import check
    from confgen.render import render
    from confgen.statement import build_statement

    checked = check(profile)
    assert checked.profile is not None, checked.report.sorted()
    return render(build_statement(checked.profile)).print_css


def _wall(commands: list[list[str]], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _target(ratio: float, limit: float, unit: str, at_least: bool = False) -> str:
    met = ratio >= limit if at_least else ratio <= limit
    return f"{ratio:5.2f} {unit} (target {'>=' if at_least else '<='} {limit}): {'met' if met else 'MISSED'}"


if __name__ == "__main__":
    sys.exit(main())
