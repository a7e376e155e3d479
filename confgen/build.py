"""The pipeline, in one place: load -> validate -> skip what is unchanged -> build the statement -> render HTML
and PDF -> write.

Checking is cheap and done here, in order; rendering is slow (WeasyPrint) and, for several profiles, is spread
over a pool of worker processes (confgen.workers).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from confgen import resources, rules
from confgen.diagnostics import Report, Rule
from confgen.profile import Profile
from confgen.source import load
from confgen.validate import validate

if TYPE_CHECKING:
    from confgen.statement import Verification

# Writing (confgen.output, confgen.record) and rendering (confgen.render, confgen.pdf) are imported where they
# are used: `confgen validate` runs this module's check() and is as quick as its imports are few.

FORMATS = ("html", "pdf")

# The PDF variants WeasyPrint writes that a statement may be built as: archival (PDF/A) or accessible (PDF/UA),
# each tagged. "none" is a plain tagged PDF. PDF/X is left out: WeasyPrint stamps it with the clock (and PDF/X-4
# with a random ID), so no two builds would be the same bytes.
PDF_VARIANTS = ("pdf/a-2a", "pdf/a-3a", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/ua-1", "none")


@dataclass(frozen=True)
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
    verification: Verification | None = None  # what it says, once read (build_all reads it)


@dataclass
class Result:
    report: Report
    profile: Profile | None = None
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # outputs left as they were: their inputs did not change


def check(path: Path, shown_as: str | None = None) -> Result:
    """Load and validate one profile. ``shown_as`` is how diagnostics name the file (default: the path)."""
    report = Report(shown_as or str(path))
    source = load(path, report)
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


def build_all(jobs: Sequence[tuple[Path, str]], options: Options) -> Iterator[tuple[int, Result]]:
    """Build each (profile, name shown in diagnostics) of ``jobs``, which are ``distinct()``; yield (its index in
    ``jobs``, result) as each is done.

    A profile whose outputs another one of this call already wrote is not built, since it would overwrite them.
    A profile whose inputs are those of its last build, and whose outputs are still that build's, is not built
    again (unless ``options.force``).
    """
    from confgen.output import remove_leftovers
    from confgen.record import BuildRecord, fingerprint

    record = BuildRecord(options.out_dir)
    cited = _cited_report(options.verified_by)
    if cited is not None and not isinstance(cited, tuple):
        options = replace(options, verification=cited)
    shared: str | None = None  # the inputs all profiles share, computed when the first profile needs them
    claimed: dict[Path, str] = {}
    to_render: list[tuple[int, Path, Result, list[Path], str]] = []
    for index, (path, shown_as) in enumerate(jobs):
        targets = outputs(path, options)
        result = check(path, shown_as)
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
        inputs_on_disk = {path.resolve(): "the profile itself", **({logo.path: "its logo"} if logo else {})}
        overwritten = next((t for t in targets if t.resolve() in inputs_on_disk), None)
        if overwritten is not None:
            result.report.add(rules.F102, None, f"the output {overwritten.name} would overwrite "
                                                f"{inputs_on_disk[overwritten.resolve()]}")
            yield index, result
            continue
        if shared is None:
            shared = _shared_inputs(options)
        inputs = fingerprint(shared, path.name, result.profile.sha256,
                             logo.data if logo else None)
        if not options.force and record.unchanged(path.stem, inputs, targets):
            remove_leftovers(targets)
            result.unchanged = targets
            yield index, result
            continue
        to_render.append((index, path, result, targets, inputs))
    if not to_render:
        return

    from confgen.workers import render_each  # imports the renderer only when something is to be rendered

    # A failed build leaves the earlier outputs and their record entry as they were, and both stay true.
    rendered = render_each([(r.profile, r.report.path, targets) for _, _, r, targets, _ in to_render if r.profile],
                           options)
    recorded = False
    for (index, path, result, targets, inputs), (report, written) in zip(to_render, rendered, strict=True):
        result.report.diagnostics.extend(report.diagnostics)
        result.written = written
        if written:
            record.built(path.stem, inputs, targets)
            recorded = True
        yield index, result
    # A profile that is itself named like the record (JSON is YAML) is never written over.
    if recorded and record.path.resolve() not in {given.resolve() for given, _ in jobs}:
        with contextlib.suppress(OSError):  # without a record the next build builds everything: slower, never wrong
            record.write()


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

    folders = [resources.STANDARD_DIR, resources.templates_dir(), *([options.templates] if options.templates else [])]
    settings = [f"formats={','.join(options.formats)}",
                *([f"pdf_variant={options.pdf_variant}"] if "pdf" in options.formats else []),
                *([f"verified_by={options.verification.report_sha256}"] if options.verification else []),
                # What renders the outputs, and names the related fields, is an input too.
                *(f"{name} {resources.distribution_version(name)}" for name in ("jinja2", "pydicom", "weasyprint"))]
    # Outputs kept inside a template folder are not inputs of the next build.
    return shared_inputs(folders, settings, skip=options.out_dir)


def render_and_write(profile: Profile, shown_as: str, targets: list[Path], options: Options) -> tuple[Report,
                                                                                                      list[Path]]:
    """Render one validated profile and write its outputs; the problems, and what was written."""
    from confgen.output import OutputError, write_outputs

    report = Report(shown_as)
    files = _render(profile, options, report)
    if files is None:
        return report, []
    out_dir = options.out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        report.add(rules.F102, None, f"cannot make the output folder {out_dir}: {error.strerror or error}")
        return report, []
    try:
        write_outputs(dict(zip(targets, files, strict=True)))
    except OutputError as error:
        kept = f"only {', '.join(map(str, error.replaced))} was replaced" if error.replaced else \
            "no output of this profile was changed"
        report.add(rules.F102, None, f"cannot write {error.path}: {error.strerror}; {kept}")
        return report, []
    return report, targets


def _render(profile: Profile, options: Options, report: Report) -> list[bytes] | None:
    """The outputs' bytes, in the order of FORMATS; None when rendering failed (``report`` says why)."""
    # Jinja and WeasyPrint are imported here, so that validation never pays for them.
    from confgen.render import RenderError, render
    from confgen.statement import build_statement

    statement = build_statement(profile)
    if options.verification is not None:
        statement = replace(statement, provenance=replace(statement.provenance, verification=options.verification))
    try:
        rendered = render(statement, options.templates)
    except RenderError as error:
        report.add(rules.R401, None, f"a template failed: {error}")
        return None
    files = [rendered.html.encode("utf-8")] if "html" in options.formats else []
    if "pdf" not in options.formats:
        return files

    from confgen.pdf import html_to_pdf

    # WeasyPrint reads only the template folders; relative URLs resolve in the vendor's folder when there is one.
    packaged = resources.templates_dir()
    base = options.templates or packaged
    variant = None if options.pdf_variant == "none" else options.pdf_variant
    try:
        pdf = html_to_pdf(rendered.html, rendered.print_css, date=profile.document.date, variant=variant,
                          base=base, roots=[base, packaged])
    except Exception as error:  # the PDF engine's failures are many and undocumented; report, never crash
        report.add(rules.R401, None, f"the PDF engine failed: {type(error).__name__}: {error}")
        return None
    for problem in dict.fromkeys(pdf.problems):
        report.add(rules.R402, None, f"WeasyPrint: {problem}")
    return None if report.has_errors else [*files, pdf.data]


def build(path: Path, options: Options, shown_as: str | None = None) -> Result:
    """Build one profile, in this process, as ``build_all`` would."""
    return next(result for _, result in build_all([(path, shown_as or str(path))], replace(options, workers=1)))
