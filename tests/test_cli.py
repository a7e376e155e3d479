"""The command line: exit codes, output streams, several files, the default build, a real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DIAGNOSTIC, EXAMPLE, EXAMPLE_TEXT, NO_LINE, edit

from confgen import __version__


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("--version")
    assert run.code == 0
    assert run.out.strip() == f"confgen {__version__}"


@pytest.mark.parametrize("args", [(), ("validate",), ("frobnicate",), ("build", "--no-such-option")])
def test_usage_errors_exit_2(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    run = cli(*args)
    assert run.code == 2
    assert "usage: confgen" in run.err


def test_clean_profile_exits_0_with_a_summary_on_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate", str(EXAMPLE))
    assert (run.code, run.out) == (0, "")
    assert run.err.strip() == "1 profile checked: 0 errors, 0 warnings"


def test_warnings_alone_exit_0(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "warn.yaml"
    profile.write_text(edit('related_fields: ["(0000,0902)"]', "related_fields: [ErrorID]"), encoding="utf-8")
    run = cli("validate", str(profile))
    assert run.code == 0
    assert [m["severity"] for m in run.diagnostics()] == ["warning"]


def test_diagnostics_are_one_per_line_in_the_documented_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "bad.yaml"
    text = edit("  product: Acme CT", "  product: TODO")
    profile.write_text(text, encoding="utf-8")
    run = cli("validate", str(profile))
    assert run.code == 1
    [match] = run.diagnostics()
    assert match.group("path", "line", "col", "severity", "rule") == (str(profile), "7", "12", "error", "S208")


def test_several_files_every_problem_reported_worst_exit_code(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("confgen: 1", "confgen: 2"), encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    run = cli("validate", str(EXAMPLE), str(bad), str(missing))
    assert run.code == 2
    assert f"{bad}:3:10: error S204" in run.out
    assert f"{missing}: error F101 cannot read the profile: No such file or directory" in run.out
    assert run.err.strip() == "3 profiles checked: 2 errors, 0 warnings"
    assert cli("validate", str(EXAMPLE), str(bad)).code == 1


def test_build_without_a_profile_builds_the_example_into_output(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("build")
    assert run.code == 0, run.out
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [".confgen-build.json", "acme-ct.html",
                                                                      "acme-ct.pdf"]
    assert "wrote output/acme-ct.pdf" in run.err


def test_subprocess_bad_input_gives_no_traceback(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_bytes(b"confgen: 1\nstandard: [\x00\xff\n")
    result = subprocess.run([sys.executable, "-m", "confgen", "validate", str(profile), str(tmp_path / "gone")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(r"bad\.yaml:2:\d+: error Y101", result.stdout)


def test_validate_imports_no_rendering_library() -> None:
    code = ("import sys; from confgen.cli import main; main(['validate', sys.argv[1]]); "
            "sys.exit(1 if {'weasyprint', 'jinja2'} & set(sys.modules) else 0)")
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, check=False,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0


def test_output_cut_short_by_the_reader_gives_no_traceback(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "confgen", "validate", *[str(profile)] * 2000],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    error = process.stderr.read().decode()
    process.stderr.close()
    process.wait()
    assert "Traceback" not in error


def test_stdout_that_cannot_be_written_is_one_message_and_exit_2(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    with Path("/dev/full").open("w") as full:
        result = subprocess.run([sys.executable, "-m", "confgen", "validate", str(profile)], stdout=full,
                                stderr=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["confgen: cannot write to standard output: No space left on device"]


def test_build_summary_counts_each_profile_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit("  product: Acme CT", "  product: TODO"), encoding="utf-8")
    run = cli("build", str(EXAMPLE), str(bad), f"{EXAMPLE.parent}/../profiles/{EXAMPLE.name}", "-o", str(tmp_path))
    assert run.code == 1
    assert run.err.splitlines()[-1] == f"2 profiles: 1 built, 1 not built ({bad}); 1 error, 0 warnings", \
        "a repeat is built once"


def test_init_to_standard_output_and_into_a_new_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("init", "-")
    assert run.code == 0
    assert run.out.startswith("# A starting confgen profile."), "no modeline: there is no schema beside it"
    assert not Path("-").exists()
    nested = tmp_path / "new" / "folder" / "device.yaml"
    assert cli("init", str(nested)).code == 0
    assert nested.is_file()


@pytest.mark.parametrize(("redirect", "code", "stdout_is"), [
    (">&-", 2, ""),  # no standard output at all: the result has nowhere to go
    ("2>&-", 0, "[]"),  # no standard error: the JSON on standard output is still the JSON alone
    ("2>/dev/full", 0, "[]"),  # notes that cannot be written do not fail the run
])
def test_closed_or_full_standard_streams(tmp_path: Path, redirect: str, code: int, stdout_is: str) -> None:
    out = tmp_path / "out.txt"
    command = f'"{sys.executable}" -m confgen validate --format json "{EXAMPLE}" {redirect}'
    if redirect != ">&-":
        command += f' > "{out}"'
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=False)
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert (out.read_text(encoding="utf-8").strip() if out.exists() else "") == stdout_is


def test_a_path_with_a_line_break_stays_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "x\nconfgen: 5\n.yaml"
    assert cli("init", str(profile)).code == 0
    lines = cli("validate", str(profile)).out.splitlines()
    assert all(DIAGNOSTIC.match(line) or NO_LINE.match(line) for line in lines), "each diagnostic is one line"
    shown = str(profile).replace("\n", "\\n")
    assert lines[0] == f"{shown}: error S220 the file name, which the statement prints, has the character U+000A, " \
                       "which cannot be printed; rename the file"
    import yaml

    assert yaml.safe_load(profile.read_text(encoding="utf-8"))["confgen"] == 1, "the path stayed in its comment"


def test_short_version(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("-V").out.strip() == f"confgen {__version__}"


def _validate_stdin(data: bytes, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return _decoded(subprocess.run([sys.executable, "-m", "confgen", "validate", *args], input=data,
                                   capture_output=True, check=False, cwd=cwd))


def _decoded(result: subprocess.CompletedProcess[bytes]) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def test_validate_reads_standard_input_and_names_it_as_told(tmp_path: Path) -> None:
    bad = edit("  product: Acme CT", "  product: TODO").encode()
    result = _validate_stdin(bad, "-")
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:7:12: error S208 ")
    named = _validate_stdin(bad, "--stdin-filename", "profiles/device.yaml", "-")
    assert named.stdout.startswith("profiles/device.yaml:7:12: error S208 ")
    assert _validate_stdin(EXAMPLE_TEXT.encode(), "-").returncode == 0
    # The logo is looked for beside the file the name gives, as for a profile read from there (an editor's buffer).
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
                                               encoding="utf-8")
    with_logo = edit("  product: Acme CT", "  product: Acme CT\n  logo: logo.svg").encode()
    assert _validate_stdin(with_logo, "--stdin-filename", "sub/x.yaml", "-", cwd=tmp_path).returncode == 0
    missing = _validate_stdin(with_logo, "--stdin-filename", "x.yaml", "-", cwd=tmp_path)
    assert "error S210" in missing.stdout


def test_standard_input_is_limited_as_a_file_is() -> None:
    result = _validate_stdin(b"#" * (1024 * 1024 + 10), "-")
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>: error F103 ")


def test_stdin_options_that_make_no_sense_are_usage_errors(cli) -> None:  # type: ignore[no-untyped-def]
    assert "- (standard input) is for validate" in cli("build", "-").err
    assert "give - too" in cli("validate", "--stdin-filename", "x.yaml", str(EXAMPLE)).err


def test_a_folder_means_the_profiles_in_it_in_a_stable_order(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad = edit("  product: Acme CT", "  product: TODO")
    files = {"b/z.yaml": bad, "b/a.yml": bad, "a.yaml": bad, "c/d/deep.YAML": bad,
             "quoted.yaml": '"confgen": 1\nstandard: [\n',  # a profile with a syntax error is still checked
             ".hidden/h.yaml": bad, "b/.h.yaml": bad,  # hidden: passed over
             "ci.yaml": "jobs:\n  confgen: 1\n",  # confgen: below the top level
             "notes.txt": bad}  # not YAML
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = cli("validate", str(tmp_path), str(tmp_path / "a.yaml"))
    paths = [line.split(":")[0] for line in run.out.splitlines()]
    assert paths == [str(tmp_path / name) for name in ("a.yaml", "b/a.yml", "b/z.yaml", "c/d/deep.YAML",
                                                       "quoted.yaml")], "each once, folder by folder"
    assert run.err.strip() == "5 profiles checked: 5 errors, 0 warnings"
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = cli("validate", str(empty))
    assert nothing.code == 2
    assert nothing.out.startswith(f"{empty}: error F101 the folder holds no profile")


def test_build_takes_a_folder_of_profiles(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "in" / "more").mkdir(parents=True)
    (tmp_path / "in" / "one.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (tmp_path / "in" / "more" / "two.yaml").write_text(EXAMPLE_TEXT, encoding="utf-8")
    run = cli("build", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--to", "html")
    assert run.code == 0, run.out
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["one.html", "two.html"]
