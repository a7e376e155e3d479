"""The pipeline, in one place: load -> validate -> build the statement -> render HTML and PDF -> write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from confgen import resources, rules
from confgen.diagnostics import Report
from confgen.output import OutputError, write_outputs
from confgen.profile import Profile
from confgen.source import load
from confgen.validate import validate

OUTPUT_SUFFIXES = (".html", ".pdf")

# The PDF variants WeasyPrint writes that a statement may be built as: archival (PDF/A) or accessible (PDF/UA),
# each tagged. "none" is a plain tagged PDF. PDF/X is left out: WeasyPrint stamps it with the clock (and PDF/X-4
# with a random ID), so no two builds would be the same bytes.
PDF_VARIANTS = ("pdf/a-2a", "pdf/a-3a", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/ua-1", "none")


@dataclass(frozen=True)
class Options:
    """How a build runs: where it writes, and whether warnings stop a profile being written."""

    out_dir: Path = Path("output")
    strict: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    templates: Path | None = None  # a folder whose templates and stylesheet replace the packaged ones


@dataclass
class Result:
    report: Report
    profile: Profile | None = None
    written: list[Path] = field(default_factory=list)


def check(path: Path, shown_as: str | None = None) -> Result:
    """Load and validate one profile. ``shown_as`` is how diagnostics name the file (default: the path)."""
    report = Report(shown_as or str(path))
    source = load(path, report)
    profile = validate(source, report) if source is not None else None
    return Result(report, profile)


def outputs(path: Path, out_dir: Path) -> list[Path]:
    """Where a build of ``path`` writes: named after the profile's file stem, never after its content."""
    return [out_dir / f"{path.stem}{suffix}" for suffix in OUTPUT_SUFFIXES]


def build_all(jobs: Iterable[tuple[Path, str]], options: Options) -> Iterator[Result]:
    """Build each (profile, name shown in diagnostics) in turn, as each finishes.

    A profile given twice is built once; a profile whose outputs another one of this call already wrote is
    not built, since it would overwrite them.
    """
    done: set[Path] = set()
    claimed: dict[Path, str] = {}
    for path, shown_as in jobs:
        if path.resolve() in done:
            continue
        done.add(path.resolve())
        targets = outputs(path, options.out_dir)
        clash = next((claimed[target] for target in targets if target in claimed), None)
        if clash is not None:
            result = Result(Report(shown_as))
            result.report.add(rules.F102, None, f"its outputs would overwrite those of {clash} in {options.out_dir}: "
                                                "profiles built together need different file names")
            yield result
            continue
        claimed.update(dict.fromkeys(targets, shown_as))
        yield build(path, options, shown_as)


def build(path: Path, options: Options, shown_as: str | None = None) -> Result:
    """Validate, then render and write; a profile with errors (or, when strict, warnings) writes nothing."""
    out_dir = options.out_dir
    result = check(path, shown_as)
    if result.profile is None or result.report.failed(options.strict):
        return result
    targets = outputs(path, out_dir)
    if path.resolve() in {target.resolve() for target in targets}:
        result.report.add(rules.F102, None, f"the output {path.name} would overwrite the profile itself")
        return result

    # Rendering needs Jinja and WeasyPrint; they are imported here so that validation never pays for them.
    from confgen.pdf import html_to_pdf
    from confgen.render import RenderError, render
    from confgen.statement import build_statement

    try:
        rendered = render(build_statement(result.profile), options.templates)
    except RenderError as error:
        result.report.add(rules.R401, None, f"the HTML template failed: {error}")
        return result
    # WeasyPrint reads only the template folders; relative URLs resolve in the vendor's folder when there is one.
    packaged = resources.templates_dir()
    base = options.templates or packaged
    variant = None if options.pdf_variant == "none" else options.pdf_variant
    try:
        pdf = html_to_pdf(rendered.html, rendered.print_css, date=result.profile.document.date, variant=variant,
                          base=base, roots=[base, packaged])
    except Exception as error:  # the PDF engine's failures are many and undocumented; report, never crash
        result.report.add(rules.R401, None, f"the PDF engine failed: {type(error).__name__}: {error}")
        return result
    for problem in dict.fromkeys(pdf.problems):
        result.report.add(rules.R402, None, f"WeasyPrint: {problem}")
    if result.report.has_errors:
        return result

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        result.report.add(rules.F102, None, f"cannot make the output folder {out_dir}: {error.strerror or error}")
        return result
    try:
        write_outputs(dict(zip(targets, (rendered.html.encode("utf-8"), pdf.data), strict=True)))
    except OutputError as error:
        kept = f"only {', '.join(map(str, error.replaced))} was replaced" if error.replaced else \
            "no output of this profile was changed"
        result.report.add(rules.F102, None, f"cannot write {error.path}: {error.strerror}; {kept}")
        return result
    result.written.extend(targets)
    return result
