"""The ``confgen`` command: validate, build and init.

Diagnostics go to standard output, one per line; what was written and the summary go to standard error.
Exit codes: 0 no errors (warnings allowed), 1 errors in a profile, 2 usage errors and files (standard output
among them) that cannot be read or written; 130 when interrupted, 141 when the reader of the output stops
reading (as a program killed by SIGPIPE).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from confgen import __version__, build, resources
from confgen.diagnostics import Report, Severity
from confgen.schema import schema_text
from confgen.standard import available_editions
from confgen.starter import SCHEMA_FILE, starter_profile

DEFAULT_OUTPUT = Path("output")
DEFAULT_INIT = Path("profile.yaml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="confgen",
        description="Completed DICOM Conformance Statement tables (PS3.2 Annex N) from a YAML profile.",
    )
    parser.add_argument("--version", action="version", version=f"confgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check profiles against the profile format and the standard",
                                   description="Check profiles; report every problem as path:line:col.")
    validate.add_argument("profiles", nargs="+", type=Path, metavar="PROFILE")

    build_ = commands.add_parser("build", help="validate profiles and write their statements as HTML and PDF",
                                 description="Validate each profile, then write DIR/<stem>.html and DIR/<stem>.pdf. "
                                             "With no profile, build the bundled example.")
    build_.add_argument("profiles", nargs="*", type=Path, metavar="PROFILE")
    build_.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"folder for the outputs, created if missing (default: {DEFAULT_OUTPUT})")

    init = commands.add_parser("init", help="write a starting profile with every template row",
                               description="Write a starting profile; never overwrites an existing file.")
    init.add_argument("file", nargs="?", type=Path, default=DEFAULT_INIT, metavar="FILE",
                      help=f"where to write it, - for standard output (default: {DEFAULT_INIT})")

    commands.add_parser("schema", help="print the JSON Schema of the profile format, for editors",
                        description="Print the JSON Schema (Draft 2020-12) of the profile format.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "validate":
            code = _validate(arguments.profiles)
        elif arguments.command == "build":
            code = _build(arguments.profiles, arguments.output)
        elif arguments.command == "schema":
            code = _schema()
        else:
            code = _init(arguments.file)
        sys.stdout.flush()  # a full disk shows here, not at the interpreter's exit
        return code
    except KeyboardInterrupt:
        print("confgen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``confgen validate ... | head``): end as a program killed by SIGPIPE would.
        _discard_stdout()
        return 128 + signal.SIGPIPE
    except _StdoutError as error:
        _discard_stdout()
        print(f"confgen: cannot write to standard output: {error.strerror}", file=sys.stderr)
        return 2


class _StdoutError(OSError):
    """Standard output cannot be written (a full disk, a closed file), as opposed to any other OSError."""


def _discard_stdout() -> None:
    # Point standard output at /dev/null so that the interpreter's final flush does not fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _emit(lines: list[str]) -> None:
    """Print diagnostics and flush, so that they stay in order with what goes to standard error."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _StdoutError(error.errno, error.strerror) from error


def _validate(profiles: list[Path]) -> int:
    reports = []
    for path in dict.fromkeys(profiles):
        report = build.check(path).report
        _emit([diagnostic.format() for diagnostic in report.sorted()])
        reports.append(report)
    return _finish(reports, "checked")


def _build(profiles: list[Path], out_dir: Path) -> int:
    # With no profile, the bundled example is built: it is named by its file name, not its installed path.
    example = resources.example_profile()
    jobs = [(path, str(path)) for path in profiles] if profiles else [(example, example.name)]
    reports = []
    for result in build.build_all(jobs, out_dir):
        _emit([diagnostic.format() for diagnostic in result.report.sorted()])
        for written in result.written:
            print(f"wrote {written}", file=sys.stderr)
        reports.append(result.report)
    return _finish(reports, "built")


def _init(file: Path) -> int:
    text = starter_profile("-" if str(file) == "-" else str(file), available_editions()[-1])
    if str(file) == "-":
        _emit([text.rstrip("\n")])
        return 0
    if file.exists():
        print(f"confgen: {file} exists; it is left as it is (choose another FILE)", file=sys.stderr)
        return 2
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("x", encoding="utf-8") as stream:  # "x": never overwrite, even in a race
            stream.write(text)
    except OSError as error:
        print(f"confgen: cannot write {file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {file}: replace its <...> placeholders, then run: confgen validate {file}", file=sys.stderr)
    return _write_schema_beside(file)


def _write_schema_beside(profile: Path) -> int:
    """The schema that the profile's first line names, next to it; one that is there already is kept."""
    path = profile.parent / SCHEMA_FILE
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(schema_text())
    except FileExistsError:
        print(f"{path} exists; it is left as it is (confgen schema > {path} replaces it)", file=sys.stderr)
        return 0
    except OSError as error:
        print(f"confgen: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: the JSON Schema that editors check the profile against", file=sys.stderr)
    return 0


def _schema() -> int:
    _emit([schema_text().rstrip("\n")])
    return 0


def _finish(reports: list[Report], verb: str) -> int:
    errors = sum(d.severity is Severity.ERROR for r in reports for d in r.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for r in reports for d in r.diagnostics)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    files = "1 profile" if len(reports) == 1 else f"{len(reports)} profiles"
    if verb == "built":
        failed = sum(r.has_errors for r in reports)
        summary = f"{files}: {len(reports) - failed} built, {failed} not built; {counts}"
    else:
        summary = f"{files} {verb}: {counts}"
    print(summary, file=sys.stderr)
    return max((r.exit_code() for r in reports), default=0)
