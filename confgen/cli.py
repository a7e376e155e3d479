"""The ``confgen`` command: validate, build and init.

Diagnostics go to standard output, one per line; what was written and the summary go to standard error.
Exit codes: 0 no errors (warnings allowed), 1 errors in a profile, 2 usage errors and files that cannot be
read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from confgen import __version__, build, resources, rules
from confgen.diagnostics import Report, Severity
from confgen.standard import available_editions
from confgen.starter import starter_profile

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
                      help=f"where to write it (default: {DEFAULT_INIT})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "validate":
            return _validate(arguments.profiles)
        if arguments.command == "build":
            return _build(arguments.profiles, arguments.output)
        return _init(arguments.file)
    except KeyboardInterrupt:
        print("confgen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``confgen validate ... | head``). Point standard output at /dev/null so the
        # interpreter's final flush does not fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _validate(profiles: list[Path]) -> int:
    reports = [build.check(path).report for path in profiles]
    return _finish(reports, "checked")


def _build(profiles: list[Path], out_dir: Path) -> int:
    # With no profile, the bundled example is built: it is named by its file name, not its installed path.
    if profiles:
        jobs = [(path, str(path)) for path in profiles]
    else:
        example = resources.example_profile()
        jobs = [(example, example.name)]
    reports = []
    claimed: dict[Path, str] = {}
    for path, shown_as in jobs:
        clash = next((claimed[t] for t in build.outputs(path, out_dir) if t in claimed), None)
        if clash is not None:
            report = Report(shown_as)
            report.add(rules.F102, None, f"its outputs would overwrite those of {clash} in {out_dir}: "
                                               "profiles built together need different file names")
            reports.append(report)
            continue
        claimed.update(dict.fromkeys(build.outputs(path, out_dir), shown_as))
        result = build.build(path, out_dir, shown_as)
        for written in result.written:
            print(f"wrote {written}", file=sys.stderr)
        reports.append(result.report)
    return _finish(reports, "built")


def _init(file: Path) -> int:
    if file.exists():
        print(f"confgen: {file} exists; it is left as it is (choose another FILE)", file=sys.stderr)
        return 2
    text = starter_profile(file.name, available_editions()[-1])
    try:
        with file.open("x", encoding="utf-8") as stream:  # "x": never overwrite, even in a race
            stream.write(text)
    except OSError as error:
        print(f"confgen: cannot write {file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {file}: replace its <...> placeholders, then run: confgen validate {file}", file=sys.stderr)
    return 0


def _finish(reports: list[Report], verb: str) -> int:
    for report in reports:
        for diagnostic in report.sorted():
            print(diagnostic.format())
    errors = sum(d.severity is Severity.ERROR for r in reports for d in r.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for r in reports for d in r.diagnostics)
    failed = sum(r.has_errors for r in reports)
    files = "1 profile" if len(reports) == 1 else f"{len(reports)} profiles"
    summary = f"{files} {verb}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if failed and verb == "built":
        summary += f"; {failed} not built"
    print(summary, file=sys.stderr)
    return max((r.exit_code() for r in reports), default=0)
