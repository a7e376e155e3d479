"""One profile's rendering and writing: what a worker process does with each profile it is given
(confgen.workers), or the build itself when it renders one profile at a time.

Render the HTML and the PDF; refuse to write over any input of the command; put the outputs in place as a pair
and, in the same step, the build record's entry for them (confgen.output, confgen.record). Whatever happens
becomes diagnostics of this profile, never an exception: one profile's failure stops no other.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from confgen import resources, rules
from confgen.diagnostics import Report
from confgen.profile import Profile
from confgen.records import record, replace

if TYPE_CHECKING:
    from confgen.record import Dependencies
    from confgen.statement import Verification


@record(frozen=True)
class Job:
    profile: Profile
    shown_as: str  # how diagnostics name the profile
    targets: tuple[Path, ...]  # the outputs, in the order of build.FORMATS
    formats: tuple[str, ...]
    pdf_variant: str
    templates: Path | None  # the vendor's templates folder
    fingerprint: str  # what the build record keeps of the inputs known before rendering
    inputs: frozenset[str]  # every input file of the command, as real paths: none may be written over
    verification: Verification | None = None  # the `confgen probe` report About This Document cites


@record(frozen=True)
class Done:
    report: Report
    written: tuple[Path, ...]  # the outputs put in place (none unless all were)


def real(path: Path | str) -> str:
    """Where ``path`` is: its folder's real path and its own name. A symbolic link is itself, not its target
    (renaming over a link replaces the link)."""
    absolute = Path(os.path.abspath(path))  # noqa: PTH100 (unlike resolve(), it keeps a link as it is)
    return str(absolute.parent.resolve() / absolute.name)


def run(job: Job) -> Done:
    report = Report(job.shown_as)
    try:
        return Done(report, _render_and_write(job, report))
    except Exception as error:  # a defect, or a machine in a state confgen did not foresee: this profile fails
        report.add(rules.R403, None, f"{type(error).__name__}: {error}")
        return Done(report, ())


def _render_and_write(job: Job, report: Report) -> tuple[Path, ...]:
    from confgen.record import ABSENT

    rendered = render_outputs(job.profile, report, formats=job.formats, pdf_variant=job.pdf_variant,
                              templates=job.templates, verification=job.verification)
    if rendered is None:
        return ()
    files, used = rendered
    # A template may include any file of its folder: it is an input too, once rendering has shown it is used.
    inputs = job.inputs | {real(path) for found in used[:1] for path, was in found.items() if was != ABSENT}
    for target in job.targets:
        if real(target) in inputs or os.path.realpath(target) in inputs:
            report.add(rules.F102, None, f"the output {target} would overwrite an input of this command (a profile, "
                                         "a logo or a template); nothing was written")
            return ()
    out_dir = job.targets[0].parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        report.add(rules.F102, None, f"cannot make the output folder {out_dir}: {error.strerror or error}")
        return ()

    from confgen.output import OutputError, write_outputs
    from confgen.record import RECORD_NAME, record_build

    record = out_dir / RECORD_NAME
    outputs = dict(zip(job.targets, files, strict=True))

    def update_record() -> None:
        record_build(out_dir, job.profile.path.stem, job.fingerprint, {t.name: data for t, data in outputs.items()},
                     used)

    # A profile that is itself named like the record (JSON is YAML) is never written over.
    protected = real(record) in job.inputs or os.path.realpath(record) in job.inputs
    try:
        failed = write_outputs(outputs, then=None if protected else update_record)
    except OutputError as error:
        kept = f"so {error.mixed}" if error.mixed else "no output of this profile was changed"
        report.add(rules.F102, None, f"cannot write {error.path}: {error.strerror}; {kept}")
        return ()
    if failed is not None:
        report.add(rules.F104, None, f"the outputs were written, but not the build record {record}: "
                                     f"{failed.strerror or failed}; the next build builds this profile again")
    return job.targets


def render_outputs(profile: Profile, report: Report, *, formats: tuple[str, ...], pdf_variant: str,
                   templates: Path | None,
                   verification: Verification | None = None) -> tuple[list[bytes], list[Dependencies]] | None:
    """The outputs' bytes, in the order of build.FORMATS, and what rendering used, in sets that profiles share
    (the templates and the files WeasyPrint read; the font setup); None when rendering failed (``report`` says
    why). What a build writes, and what `confgen preview` serves, come from here."""
    # Jinja and WeasyPrint are imported here, so that validation never pays for them.
    from confgen.render import RenderError, render
    from confgen.statement import build_statement

    statement = build_statement(profile)
    if verification is not None:
        statement = replace(statement, provenance=replace(statement.provenance, verification=verification))
    try:
        rendered = render(statement, templates)
    except RenderError as error:
        report.add(rules.R401, None, f"a template failed: {error}")
        return None
    files = [rendered.html.encode("utf-8")] if "html" in formats else []
    if "pdf" not in formats:
        return files, [rendered.used]

    from confgen.pdf import html_to_pdf

    # WeasyPrint reads only the template folders; relative URLs resolve in the vendor's folder when there is one.
    packaged = resources.templates_dir()
    base = templates or packaged
    variant = None if pdf_variant == "none" else pdf_variant
    try:
        pdf = html_to_pdf(rendered.html, rendered.print_css, date=profile.document.date, variant=variant,
                          base=base, roots=[base, packaged])
    except Exception as error:  # the PDF engine's failures are many and undocumented; report, never crash
        report.add(rules.R401, None, f"the PDF engine failed: {type(error).__name__}: {error}")
        return None
    for problem in dict.fromkeys(pdf.problems):
        report.add(rules.R402, None, f"WeasyPrint: {problem}")
    if report.has_errors:
        return None
    return [*files, pdf.data], [{**rendered.used, **pdf.served}, pdf.fonts]
