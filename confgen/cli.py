"""The ``confgen`` command: validate, build, init, and probe (confgen.probe) the running application.

Diagnostics go to standard output, one per line; what was written and the summary go to standard error (not at
all with -q). Options the command line leaves open come from the configuration file (confgen.config), then from
confgen's defaults. Exit codes: 0 no errors (warnings allowed), 1 errors in a profile, 2 usage errors, problems in
the configuration, and files (standard output among them) that cannot be read or written; 130 when interrupted,
141 when the reader of the output stops reading (as a program killed by SIGPIPE).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from confgen import __version__, build, resources, rules
from confgen.diagnostics import Report, Severity, printable
from confgen.formats import FORMATS, REPORTERS, Reporter, chosen_format
from confgen.probe.arguments import add_probe_parser
from confgen.rules import ALL_RULES, BY_ID
from confgen.rules.examples import in_context
from confgen.source import SIZE_LIMIT
from confgen.standard import available_editions, load_standard
from confgen.starter import DEFAULT_PARTS, ROLES, SCHEMA_FILE, profile_parts, starter_profile
from confgen.suppress import SYNTAX as SUPPRESSION_SYNTAX
from confgen.workers import default_workers

DEFAULT_OUTPUT = Path("output")
DEFAULT_INIT = Path("profile.yaml")
STDIN = "-"  # as a profile: standard input (validate)
STDIN_NAME = "<stdin>"  # how diagnostics name it without --stdin-filename
# The commands that read the configuration file. validate, build and probe also report problems in a format and
# take --strict and -q; preview takes its templates, PDF variant and ignored rules from it.
CONFIGURED = ("validate", "build", "probe", "preview")

Note = Callable[[str], None]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="confgen",
        description="Completed DICOM Conformance Statement tables (PS3.2 Annex N) from a YAML profile.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"confgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # What validate, build and probe share: how problems are reported, whether warnings fail the run, and how
    # much else is said. Left unset (None) here, they come from the configuration file, then from the defaults.
    reporting = argparse.ArgumentParser(add_help=False)
    reporting.add_argument("--format", choices=FORMATS, default=None,
                           help="auto: github under GitHub Actions (GITHUB_ACTIONS=true), text elsewhere (the "
                                "default); text: path:line:col: severity RULE message; json: one JSON list of "
                                "diagnostics; github: GitHub Actions annotations; sarif: a SARIF 2.1.0 log, for code "
                                "scanning")
    reporting.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                           help="warnings fail the run (exit 1) and, in a build, stop the profile being written; "
                                "--no-strict overrides strict = true in the configuration")
    reporting.add_argument("-q", "--quiet", action="store_true",
                           help="print the diagnostics only: no summary, progress or list of what was written")

    validate = commands.add_parser("validate", parents=[reporting],
                                   help="check profiles against the profile format and the standard",
                                   description="Check profiles; report every problem as path:line:col.")
    validate.add_argument("profiles", nargs="+", type=Path, metavar="PROFILE",
                          help="a profile; a folder, for the profiles in it at any depth (its .yaml and .yml files "
                               "whose top level has a confgen: key); or - for standard input")
    validate.add_argument("--stdin-filename", metavar="NAME",
                          help="the file name of the profile read from standard input (-): what diagnostics name, "
                               "and where its logo is looked for")

    build_ = commands.add_parser("build", parents=[reporting],
                                 help="validate profiles and write their statements as HTML and PDF",
                                 description="Validate each profile, then write DIR/<stem>.html and DIR/<stem>.pdf. "
                                             "With no profile, build the bundled example.")
    build_.add_argument("profiles", nargs="*", type=Path, metavar="PROFILE",
                        help="a profile, or a folder, for the profiles in it at any depth")
    build_.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help=f"folder for the outputs, created if missing (default: {DEFAULT_OUTPUT})")
    build_.add_argument("--to", type=_formats, default=build.FORMATS, metavar="FORMATS",
                        help="what to write: html, pdf, or html,pdf (the default)")
    build_.add_argument("--force", action="store_true",
                        help="build every profile, even one whose inputs have not changed since its last build")
    build_.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                        help=f"profiles rendered at once (default: {default_workers()}, one per core)")
    build_.add_argument("--templates", type=Path, metavar="DIR",
                        help="a folder of templates and stylesheets that replace the packaged files of the same "
                             "name (the packaged ones are in confgen/templates where confgen is installed)")
    build_.add_argument("--verified-by", type=Path, metavar="REPORT",
                        help="a passing `confgen probe ... --report FILE.json` report of this profile, which About "
                             "This Document cites (what was checked, when, the report's SHA-256)")
    build_.add_argument("--pdf-variant", choices=build.PDF_VARIANTS, default=None,
                        help=f"the PDF's archival or accessibility variant, always tagged; none: a plain tagged "
                             f"PDF (default: {build.PDF_VARIANTS[0]})")

    init = commands.add_parser("init", help="write a starting profile with every template row",
                               description="Write a starting profile with every row of the tables of the services "
                                           "asked for; an existing file is only replaced with --force.")
    init.add_argument("file", nargs="?", type=Path, default=DEFAULT_INIT, metavar="FILE",
                      help=f"where to write it, - for standard output (default: {DEFAULT_INIT})")
    init.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parts = profile_parts(load_standard(available_editions()[-1]))
    init.add_argument("--services", type=_choices(parts), default=DEFAULT_PARTS, metavar="LIST",
                      help=f"the parts of the statement to start, comma-separated: {', '.join(parts)} (default: "
                           f"{','.join(DEFAULT_PARTS)})")
    init.add_argument("--role", choices=ROLES, help="only this role of each service (default: both)")

    rules_ = commands.add_parser("rules", help="list every rule with its severity and what it checks",
                                 description="List every rule confgen checks: ID, severity, what it checks; then "
                                             "which rules an ignore comment can suppress.")
    rules_.add_argument("--explain", metavar="ID", type=str.upper,
                        help="explain one rule: why it exists, and a profile piece it reports beside one it accepts")

    commands.add_parser("schema", help="print the JSON Schema of the profile format, for editors",
                        description="Print the JSON Schema (Draft 2020-12) of the profile format.")

    preview = commands.add_parser("preview", help="serve the statement's HTML on 127.0.0.1, rebuilt as the profile "
                                                  "changes",
                                  description="Serve the statement of PROFILE at http://127.0.0.1:PORT/ (and its PDF "
                                              "at /statement.pdf), rebuilt and reloaded in the browser whenever the "
                                              "profile, its logo or a template changes; errors show on the page. "
                                              "Ctrl-C stops it.")
    preview.add_argument("profile", type=Path, metavar="PROFILE")
    preview.add_argument("--port", type=_port, default=0,
                         help="the port to listen on, on 127.0.0.1 only (default: a free one, printed with the URL)")
    preview.add_argument("--templates", type=Path, metavar="DIR", help="as in build: templates that replace the "
                                                                         "packaged ones of the same name")
    preview.add_argument("--pdf-variant", choices=build.PDF_VARIANTS, default=None,
                         help=f"as in build, for /statement.pdf (default: {build.PDF_VARIANTS[0]})")

    add_probe_parser(commands, reporting)

    completion = commands.add_parser("completion", help="print a shell completion script for bash or zsh",
                                     description="Print a completion script for the shell, generated from confgen's "
                                                 "own options. bash: eval \"$(confgen completion bash)\" in "
                                                 "~/.bashrc; zsh: save it as _confgen in a folder of $fpath.")
    completion.add_argument("shell", choices=("bash", "zsh"))
    return parser


def _choices(known: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def chosen(text: str) -> tuple[str, ...]:
        parts = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        unknown = [part for part in parts if part not in known]
        if not parts or unknown:
            raise argparse.ArgumentTypeError(f"'{text}': give one or more of {', '.join(known)}, comma-separated")
        return parts

    return chosen


def _formats(text: str) -> tuple[str, ...]:
    chosen = [part.strip() for part in text.split(",")]
    if not chosen or any(part not in build.FORMATS for part in chosen):
        raise argparse.ArgumentTypeError(f"'{text}': give html, pdf or html,pdf")
    return tuple(kind for kind in build.FORMATS if kind in chosen)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (0 to 65535; 0 lets the system choose)")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stderr is None:  # started with standard error closed (2>&-): notes go nowhere
        sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115 (it lives as long as the process)
    parser = _parser()
    arguments = parser.parse_args(argv)
    if sys.stdout is None:  # started with standard output closed (>&-): there is nowhere for the result to go
        _note("confgen: cannot write to standard output: it is closed")
        return 2
    with contextlib.suppress(AttributeError, ValueError, OSError):
        # A file name's bytes that are not UTF-8 are written as they are (GitHub annotations name the file).
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, _raise_terminated)
    if getattr(arguments, "templates", None) is not None and not arguments.templates.is_dir():
        parser.error(f"--templates {arguments.templates}: not a folder")
    _check_stdin(parser, arguments)
    inform = _silent if getattr(arguments, "quiet", False) else _note
    try:
        if arguments.command in CONFIGURED:
            problems = _configure(arguments)
            if problems.diagnostics:
                return _misconfigured(problems, REPORTERS[arguments.format](), inform)
        if arguments.command == "validate":
            code = _validate(arguments.profiles, arguments.stdin_filename, REPORTERS[arguments.format](),
                             arguments.strict, arguments.ignored, inform)
        elif arguments.command == "build":
            options = build.Options(out_dir=arguments.output, strict=arguments.strict,
                                    pdf_variant=arguments.pdf_variant, templates=arguments.templates,
                                    formats=arguments.to, force=arguments.force, workers=arguments.jobs,
                                    verified_by=arguments.verified_by, ignored=arguments.ignored)
            code = _build(arguments.profiles, options, REPORTERS[arguments.format](), inform)
        elif arguments.command == "completion":
            code = _completion(arguments.shell, parser)
        elif arguments.command == "rules":
            code = _explain(arguments.explain) if arguments.explain else _rules()
        elif arguments.command == "schema":
            code = _schema()
        elif arguments.command == "preview":
            from confgen.preview import preview

            code = preview(arguments.profile, arguments.port, arguments.templates, arguments.pdf_variant,
                           arguments.ignored, _note)
        elif arguments.command == "probe":
            from confgen.probe.command import probe_scp, probe_scu

            run = probe_scp if arguments.role == "scp" else probe_scu
            code = run(arguments, REPORTERS[arguments.format](), _emit, inform)
        else:
            roles = (arguments.role,) if arguments.role else ROLES
            code = _init(arguments.file, arguments.force, arguments.services, roles)
        sys.stdout.flush()  # a full disk shows here, not at the interpreter's exit
        return code
    except KeyboardInterrupt:
        _stop_listening()
        _note("confgen: interrupted")
        return 130
    except _Terminated:
        _stop_listening()
        _note("confgen: terminated")
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        # The reader went away (``confgen validate ... | head``): end as a program killed by SIGPIPE would.
        _discard_stdout()
        return 128 + signal.SIGPIPE
    except _StdoutError as error:
        _discard_stdout()
        _note(f"confgen: cannot write to standard output: {error.strerror}")
        return 2


def _check_stdin(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    """- (standard input) is a profile for validate alone, and --stdin-filename names it."""
    reads_stdin = any(str(path) == STDIN for path in getattr(arguments, "profiles", ()))
    if arguments.command == "build" and reads_stdin:
        parser.error("build reads profiles from files: - (standard input) is for validate; name ./- for a file "
                     "called -")
    if getattr(arguments, "stdin_filename", None) is not None and not reads_stdin:
        parser.error("--stdin-filename names the profile that `validate -` reads from standard input: give - too")


def _configure(arguments: argparse.Namespace) -> Report:
    """Fill in what the command line left open, from the configuration file and then from confgen's defaults
    (only for the options the command has); the configuration's problems."""
    from confgen.config import load_config

    config = load_config()
    settings = config.settings
    # preview has neither --format nor --strict; a problem in the configuration is still reported in a format.
    arguments.format = chosen_format(getattr(arguments, "format", None) or str(settings.get("format", "auto")))
    if getattr(arguments, "strict", None) is None:
        arguments.strict = bool(settings.get("strict", False))
    arguments.ignored = config.ignored
    for name, key, default in (("output", "output", DEFAULT_OUTPUT), ("templates", "templates", None),
                               ("pdf_variant", "pdf-variant", build.PDF_VARIANTS[0]), ("jobs", "jobs", None)):
        if hasattr(arguments, name) and getattr(arguments, name) is None:
            setattr(arguments, name, settings.get(key, default))
    if hasattr(arguments, "jobs") and arguments.jobs is None:
        arguments.jobs = default_workers()
    return config.report


