"""Rendering several profiles at once: a small pool of long-lived worker processes.

Each worker imports WeasyPrint once and renders profile after profile. Where processes can be forked (Linux),
the parent imports the renderer before the pool starts, so that every worker begins with it loaded; elsewhere
each worker imports it when it starts.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from confgen.diagnostics import Report

if TYPE_CHECKING:
    from confgen.build import Options
    from confgen.profile import Profile

Job = tuple["Profile", str, list[Path]]


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load_renderer(pdf: bool) -> None:
    # Loaded once here, then used by every job.
    importlib.import_module("confgen.render")
    if pdf:
        importlib.import_module("confgen.pdf")


def render_each(jobs: Sequence[Job], options: Options) -> Iterator[tuple[Report, list[Path]]]:
    """Render and write each job; yield (problems, files written) in the order of ``jobs``."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from confgen.build import render_and_write

    workers = min(options.workers, len(jobs))
    if workers <= 1:
        for profile, shown_as, targets in jobs:
            yield render_and_write(profile, shown_as, targets, options)
        return
    pdf = "pdf" in options.formats
    context: multiprocessing.context.BaseContext
    if "fork" in multiprocessing.get_all_start_methods():
        _load_renderer(pdf)
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_load_renderer, initargs=(pdf,)) as pool:
        futures: list[Future[tuple[Report, list[Path]]]] = [
            pool.submit(render_and_write, profile, shown_as, targets, options) for profile, shown_as, targets in jobs]
        for future in futures:
            yield future.result()
