"""Rendering several profiles at once: a small pool of long-lived worker processes.

Each worker imports WeasyPrint once and renders profile after profile. Where processes can be forked (Linux),
the parent imports the renderer before the pool starts, so that every worker begins with it loaded; elsewhere
each worker imports it when it starts.
"""

from __future__ import annotations

import importlib
import os
import signal
from collections.abc import Iterator, Sequence

from confgen import rules
from confgen.diagnostics import Report
from confgen.job import Done, Job, run

_PR_SET_NAME = 15  # prctl(2)
_PR_SET_PDEATHSIG = 1
WORKER_NAME = "confgen-worker"  # what ps and top show for a worker (its /proc/PID/comm), at most 15 bytes


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _start_worker(pdf: bool) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent answers it and stops the workers, which
    # would otherwise each print a traceback, or carry on with the next profile.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent stops its workers with SIGTERM
    _end_with_parent()
    _load_renderer(pdf)


def _end_with_parent() -> None:
    """On Linux, have the kernel end this worker when the parent dies, even by SIGKILL, instead of leaving it
    to finish its profile and write into a build that is over; and name it, so that ps and top tell a worker
    from the build that started it (a forked worker has its parent's command line)."""
    import ctypes  # here, not at the top: `confgen validate` imports this module and never needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        libc.prctl(_PR_SET_NAME, WORKER_NAME.encode("ascii"))
    except (OSError, AttributeError):
        pass  # not Linux: the parent's own handling of SIGINT and SIGTERM still stops the workers


def _load_renderer(pdf: bool) -> None:
    # Loaded once here, then used by every job.
    importlib.import_module("confgen.render")
    if pdf:
        importlib.import_module("confgen.pdf")


def render_each(jobs: Sequence[Job], workers: int) -> Iterator[Done]:
    """Render and write each job, ``workers`` at a time; yield what became of each, in the order of ``jobs``.
    Whatever happens to one job (its worker killed, an exception) is that job's diagnostic."""
    workers = min(workers, len(jobs))
    if workers <= 1:
        for job in jobs:
            yield run(job)
        return
    # Only a pool needs these (about 12 ms of imports, logging among them): a build of one profile goes without.
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from confgen.output import signals_held

    pdf = any("pdf" in job.formats for job in jobs)
    context: multiprocessing.context.BaseContext
    if "fork" in multiprocessing.get_all_start_methods():
        _load_renderer(pdf)
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(pdf,))
    answered = False
    try:
        futures: list[Future[Done]] = [pool.submit(run, job) for job in jobs]
        for job, future in zip(jobs, futures, strict=True):
            try:
                yield future.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): its profile, and those still queued, are lost; the
                # pool says so instead of waiting for an answer that never comes.
                lost = Report(job.shown_as)
                lost.add(rules.R401, None, "the process rendering it ended unexpectedly (killed, or out of memory); "
                                           "nothing was written")
                yield Done(lost, ())
            except Exception as error:  # the job's answer could not come back (it could not be pickled, say)
                failed = Report(job.shown_as)
                failed.add(rules.R403, None, f"{type(error).__name__}: {error}")
                yield Done(failed, ())
        answered = True
    finally:
        # Every job answered: the workers are idle and leave when told. Terminating them instead would race the
        # pool's own shutdown, whose queue thread then prints an OSError traceback (CPython gh-94777).
        # Interrupted or abandoned: start nothing more and stop the workers now, whole (a second Ctrl-C waits
        # until they are stopped). A profile cut short leaves its earlier outputs (confgen.output).
        with signals_held():
            if not answered:
                processes = list((getattr(pool, "_processes", None) or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    process.terminate()
            pool.shutdown(wait=True)