def _misconfigured(problems: Report, reporter: Reporter, inform: Note) -> int:
    _emit(reporter.profile(problems.sorted()))
    _emit(reporter.end())
    count = len(problems.diagnostics)
    inform(f"confgen: {problems.path} has {count} problem{'s' * (count != 1)} in confgen's settings; nothing was "
           "checked")
    return problems.exit_code()


def _silent(text: str) -> None:
    """A note that -q keeps back."""


def _stop_listening() -> None:
    """Once stopping, a second Ctrl-C or SIGTERM is not another interruption: it would only cut the interpreter's
    own shutdown short, with a traceback ("Exception ignored in threading")."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(stop, signal.SIG_IGN)


def _note(text: str) -> None:
    """A line for the person at the terminal (a summary, what was written) on standard error. Diagnostics are
    the result and go to standard output; a note that cannot be written is not worth failing the run for."""
    with contextlib.suppress(OSError, ValueError):
        print(printable(text), file=sys.stderr, flush=True)


class _Terminated(BaseException):
    """SIGTERM (a CI runner or a supervisor stopping confgen), raised so that it unwinds as Ctrl-C does: the
    rendering workers are stopped and no file is left half-written."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


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


def _validate(given: list[Path], stdin_name: str | None, reporter: Reporter, strict: bool,
              ignored: Mapping[str, str], inform: Note) -> int:
    reports = []
    for item in _profiles(given):
        if isinstance(item, Report):
            report = item
        elif str(item) == STDIN:
            name = stdin_name or STDIN_NAME
            data, problem = _read_stdin()
            if problem is not None:
                report = Report(name)
                report.add(rules.F101, None, f"cannot read the profile from standard input: {problem}")
            else:
                report = build.check(Path(name), name, ignored, data).report
        else:
            report = build.check(item, None, ignored).report
        _emit(reporter.profile(report.sorted(with_suppressed=True)))
        reports.append(report)
    _emit(reporter.end())
    return _finish(reports, "checked", strict, inform)


