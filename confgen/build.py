"""The pipeline, in one place: load -> validate -> skip what is unchanged -> build the statement -> render HTML
and PDF -> write.

Checking is cheap and done here, in order; rendering and writing each profile (confgen.job) is slow (WeasyPrint)
and, for several profiles, is spread over a pool of worker processes (confgen.workers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from confgen import resources, rules
from confgen.diagnostics import Report, Rule, one_line
from confgen.profile import Profile
from confgen.records import field, record, replace
from confgen.source import check_file_name, load
from confgen.validate import validate

if TYPE_CHECKING:
    from confgen.statement import Verification

# Writing (confgen.job, confgen.output, confgen.record) and rendering (confgen.workers, confgen.render,
# confgen.pdf) are imported where they are used: `confgen validate` runs this module's check() and is as quick as
# its imports are few.

FORMATS = ("html", "pdf")

# The PDF variants WeasyPrint writes that a statement may be built as: archival (PDF/A) or accessible (PDF/UA),
# each tagged. "none" is a plain tagged PDF. PDF/X is left out: WeasyPrint stamps it with the clock (and PDF/X-4
# with a random ID), so no two builds would be the same bytes.
PDF_VARIANTS = ("pdf/a-2a", "pdf/a-3a", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/ua-1", "none")


@record(frozen=True)
class Options:
    """How a build runs: where it writes, what, and whether warnings stop a profile being written."""

    out_dir: Path = Path("output")
    strict: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    templates: Path | None = None  # a folder whose templates and stylesheet replace the packaged ones
    formats: tuple[str, ...] = FORMATS
    force: bool = False  # build even what the record says is unchanged
    workers: int = 1  # processes that render at once
    verified_by: Path | None = None  # a `confgen probe` report (JSON) for About This Document to cite
    ignored: Mapping[str, str] = field(default_factory=dict)  # rules ignored project-wide (confgen.config)
    verification: Verification | None = None  # what it says, once read (build_all reads it)


@record
class Result:
    report: Report
    profile: Profile | None = None
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # outputs left as they were: their inputs did not change


def check(path: Path, shown_as: str | None = None, ignored: Mapping[str, str] | None = None,
          data: bytes | None = None) -> Result:
    """Load and validate one profile. ``shown_as`` is how diagnostics name the file (default: the path);
    ``ignored``, the rules the configuration ignores project-wide; ``data``, the profile's bytes when they were
    read elsewhere (standard input; see source.load)."""
    report = Report(shown_as or str(path), ignored=ignored or {})
    check_file_name(path, report)
    source = load(path, report, data)
    profile = validate(source, report) if source is not None else None
    report.json_paths = None  # the nodes are not needed after validation: let them go
    return Result(report, profile)


def outputs(path: Path, options: Options) -> list[Path]:
    """Where a build of ``path`` writes: named after the profile's file stem, never after its content."""
    return [options.out_dir / f"{path.stem}.{kind}" for kind in FORMATS if kind in options.formats]


def distinct(profiles: Sequence[Path]) -> list[Path]:
    """Each profile once (a.yaml and ./a.yaml are one), as first given. A symbolic link is a profile of its own:
    its outputs are named after the link."""
    seen: set[str] = set()
    once = []
    for path in profiles:
        # abspath tidies "./" and ".." without following symbolic links, which Path.resolve() would.
        absolute = os.path.abspath(path)  # noqa: PTH100
        if absolute not in seen:
            seen.add(absolute)
            once.append(path)
    return once


