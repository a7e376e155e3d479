"""A wheel built from the repository works when installed, not editable, and run from another folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from conftest import ROOT


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)


def test_installed_wheel_builds_a_pdf_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, ROOT,
                cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = dist.glob("confgen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("confgen/templates/statement.html.j2", "confgen/templates/macros.html.j2",
                    "confgen/templates/statement.css", "confgen/standard/ps3.2-2024d.yaml",
                    "confgen/standard/ps3.4.yaml", "confgen/standard/ps3.7.yaml", "confgen/profiles/acme-ct.yaml",
                    "confgen/profiles/modality.yaml", "confgen/profile.schema.json", "confgen/probe/probes.yaml",
                    "confgen/templates/probe-report.html.j2"):
        assert shipped in names

    # What an index shows of the package: its license (the expression and the file that says it), who, and what.
    wheel_zip = zipfile.ZipFile(wheel)
    metadata = wheel_zip.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    headers = [line.partition(": ") for line in metadata.split("\n\n")[0].splitlines()]
    assert ("License-Expression", ": ", "MIT") in headers
    assert ("License-File", ": ", "LICENSE") in headers
    assert ("Author", ": ", "the confgen authors") in headers
    classifiers = {value for name, _, value in headers if name == "Classifier"}
    assert {"Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12",
            "Programming Language :: Python :: 3.13", "Environment :: Console",
            "Topic :: Scientific/Engineering :: Medical Science Apps."} <= classifiers
    assert not any(name == "Project-URL" for name, _, _ in headers), "no URL the project does not have"
    license_text = wheel_zip.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))).decode()
    assert license_text.startswith("MIT License\n\nCopyright (c) ")
    assert "the confgen authors" in license_text.splitlines()[2]

    # A fresh environment with only the wheel; its dependencies come from the test environment's site-packages
    # through a path file, so the test needs no network. That path file adds a folder to sys.path and nothing
    # else: the editable install of the checkout is not visible there.
    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    fresh_site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                          cwd=tmp_path).stdout.strip())
    (fresh_site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel,
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(python, "-c", "import confgen; print(confgen.__file__)", cwd=elsewhere)
    assert where.stdout.startswith(str(fresh_site)), where.stdout + where.stderr
    result = run(fresh / "bin" / "confgen", "build", cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (elsewhere / "output" / "acme-ct.pdf").read_bytes().startswith(b"%PDF-")
    assert "0122" in (elsewhere / "output" / "acme-ct.html").read_text(encoding="utf-8")
    schema = run(fresh / "bin" / "confgen", "schema", cwd=elsewhere)
    assert schema.returncode == 0, schema.stderr
    assert schema.stdout == (fresh_site / "confgen" / "profile.schema.json").read_text(encoding="utf-8")
    # `confgen probe` finds its probe set and its report's template in the installed package.
    probe = run(python, "-c", "from confgen.probe.probeset import probe_set; from confgen.render import environment; "
                "environment()[0].get_template('probe-report.html.j2'); print(len(probe_set().probes))", cwd=elsewhere)
    from confgen.probe.probeset import probe_set

    assert probe.stdout.strip() == str(len(probe_set().probes)), probe.stdout + probe.stderr