def _read_stdin() -> tuple[bytes, str | None]:
    """Standard input, up to one byte more than a profile may be (source.load says when it is too large)."""
    if sys.stdin is None:
        return b"", "it is closed"
    try:
        return sys.stdin.buffer.read(SIZE_LIMIT + 1), None
    except (OSError, ValueError) as error:
        return b"", getattr(error, "strerror", None) or str(error)


def _profiles(given: Sequence[Path]) -> list[Path | Report]:
    """The profiles that ``given`` names, each once, in order: a folder means the profiles in it (confgen.discover);
    a folder with none, or one that cannot be listed, is a report of its own (F101)."""
    from confgen.discover import profiles_in

    items: list[Path | Report] = []
    for path in given:
        if str(path) == STDIN or not path.is_dir():
            items.append(path)
            continue
        found, unlisted = profiles_in(path)
        items += found
        for error in unlisted:
            report = Report(str(error.filename or path))
            report.add(rules.F101, None, f"cannot list the folder, which may hold profiles: {error.strerror or error}")
            items.append(report)
        if not found and not unlisted:
            report = Report(str(path))
            report.add(rules.F101, None, "the folder holds no profile: no .yaml or .yml file in it, at any depth, has "
                                         "a top-level confgen: key")
            items.append(report)
    once = {id(path) for path in build.distinct([item for item in items if isinstance(item, Path)])}
    return [item for item in items if isinstance(item, Report) or id(item) in once]