def build_all(jobs: Sequence[tuple[Path, str]], options: Options,
              note: Callable[[str], None] = lambda _: None) -> Iterator[tuple[int, Result]]:
    """Build each (profile, name shown in diagnostics) of ``jobs``, which are ``distinct()``; yield (its index in
    ``jobs``, result) as each is done. ``note`` is told what the person at the terminal should know.

    A profile whose outputs another one of this call already claimed, or that would write over any input of
    the call (a profile, a logo), is not built. A profile whose inputs are those of its last build, and whose
    outputs are still the bytes that build wrote, is not built again (unless ``options.force``).
    """
    from confgen.job import Job, real
    from confgen.output import remove_leftovers
    from confgen.record import BuildRecord, Checker, fingerprint

    record = BuildRecord(options.out_dir)
    if record.problem:
        note(f"confgen: the build record {one_line(str(record.path))} {record.problem}; it is ignored, every "
             "profile is built, and it is written anew")
    try:
        cited = _cited_report(options.verified_by)
    except Exception as error:  # a defect of confgen's: every profile says so, and none is built
        cited = (rules.R403, f"--verified-by {options.verified_by}: {type(error).__name__}: {error}")
    if cited is not None and not isinstance(cited, tuple):
        options = replace(options, verification=cited)
    # Every profile is checked before any is built: the inputs of the whole command (its logos among them) are
    # known only then, and no output may be written over any of them.
    claimed: dict[Path, str] = {}
    checked: list[tuple[int, Path, Result, list[Path]]] = []
    inputs: dict[str, str] = {}  # real path -> what it is
    for index, (path, shown_as) in enumerate(jobs):
        targets = outputs(path, options)
        result = _check_safely(path, shown_as, options.ignored)
        for where in (real(path), os.path.realpath(path)):
            inputs.setdefault(where, f"the profile {shown_as}")
        clash = next((claimed[target] for target in targets if target in claimed), None)
        if clash is not None:
            result.report.add(rules.F102, None, f"its outputs would overwrite those of {clash} in {options.out_dir}: "
                                                "profiles built together need different file names")
            yield index, result
            continue
        claimed.update(dict.fromkeys(targets, shown_as))
        if result.profile is not None and cited is not None:
            _check_citation(cited, result.profile, result.report)
        if result.profile is None or result.report.failed(options.strict):
            yield index, result
            continue
        logo = result.profile.document.logo
        if logo is not None:
            inputs.setdefault(real(logo.path), f"the logo of {shown_as}")
        checked.append((index, path, result, targets))

    shared: str | None = None  # the inputs all profiles share, computed when the first profile needs them
    checker = Checker()
    unchanged: list[Path] = []
    to_render: list[tuple[int, Result, Job]] = []
    for index, path, result, targets in checked:
        assert result.profile is not None
        overwritten = next(((target, inputs[where]) for target in targets
                            for where in (real(target), os.path.realpath(target)) if where in inputs), None)
        if overwritten is not None:
            target, what = overwritten
            what = {f"the profile {result.report.path}": "the profile itself",
                    f"the logo of {result.report.path}": "its logo"}.get(what, what)
            result.report.add(rules.F102, None, f"the output {target.name} would overwrite {what}")
            yield index, result
            continue
        try:
            if shared is None:
                shared = _shared_inputs(options)
            logo = result.profile.document.logo
            inputs_digest = fingerprint(shared, path.name, result.profile.sha256, logo.data if logo else None)
            if not options.force and record.unchanged(path.stem, inputs_digest, targets, checker):
                unchanged += targets
                result.unchanged = targets
                yield index, result
                continue
        except Exception as error:  # a defect, or a machine in a state confgen did not foresee
            result.report.add(rules.R403, None, f"{type(error).__name__}: {error}")
            yield index, result
            continue
        to_render.append((index, result, Job(result.profile, result.report.path, tuple(targets), options.formats,
                                             options.pdf_variant, options.templates, inputs_digest,
                                             frozenset(inputs), options.verification)))
    if unchanged:
        remove_leftovers(unchanged)
    if not to_render:
        return

    from confgen.workers import render_each  # imports the renderer only when something is to be rendered

    # A failed build leaves the earlier outputs and their record entry as they were, and both stay true.
    done = render_each([job for _, _, job in to_render], options.workers)
    for (index, result, _), outcome in zip(to_render, done, strict=True):
        result.report.diagnostics.extend(outcome.report.diagnostics)
        result.written = list(outcome.written)
        yield index, result


def _check_safely(path: Path, shown_as: str, ignored: Mapping[str, str]) -> Result:
    try:
        return check(path, shown_as, ignored)
    except Exception as error:  # a defect of confgen's: this profile fails, the others are checked
        report = Report(shown_as)
        report.add(rules.R403, None, f"{type(error).__name__}: {error}")
        return Result(report)


# What renders the outputs: the versions of the packages that do (import name, distribution name).
_RENDERERS = (("jinja2", "jinja2"), ("pydicom", "pydicom"))
_PDF_RENDERERS = (("weasyprint", "weasyprint"), ("pydyf", "pydyf"), ("PIL", "pillow"), ("fontTools", "fonttools"),
                  ("tinycss2", "tinycss2"), ("cssselect2", "cssselect2"), ("tinyhtml5", "tinyhtml5"),
                  ("pyphen", "pyphen"))


def _cited_report(path: Path | None) -> Verification | tuple[Rule, str] | None:
    """What About This Document says of the report ``--verified-by`` names (read once per build), or why it cannot
    cite it."""
    if path is None:
        return None
    from confgen.probe.verified import Refusal, citation, read_report

    found = read_report(path)
    cited = found if isinstance(found, Refusal) else citation(found)
    return (cited.rule, cited.message) if isinstance(cited, Refusal) else cited


def _check_citation(cited: Verification | tuple[Rule, str], profile: Profile, report: Report) -> None:
    """A statement cites only a report of its own profile (by SHA-256)."""
    if isinstance(cited, tuple):
        report.add(cited[0], None, cited[1])
    elif cited.profile_sha256 != profile.sha256:
        report.add(rules.V631, None, f"--verified-by {cited.report_name} is a report of another profile "
                                     f"({cited.profile_name}, SHA-256 {cited.profile_sha256}), not of "
                                     f"{profile.path.name} (SHA-256 {profile.sha256}); probe this profile again")


def _shared_inputs(options: Options) -> str:
    from confgen.record import shared_inputs

    pdf = "pdf" in options.formats
    settings = [f"formats={','.join(options.formats)}",
                *([f"pdf_variant={options.pdf_variant}"] if pdf else []),
                *([f"verified_by={options.verification.report_sha256}"] if options.verification else []),
                # Where templates are looked for; what was found there is in each profile's record entry.
                f"templates={os.path.realpath(options.templates) if options.templates else ''}",
                f"packaged templates={resources.templates_dir()}",
                *(f"{name} {resources.distribution_version(package, name)}"
                  for package, name in (*_RENDERERS, *(_PDF_RENDERERS if pdf else ()))),
                # What chooses fonts, and what fontTools stamps a subset with.
                *(f"{variable}={os.environ.get(variable, '')}" for variable in
                  ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "SOURCE_DATE_EPOCH") if pdf)]
    return shared_inputs([resources.STANDARD_DIR], settings)


def build(path: Path, options: Options, shown_as: str | None = None) -> Result:
    """Build one profile, in this process, as ``build_all`` would."""
    return next(result for _, result in build_all([(path, shown_as or str(path))], replace(options, workers=1)))
