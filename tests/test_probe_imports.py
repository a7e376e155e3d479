"""pynetdicom is `confgen probe`'s alone: validate and build never import it (nor pay for it), and a statement
that cites a report (`build --verified-by`) reads only its JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE


def _modules_after(arguments: list[str], cwd: Path) -> set[str]:
    code = ("import sys\nfrom confgen.cli import main\n"
            f"code = main({arguments!r})\n"
            "print(code, ' '.join(sorted(name for name in sys.modules if name.split('.')[0] in "
            "('pynetdicom', 'confgen'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=True)
    code_, _, modules = done.stdout.strip().splitlines()[-1].partition(" ")
    assert code_ in ("0", "2"), done.stdout + done.stderr
    return set(modules.split())


def test_validate_and_build_never_import_pynetdicom(tmp_path: Path) -> None:
    validate = _modules_after(["validate", str(EXAMPLE)], tmp_path)
    build = _modules_after(["build", str(EXAMPLE), "-o", str(tmp_path), "--to", "html"], tmp_path)
    cited = _modules_after(["build", str(EXAMPLE), "-o", str(tmp_path), "--to", "html", "--verified-by",
                            str(tmp_path / "none.json")], tmp_path)
    for modules in (validate, build, cited):
        assert not any(name.startswith("pynetdicom") for name in modules), modules
    # Only the command line of `probe` (its options) is read, to build the parser every command shares.
    assert {name for name in validate | build if name.startswith("confgen.probe")} == {"confgen.probe",
                                                                                       "confgen.probe.arguments"}
    assert "confgen.probe.verified" in cited


def test_probe_imports_it(tmp_path: Path) -> None:
    modules = _modules_after(["probe", "scp", str(EXAMPLE), "--host", "127.0.0.1", "--port", "9", "--timeout", "1"],
                             tmp_path)
    assert "pynetdicom" in modules