def _build(given: list[Path], options: build.Options, reporter: Reporter, inform: Note) -> int:
    # With no profile, the bundled example is built: it is named by its file name, not its installed path.
    example = resources.example_profile()
    from confgen.progress import Progress

    items = _profiles(given) if given else [example]
    unbuilt = [item for item in items if isinstance(item, Report)]  # folders without profiles
    for report in unbuilt:
        _emit(reporter.profile(report.sorted()))
    jobs = [(path, str(path) if given else example.name) for path in items if isinstance(path, Path)]
    progress = Progress(len(jobs), quiet=inform is _silent)
    # Checking is done in order, rendering afterwards: a profile with errors is done before one given earlier
    # that is rendered. Diagnostics are printed in the order the profiles were given.
    results: dict[int, build.Result] = {}
    printed = 0
    for index, result in build.build_all(jobs, options, note=inform):
        results[index] = result
        progress.finished(result.report.path, _outcome(result))
        while printed in results:
            _emit(reporter.profile(results[printed].report.sorted(with_suppressed=True)))
            printed += 1
    progress.close()
    _emit(reporter.end())
    ordered = [results[index] for index in sorted(results)]
    return _finish([*unbuilt, *(result.report for result in ordered)], "built", options.strict, inform,
                   unchanged=sum(bool(result.unchanged) for result in ordered),
                   written=[False] * len(unbuilt) + [bool(result.written) for result in ordered])


def _outcome(result: build.Result) -> list[str]:
    if result.unchanged:
        return [f"unchanged: {', '.join(map(str, result.unchanged))} (same inputs as their last build; --force "
                "rebuilds)"]
    return [f"wrote {written}" for written in result.written]


