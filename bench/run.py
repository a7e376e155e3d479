"""How fast confgen is, measured against floors taken in the same run on the same machine.

    python bench/run.py            # medians of 7 runs: a few minutes on 2 cores
    python bench/run.py --quick    # 1 run of each, 3 profiles in the batch: proves the script works (CI)

Every figure is the wall time of a fresh process, as a user or a pipeline runs it. The targets are ratios
(issue 5), because absolute times depend on the machine and on what else it is doing:

    validate                      <= 2.0 x  python -c "import yaml"
    build --to html               <= 3.0 x  python -c "import yaml"
    build (HTML and PDF)          <= 1.10 x weasyprint on the same HTML, same stylesheet, variant and tagging
    12 profiles in one command    >= 3 x faster than 12 commands
    12 unchanged profiles again   <= 1.5 x  one validate

and, for a statement with every table confgen completes (about 20 tables, 300 rows; issue 10):

    validate                      <= 1.5 x  validate of the one-service example
    build (HTML and PDF)          <= 1.3 x  weasyprint on the same HTML, same stylesheet, variant and tagging

and two absolute ones (issue 11), which are network round trips on loopback and the peers' own speed:

    probe scp, the whole probe set against DCMTK's storescp, default timeout    < 30 s
    probe scu --command, DCMTK's storescu through every row of N.7-42          < 20 s

The probe figures need Debian's dcmtk (tests/checkers/install installs it); without it they are skipped.
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
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                check=False)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"bench: {' '.join(command)} failed ({result.returncode}):\n{result.stderr.decode()}")
    return statistics.median(times)


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
    figures: dict[str, float] = {}
    # The floor is short and the machine may be busy: it is taken with twice the runs.
    floor = median_time([sys.executable, "-c", "import yaml"], 2 * runs, work)
    rows: list[tuple[str, float, str]] = []

    for name, profile in profiles.items():
        out = work / f"out-{name}"
        validate = median_time([*CONFGEN, "validate", str(profile)], runs, work)
        html = median_time([*CONFGEN, "build", str(profile), "-o", str(out), "--to", "html", "--force"], runs, work)
        full = median_time([*CONFGEN, "build", str(profile), "-o", str(out), "--force"], runs, work)
        # The same HTML, laid out by WeasyPrint's own command with the same print stylesheet, variant and tags.
        stylesheet = work / "print.css"
        stylesheet.write_text(_print_css(profile), encoding="utf-8")
        weasy = median_time([sys.executable, "-m", "weasyprint", "--pdf-variant", variant, "--pdf-tags",
                             "-s", str(stylesheet), str(out / f"{profile.stem}.html"), str(work / "weasy.pdf")],
                            runs, work, env={**os.environ, "SOURCE_DATE_EPOCH": "1763596800"})
        if name == "every table":
            rows += [
                (f"{name}: validate", validate, _target(validate / figures["example: validate"], 1.5,
                                                        "x example validate")),
                (f"{name}: build (HTML and PDF)", full, _target(full / weasy, 1.3, "x weasyprint")),
                (f"{name}: weasyprint command alone", weasy, ""),
            ]
            continue
        rows += [
            (f"{name}: validate", validate, _target(validate / floor, 2.0, "x floor")),
            (f"{name}: build --to html", html, _target(html / floor, 3.0, "x floor")),
            (f"{name}: build (HTML and PDF)", full, _target(full / weasy, 1.10, "x weasyprint")),
            (f"{name}: weasyprint command alone", weasy, ""),
        ]
        figures[f"{name}: validate"] = validate

    many = [work / f"product-{n}.yaml" for n in range(batch)]
    text = EXAMPLE.read_text(encoding="utf-8")
    for n, path in enumerate(many):
        path.write_text(text.replace("  product: Acme CT", f"  product: Acme CT {n}"), encoding="utf-8")
    out = work / "out-batch"
    # The batch figures are medians too, of fewer runs: twelve commands one by one take a while.
    batch_runs = min(runs, 3)
    one_by_one = statistics.median(
        _wall([[*CONFGEN, "build", str(path), "-o", str(out), "--force"] for path in many], work)
        for _ in range(batch_runs))
    together = statistics.median(
        _wall([[*CONFGEN, "build", *map(str, many), "-o", str(out), "--force"]], work) for _ in range(batch_runs))
    unchanged = median_time([*CONFGEN, "build", *map(str, many), "-o", str(out)], runs, work)
    validate = figures["example: validate"]
    rows += [
        (f"{batch} profiles, {batch} commands", one_by_one, ""),
        (f"{batch} profiles, one command", together, _target(one_by_one / together, 3.0, "x faster", at_least=True)),
        (f"{batch} unchanged profiles again", unchanged, _target(unchanged / validate, 1.5, "x validate")),
    ]

    rows += _probe_rows(work, batch_runs)

    cores = default_workers()
    print(f"confgen benchmark: Python {platform.python_version()}, {platform.system()} {platform.machine()}, "
          f"{cores} cores; medians of {runs} run{'s' * (runs != 1)}")
    floor_label = 'floor: python -c "import yaml"'
    print(f"{floor_label:<44} {floor:7.3f} s")
    for label, seconds, verdict in rows:
        print(f"{label:<44} {seconds:7.3f} s  {verdict}")
    return 0


def _probe_rows(work: Path, runs: int) -> list[tuple[str, float, str]]:
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
                           "--port", str(port)], runs, work)
    files = _three_files(work)
    port = _free_port()
    scu = median_time([*CONFGEN, "probe", "scu", str(PEER_PROFILES / "storescu.yaml"), "--port", str(port),
                       "--command", f"{STORESCU} 127.0.0.1 {port} {' '.join(map(str, files))}"], runs, work)
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


def _wall(commands: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _target(ratio: float, limit: float, unit: str, at_least: bool = False) -> str:
    met = ratio >= limit if at_least else ratio <= limit
    return f"{ratio:5.2f} {unit} (target {'>=' if at_least else '<='} {limit}): {'met' if met else 'MISSED'}"


if __name__ == "__main__":
    sys.exit(main())