def _rules() -> int:
    width = max(len(rule.severity) for rule in ALL_RULES)
    _emit([f"{rule.id}  {rule.severity:<{width}}  {rule.summary}" for rule in ALL_RULES])
    suppressible = ", ".join(rule.id for rule in ALL_RULES if rule.suppressible)
    _emit(["", f"Suppressing a finding: a trailing comment {SUPPRESSION_SYNTAX} on the line a finding points at",
           f"suppresses it there. These rules can be suppressed: {suppressible}. An ignore that suppresses nothing",
           "is reported (S213)."])
    return 0


def _explain(rule_id: str) -> int:
    rule = BY_ID.get(rule_id)
    if rule is None:
        _note(f"confgen: {rule_id} is not a rule of confgen; confgen rules lists them")
        return 2
    lines = [f"{rule.id}  {rule.severity}{'  (suppressible)' if rule.suppressible else ''}", "", rule.summary]
    if rule.explanation:
        lines += ["", rule.explanation]
    for title, example in (("Reported:", rule.failing), ("Accepted:", rule.passing)):
        if example is not None:
            lines += ["", title, "", *("    " + line for line in in_context(example).splitlines())]
    _emit(lines)
    return 0


def _init(file: Path, force: bool, parts: Sequence[str], roles: Sequence[str]) -> int:
    text = starter_profile("-" if str(file) == "-" else str(file), available_editions()[-1], parts, roles)
    if str(file) == "-":
        _emit([text.rstrip("\n")])
        return 0
    if file.is_dir():
        _note(f"confgen: {file} is a folder; give a file name")
        return 2
    if file.exists() and not force:
        _note(f"confgen: {file} exists; it is left as it is (choose another FILE, or --force to replace it)")
        return 2
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        if force:
            from confgen.output import write_outputs

            write_outputs({file: text.encode("utf-8")})  # a replaced profile is never left half-written
        else:
            with file.open("x", encoding="utf-8") as stream:  # "x": never overwrite, even in a race
                stream.write(text)
    except OSError as error:
        _note(f"confgen: cannot write {file}: {error.strerror or error}")
        return 2
    _note(f"wrote {file}: replace its <...> placeholders, then run: confgen validate {file}")
    return _write_schema_beside(file)


def _write_schema_beside(profile: Path) -> int:
    """The schema that the profile's first line names, next to it; one that is there already is kept."""
    from confgen.schema import schema_text

    path = profile.parent / SCHEMA_FILE
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(schema_text())
    except FileExistsError:
        _note(f"{path} exists; it is left as it is (confgen schema > {path} replaces it)")
        return 0
    except OSError as error:
        _note(f"confgen: cannot write {path}: {error.strerror or error}")
        return 2
    _note(f"wrote {path}: the JSON Schema that editors check the profile against")
    return 0


def _completion(shell: str, parser: argparse.ArgumentParser) -> int:
    from confgen.completion import bash_script, zsh_script

    _emit([(bash_script if shell == "bash" else zsh_script)(parser).rstrip("\n")])
    return 0


def _schema() -> int:
    from confgen.schema import schema_text

    _emit([schema_text().rstrip("\n")])
    return 0


def _finish(reports: list[Report], verb: str, strict: bool, inform: Note, unchanged: int = 0,
            written: list[bool] | None = None) -> int:
    errors = sum(d.severity is Severity.ERROR for r in reports for d in r.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for r in reports for d in r.diagnostics)
    suppressed = sum(len(r.suppressed) for r in reports)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    counts += f", {suppressed} suppressed" if suppressed else ""
    files = "1 profile" if len(reports) == 1 else f"{len(reports)} profiles"
    if verb == "built":
        # A profile whose outputs were written counts as built, even when what came after failed (the record).
        wrote = written or [False] * len(reports)
        failed = [r.path for r, was in zip(reports, wrote, strict=True) if r.failed(strict) and not was]
        outcomes = [f"{len(reports) - len(failed) - unchanged} built"]
        outcomes += [f"{unchanged} unchanged"] if unchanged else []
        outcomes += [f"{len(failed)} not built" + (f" ({', '.join(failed)})" if failed else "")]
        summary = f"{files}: {', '.join(outcomes)}; {counts}"
    else:
        summary = f"{files} {verb}: {counts}"
    if strict and warnings:
        summary += " (--strict: warnings fail)"
    inform(summary)
    return max((r.exit_code(strict) for r in reports), default=0)
